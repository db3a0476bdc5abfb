"""The partner network as a picture: actors as nodes, shared partnerships as edges (width by mentions, colour by
the type with most mentions), drawn with networkx and matplotlib (Agg backend, no display needed).

Readable by default: the ``MAX_ACTORS`` most-mentioned actors (the focus actor always among them), labels that
never overlap (``pipeline.graph_labels``), a legend of the types and a title giving the period.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from pipeline.store import actor_names, partner_links

TYPE_COLOURS = {
    "agreement": "#1f77b4",
    "partnership": "#2ca02c",
    "programme": "#ff7f0e",
    "cooperation": "#9467bd",
}
FORMATS = ("png", "svg", "pdf")
MAX_ACTORS = 40
_AXES = (0.01, 0.02, 0.80, 0.88)  # left, bottom, width, height of the drawing; the legend goes to the right


@dataclass(frozen=True)
class GraphSummary:
    path: Path
    actors: int
    links: int
    mentions: int
    actors_in_period: int  # before keeping the most mentioned
    labels_left_out: int = 0


def build_network(links: list[dict[str, Any]], names: dict[str, str] | None = None) -> Any:
    """A ``networkx.Graph``: one edge per actor pair with ``mentions``, ``partnerships``, per-type counts and ``type``
    (the type with most mentions); nodes carry ``name`` and ``mentions``."""
    import networkx as nx

    names = names or {}
    per_pair: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    partnerships: dict[tuple[str, str], int] = defaultdict(int)
    for link in links:
        pair = (link["actor_a"], link["actor_b"])
        per_pair[pair][link["type"]] += link["mentions"]
        partnerships[pair] += link["partnerships"]
    graph = nx.Graph()
    for (a, b), by_type in per_pair.items():
        dominant = max(sorted(by_type), key=lambda t: by_type[t])
        graph.add_edge(a, b, mentions=sum(by_type.values()), partnerships=partnerships[(a, b)], type=dominant,
                       by_type=dict(by_type))
    for node in graph.nodes:
        graph.nodes[node]["name"] = names.get(node, node)
        graph.nodes[node]["mentions"] = sum(d["mentions"] for _, _, d in graph.edges(node, data=True))
    return graph


def most_mentioned(graph: Any, limit: int, *, keep: str | None = None) -> Any:
    """The subgraph of the ``limit`` actors with most mentions (``keep`` always among them), without the actors
    left with no link inside it."""
    ranked = sorted(graph.nodes, key=lambda n: (n != keep, -graph.nodes[n]["mentions"], n))
    sub = graph.subgraph(ranked[:limit]).copy()
    sub.remove_nodes_from([n for n in list(sub.nodes) if sub.degree(n) == 0 and n != keep])
    return sub


def _layout(graph: Any) -> dict[str, Any]:
    import networkx as nx

    n = graph.number_of_nodes()
    return nx.spring_layout(graph, weight=None, seed=7, k=2.2 / max(1, n) ** 0.5, iterations=200)


def draw_network(graph: Any, out: Path, *, title: str, focus: str | None = None) -> Any:
    """Write the graph to ``out`` (format from the suffix: .png, .svg or .pdf); returns the matplotlib Figure and
    the number of labels left out for lack of room (only ever in very crowded pictures)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12, 9), dpi=100)
    FigureCanvasAgg(fig)  # a renderer to measure labels with, before saving
    fig.suptitle(title, x=0.01, y=0.985, ha="left", va="top", fontsize=13)
    ax = fig.add_axes(_AXES)
    ax.set_axis_off()
    left_out = 0
    if graph.number_of_nodes() == 0:
        ax.text(0.5, 0.5, "no partnerships in this period", ha="center", va="center", fontsize=14,
                transform=ax.transAxes)
    else:
        left_out = _draw(fig, ax, graph, focus)
    out.parent.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # SVG labels stay text: searchable, editable
        fig.savefig(out, format=out.suffix.lstrip(".").lower())
    return fig, left_out


def _draw(fig: Any, ax: Any, graph: Any, focus: str | None) -> int:
    import networkx as nx
    from matplotlib.lines import Line2D

    from pipeline.graph_labels import Label, place_labels

    layout = _layout(graph)
    xs, ys = [p[0] for p in layout.values()], [p[1] for p in layout.values()]
    margin = 0.08 * max(max(xs) - min(xs), max(ys) - min(ys), 1e-6)
    ax.set_xlim(min(xs) - margin, max(xs) + margin)
    ax.set_ylim(min(ys) - margin, max(ys) + margin)
    edges = sorted(graph.edges(data=True), key=lambda e: e[2]["mentions"])  # the heaviest drawn on top
    top = max(d["mentions"] for _, _, d in edges)
    nx.draw_networkx_edges(graph, layout, ax=ax, edgelist=[(a, b) for a, b, _ in edges],
                           width=[_width(d["mentions"], top) for _, _, d in edges],
                           edge_color=[TYPE_COLOURS.get(d["type"], "#7f7f7f") for _, _, d in edges],
                           alpha=[0.3 + 0.6 * math.sqrt(d["mentions"] / top) for _, _, d in edges])
    node_top = max(graph.nodes[n]["mentions"] for n in graph.nodes) or 1
    nodes = sorted(graph.nodes, key=lambda n: (n != focus, -graph.nodes[n]["mentions"], n))
    sizes = {n: 120 + 1500 * math.sqrt(graph.nodes[n]["mentions"] / node_top) for n in nodes}  # points²
    nx.draw_networkx_nodes(graph, layout, ax=ax, nodelist=nodes, node_size=[sizes[n] for n in nodes],
                           node_color=["#ffe680" if n == focus else "#f2f2f2" for n in nodes], edgecolors="#333333",
                           linewidths=0.8)
    pixels_per_point = fig.dpi / 72
    labels = [Label(text=n, x=layout[n][0], y=layout[n][1], radius=math.sqrt(sizes[n]) / 2 * pixels_per_point,
                    bold=n == focus) for n in nodes]
    _, left_out = place_labels(ax, labels)
    right = _AXES[0] + _AXES[2] + 0.01
    used = sorted({d["type"] for _, _, d in edges})
    fig.legend(handles=[Line2D([0], [0], color=TYPE_COLOURS.get(t, "#7f7f7f"), lw=4, label=t) for t in used],
               loc="upper left", bbox_to_anchor=(right, 0.9), title="colour: the type\nwith most mentions",
               frameon=False, fontsize=10, alignment="left")
    widths = sorted({top, max(1, round(top / 4)), 1}, reverse=True)
    fig.legend(handles=[Line2D([0], [0], color="#7f7f7f", lw=_width(m, top),
                               label=f"{m} mention{'' if m == 1 else 's'}") for m in widths],
               loc="upper left", bbox_to_anchor=(right, 0.62), title="width: mentions", frameon=False, fontsize=10,
               alignment="left")
    return left_out


def _width(mentions: int, top: int) -> float:
    """Edge width in points: in proportion to mentions, thin for the links mentioned once."""
    return 0.5 + 7.5 * mentions / top


def _period(since: str | None, until: str | None) -> str:
    end = until[:10] if until else datetime.now(UTC).strftime("%Y-%m-%d")
    return f"{since[:10]} to {end}" if since else f"all events up to {end}"


def write_graph(db: sqlite_utils.Database, out: Path, *, since: str | None = None, until: str | None = None,
                country: str | None = None, limit: int | None = MAX_ACTORS) -> GraphSummary:
    """Draw the partner network of events dated in [since, until] (optionally around one actor) to ``out``:
    the ``limit`` most-mentioned actors (None draws all)."""
    focus = country.upper() if country else None
    full = build_network(partner_links(db, since=since, until=until, country=country), actor_names(db))
    graph = full if limit is None or full.number_of_nodes() <= limit else most_mentioned(full, limit, keep=focus)
    shown = graph.number_of_nodes()
    who = f" of {focus}" if focus else ""
    which = (f"the {shown} most-mentioned of {full.number_of_nodes()} actors" if shown < full.number_of_nodes()
             else f"{shown} actors")
    title = f"Partner network{who}, {_period(since, until)}: {which}; edge width = mentions"
    _, left_out = draw_network(graph, out, title=title, focus=focus)
    mentions = sum(d["mentions"] for _, _, d in graph.edges(data=True))
    return GraphSummary(out, shown, graph.number_of_edges(), mentions, full.number_of_nodes(), left_out)
