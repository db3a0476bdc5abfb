"""Labels for the partner-network picture that never overlap one another.

Greedy placement in display pixels: the most important node first, each label on its node if that spot is free,
else at the nearest free spot on rings around it (joined to its node by a thin line). A spot is free when the
label's box, padded, meets no label placed before, stays inside the axes and, when it can, covers no other node.
A label with no free spot is left out rather than drawn over another (only in crowded ``--all`` pictures).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

PAD = 2.0  # pixels kept clear around each label
RINGS = 14  # rings of candidate spots around a node
SPOTS_PER_RING = 16


@dataclass(frozen=True)
class Label:
    """One node's label: its text, where the node is (data coordinates), its radius and weight in pixels."""

    text: str
    x: float
    y: float
    radius: float  # the node marker's radius, pixels
    bold: bool = False


def _overlaps(box: np.ndarray, boxes: np.ndarray) -> bool:
    if not len(boxes):
        return False
    return bool(np.any((box[0] < boxes[:, 2]) & (boxes[:, 0] < box[2]) & (box[1] < boxes[:, 3])
                       & (boxes[:, 1] < box[3])))


def _candidates(radius: float, width: float, height: float) -> list[tuple[float, float]]:
    """Offsets (pixels) of a label's centre from its node: on the node, then rings of growing distance."""
    spots = [(0.0, 0.0), (0.0, radius + height / 2 + PAD), (0.0, -radius - height / 2 - PAD),
             (radius + width / 2 + PAD, 0.0), (-radius - width / 2 - PAD, 0.0)]
    step = max(height, 8.0)
    for ring in range(1, RINGS + 1):
        distance = radius + ring * step
        for k in range(SPOTS_PER_RING):
            angle = 2 * math.pi * (k + 0.5 * (ring % 2)) / SPOTS_PER_RING
            spots.append((math.cos(angle) * (distance + width / 2), math.sin(angle) * distance))
    return spots


def place_labels(ax: Any, labels: Sequence[Label], *, fontsize: float = 9.0) -> tuple[list[Any], int]:
    """Draw ``labels`` (most important first) on ``ax`` without overlaps; returns (text artists, labels left out).

    The axes' position and limits must be final: placement works in the display pixels they define.
    """
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    to_pixels, to_data = ax.transData.transform, ax.transData.inverted().transform
    centres = to_pixels(np.array([[label.x, label.y] for label in labels])) if labels else np.empty((0, 2))
    discs = np.array([[cx - lb.radius, cy - lb.radius, cx + lb.radius, cy + lb.radius]
                      for (cx, cy), lb in zip(centres, labels, strict=True)]).reshape(-1, 4)
    placed = np.empty((0, 4))
    artists, left_out = [], 0
    for index, (label, (cx, cy)) in enumerate(zip(labels, centres, strict=True)):
        text = ax.text(label.x, label.y, label.text, ha="center", va="center", fontsize=fontsize,
                       fontweight="bold" if label.bold else "normal", zorder=5,
                       bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})
        extent = text.get_window_extent(renderer)
        width, height = extent.width + 2 * PAD, extent.height + 2 * PAD
        others = np.delete(discs, index, axis=0)
        spot = _free_spot(cx, cy, width, height, label.radius, placed, others, frame)
        if spot is None:
            text.remove()
            left_out += 1
            continue
        x, y = spot
        position = to_data((x, y))
        text.set_position(position)  # data coordinates: right at any dpi (SVG and PDF draw at 72)
        placed = np.vstack([placed, [x - width / 2, y - height / 2, x + width / 2, y + height / 2]])
        if math.hypot(x - cx, y - cy) > label.radius + height:
            ax.plot([label.x, position[0]], [label.y, position[1]], color="#555555", linewidth=0.6, alpha=0.8,
                    zorder=4)
        artists.append(text)
    return artists, left_out


def _free_spot(cx: float, cy: float, width: float, height: float, radius: float, placed: np.ndarray,
               discs: np.ndarray, frame: Any) -> tuple[float, float] | None:
    """The first candidate spot clear of placed labels and inside the frame; clear of other nodes if possible."""
    fallback = None
    for dx, dy in _candidates(radius, width, height):
        x, y = cx + dx, cy + dy
        box = np.array([x - width / 2, y - height / 2, x + width / 2, y + height / 2])
        if box[0] < frame.x0 or box[2] > frame.x1 or box[1] < frame.y0 or box[3] > frame.y1:
            continue
        if _overlaps(box, placed):
            continue
        if not _overlaps(box, discs):
            return x, y
        fallback = fallback or (x, y)
    return fallback
