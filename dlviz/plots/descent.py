"""Figures for the gradient-descent page: the animated surface/contour/loss panel and the lr map.

``descent_figure`` draws a 3-D surface and a contour map side by side with every optimizer's path,
the loss against the step below, and a table of the optimizer state; its play button and step
slider are plotly frames, so the animation runs in the browser and never resets the 3-D camera.
``convergence_map_figure`` draws the learning-rate x momentum heatmap. Builders only draw: the
numbers come from ``dlviz.descent``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from dlviz.descent.batched import ConvergenceMap
from dlviz.descent.optimize import OPTIMIZERS, Path
from dlviz.descent.surfaces import Surface
from dlviz.plots.style import BAD, GOOD, NEUTRAL, color, styled

SURFACE_SCALE = [
    [0.0, "#FBF8F1"],
    [0.25, "#E9E2D0"],
    [0.5, "#CFC5AE"],
    [0.75, "#A89D86"],
    [1.0, "#6F6656"],
]
LOSS_FLOOR = 1e-16  # f - f* below this is float64 round-off: drawn at the floor
STATE_NAMES = {
    "momentum_buffer": "buffer b",
    "exp_avg": "m",
    "exp_avg_sq": "v",
    "sum": "sum g²",
    "square_avg": "avg g²",
}

# Layout: 3-D scene top left, contour top right, loss bottom left, state table bottom right.
TOP, BOTTOM = (0.44, 1.0), (0.0, 0.31)
LEFT, RIGHT = (0.0, 0.48), (0.54, 1.0)
LOSS_X, TABLE_X = (0.0, 0.38), (0.44, 1.0)


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
    """The optimizer state after step k, as short text (sqrt of second moments for readability)."""
    if not path.state:
        return "none (plain SGD keeps no state)"
    parts = []
    for key, arr in path.state.items():
        if key == "momentum_buffer" and path.optimizer == "rmsprop" and not np.any(arr[1 : k + 1]):
            continue
        parts.append(f"{STATE_NAMES.get(key, key)} = {_fmt(arr[k])}")
    return "; ".join(parts) or "none"


def _static_traces(
    surface: Surface,
    paths: Sequence[Path],
    grid: tuple[np.ndarray, np.ndarray, np.ndarray],
    zs: list[np.ndarray],
    steps: np.ndarray,
) -> list[dict]:
    """Surface, contour, minima, full paths, loss curves, divergence marks and the start."""
    xs, ys, z = grid
    height = display_height(surface, z)
    f_hover = "x=%{x:.3g}<br>y=%{y:.3g}<br>f=%{customdata:.4g}<extra></extra>"
    traces: list[dict] = [
        {
            "type": "surface",
            "x": xs,
            "y": ys,
            "z": height,
            "colorscale": SURFACE_SCALE,
            "showscale": False,
            "opacity": 0.92,
            "scene": "scene",
            "name": "surface",
            "customdata": z,
            "hovertemplate": f_hover,
            "contours": {
                "z": {"show": True, "usecolormap": True, "project": {"z": True}, "width": 1}
            },
            "lighting": {"ambient": 0.75, "diffuse": 0.6, "specular": 0.05},
        },
        {
            "type": "contour",
            "x": xs,
            "y": ys,
            "z": height,
            "colorscale": SURFACE_SCALE,
            "showscale": False,
            "ncontours": 28,
            "line": {"width": 0.6, "color": "#8C8372"},
            "customdata": z,
            "name": "f",
            "xaxis": "x",
            "yaxis": "y",
            "hovertemplate": f_hover,
        },
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
                "marker": {
                    "symbol": "star",
                    "size": 14,
                    "color": "#FFD23F",
                    "line": {"width": 1, "color": "#1F2333"},
                },
                "xaxis": "x",
                "yaxis": "y",
                "hovertemplate": "minimum (%{x:.4g}, %{y:.4g})<extra></extra>",
            }
        )
    n = len(paths)
    for i, path in enumerate(paths):
        name, c, last = OPTIMIZERS[path.optimizer], color(i), path.last + 1
        px, py = path.positions[:last, 0], path.positions[:last, 1]
        hover = "step %{customdata}<br>x=%{x:.4g}<br>y=%{y:.4g}<extra>" + name + "</extra>"
        traces.append(
            {
                "type": "scatter3d",
                "x": px,
                "y": py,
                "z": zs[i][:last],
                "mode": "lines",
                "line": {"color": c, "width": 6},
                "name": name,
                "legendgroup": name,
                "showlegend": False,
                "scene": "scene",
                "customdata": steps[:last],
                "hovertemplate": hover,
            }
        )
        traces.append(
            {
                "type": "scatter",
                "x": px,
                "y": py,
                "mode": "lines+markers",
                "name": name,
                "legendgroup": name,
                "line": {"color": c, "width": 2},
                "marker": {"size": 3, "color": c},
                "xaxis": "x",
                "yaxis": "y",
                "customdata": steps[:last],
                "hovertemplate": hover,
            }
        )
        traces.append(
            {
                "type": "scatter",
                "x": steps[:last],
                "y": zs[n + i][:last],
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
                    "x": [px[-1]],
                    "y": [py[-1]],
                    "mode": "markers",
                    "marker": {"symbol": "x", "size": 14, "color": BAD},
                    "showlegend": False,
                    "xaxis": "x",
                    "yaxis": "y",
                    "hovertemplate": f"{name} diverged at step "
                    f"{path.diverged_at}: {path.reason}<extra></extra>",
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
                "marker": {
                    "symbol": "circle-open",
                    "size": 13,
                    "color": "#1F2333",
                    "line": {"width": 2},
                },
                "xaxis": "x",
                "yaxis": "y",
                "hovertemplate": "start (%{x:.3g}, %{y:.3g})<extra></extra>",
            }
        )
    return traces


def _segments(pairs: list[tuple[np.ndarray, np.ndarray]]) -> tuple[list, list, list]:
    """Line segments a -> b joined by None gaps, with an arrowhead size at each end point."""
    xs: list = []
    ys: list = []
    sizes: list = []
    for a, b in pairs:
        xs += [float(a[0]), float(b[0]), None]
        ys += [float(a[1]), float(b[1]), None]
        sizes += [0, 12, 0]
    return xs, ys, sizes


def _frame_traces(
    paths: Sequence[Path], k: int, arrow_len: float, zs: list[np.ndarray]
) -> list[dict]:
    """The moving parts at step k, one trace each for all optimizers together: balls in 3-D and
    2-D, the step taken, the steepest-descent direction, the loss marker, and the state table."""
    n = len(paths)
    js = [min(k, p.last) for p in paths]
    pos = [p.positions[j] for p, j in zip(paths, js, strict=True)]
    steps, grads = [], []
    rows: list[list[str]] = [[], [], [], [], []]
    for path, j, here in zip(paths, js, pos, strict=True):
        nxt = path.positions[j + 1] if j < path.last else here
        steps.append((here, nxt))
        g = path.grads[j]
        norm = float(np.hypot(*g)) if np.all(np.isfinite(g)) else 0.0
        grads.append((here, here - arrow_len * g / norm if norm > 0 else here))
        stopped = f" (stopped at {j})" if path.diverged and k >= path.last else ""
        rows[0].append(f"<b>{OPTIMIZERS[path.optimizer]}</b>{stopped}")
        rows[1].append(_fmt(here))
        rows[2].append(f"{path.losses[j]:.4g}")
        rows[3].append(_fmt(g) if np.all(np.isfinite(g)) else "-")
        rows[4].append(_state_text(path, j))
    sx, sy, _ = _segments(steps)
    gx, gy, _ = _segments(grads)
    return [
        {
            "type": "scatter3d",
            "x": [float(p[0]) for p in pos],
            "y": [float(p[1]) for p in pos],
            "z": [float(zs[i][j]) for i, j in enumerate(js)],
        },
        {"type": "scatter", "x": [float(p[0]) for p in pos], "y": [float(p[1]) for p in pos]},
        {"type": "scatter", "x": sx, "y": sy},
        {"type": "scatter", "x": gx, "y": gy},
        {"type": "scatter", "x": js, "y": [float(zs[n + i][j]) for i, j in enumerate(js)]},
        {"type": "table", "cells": {"values": rows}},
    ]


def _moving_traces(paths: Sequence[Path], first: list[dict]) -> list[dict]:
    """Styles of the six animated traces; their data is the first frame's."""
    n = len(paths)
    colours = [color(i) for i in range(n)]
    seg_colours = [c for c in colours for _ in range(3)]
    sizes = [0, 12, 0] * n
    ring = {"width": 2, "color": "white"}
    ball3d, ball2d, step, grad, dot, table = (dict(t) for t in first)
    ball3d.update(mode="markers", scene="scene", marker={"size": 6, "color": colours, "line": ring})
    ball2d.update(
        mode="markers", xaxis="x", yaxis="y", marker={"size": 12, "color": colours, "line": ring}
    )
    step.update(
        mode="lines+markers",
        xaxis="x",
        yaxis="y",
        line={"color": "#1F2333", "width": 2.5},
        marker={"symbol": "arrow", "angleref": "previous", "size": sizes, "color": seg_colours},
    )
    grad.update(
        mode="lines+markers",
        xaxis="x",
        yaxis="y",
        line={"color": "#1F2333", "width": 1.5, "dash": "dot"},
        marker={
            "symbol": "arrow",
            "angleref": "previous",
            "size": [s * 0.8 for s in sizes],
            "color": "#1F2333",
            "opacity": 0.8,
        },
    )
    dot.update(
        mode="markers",
        xaxis="x2",
        yaxis="y2",
        marker={"size": 10, "color": colours, "line": {"width": 1, "color": "white"}},
    )
    for t in (ball3d, ball2d, step, grad, dot):
        t.update(showlegend=False, hoverinfo="skip")
    table.update(
        domain={"x": list(TABLE_X), "y": list(BOTTOM)},
        columnwidth=[1.25, 1.45, 0.8, 1.45, 2.6],
        header={
            "values": [
                "optimizer",
                "position (x, y)",
                "f",
                "gradient ∇f",
                "optimizer state (after this step)",
            ],
            "fill": {"color": "#EEF0F7"},
            "align": "left",
            "font": {"size": 12},
        },
        cells={
            **table["cells"],
            "align": "left",
            "font": {"size": 12},
            "fill": {"color": [[_tint(c) for c in colours]]},
            "height": 24,
        },
    )
    return [ball3d, ball2d, step, grad, dot, table]


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
    grid: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    max_frames: int = 201,
    height: int = 900,
) -> go.Figure:
    """3-D surface | contour with paths and arrows / loss vs step | state table, with frames."""
    xs, ys, z = grid if grid is not None else surface.grid(80)
    steps_n = max((len(p.positions) - 1 for p in paths), default=0)
    steps = np.arange(steps_n + 1)
    lift = 0.01 * float(
        np.nanmax(display_height(surface, z)) - np.nanmin(display_height(surface, z))
    )
    zs = [display_height(surface, p.losses) + lift for p in paths]
    zs += [loss_gap(surface, p.losses)[0] for p in paths]
    arrow_len = 0.07 * surface.span
    frames_at = frame_steps(steps_n, max_frames)
    static = _static_traces(surface, paths, (xs, ys, z), zs, steps)
    # Open at step ~steps/10: mid-flight, where the arrows and the state say the most.
    active = int(np.searchsorted(frames_at, max(1, steps_n // 10))) if steps_n else 0
    active = min(active, len(frames_at) - 1)
    moving = _moving_traces(paths, _frame_traces(paths, frames_at[active], arrow_len, zs))
    first_moving = len(static)
    moving_ids = list(range(first_moving, first_moving + len(moving)))
    frames = [
        {"name": str(k), "traces": moving_ids, "data": _frame_traces(paths, k, arrow_len, zs)}
        for k in frames_at
    ]
    layout = _layout(surface, frames_at, active, height, loss_gap(surface, np.zeros(1))[1])
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


def _layout(
    surface: Surface, frames_at: list[int], active: int, height: int, log_loss: bool
) -> dict:
    """Axes domains, the 3-D scene, and the play/pause buttons with the step slider."""
    anim = {
        "frame": {"duration": 0, "redraw": True},
        "mode": "immediate",
        "transition": {"duration": 0},
    }
    zlabel = "log₁₀(1 + f − f*)" if surface.log_view else "f(x, y)"
    return {
        "scene": {
            "domain": {"x": list(LEFT), "y": list(TOP)},
            "xaxis": {"title": {"text": "x"}, "range": list(surface.xlim)},
            "yaxis": {"title": {"text": "y"}, "range": list(surface.ylim)},
            "zaxis": {"title": {"text": zlabel}, "nticks": 5},
            "camera": {"eye": {"x": -1.45, "y": -1.45, "z": 0.95}},
            "aspectmode": "manual",
            "aspectratio": {"x": 1, "y": 1, "z": 0.6},
        },
        "xaxis": {
            "domain": list(RIGHT),
            "anchor": "y",
            "range": list(surface.xlim),
            "title": {"text": "x"},
            "constrain": "domain",
        },
        "yaxis": {
            "domain": list(TOP),
            "anchor": "x",
            "range": list(surface.ylim),
            "title": {"text": "y"},
            "scaleanchor": "x",
            "constrain": "domain",
        },
        "xaxis2": {"domain": list(LOSS_X), "anchor": "y2", "title": {"text": "step"}},
        "yaxis2": {
            "domain": list(BOTTOM),
            "anchor": "x2",
            "type": "log" if log_loss else "linear",
            "exponentformat": "power",
            "title": {"text": "f − f* (log)" if log_loss else "f"},
        },
        "uirevision": "descent",
        "hovermode": "closest",
        "legend": {"orientation": "h", "y": 1.06, "x": 0.0, "yanchor": "bottom"},
        "annotations": [
            {
                "text": "<b>Solid arrow</b>: the step taken · <b>dotted</b>: steepest descent −∇f",
                "x": RIGHT[0],
                "y": TOP[0] - 0.045,
                "xref": "paper",
                "yref": "paper",
                "showarrow": False,
                "xanchor": "left",
                "font": {"size": 11, "color": NEUTRAL},
            },
        ],
        "updatemenus": [
            {
                "type": "buttons",
                "direction": "left",
                "showactive": False,
                "x": 0.0,
                "y": BOTTOM[1] + 0.075,
                "xanchor": "left",
                "yanchor": "top",
                "pad": {"r": 6, "t": 0},
                "buttons": [
                    {
                        "label": "▶ Play",
                        "method": "animate",
                        "args": [
                            [str(k) for k in frames_at],
                            {**anim, "frame": {"duration": 60, "redraw": True}},
                        ],
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
                "y": BOTTOM[1] + 0.1,
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


def convergence_map_figure(
    cmap: ConvergenceMap,
    metric: str = "steps",
    current: tuple[float, float] | None = None,
    stability: Sequence[tuple[float, float]] | None = None,
    momentum_label: str = "momentum",
    height: int = 480,
) -> go.Figure:
    """Heatmap over log lr (x) and momentum (y): steps to settle, or log10 final loss gap."""
    x = np.log10(cmap.lrs)
    y = np.arange(len(cmap.momenta))
    lr_txt = np.broadcast_to([f"{v:.3g}" for v in cmap.lrs], cmap.final_loss.shape)
    m_txt = np.broadcast_to([[f"{v:.3g}"] for v in cmap.momenta], cmap.final_loss.shape)
    settled = np.isfinite(cmap.steps_to_converge)
    outcome = np.where(
        cmap.diverged,
        "diverged",
        np.where(settled, cmap.steps_to_converge.astype(str) + " steps", "did not settle"),
    )
    custom = np.stack(
        [lr_txt, m_txt, outcome, np.vectorize(lambda v: f"{v:.3g}")(cmap.final_loss)], axis=-1
    )
    if metric == "steps":
        zvals = np.where(settled, cmap.steps_to_converge, np.nan)
        title, scale = "steps to settle", "Viridis"
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            zvals = np.log10(np.maximum(cmap.final_loss, 1e-16))
        title, scale = "log₁₀ final loss", "Viridis"
    unsettled = np.where(~settled & ~cmap.diverged, 1.0, np.nan)
    hover = (
        "lr = %{customdata[0]}<br>" + momentum_label + " = %{customdata[1]}"
        "<br>%{customdata[2]}<br>final loss %{customdata[3]}<extra></extra>"
    )
    traces: list[dict] = [
        {
            "type": "heatmap",
            "x": x,
            "y": y,
            "z": zvals,
            "colorscale": scale,
            "customdata": custom,
            "hovertemplate": hover,
            "hoverongaps": False,
            "colorbar": {"title": {"text": title, "side": "right"}, "thickness": 14},
        }
    ]
    if metric == "steps":
        traces.append(
            {
                "type": "heatmap",
                "x": x,
                "y": y,
                "z": unsettled,
                "showscale": False,
                "colorscale": [[0, "#C9CCD6"], [1, "#C9CCD6"]],
                "customdata": custom,
                "hovertemplate": hover,
                "hoverongaps": False,
                "name": "did not settle",
            }
        )
    if stability:
        lx, ly = zip(*stability, strict=True)
        traces.append(
            {
                "type": "scatter",
                "x": np.log10(lx),
                "y": np.interp(ly, cmap.momenta, y),
                "mode": "lines",
                "line": {"color": "white", "width": 2, "dash": "dash"},
                "name": "theory: lr = 2(1+m)/L",
                "hoverinfo": "skip",
            }
        )
    if current is not None:
        lr, m = current
        traces.append(
            {
                "type": "scatter",
                "x": [math.log10(lr)],
                "y": [float(np.interp(m, cmap.momenta, y))],
                "mode": "markers",
                "marker": {
                    "symbol": "star",
                    "size": 16,
                    "color": "#FFD23F",
                    "line": {"width": 1.5, "color": "#1F2333"},
                },
                "name": "your settings",
                "hovertemplate": f"your settings: lr={lr:.3g}, "
                f"{momentum_label}={m:.3g}<extra></extra>",
            }
        )
    idx = np.unique(np.linspace(0, len(cmap.momenta) - 1, 7).round().astype(int))
    decades = np.arange(math.floor(x.min()), math.ceil(x.max()) + 1)
    layout = {
        "xaxis": {
            "title": {"text": "learning rate (log scale)"},
            "tickvals": decades,
            "ticktext": [f"1e{d}" for d in decades],
            "range": [x[0] - 0.05, x[-1] + 0.05],
        },
        "yaxis": {
            "title": {"text": momentum_label},
            "tickvals": idx,
            "ticktext": [f"{cmap.momenta[i]:.2f}" for i in idx],
        },
        "plot_bgcolor": "#F6C9C4",  # NaN cells show the background: diverged runs
        "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        "showlegend": True,
    }
    fig = go.Figure({"data": traces, "layout": layout})
    styled(fig, height=height)
    fig.add_annotation(
        text="red = diverged · grey = did not settle" if metric == "steps" else "red = diverged",
        xref="paper",
        yref="paper",
        x=1,
        y=1.02,
        xanchor="right",
        yanchor="bottom",
        showarrow=False,
        font={"size": 11, "color": NEUTRAL},
    )
    return fig


def outcome_colour(diverged: bool, settled: bool) -> str:
    """Table cell colour: red for diverged, green for settled, grey otherwise."""
    return BAD if diverged else GOOD if settled else NEUTRAL
