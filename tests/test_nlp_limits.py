"""The NLP's size limit: texts over ``nlp.max_chars`` (spaCy stops at 1,000,000 with E088) are cut at a break,
analysed and recorded as cut, in a real ``run --once`` and a real ``extract``."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.nlp.limits import fit_text
from tests.conftest import LocalServer, article_page, rss, write_feeds_file

EVENT = "The European Union and Japan signed a Digital Partnership in Tokyo on Monday."
FILLER = "The weather in the old town was mild on day {i}, and the market stalls stayed open late."


def _long_text(chars: int) -> list[str]:
    paragraphs, size, i = [EVENT], len(EVENT), 0
    while size < chars:
        paragraphs.append(" ".join(FILLER.format(i=i + k) for k in range(10)))
        size += len(paragraphs[-1]) + 2
        i += 10
    return paragraphs


@pytest.mark.parametrize(("text", "limit", "expected", "cut"), [
    ("short", 10, "short", False),
    ("one two.\n\nthree four.\n\nfive six.", 22, "one two.\n\nthree four.", True),
    ("one two.\nthree four.\nfive six.", 22, "one two.\nthree four.", True),
    ("One two. Three four. Five six.", 22, "One two. Three four.", True),
    ("x" * 30, 10, "x" * 10, True),
], ids=["short", "paragraph", "line", "sentence", "no-break"])
def test_fit_text(text: str, limit: int, expected: str, cut: bool) -> None:
    assert fit_text(text, limit) == (expected, cut)


def test_an_article_over_a_million_characters_is_analysed_cut(http_server: LocalServer, tmp_path: Path) -> None:
    page = article_page("EU and Japan sign a Digital Partnership", _long_text(1_100_000))
    http_server.add("/long.html", page, content_type="text/html; charset=utf-8")
    feed = http_server.add("/feed.xml", rss([{"title": "EU and Japan", "link": http_server.url("/long.html")}]))
    feeds = write_feeds_file(tmp_path / "feeds.toml", [feed])
    config = tmp_path / "pactwatch.toml"
    config.write_text(f'[database]\npath = "{tmp_path / "p.db"}"\n[feeds]\nfile = "{feeds}"\n'
                      '[fetch]\nallowed_networks = ["127.0.0.0/8"]\nrespect_robots = false\n')
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "pipeline", "run", "--once", "--config", str(config)],
                            capture_output=True, text=True, timeout=300)
    print(f"\nrun --once over a {len(page):,}-byte page: {time.monotonic() - started:.1f} s")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "E088" not in result.stderr
    assert "cut to" in result.stderr and "nlp.max_chars" in result.stderr
    conn = sqlite3.connect(tmp_path / "p.db")
    try:
        status, error, read, length = conn.execute(
            "SELECT nlp_status, nlp_error, nlp_chars, length(text) FROM articles").fetchone()
        participants = [r[0] for r in conn.execute("SELECT participants FROM events")]
    finally:
        conn.close()
    assert (status, error) == ("done", None)
    assert length > 1_000_000 and 100_000 <= read <= 200_000  # the whole text is kept; the NLP read a part
    assert "EU,JPN" in participants


def test_extract_on_a_5_mb_file(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("\n\n".join(_long_text(5_000_000)))
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "pipeline", "extract", str(path), "--format", "json"],
                            capture_output=True, text=True, timeout=300)
    print(f"\nextract on a {path.stat().st_size:,}-byte file: {time.monotonic() - started:.1f} s")
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().startswith(f"{path}: text of 5,0") and "(nlp.max_chars)" in result.stderr
    events = json.loads(result.stdout)["events"]
    assert [e["participants"] for e in events] == [["EU", "JPN"]]


def test_extract_on_a_binary_file_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "binary.bin"
    path.write_bytes(b"\xff\xfe\x00\x01" * 100)
    result = subprocess.run([sys.executable, "-m", "pipeline", "extract", str(path)], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().startswith(f"UsageError: {path}: not UTF-8 text")
