"""The traces of the animated gradient-descent panel: what stays put and what moves each step.

``static_traces`` draws the contour, the minima, every whole path with its divergence mark, the
start and the loss curves. ``frame_traces`` gives the five moving parts at one step (balls, step
taken, downhill direction, loss markers, optimizer-state table) as bare data, one trace each for
all optimizers, so a frame stays small; ``moving_traces`` styles them once. The panel's geometry
(paper fractions) lives here too. The figure, its frames, play button and slider are assembled in
``dlviz.plots.descent.panel``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dlviz.descent.optimize import Path
from dlviz.descent.surfaces import Surface
from dlviz.display import number
from dlviz.optimizers import LABELS
from dlviz.plots.descent.common import SURFACE_SCALE, Grid, grid_payload, minima_trace
from dlviz.plots.style import BAD, INK, LABEL_BG, color, rgba

STATE_NAMES = {
    "momentum_buffer": "buffer b",
    "exp_avg": "m",
    "exp_avg_sq": "v",
    "sum": "sum g²",
    "square_avg": "avg g²",
}
# Panel layout (paper fractions): contour top left, loss top right, state table at the bottom.
TOP, TABLE_Y = (0.38, 1.0), (0.0, 0.2)
CONTOUR_X, LOSS_X = (0.0, 0.5), (0.63, 1.0)  # the gap holds the loss axis title


def _fmt(v: np.ndarray | float) -> str:
    """A vector or number in 3 significant digits."""
    arr = np.atleast_1d(np.asarray(v, dtype=float))
    parts = ", ".join(number(x, 3) for x in arr)
    return f"({parts})" if arr.size > 1 else parts


def _state_text(path: Path, k: int) -> str:
    """The optimizer state after the step into row k, as short text."""
    if not path.state:
        return "none: plain SGD remembers nothing"
    parts = []
    for key, arr in path.state.items():
        if key == "momentum_buffer" and path.optimizer == "rmsprop" and not np.any(arr[1 : k + 1]):
            continue  # RMSprop without momentum never creates the buffer
        parts.append(f"{STATE_NAMES.get(key, key)} = {_fmt(arr[k])}")
    return "; ".join(parts) or "none"


def static_traces(
    surface: Surface, paths: Sequence[Path], grid: Grid, gaps: list[np.ndarray]
) -> list[dict]:
    """Contour, minima, whole paths with divergence marks, the start, and the loss curves."""
    xs, ys, z = grid
    heights = grid_payload(surface, z)
    traces: list[dict] = [
        {
            "type": "contour",
            "x": xs,
            "y": ys,
            **heights,
            "colorscale": SURFACE_SCALE,
            "showscale": False,
            "ncontours": 28,
            "line": {"width": 0.6, "color": "#8C8372"},
            "name": "f",
        }
    ]
    if surface.minima:
        traces.append(minima_trace(surface))
    for i, path in enumerate(paths):
        name, c, last = LABELS[path.optimizer], color(i), path.last + 1
        steps = np.arange(last)
        traces.append(
            {
                "type": "scatter",
                "x": path.positions[:last, 0],
                "y": path.positions[:last, 1],
                "mode": "lines+markers",
                "name": name,
                "legendgroup": name,
                "line": {"color": c, "width": 2},
                "marker": {"size": 3, "color": c},
                "customdata": steps,
                "hovertemplate": "step %{customdata}<br>(%{x:.4g}, %{y:.4g})<extra>"
                + name
                + "</extra>",
            }
        )
        traces.append(
            {
                "type": "scatter",
                "x": steps,
                "y": gaps[i][:last],
                "mode": "lines",
                "name": name,
                "legendgroup": name,
                "showlegend": False,
                "line": {"color": c, "width": 2},
                "xaxis": "x2",
                "yaxis": "y2",
                "hovertemplate": "step %{x}<br>%{y:.4g}<extra>" + name + "</extra>",
            }
        )
        if path.diverged:
            traces.append(
                {
                    "type": "scatter",
                    "x": [path.positions[path.last, 0]],
                    "y": [path.positions[path.last, 1]],
                    "mode": "markers",
                    "marker": {"symbol": "x", "size": 14, "color": BAD},
                    "name": f"{name} diverged",
                    "showlegend": False,
                    "hovertemplate": f"{name} diverged at step {path.diverged_at}: "
                    f"{path.reason}<extra></extra>",
                }
            )
    if paths:
        x0, y0 = paths[0].positions[0]
        traces.append(
            {
                "type": "scatter",
                "x": [x0],
                "y": [y0],
                "mode": "markers",
                "name": "start",
                "marker": {"symbol": "circle-open", "size": 13, "color": INK, "line": {"width": 2}},
                "hovertemplate": "start (%{x:.3g}, %{y:.3g})<extra></extra>",
            }
        )
    return traces


def _segments(pairs: list[tuple[np.ndarray, np.ndarray]]) -> tuple[list, list]:
    """Line segments a -> b joined by None gaps (one trace draws them all)."""
    xs: list = []
    ys: list = []
    for a, b in pairs:
        xs += [float(a[0]), float(b[0]), None]
        ys += [float(a[1]), float(b[1]), None]
    return xs, ys


def frame_traces(
    paths: Sequence[Path], k: int, arrow_len: float, gaps: list[np.ndarray]
) -> list[dict]:
    """The moving parts at step k, each one trace for all optimizers: the balls, the step taken,
    the steepest-descent direction, the loss markers and the state table."""
    js = [min(k, p.last) for p in paths]
    pos = [p.positions[j] for p, j in zip(paths, js, strict=True)]
    steps, downhill = [], []
    rows: list[list[str]] = [[], [], [], [], [], []]
    for path, j, here in zip(paths, js, pos, strict=True):
        steps.append((here, path.positions[j + 1] if j < path.last else here))
        g = path.grads[j]
        norm = float(np.hypot(*g)) if np.all(np.isfinite(g)) else 0.0
        downhill.append((here, here - arrow_len * g / norm if norm > 0 else here))
        stopped = " (stopped)" if path.diverged and k >= path.last else ""
        rows[0].append(f"<b>{LABELS[path.optimizer]}</b>")
        rows[1].append(f"{j}{stopped}")
        rows[2].append(_fmt(here))
        rows[3].append(number(path.losses[j], 4))
        rows[4].append(_fmt(g) if np.all(np.isfinite(g)) else "-")
        rows[5].append(_state_text(path, j))
    sx, sy = _segments(steps)
    gx, gy = _segments(downhill)
    return [
        {"type": "scatter", "x": [float(p[0]) for p in pos], "y": [float(p[1]) for p in pos]},
        {"type": "scatter", "x": sx, "y": sy},
        {"type": "scatter", "x": gx, "y": gy},
        {"type": "scatter", "x": js, "y": [float(gaps[i][j]) for i, j in enumerate(js)]},
        {"type": "table", "cells": {"values": rows}},
    ]


def moving_traces(n: int, first: list[dict]) -> list[dict]:
    """Styles of the five animated traces; their data is the opening frame's."""
    colours = [color(i) for i in range(n)]
    arrowheads = [0, 12, 0] * n
    ring = {"width": 2, "color": "white"}
    balls, step, downhill, dots, table = (dict(t) for t in first)
    balls.update(mode="markers", marker={"size": 13, "color": colours, "line": ring})
    step.update(
        mode="lines+markers",
        line={"color": INK, "width": 2.5},
        marker={
            "symbol": "arrow",
            "angleref": "previous",
            "size": arrowheads,
            "color": [c for c in colours for _ in range(3)],
        },
    )
    downhill.update(
        mode="lines+markers",
        line={"color": INK, "width": 1.5, "dash": "dot"},
        marker={"symbol": "arrow", "angleref": "previous", "size": arrowheads, "color": INK},
        opacity=0.75,
    )
    dots.update(mode="markers", xaxis="x2", yaxis="y2", marker={"size": 11, "color": colours})
    names = ("current position", "step taken", "downhill −∇f", "current loss")
    for t, name in zip((balls, step, downhill, dots), names, strict=True):
        t.update(name=name, showlegend=False, hoverinfo="skip")
    header = ["optimizer", "step", "position (x, y)", "f", "gradient ∇f", "optimizer state"]
    table.update(
        domain={"x": [0.0, 1.0], "y": list(TABLE_Y)},
        columnwidth=[1.2, 0.7, 1.4, 0.9, 1.4, 3.4],
        header={"values": header, "fill": {"color": LABEL_BG}, "align": "left"},
        cells={
            **table["cells"],
            "align": "left",
            "fill": {"color": [[rgba(c, 0.12) for c in colours]]},
            "height": 24,
        },
    )
    return [balls, step, downhill, dots, table]
