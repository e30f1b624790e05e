"""The computation-graph figure: the drawing of ``traces``, one frame per backward step, and the
step controls (Prev, Next, Play, Pause and a step slider) that switch frames in the browser.

Frame k holds what changes at step k: the value boxes, the operation pills, the edges carrying the
current gradient, the text above the graph (the step's chain rule), the Prev / Next buttons
(plotly's buttons jump to a named frame, so each frame re-points them at k - 1 and k + 1) and,
for a graph bigger than the figure, the window that follows the current box. The figure opens
at the last step, every gradient known.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from dlviz.backprop.graph import Graph, Step, grads_at
from dlviz.backprop.layout import layout_graph
from dlviz.plots.backprop.colors import Colors, colors_for
from dlviz.plots.backprop.nodes import look_at, node_size
from dlviz.plots.backprop.traces import (
    CONTROLS,
    STEP,
    STEPPED,
    TEXT_LINE,
    step_parts,
    step_text,
    traces,
)
from dlviz.plots.backprop.view import FIGURE_WIDTH, SIDE, View, cameras, viewport
from dlviz.plots.style import FONT, fast_figure

PLAY_DELAY = 700  # ms per step when playing the backward pass


def graph_figure(
    graph: Graph, steps: Sequence[Step], direction: str = "LR", dark: bool = False
) -> go.Figure:
    """The graph laid out along ``direction`` ("LR" or "TB"), with a frame per backward step, in
    the colours of a ``dark`` or a light page."""
    colors = colors_for(dark)
    final = grads_at(list(steps), len(steps) - 1)
    layout = layout_graph(
        graph, lambda n, kind: node_size(n, kind, final.get(n.id, 0.0)), direction
    )
    view = viewport(layout)
    total = len(steps)
    views = cameras(layout, steps, view) if view.follows else None
    texts = [step_text(graph, steps, k) for k in range(total + 1)]
    frames = []
    for k in range(total + 1):
        # Layout containers (annotations, updatemenus) merge item by item: only what changes.
        frame_layout = {
            "annotations": [{"text": texts[k]}],
            "updatemenus": [{"buttons": _prev_next(k, total)}],
        }
        if views is not None:
            frame_layout |= _ranges(views[k], {})
        parts = step_parts(layout, look_at(graph, steps, k, colors))
        frames.append({"name": str(k), "traces": STEPPED, "data": parts, "layout": frame_layout})
    lines = max(t.count("<br>") + 1 for t in texts)
    fig_layout = _figure_layout(view, total, lines, texts[total], colors)
    if views is not None:
        fig_layout |= _ranges(views[total], fig_layout)
    data = traces(graph, layout, look_at(graph, steps, total, colors), colors)
    return fast_figure(data, fig_layout, frames)


def _ranges(window: tuple[float, ...], layout: dict) -> dict:
    """The axes of ``layout`` (or bare ones, for a frame) showing ``window``; y grows downwards."""
    x0, x1, y0, y1 = window
    return {
        "xaxis": {**layout.get("xaxis", {}), "range": [x0, x1]},
        "yaxis": {**layout.get("yaxis", {}), "range": [y1, y0]},
    }


def _text_box(text: str, colors: Colors) -> dict:
    """The step's text, above the controls, left-aligned."""
    return {
        "text": text,
        "x": 0,
        "y": 1,
        "xref": "paper",
        "yref": "paper",
        "xanchor": "left",
        "yanchor": "bottom",
        "yshift": CONTROLS,
        "align": "left",
        "showarrow": False,
        "font": {"size": 13, "color": colors.ink, "family": FONT},
    }


def _prev_next(k: int, total: int) -> list[dict]:
    """◀ Prev and Next ▶ at step k: buttons that jump to frames k - 1 and k + 1."""
    return [
        {"label": "◀ Prev", "method": "animate", "args": [[str(max(k - 1, 0))], STEP]},
        {"label": "Next ▶", "method": "animate", "args": [[str(min(k + 1, total))], STEP]},
    ]


def _menus(total: int, colors: Colors) -> list[dict]:
    """Prev / Next (re-pointed by every frame), then Play from the current step and Pause."""
    play = {**STEP, "frame": {"duration": PLAY_DELAY, "redraw": True}, "fromcurrent": True}
    row = {
        "type": "buttons",
        "direction": "left",
        "showactive": False,
        "y": 1,
        "xanchor": "left",
        "yanchor": "bottom",
        "pad": {"b": 12, "r": 4},
        "font": {"size": 13, "color": colors.ink},
        "bgcolor": colors.control,
        "bordercolor": colors.control_line,
    }
    return [
        {**row, "x": 0, "buttons": _prev_next(total, total)},
        {
            **row,
            "x": 0.155,
            "buttons": [
                {"label": "▶ Play", "method": "animate", "args": [None, play]},
                {"label": "❚❚", "method": "animate", "args": [[None], STEP]},
            ],
        },
    ]


def _slider(total: int, colors: Colors) -> dict:
    """One stop per step, numbered every ``every`` steps (the text above says which step)."""
    every = 1 if total <= 20 else 5 if total <= 60 else 10
    return {
        "active": total,
        "x": 0.36,
        "len": 0.64,
        "y": 1,
        "yanchor": "bottom",
        "pad": {"b": 4, "t": 0},
        "ticklen": 3,
        "minorticklen": 0,
        "font": {"size": 9, "color": colors.muted},
        "bgcolor": colors.control,
        "bordercolor": colors.control_line,
        "activebgcolor": colors.highlight,
        "tickcolor": colors.control_line,
        "currentvalue": {"visible": False},
        "steps": [
            {
                "label": str(k) if k % every == 0 else "",
                "method": "animate",
                "args": [[str(k)], STEP],
            }
            for k in range(total + 1)
        ],
    }


def _figure_layout(view: View, total: int, lines: int, text: str, colors: Colors) -> dict:
    """Hidden axes over the drawing, the text and controls above it, opened at the last step.

    The background is transparent (the page's own shows through) and every colour is set here,
    so Streamlit's light or dark chart theme changes nothing."""
    x0, x1, y0, y1 = view.bounds
    wide = view.window[0]
    axis = {"visible": False, "showgrid": False, "zeroline": False}
    top = CONTROLS + TEXT_LINE * lines + 12
    return {
        # a template of its own, or plotly would write its default one (~10 KB) into the figure
        "template": {"layout": {"hoverlabel": {"font": {"family": FONT}}}},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": FONT, "size": 13, "color": colors.ink},
        "modebar": {"bgcolor": "rgba(0,0,0,0)", "color": colors.muted, "activecolor": colors.ink},
        "width": FIGURE_WIDTH,
        "height": round(view.plot_height + top + 8),
        "margin": {"l": SIDE, "r": SIDE, "t": top, "b": 8},
        "xaxis": {**axis, "range": [(x0 + x1 - wide) / 2, (x0 + x1 + wide) / 2]},
        "yaxis": {**axis, "range": [y1, y0], "scaleanchor": "x", "scaleratio": 1},
        "barmode": "overlay",
        "bargap": 0,
        "dragmode": "pan",
        "hovermode": "closest",
        "showlegend": False,
        "uirevision": "graph",
        "annotations": [_text_box(text, colors)],
        "updatemenus": _menus(total, colors),
        "sliders": [_slider(total, colors)],
    }
