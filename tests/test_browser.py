"""End to end in a real browser: headless Chromium opens the "new partnerships" canned query served by
``pactwatch serve`` and the rows are on the page (Debian's chromium; skipped where no browser exists)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import lxml.html
import pytest
from analyst_db import build, running_server

from pipeline.store import open_db, transaction

pytest.importorskip("datasette")
CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser")) if p), None)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on PATH: install Debian's chromium (apt-get install chromium; .ci/run does)")


def _dump_dom(url: str, profile: Path) -> lxml.html.HtmlElement:
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
         f"--user-data-dir={profile}", "--dump-dom", url],
        capture_output=True, text=True, timeout=90, check=False,
    )
    assert result.returncode == 0 and "<html" in result.stdout, result.stderr[-2000:]
    return lxml.html.fromstring(result.stdout)


def _rows(page: lxml.html.HtmlElement) -> list[dict[str, str]]:
    tables = page.xpath("//table[contains(@class, 'rows-and-columns')]")
    assert tables, "no results table on the page"
    headers = [th.text_content().strip() for th in tables[0].xpath(".//thead//th")]
    return [dict(zip(headers, (td.text_content().strip() for td in tr.xpath("./td")), strict=True))
            for tr in tables[0].xpath(".//tbody/tr")]


def test_new_partnerships_page_in_chromium(tmp_path: Path) -> None:
    path = tmp_path / "pactwatch.db"
    db = open_db(path)
    build(db)
    with transaction(db) as conn:  # the EU-Japan EPA was first seen a month ago: not new this week
        conn.execute("UPDATE partnerships SET first_seen = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-30 days')"
                     " WHERE participants = 'EU,JPN'")
    db.close()
    with running_server(path, tmp_path) as base:
        page = _dump_dom(f"{base}/pactwatch/new_partnerships", tmp_path / "profile")
        assert "New partnerships" in page.xpath("string(//h1)")
        rows = _rows(page)
        assert {r["participants"] for r in rows} == {"EU,KOR", "JPN,KOR", "EU,IND"}
        india = next(r for r in rows if r["participants"] == "EU,IND")
        assert india["participant_names"] == "European Union | India"
        assert india["instrument"] == "Global Gateway" and india["type"] == "programme"

        wider = _rows(_dump_dom(f"{base}/pactwatch/new_partnerships?days=60", tmp_path / "profile"))
        assert {r["participants"] for r in wider} == {"EU,JPN", "EU,KOR", "JPN,KOR", "EU,IND"}
