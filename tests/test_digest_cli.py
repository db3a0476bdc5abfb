"""``pactwatch digest``: dry runs to .eml and .html, test sends with --to, exit codes, against aiosmtpd."""

from __future__ import annotations

import json
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from pipeline.cli import main
from tests.test_digest import (  # noqa: F401  (fixtures)
    SmtpServer,
    _items,
    _listed,
    _part,
    _statuses,
    corpus,
    smtp_server,
)


def _config(tmp_path: Path, settings, server: SmtpServer, recipients: list[str], **email: str) -> Path:
    lines = [
        "[database]", f'path = "{settings.database.path}"',
        "[feeds]", f'file = "{settings.feeds.file}"',
        "[email]", 'smtp_host = "127.0.0.1"', f"smtp_port = {server.port}", 'security = "none"', "timeout = 5",
        'sender = "pactwatch@example.org"', *(f'{k} = "{v}"' for k, v in email.items()),
        "[digest]", "backfill = 0",  # the corpus is dated May 2026 and these run now; test_digest.py tests backfill
    ]
    for address in recipients:
        lines += ["[[email.recipients]]", f'address = "{address}"']
    path = tmp_path / "pactwatch.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def _run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(["digest", *map(str, args)])
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def test_dry_run_writes_an_eml_and_sends_nothing(tmp_path, settings, corpus, smtp_server, capsys) -> None:  # noqa: F811
    config = _config(tmp_path, settings, smtp_server, ["analyst@example.org"])
    out = tmp_path / "digest.eml"
    code, _, err = _run(capsys, "--config", config, "--dry-run", "--out", out)
    assert code == 0, err
    assert "wrote the message (.eml)" in err
    message = message_from_bytes(out.read_bytes(), policy=policy.default)
    assert message["Subject"] == "pactwatch: 3 new partnerships" and message["To"] == "analyst@example.org"
    assert message["Message-ID"] and message["Date"] and message["List-Unsubscribe"]
    assert _listed(message) == {"Digital Partnership", "Economic Partnership Agreement", "Horizon Europe"}  # type: ignore[arg-type]
    assert "<html" in _part(message, "html")  # type: ignore[arg-type]
    assert smtp_server.inbox.received == [] and _items(corpus) == []
    assert corpus.execute("SELECT count(*) FROM digests").fetchone()[0] == 0


def test_dry_run_html_per_recipient_and_text_to_stdout(tmp_path, settings, corpus, smtp_server, capsys) -> None:  # noqa: F811
    config = _config(tmp_path, settings, smtp_server, ["a@example.org", "b@example.org"],
                     unsubscribe="https://example.org/unsubscribe")
    code, _, err = _run(capsys, "--config", config, "--dry-run", "--out", tmp_path / "digest.html")
    assert code == 0, err
    for address in ("a@example.org", "b@example.org"):
        html = (tmp_path / f"digest-{address}.html").read_text()
        assert html.startswith("<!DOCTYPE html>") and "Horizon Europe" in html
        assert 'href="https://example.org/unsubscribe"' in html
    code, out, _ = _run(capsys, "--config", config, "--dry-run", "--to", "b@example.org")
    assert code == 0
    assert out.startswith("To: b@example.org\nSubject: pactwatch: 3 new partnerships")
    assert "NEW PARTNERSHIPS (3)" in out and " 1. EU – Japan: Digital Partnership (launched)\n" in out
    assert smtp_server.inbox.received == []


def test_send_test_then_real_then_failure_exit_codes(tmp_path, settings, corpus, smtp_server, capsys) -> None:  # noqa: F811
    config = _config(tmp_path, settings, smtp_server, ["analyst@example.org"])
    code, out, err = _run(capsys, "--config", config, "--to", "me@example.org", "--format", "json")
    assert code == 0, err
    assert json.loads(out)[0]["status"] == "test"
    assert [rcpt for _, rcpt, _ in smtp_server.inbox.received] == [["me@example.org"]]
    assert _items(corpus) == []

    code, out, err = _run(capsys, "--config", config)
    assert code == 0, err
    assert "analyst@example.org" in out and "sent" in out
    code, out, _ = _run(capsys, "--config", config)
    assert code == 0 and "not_due" in out  # the digest_cron has not fired since
    code, out, _ = _run(capsys, "--config", config, "--now")
    assert code == 0 and "empty" in out
    assert len(smtp_server.inbox.received) == 2

    corpus.execute("DELETE FROM digest_items")
    corpus.conn.commit()
    smtp_server.inbox.mode = "refuse"
    code, _, err = _run(capsys, "--config", config, "--now")
    assert code == 1
    last = err.strip().splitlines()[-1]
    assert last.startswith("DigestError: 1 of 1 digests failed: analyst@example.org:") and "550" in last
    assert _statuses(corpus, "analyst@example.org")[-1] == "failed"


def test_out_needs_dry_run(tmp_path, settings, corpus, smtp_server, capsys) -> None:  # noqa: F811
    config = _config(tmp_path, settings, smtp_server, ["analyst@example.org"])
    code, _, err = _run(capsys, "--config", config, "--out", tmp_path / "x.eml")
    assert code == 2 and "--out needs --dry-run" in err
    assert smtp_server.inbox.received == []


def test_to_takes_one_plain_address(tmp_path, settings, corpus, smtp_server, capsys) -> None:  # noqa: F811
    config = _config(tmp_path, settings, smtp_server, ["analyst@example.org"])
    code, _, err = _run(capsys, "--config", config, "--to", "a@example.org\r\nBcc: b@example.org")
    assert code == 2 and "expected one e-mail address" in err
    assert smtp_server.inbox.received == []
