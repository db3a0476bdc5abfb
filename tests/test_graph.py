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


# --- readable by default: the most-mentioned actors, labels that never overlap ------------------------------------

BLOCS = ["ASEAN", "AU", "G7", "G20", "NATO", "UN", "WTO", "OECD", "MERCOSUR", "WBALK", "SOUTHNEIGH", "INDOPAC"]


def _crowded_links(actors: int = 123, links: int = 380) -> list[dict]:
    """A made-up network shaped like a busy period: the EU linked to everyone, mentions falling off with rank,
    and random links among the others."""
    import random

    import pycountry

    rnd = random.Random(5)
    codes = [*BLOCS, *(c.alpha_3 for c in pycountry.countries)][: actors - 1]
    types = sorted(TYPE_COLOURS)
    rows = [{"actor_a": min("EU", c), "actor_b": max("EU", c), "type": types[i % 4],
             "mentions": max(1, int(80 / (i + 1) ** 0.9)), "partnerships": 1} for i, c in enumerate(codes)]
    pairs = set()
    while len(rows) < links:
        a, b = sorted(rnd.sample(codes, 2))
        if (a, b) not in pairs:
            pairs.add((a, b))
            rows.append({"actor_a": a, "actor_b": b, "type": rnd.choice(types), "mentions": rnd.randint(1, 3),
                         "partnerships": 1})
    return rows


def _label_boxes(fig) -> list:
    renderer = fig.canvas.get_renderer()
    [ax] = fig.axes
    return [(t.get_text(), t.get_window_extent(renderer)) for t in ax.texts]


def _overlapping(boxes: list) -> list[tuple[str, str]]:
    return [(a, b) for i, (a, box_a) in enumerate(boxes) for b, box_b in boxes[i + 1:] if box_a.overlaps(box_b)]


def test_most_mentioned_keeps_the_focus() -> None:
    from pipeline.graph import MAX_ACTORS, most_mentioned

    full = build_network(_crowded_links())
    assert full.number_of_nodes() == 123
    top = most_mentioned(full, MAX_ACTORS)
    assert top.number_of_nodes() == MAX_ACTORS == 40
    cut = min(full.nodes[n]["mentions"] for n in top.nodes)
    assert all(full.nodes[n]["mentions"] <= cut for n in set(full.nodes) - set(top.nodes))
    quiet = min(full.nodes, key=lambda n: (full.nodes[n]["mentions"], n))
    assert quiet not in top and quiet in most_mentioned(full, MAX_ACTORS, keep=quiet)
    assert most_mentioned(full, MAX_ACTORS, keep=quiet).number_of_nodes() == 40


@pytest.mark.parametrize("limit", [40, None], ids=["default", "all"])
def test_labels_never_overlap_in_the_rendered_figure(tmp_path: Path, limit: int | None) -> None:
    from pipeline.graph import draw_network, most_mentioned

    full = build_network(_crowded_links())
    graph = most_mentioned(full, limit, keep="FJI") if limit else full
    out = tmp_path / "crowded.png"
    fig, left_out = draw_network(graph, out, title="test", focus="FJI")
    boxes = _label_boxes(fig)
    assert left_out == 0 and len(boxes) == graph.number_of_nodes()
    assert {text for text, _ in boxes} == set(graph.nodes)
    assert _overlapping(boxes) == []
    frame = fig.bbox
    assert all(frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 and b.y1 <= frame.y1 for _, b in boxes)
    assert out.read_bytes()[:4] == b"\x89PNG"


def test_cli_draws_the_40_most_mentioned_unless_all(settings: Settings, db: sqlite_utils.Database,
                                                   tmp_path: Path) -> None:
    import pycountry
    from analyst_db import add_article, event

    codes = [c.alpha_3 for c in pycountry.countries][:50]
    for i, code in enumerate(codes):
        events = [event(("EU", code), "agreement", "signed", f"Accord {code}", f"The EU and {code} signed.")] * (
            1 + (i < 10))
        add_article(db, f"http://news.example.org/{code}", f"EU and {code}", "text", list(events))
    out = tmp_path / "top.png"
    code, output = _graph(settings, "--out", str(out), "--since", "2020-01-01", "--until", "2030-12-31")
    assert code == 0, output
    assert "40 actors, 39 links" in output and "(the most mentioned of 51 actors; --all draws every one)" in output
    code, output = _graph(settings, "--out", str(out), "--country", codes[-1])
    assert code == 0 and "2 actors, 1 links" in output
    code, output = _graph(settings, "--out", str(out), "--all")
    assert code == 0 and "51 actors, 50 links" in output and "most mentioned" not in output


def test_title_says_the_window_and_how_many_actors(db: sqlite_utils.Database, tmp_path: Path) -> None:
    from pipeline.graph import write_graph

    build(db)
    summary = write_graph(db, tmp_path / "w.svg", since="2020-01-01T00:00:00Z", until="2023-06-30T00:00:00Z")
    labels = [el.text for el in ET.fromstring((tmp_path / "w.svg").read_bytes()).iter(
        "{http://www.w3.org/2000/svg}text")]
    assert "Partner network, 2020-01-01 to 2023-06-30: 3 actors; edge width = mentions" in labels
    assert summary.actors == 3
