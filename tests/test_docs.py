"""The docs stay honest: every command has help and appears in the README; the package exports are short."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import pipeline
from pipeline.cli import cli

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = sorted(cli.commands)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_and_is_in_readme(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "-h"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    assert f"pactwatch {name}" in (ROOT / "README.md").read_text()


def test_readme_shows_the_two_commands() -> None:
    text = (ROOT / "README.md").read_text()
    assert "make run" in text and "make test" in text


def test_package_exports_are_short() -> None:
    assert pipeline.__all__ == ["__version__"]
    assert pipeline.__version__
