"""The slow-motion figure: one example's step on a node-link diagram, one animation frame a stage.

Nodes carry the stage's value (input, activation, delta) in their colour (blue positive, orange
negative, white near zero) and as a number; edges are coloured by sign and sized by magnitude of
the stage's quantity (weight, gradient, new weight), the layers not involved drawn dim. Every
edge and node hovers with its numbers. A slider and a Play button step through the stages in
the browser (no server rerun); ``stage`` says which one the figure opens on.
"""

from __future__ import annotations

import textwrap

import numpy as np
import plotly.graph_objects as go

from dlviz.display import number
from dlviz.playground.stages import Stage
from dlviz.plots.playground.regions import NEGATIVE, POSITIVE
from dlviz.plots.style import fast_figure, mix_white, styled

_COL_GAP = 2.4
_N_BINS = 5
_DIM = "#D5D8DC"


def _layout(widths: list[int]) -> tuple[list[float], list[np.ndarray]]:
    xs = [c * _COL_GAP for c in range(len(widths))]
    ys = [(n - 1) / 2 - np.arange(n, dtype=float) for n in widths]
    return xs, ys


def _node_color(v: float | None, scale: float) -> str:
    if v is None:
        return "#F2F3F4"
    return mix_white(POSITIVE if v >= 0 else NEGATIVE, 0.12 + 0.75 * min(1.0, abs(v) / scale))


def _edges(stage: Stage, xs, ys, names) -> tuple[list[dict], dict]:
    """12 line traces (5 strengths x 2 signs, dim, exact zeros) and one hover-marker trace."""
    active = [e for e in stage.edges if e is not None]
    vmax = max((float(np.abs(e).max()) for e in active), default=0.0) or 1.0
    segs: list[tuple[list, list]] = [([], []) for _ in range(2 * _N_BINS + 2)]
    hx, hy, text = [], [], []
    for layer, values in enumerate(stage.edges):
        n_out, n_in = len(ys[layer + 1]), len(ys[layer])
        for j in range(n_out):
            for i in range(n_in):
                y0, y1 = float(ys[layer][i]), float(ys[layer + 1][j])
                if values is None:
                    b = 2 * _N_BINS
                else:
                    v = float(values[j, i])
                    s = min(int(abs(v) / vmax * _N_BINS), _N_BINS - 1)
                    b = 2 * _N_BINS + 1 if v == 0 else (0 if v > 0 else _N_BINS) + s
                    hx.append(0.55 * xs[layer] + 0.45 * xs[layer + 1])
                    hy.append(0.55 * y0 + 0.45 * y1)
                    text.append(
                        f"{names[layer][i]} → {names[layer + 1][j]}<br>"
                        f"{stage.edge_symbol} = {number(v, 4)}"
                    )
                segs[b][0].extend([xs[layer], xs[layer + 1], None])
                segs[b][1].extend([y0, y1, None])
    traces = [{"type": "scatter", "x": x, "y": y} for x, y in segs]
    hover = {"type": "scatter", "x": hx, "y": hy, "text": text}
    return traces, hover


def _nodes(stage: Stage, xs, ys, names) -> dict:
    shown = [v for v in stage.nodes[1:] if v is not None]
    scale = max((float(np.abs(v).max()) for v in shown), default=0.0) or 1.0
    inputs = stage.nodes[0]
    in_scale = float(np.abs(inputs).max()) or 1.0
    x, y, color, text, hover = [], [], [], [], []
    for c, values in enumerate(stage.nodes):
        for j, yy in enumerate(ys[c]):
            v = None if values is None else float(values[j])
            x.append(xs[c])
            y.append(float(yy))
            color.append(_node_color(v, in_scale if c == 0 else scale))
            text.append("" if v is None else number(v, 2))
            sym = stage.node_symbol[c]
            hover.append(
                f"{names[c][j]}<br>{sym} = {number(v, 5)}" if v is not None else names[c][j]
            )
    return {"type": "scatter", "x": x, "y": y, "marker": {"color": color}, "text": text,
            "hovertext": hover}  # fmt: skip


def _frame_data(stage: Stage, xs, ys, names) -> list[dict]:
    edges, hover = _edges(stage, xs, ys, names)
    return [*edges, hover, _nodes(stage, xs, ys, names)]


def _static_traces(n_edges: int) -> list[dict]:
    """Styles of the traces every frame refills: edge bins, hover markers, nodes."""
    styles = []
    for positive in (True, False):
        for s in range(_N_BINS):
            styles.append({"color": POSITIVE if positive else NEGATIVE, "width": 0.8 + 1.6 * s})
    styles += [{"color": _DIM, "width": 0.8}, {"color": "#888", "width": 0.8, "dash": "dot"}]
    lines = [
        {"type": "scatter", "mode": "lines", "line": st, "hoverinfo": "skip", "showlegend": False}
        for st in styles
    ]
    hover = {"type": "scatter", "mode": "markers", "marker": {"size": 10, "color": "rgba(0,0,0,0)"},
             "hovertemplate": "%{text}<extra></extra>", "showlegend": False}  # fmt: skip
    nodes = {"type": "scatter", "mode": "markers+text", "showlegend": False,
             "marker": {"size": 34, "line": {"color": "#1F2333", "width": 1}},
             "textfont": {"size": 10, "color": "#1F2333"},
             "hovertemplate": "%{hovertext}<extra></extra>"}  # fmt: skip
    return [*lines, hover, nodes]


def _merge(base: dict, update: dict) -> dict:
    out = dict(base)
    for k, v in update.items():
        out[k] = {**base[k], **v} if isinstance(v, dict) and k in base else v
    return out


def slow_motion_figure(
    stages: list[Stage], names: list[list[str]], stage: int = 0, *, height: int | None = None
) -> go.Figure:
    """The diagram opened on ``stages[stage]``, every stage a frame, a slider and Play."""
    widths = [len(col) for col in names]
    xs, ys = _layout(widths)
    base = _static_traces(0)
    frames = []
    for i, st in enumerate(stages):
        data = [_merge(b, d) for b, d in zip(base, _frame_data(st, xs, ys, names), strict=True)]
        lines = "<br>".join(textwrap.wrap(st.text, 120))
        small = f"<span style='font-size:12px'>{lines}</span>"
        title = f"<b>{i + 1}/{len(stages)}. {st.title}</b><br>{small}"
        frames.append({"name": str(i), "data": data, "layout": {"title": {"text": title}}})
    stage = min(max(stage, 0), len(stages) - 1)
    labels = [
        {"x": xs[0] - 0.45, "y": float(y), "text": names[0][i], "showarrow": False,
         "xanchor": "right", "font": {"size": 12}}
        for i, y in enumerate(ys[0])
    ] + [
        {"x": xs[-1] + 0.45, "y": float(y), "text": names[-1][j], "showarrow": False,
         "xanchor": "left", "font": {"size": 12}}
        for j, y in enumerate(ys[-1])
    ]  # fmt: skip
    steps = [
        {"label": str(i + 1), "method": "animate",
         "args": [[str(i)], {"mode": "immediate", "frame": {"duration": 0, "redraw": True},
                             "transition": {"duration": 0}}]}
        for i in range(len(stages))
    ]  # fmt: skip
    play = {"frame": {"duration": 1400, "redraw": True}, "fromcurrent": True,
            "transition": {"duration": 0}, "mode": "immediate"}  # fmt: skip
    pause = {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}
    rows = max(widths)
    layout = {
        "title": frames[stage]["layout"]["title"],
        "xaxis": {"visible": False, "range": [xs[0] - 1.4, xs[-1] + 1.4]},
        "yaxis": {"visible": False, "range": [-rows / 2 - 0.3, rows / 2 + 0.1]},
        "annotations": labels,
        "sliders": [{"active": stage, "steps": steps, "x": 0.1, "len": 0.9, "y": 0,
                     "currentvalue": {"prefix": "stage "}, "pad": {"t": 10}}],
        "updatemenus": [{"type": "buttons", "direction": "left", "x": 0.0, "y": 0,
                         "xanchor": "right", "yanchor": "top", "pad": {"t": 10, "r": 10},
                         "buttons": [
                             {"label": "▶ Play", "method": "animate", "args": [None, play]},
                             {"label": "❚❚", "method": "animate", "args": [[None], pause]},
                         ]}],
        "margin": {"l": 70, "r": 10, "t": 95, "b": 10},
        "uirevision": "pg-slowmo",
    }  # fmt: skip
    fig = fast_figure(frames[stage]["data"], layout, frames)
    styled(fig, height=height or int(np.clip(200 + 48 * rows, 380, 620)))
    fig.update_layout(
        title_text=frames[stage]["layout"]["title"]["text"], margin={"t": 95}, title_y=0.97
    )
    return fig


def change_figure(
    axis: np.ndarray,
    delta: np.ndarray,
    point: np.ndarray,
    label: str,
    *,
    height: int = 360,
) -> go.Figure:
    """What one step changes over the plane: ``delta`` (G, G) on a diverging scale centred on
    zero (blue: up, orange: down), the example as a star."""
    vmax = float(np.abs(delta).max()) or 1e-12
    fig = go.Figure(
        [
            go.Heatmap(
                x=axis, y=axis, z=delta.astype(np.float32), zmin=-vmax, zmax=vmax,
                colorscale=[[0.0, NEGATIVE], [0.5, "#FFFFFF"], [1.0, POSITIVE]],
                colorbar={"thickness": 10, "len": 0.8},
                hovertemplate=f"x₁ %{{x:.2f}}, x₂ %{{y:.2f}}<br>{label} %{{z:.3g}}<extra></extra>",
            ),
            go.Scatter(
                x=[float(point[0])], y=[float(point[1])], mode="markers",
                marker={"symbol": "star", "size": 16, "color": "#1F2333",
                        "line": {"color": "white", "width": 1}},
                hovertemplate="the example<extra></extra>", showlegend=False,
            ),
        ]
    )  # fmt: skip
    lim = float(axis[-1])
    fig.update_xaxes(range=[-lim, lim], title="x₁", constrain="domain", zeroline=False)
    fig.update_yaxes(range=[-lim, lim], title="x₂", scaleanchor="x", zeroline=False)
    styled(fig, title=f"What this step changes: {label}", height=height)
    return fig
