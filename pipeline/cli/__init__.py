"""The ``pactwatch`` command: the click group, shared options, and the one place errors become exit codes.

Each module in this package defines ``COMMANDS``, a list of click commands; they are discovered and added here.
"""

from __future__ import annotations

import importlib
import logging
import os
import pkgutil
import sys

import click

from pipeline import __version__
from pipeline.cli.common import global_options
from pipeline.errors import PactwatchError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="pactwatch")
@global_options
def cli() -> None:
    """pactwatch: who agreed, launched or negotiated what with whom, from EU news feeds, into SQLite.

    --config, --db, --format and --debug may come before or after the command name.
    """


def _discover() -> None:
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_") or info.name in ("common", "output"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for command in getattr(module, "COMMANDS", []):
            cli.add_command(command)


_discover()


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI and map every error to one line on stderr and an exit code."""
    argv = sys.argv[1:] if argv is None else argv
    debug = "--debug" in argv or bool(os.environ.get("PACTWATCH_DEBUG"))
    try:
        code = cli.main(args=argv, prog_name="pactwatch", standalone_mode=False)  # an Exit's code, else None
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort as exc:
        interrupted = isinstance(exc.__cause__, KeyboardInterrupt)
        click.echo("Interrupted." if interrupted else "Aborted.", err=True)
        sys.exit(130 if interrupted else 1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if isinstance(exc, click.UsageError) else exc.exit_code)
    except PactwatchError as exc:
        if debug:
            logging.getLogger(__name__).exception("error")
        click.echo(f"{type(exc).__name__}: {exc}", err=True)
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(0)
    except Exception as exc:
        if debug:
            raise
        click.echo(f"{type(exc).__name__}: {exc} (run with --debug for the traceback)", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
