"""Figures for the gradient-descent page: the 3-D surface with paths, and the animated panel.

``surface3d_figure`` draws the surface in 3-D with every optimizer's whole path. ``descent_figure``
draws the contour map with the paths, the loss against the step, and a table of the optimizer
state; its play button and step slider are plotly frames, so the animation runs in the browser.
The 3-D view has no frames on purpose: a frame redraw rebuilds a 3-D scene from the figure's
original camera (Streamlit's plotly wrapper keeps the learner's camera elsewhere), so the camera
stays where the learner turned it only if the animation never touches that figure. Builders only
draw: the numbers come from ``dlviz.descent``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from dlviz.descent.optimize import OPTIMIZERS, Path
from dlviz.descent.surfaces import Surface
from dlviz.plots.style import BAD, NEUTRAL, color, styled

Grid = tuple[np.ndarray, np.ndarray, np.ndarray]
SURFACE_SCALE = [
    [0.0, "#FBF8F1"],
    [0.25, "#E9E2D0"],
    [0.5, "#CFC5AE"],
    [0.75, "#A89D86"],
    [1.0, "#6F6656"],
]
INK = "#1F2333"
LOSS_FLOOR = 1e-16  # f - f* below this is float64 round-off: drawn at the floor
STATE_NAMES = {
    "momentum_buffer": "buffer b",
    "exp_avg": "m",
    "exp_avg_sq": "v",
    "sum": "sum g²",
    "square_avg": "avg g²",
}
# Panel layout (paper fractions): contour top left, loss top right, state table at the bottom.
TOP, TABLE_Y = (0.38, 1.0), (0.0, 0.2)
CONTOUR_X, LOSS_X = (0.0, 0.5), (0.6, 1.0)


def display_height(surface: Surface, f: np.ndarray) -> np.ndarray:
    """What the plots show as height: f, or log10(1 + f - f*) for surfaces spanning decades."""
    f = np.asarray(f, dtype=float)
    if not surface.log_view:
        return f
    fmin = surface.min_value or 0.0
    with np.errstate(invalid="ignore"):
        return np.log10(1.0 + np.maximum(f - fmin, 0.0))


def loss_gap(surface: Surface, losses: np.ndarray) -> tuple[np.ndarray, bool]:
    """``(y, is_gap)``: f - f* floored for a log axis when f* is known, else f itself."""
    fmin = surface.min_value
    if fmin is None:
        return np.asarray(losses, dtype=float), False
    return np.maximum(np.asarray(losses, dtype=float) - fmin, LOSS_FLOOR), True


def _fmt(v: np.ndarray | float) -> str:
    """A vector or number in 3 significant digits."""
    arr = np.atleast_1d(np.asarray(v, dtype=float))
    parts = ", ".join(f"{x:.3g}" for x in arr)
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


def _grid_payload(surface: Surface, z: np.ndarray) -> dict:
    """The grid's heights as float32 (half the bytes to send), with f for the hover text when
    the height is a log transform of it."""
    heights = display_height(surface, z).astype(np.float32)
    if not surface.log_view:
        return {
            "z": heights,
            "hovertemplate": "x=%{x:.3g}<br>y=%{y:.3g}<br>f=%{z:.4g}<extra></extra>",
        }
    return {
        "z": heights,
        "customdata": z.astype(np.float32),
        "hovertemplate": "x=%{x:.3g}<br>y=%{y:.3g}<br>f=%{customdata:.4g}<extra></extra>",
    }


def surface3d_figure(
    surface: Surface, paths: Sequence[Path], grid: Grid | None = None, height: int = 520
) -> go.Figure:
    """The surface in 3-D with each optimizer's whole path drawn just above it."""
    xs, ys, z = grid if grid is not None else surface.grid(80)
    h = display_height(surface, z)
    heights = _grid_payload(surface, z)
    lift = 0.01 * float(np.nanmax(h) - np.nanmin(h))
    traces: list[dict] = [
        {
            "type": "surface",
            "x": xs,
            "y": ys,
            **heights,
            "colorscale": SURFACE_SCALE,
            "showscale": False,
            "opacity": 0.93,
            "name": "surface",
            "contours": {"z": {"show": True, "usecolormap": True, "project": {"z": True}}},
            "lighting": {"ambient": 0.75, "diffuse": 0.6, "specular": 0.05},
        }
    ]
    if surface.minima:
        mx, my = np.array(surface.minima).T
        traces.append(
            {
                "type": "scatter3d",
                "x": mx,
                "y": my,
                "z": display_height(surface, surface.evaluate(np.array(surface.minima))) + lift,
                "mode": "markers",
                "name": "minimum",
                "marker": {"symbol": "diamond", "size": 5, "color": "#FFD23F"},
                "hovertemplate": "minimum (%{x:.4g}, %{y:.4g})<extra></extra>",
            }
        )
    for i, path in enumerate(paths):
        name, last = OPTIMIZERS[path.optimizer], path.last + 1
        zz = display_height(surface, path.losses[:last]) + lift
        traces.append(
            {
                "type": "scatter3d",
                "x": path.positions[:last, 0],
                "y": path.positions[:last, 1],
                "z": zz,
                "mode": "lines",
                "name": name,
                "line": {"color": color(i), "width": 6},
                "customdata": np.arange(last),
                "hovertemplate": "step %{customdata}<br>(%{x:.3g}, %{y:.3g})<extra>"
                + name
                + "</extra>",
            }
        )
    zlabel = "log₁₀(1 + f − f*)" if surface.log_view else "f(x, y)"
    layout = {
        "scene": {
            "xaxis": {"title": {"text": "x"}, "range": list(surface.xlim)},
            "yaxis": {"title": {"text": "y"}, "range": list(surface.ylim)},
            "zaxis": {"title": {"text": zlabel, "font": {"size": 11}}, "nticks": 5},
            "camera": {"eye": {"x": -1.25, "y": -1.3, "z": 0.8}},
            "aspectmode": "manual",
            "aspectratio": {"x": 1, "y": 1, "z": 0.6},
        },
        "uirevision": "surface3d",
    }
    fig = go.Figure({"data": traces, "layout": layout}, _validate=False)
    return styled(fig, height=height).update_layout(margin={"l": 0, "r": 0, "t": 30, "b": 0})


def _static_traces(
    surface: Surface, paths: Sequence[Path], grid: Grid, gaps: list[np.ndarray]
) -> list[dict]:
    """Contour, minima, whole paths with divergence marks, the start, and the loss curves."""
    xs, ys, z = grid
    heights = _grid_payload(surface, z)
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
        mx, my = np.array(surface.minima).T
        traces.append(
            {
                "type": "scatter",
                "x": mx,
                "y": my,
                "mode": "markers",
                "name": "minimum",
                "marker": {"symbol": "star", "size": 15, "color": "#FFD23F", "line": {"width": 1}},
                "hovertemplate": "minimum (%{x:.4g}, %{y:.4g})<extra></extra>",
            }
        )
    for i, path in enumerate(paths):
        name, c, last = OPTIMIZERS[path.optimizer], color(i), path.last + 1
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


def _frame_traces(
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
        rows[0].append(f"<b>{OPTIMIZERS[path.optimizer]}</b>")
        rows[1].append(f"{j}{stopped}")
        rows[2].append(_fmt(here))
        rows[3].append(f"{path.losses[j]:.4g}")
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


def _moving_traces(n: int, first: list[dict]) -> list[dict]:
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
        header={"values": header, "fill": {"color": "#EEF0F7"}, "align": "left"},
        cells={
            **table["cells"],
            "align": "left",
            "fill": {"color": [[_tint(c) for c in colours]]},
            "height": 24,
        },
    )
    return [balls, step, downhill, dots, table]


def _tint(hex_colour: str, alpha: float = 0.12) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha})"


def frame_steps(steps: int, max_frames: int) -> list[int]:
    """Steps that get an animation frame: every step, or every s-th (s = ceil(steps / (max-1)))
    plus the last, so the slider moves in equal strides."""
    stride = max(1, math.ceil(steps / max(max_frames - 1, 1)))
    ks = list(range(0, steps + 1, stride))
    return ks if ks[-1] == steps else [*ks, steps]


def descent_figure(
    surface: Surface,
    paths: Sequence[Path],
    grid: Grid | None = None,
    max_frames: int = 201,
    height: int = 860,
) -> go.Figure:
    """Contour with paths and arrows | loss vs step, over the state table; frames for each step."""
    grid = grid if grid is not None else surface.grid(80)
    steps_n = max((len(p.positions) - 1 for p in paths), default=0)
    gaps = [loss_gap(surface, p.losses)[0] for p in paths]
    arrow_len = 0.07 * surface.span
    frames_at = frame_steps(steps_n, max_frames)
    # Open at step ~steps/10: mid-flight, where the arrows and the state say the most.
    active = min(int(np.searchsorted(frames_at, max(1, steps_n // 10))), len(frames_at) - 1)
    static = _static_traces(surface, paths, grid, gaps)
    moving = _moving_traces(len(paths), _frame_traces(paths, frames_at[active], arrow_len, gaps))
    ids = list(range(len(static), len(static) + len(moving)))
    frames = [
        {"name": str(k), "traces": ids, "data": _frame_traces(paths, k, arrow_len, gaps)}
        for k in frames_at
    ]
    layout = _layout(surface, frames_at, active, loss_gap(surface, np.zeros(1))[1])
    fig = go.Figure({"data": static + moving, "layout": layout}, _validate=False)
    _set_frames_unvalidated(fig, frames)
    return styled(fig, height=height).update_layout(margin={"l": 10, "r": 10, "t": 40, "b": 10})


def _set_frames_unvalidated(fig: go.Figure, frames: list[dict]) -> None:
    """Attach animation frames without plotly's per-property validation.

    ``go.Figure(_validate=False)`` skips validation for data and layout but not for frames, and
    validating ~200 frames costs about a second per rerun. The unit tests validate the same frames
    once through ``go.Figure(fig.to_dict())``. Falls back to the public (slow) setter.
    """
    if hasattr(fig, "_frame_objs"):
        fig._frame_objs = tuple(go.Frame(f, _validate=False) for f in frames)
    else:  # pragma: no cover - a future plotly without the private attribute
        fig.frames = frames


def _layout(surface: Surface, frames_at: list[int], active: int, log_loss: bool) -> dict:
    """Axes domains, the play/pause buttons and the step slider."""
    anim = {
        "frame": {"duration": 0, "redraw": True},
        "mode": "immediate",
        "transition": {"duration": 0},
    }
    controls_y = TABLE_Y[1] + 0.1
    return {
        "xaxis": {
            "domain": list(CONTOUR_X),
            "range": list(surface.xlim),
            "title": {"text": "x"},
            "constrain": "domain",
        },
        "yaxis": {
            "domain": list(TOP),
            "range": list(surface.ylim),
            "title": {"text": "y"},
            "scaleanchor": "x",
            "constrain": "domain",
        },
        "xaxis2": {"domain": list(LOSS_X), "anchor": "y2", "title": {"text": "step"}},
        "yaxis2": {
            "domain": list(TOP),
            "anchor": "x2",
            "type": "log" if log_loss else "linear",
            "exponentformat": "power",
            "title": {"text": "f − f*  (log scale)" if log_loss else "f"},
        },
        "uirevision": "descent",
        "hovermode": "closest",
        "legend": {"orientation": "h", "y": 1.02, "x": 0.0, "yanchor": "bottom"},
        "annotations": [
            {
                "text": "<b>solid arrow</b>: the step the optimizer took<br>"
                "<b>dotted arrow</b>: straight downhill, −∇f (fixed length)",
                "x": 1.0,
                "y": 1.02,
                "xref": "paper",
                "yref": "paper",
                "showarrow": False,
                "align": "left",
                "xanchor": "right",
                "yanchor": "bottom",
                "font": {"size": 12, "color": NEUTRAL},
            },
        ],
        "updatemenus": [
            {
                "type": "buttons",
                "direction": "left",
                "showactive": False,
                "x": 0.0,
                "y": controls_y,
                "xanchor": "left",
                "yanchor": "top",
                "pad": {"r": 6, "t": 0},
                "buttons": [
                    {
                        "label": "▶ Play",
                        "method": "animate",
                        "args": [[str(k) for k in frames_at], {**anim, "frame": {"duration": 60}}],
                    },
                    {
                        "label": "❚❚ Pause",
                        "method": "animate",
                        "args": [[None], {**anim, "frame": {"duration": 0, "redraw": False}}],
                    },
                ],
            }
        ],
        "sliders": [
            {
                "active": active,
                "x": 0.17,
                "len": 0.83,
                "y": controls_y + 0.03,
                "yanchor": "top",
                "pad": {"t": 0, "b": 0},
                "ticklen": 0,
                "minorticklen": 0,
                "font": {"size": 10},
                "currentvalue": {"prefix": "step ", "font": {"size": 13}},
                "steps": [
                    {"label": str(k), "method": "animate", "args": [[str(k)], anim]}
                    for k in frames_at
                ],
            }
        ],
    }
