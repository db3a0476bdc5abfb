"""``pactwatch graph``: the partner network as a valid PNG/SVG for a small database."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import sqlite_utils
from analyst_db import build
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.config import Settings
from pipeline.store import partner_links

pytest.importorskip("matplotlib")
pytest.importorskip("networkx")

from pipeline.graph import TYPE_COLOURS, build_network


def _graph(settings: Settings, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["graph", "--db", str(settings.database.path), *args])
    return result.exit_code, result.output


def test_png(settings: Settings, db: sqlite_utils.Database, tmp_path: Path) -> None:
    build(db)
    out = tmp_path / "net.png"
    code, output = _graph(settings, "--out", str(out))
    assert code == 0, output
    assert "4 actors, 4 links, 5 mentions" in output
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 10_000
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1200, 900)


def test_svg_for_a_period_and_country(settings: Settings, db: sqlite_utils.Database, tmp_path: Path) -> None:
    build(db)
    out = tmp_path / "sub" / "net.svg"
    code, output = _graph(settings, "--out", str(out), "--since", "2020-01-01", "--country", "kor")
    assert code == 0, output
    assert "3 actors, 2 links, 2 mentions" in output  # EU-KOR and JPN-KOR in 2022; EU-JPN (2019) is out
    root = ET.fromstring(out.read_bytes())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    labels = {el.text for el in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {"EU", "JPN", "KOR"} <= labels and "IND" not in labels


def test_empty_period_still_draws(settings: Settings, db: sqlite_utils.Database, tmp_path: Path) -> None:
    build(db)
    out = tmp_path / "empty.png"
    code, output = _graph(settings, "--out", str(out), "--since", "2030-01-01")
    assert code == 0 and "0 actors" in output
    assert out.read_bytes()[:4] == b"\x89PNG"


def test_bad_suffix_is_a_usage_error(settings: Settings, tmp_path: Path) -> None:
    from pipeline.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["graph", "--db", str(settings.database.path), "--out", str(tmp_path / "net.gif")])
    assert exit_info.value.code == 2
    assert not (tmp_path / "net.gif").exists()


def test_network_weights_and_colours(db: sqlite_utils.Database) -> None:
    build(db)
    graph = build_network(partner_links(db), {"JPN": "Japan"})
    assert graph["EU"]["JPN"]["mentions"] == 2 and graph["EU"]["JPN"]["type"] == "agreement"
    assert graph["EU"]["KOR"]["type"] == "partnership"
    assert graph.nodes["JPN"]["name"] == "Japan" and graph.nodes["EU"]["mentions"] == 4
    assert not graph.has_node("USA")  # negated events draw nothing
    mixed = build_network([
        {"actor_a": "EU", "actor_b": "JPN", "type": "cooperation", "mentions": 1, "partnerships": 1},
        {"actor_a": "EU", "actor_b": "JPN", "type": "agreement", "mentions": 3, "partnerships": 1},
    ])
    edge = mixed["EU"]["JPN"]
    assert (edge["mentions"], edge["partnerships"], edge["type"]) == (4, 2, "agreement")
    assert set(TYPE_COLOURS) == {"agreement", "partnership", "programme", "cooperation"}
