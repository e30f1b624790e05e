"""The animated gradient-descent panel: contour with paths | loss vs step, over the state table.

``descent_figure`` draws the contour map with the paths, the loss against the step, and a table of
the optimizer state; its play button and step slider are plotly frames, so the animation runs in
the browser. The traces come from ``dlviz.plots.descent.traces``; this module adds the frames,
the axes and the animation controls. Builders only draw: the numbers come from ``dlviz.descent``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from dlviz.descent.optimize import Path
from dlviz.descent.surfaces import Surface
from dlviz.plots.descent.common import Grid, loss_gap
from dlviz.plots.descent.traces import (
    CONTOUR_X,
    LOSS_X,
    TABLE_Y,
    TOP,
    frame_traces,
    moving_traces,
    static_traces,
)
from dlviz.plots.style import INK, fast_figure, styled


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
    static = static_traces(surface, paths, grid, gaps) + arrow_key()
    moving = moving_traces(len(paths), frame_traces(paths, frames_at[active], arrow_len, gaps))
    ids = list(range(len(static), len(static) + len(moving)))
    frames = [
        {"name": str(k), "traces": ids, "data": frame_traces(paths, k, arrow_len, gaps)}
        for k in frames_at
    ]
    layout = _layout(surface, frames_at, active, loss_gap(surface, np.zeros(1))[1])
    fig = fast_figure(static + moving, layout, frames)
    # as drawn at desktop widths (the contour's axis, the legend above): see dlviz.plots.style.AXES
    return styled(fig, height=height, margin={"l": 74, "r": 21, "t": 75, "b": 20})


def arrow_key() -> list[dict]:
    """The two arrows' key as legend entries (a solid and a dotted line, no data): in the legend,
    which wraps and pushes the plot down as the figure narrows, the key cannot overlap it."""
    return [
        {
            "type": "scatter",
            "x": [None],
            "y": [None],
            "mode": "lines",
            "line": {"color": INK, "width": 2, "dash": dash},
            "name": name,
            "legendgroup": "arrows",
            "hoverinfo": "skip",
        }
        for dash, name in (
            ("solid", "<b>solid arrow</b>: the step taken"),
            ("dot", "<b>dotted arrow</b>: downhill, −∇f"),
        )
    ]


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
