"""The partner network as a picture: actors as nodes, shared partnerships as edges (width by mentions, colour by
the type with most mentions), drawn with networkx and matplotlib (Agg backend, no display needed)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
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


@dataclass(frozen=True)
class GraphSummary:
    path: Path
    actors: int
    links: int
    mentions: int


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


def draw_network(graph: Any, out: Path, *, title: str) -> None:
    """Write the graph to ``out``; the format follows the suffix (.png, .svg or .pdf)."""
    import matplotlib

    matplotlib.use("Agg")
    import networkx as nx
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    fig = Figure(figsize=(12, 9), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_title(title)
    if graph.number_of_nodes() == 0:
        ax.text(0.5, 0.5, "no partnerships in this period", ha="center", va="center", fontsize=14)
    else:
        layout = nx.spring_layout(graph, weight="mentions", seed=7, k=1.5 / max(1, graph.number_of_nodes()) ** 0.5)
        top = max(d["mentions"] for _, _, d in graph.edges(data=True))
        widths = [1 + 7 * d["mentions"] / top for _, _, d in graph.edges(data=True)]
        colours = [TYPE_COLOURS.get(d["type"], "#7f7f7f") for _, _, d in graph.edges(data=True)]
        node_top = max(graph.nodes[n]["mentions"] for n in graph.nodes) or 1
        sizes = [300 + 1700 * graph.nodes[n]["mentions"] / node_top for n in graph.nodes]
        nx.draw_networkx_edges(graph, layout, ax=ax, width=widths, edge_color=colours, alpha=0.75)
        nx.draw_networkx_nodes(graph, layout, ax=ax, node_size=sizes, node_color="#f2f2f2", edgecolors="#333333")
        nx.draw_networkx_labels(graph, layout, ax=ax, font_size=9)
        used = sorted({d["type"] for _, _, d in graph.edges(data=True)})
        ax.legend(handles=[Line2D([0], [0], color=TYPE_COLOURS.get(t, "#7f7f7f"), lw=3, label=t) for t in used],
                  loc="lower left", title="type (most mentions)", frameon=False)
    out.parent.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # SVG labels stay text: searchable, editable
        fig.savefig(out, format=out.suffix.lstrip(".").lower())


def write_graph(db: sqlite_utils.Database, out: Path, *, since: str | None = None, until: str | None = None,
                country: str | None = None) -> GraphSummary:
    """Draw the partner network of events dated in [since, until] (optionally around one actor) to ``out``."""
    graph = build_network(partner_links(db, since=since, until=until, country=country), actor_names(db))
    period = f"{since[:10] if since else 'start'} to {until[:10] if until else 'now'}"
    title = f"Partner network{' of ' + country.upper() if country else ''}, {period}: edge width = mentions"
    draw_network(graph, out, title=title)
    mentions = sum(d["mentions"] for _, _, d in graph.edges(data=True))
    return GraphSummary(out, graph.number_of_nodes(), graph.number_of_edges(), mentions)
