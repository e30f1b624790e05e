"""The 3-D surface with every optimizer's whole path drawn just above it.

``surface3d_figure`` draws it; the heights, the colour scale and the minima markers it shares with
the contour panel come from ``dlviz.plots.descent.common``. The 3-D view has no frames on purpose:
a frame redraw rebuilds a 3-D scene from the figure's original camera (Streamlit's plotly wrapper
keeps the learner's camera elsewhere), so the camera stays where the learner turned it only if the
animation never touches that figure. The animated contour panel is in
``dlviz.plots.descent.panel``. Builders only draw: the numbers come from ``dlviz.descent``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from dlviz.descent.optimize import Path
from dlviz.descent.surfaces import Surface
from dlviz.optimizers import LABELS
from dlviz.plots.descent.common import (
    SURFACE_SCALE,
    Grid,
    display_height,
    grid_payload,
    minima_trace,
)
from dlviz.plots.style import color, fast_figure, styled


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
        z_min = display_height(surface, surface.evaluate(np.array(surface.minima))) + lift
        traces.append(minima_trace(surface, z_min))
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
