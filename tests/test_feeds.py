"""The feed list: feeds.toml validation, editing in place, OPML import/export and ``pactwatch feeds``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline import store
from pipeline.cli import cli
from pipeline.errors import ConfigError
from pipeline.feeds import add_feed, load_feed_list, remove_feed
from pipeline.opml import read_opml, write_opml

LISTED = """# Our feeds. Keep this comment.

# institutions
[[feed]]
name = "First"
url = "https://example.org/first.xml"

# media
[[feed]]
name = "Second"
url = "https://example.org/second.xml"
interval = 600
"""

OPML = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0"><head><title>Reader export</title></head><body>
  <outline text="News" title="News">
    <outline type="rss" text="Third feed" xmlUrl="https://example.net/third.rss" htmlUrl="https://example.net/"/>
    <outline type="rss" text="First again" xmlUrl="https://example.org/first.xml"/>
  </outline>
  <outline type="rss" title="No scheme" xmlUrl="javascript:alert(1)"/>
  <outline type="rss" text="Fourth" xmlUrl="http://example.com/4.xml"/>
</body></opml>
"""


@pytest.fixture
def feeds_file(tmp_path: Path) -> Path:
    path = tmp_path / "feeds.toml"
    path.write_text(LISTED)
    return path


@pytest.mark.parametrize(
    ("text", "problem"),
    [('[[feed]]\nurl = "ftp://x/y"\n', r"http\(s\) URL"),
     ('[[feed]]\nurl = "https://a/b"\ncolour = 1\n', "unknown key"),
     ('[[feed]]\nurl = "https://a/b"\ninterval = "1h"\n', "expected int"),
     ('[[feed]]\nurl = "https://a/b"\n[[feed]]\nurl = "https://a/b"\n', "duplicate"), ("[[feed]\n", "malformed")],
    ids=["scheme", "unknown-key", "wrong-type", "duplicate", "malformed"],
)
def test_bad_feed_lists_are_config_errors(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=problem):
        load_feed_list(path)


def test_add_and_remove_keep_comments(feeds_file: Path) -> None:
    assert add_feed(feeds_file, "https://example.net/new.xml", name='A "quoted" name', interval=1200)
    assert not add_feed(feeds_file, "https://example.net/new.xml")
    with pytest.raises(ConfigError):
        add_feed(feeds_file, "file:///etc/passwd")
    assert remove_feed(feeds_file, "https://example.org/first.xml")
    assert not remove_feed(feeds_file, "https://example.org/first.xml")
    text = feeds_file.read_text()
    assert "# Our feeds. Keep this comment." in text and "# media" in text and "First" not in text
    assert [(s.url, s.name, s.interval) for s in load_feed_list(feeds_file)] == [
        ("https://example.org/second.xml", "Second", 600), ("https://example.net/new.xml", 'A "quoted" name', 1200)]


def test_opml_round_trip() -> None:
    specs = read_opml(OPML)
    assert [(s.url, s.name) for s in specs] == [("https://example.net/third.rss", "Third feed"),
                                               ("https://example.org/first.xml", "First again"),
                                               ("http://example.com/4.xml", "Fourth")]
    again = read_opml(write_opml([{"url": s.url, "name": s.name} for s in specs]))
    assert again == specs


@pytest.mark.parametrize(
    "data",
    [b"<opml><body><outline", b"<rss/>",
     b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]><opml><body>'
     b'<outline xmlUrl="https://a.b/&x;"/></body></opml>'],
    ids=["truncated", "not-opml", "external-entity"],
)
def test_hostile_or_broken_opml(data: bytes) -> None:
    try:
        specs = read_opml(data)
    except ConfigError:
        return
    assert all("root:" not in s.url for s in specs)


def test_feeds_cli(tmp_path: Path, feeds_file: Path) -> None:
    config = tmp_path / "pactwatch.toml"
    config.write_text(f'[database]\npath = "{tmp_path / "db.sqlite"}"\n[feeds]\nfile = "{feeds_file}"\n')
    opml = tmp_path / "in.opml"
    opml.write_bytes(OPML)
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(cli, [*args[:2], "--config", str(config), *args[2:]] if args[0] == "feeds"
                               else list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    assert "added" in run("feeds", "add", "https://example.net/cli.xml", "--name", "CLI")
    assert "imported 2 new feeds (1 already listed)" in run("feeds", "import", str(opml))
    assert "removed" in run("feeds", "remove", "https://example.org/first.xml")
    listed = json.loads(run("feeds", "list", "--format", "json"))
    assert {r["url"] for r in listed} == {"https://example.org/second.xml", "https://example.net/cli.xml",
                                          "https://example.net/third.rss", "http://example.com/4.xml"}
    assert {r["health"] for r in listed} == {"new"}
    removed = json.loads(run("feeds", "list", "--all", "--format", "json"))
    assert [r["health"] for r in removed if r["url"].endswith("first.xml")] == ["removed"]
    exported = read_opml(run("feeds", "export").encode())
    assert [s.url for s in exported] == [s.url for s in load_feed_list(feeds_file)]
    db = store.open_db(tmp_path / "db.sqlite")
    assert db.execute("SELECT count(*) FROM feeds WHERE active = 1").fetchone()[0] == 4
    db.close()
