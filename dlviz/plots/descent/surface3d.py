"""Shared drawing for the gradient-descent figures, and the 3-D surface with every path.

``display_height`` and ``loss_gap`` say what the plots show as height and as loss (log views for
surfaces that span decades); ``grid_payload`` packs a grid's heights and hover text for a surface
or contour trace. ``surface3d_figure`` draws the surface in 3-D with every optimizer's whole path.
The 3-D view has no frames on purpose: a frame redraw rebuilds a 3-D scene from the figure's
original camera (Streamlit's plotly wrapper keeps the learner's camera elsewhere), so the camera
stays where the learner turned it only if the animation never touches that figure. The animated
contour panel is in ``dlviz.plots.descent.panel``. Builders only draw: the numbers come from
``dlviz.descent``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from dlviz.descent.optimize import Path
from dlviz.descent.surfaces import Surface
from dlviz.optimizers import LABELS
from dlviz.plots.style import color, fast_figure, styled

Grid = tuple[np.ndarray, np.ndarray, np.ndarray]
SURFACE_SCALE = [
    [0.0, "#FBF8F1"],
    [0.25, "#E9E2D0"],
    [0.5, "#CFC5AE"],
    [0.75, "#A89D86"],
    [1.0, "#6F6656"],
]
LOSS_FLOOR = 1e-16  # f - f* below this is float64 round-off: drawn at the floor


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


def grid_payload(surface: Surface, z: np.ndarray) -> dict:
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
    heights = grid_payload(surface, z)
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
        name, last = LABELS[path.optimizer], path.last + 1
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
    fig = fast_figure(traces, layout)
    return styled(fig, height=height).update_layout(margin={"l": 0, "r": 0, "t": 30, "b": 0})
