"""Pooling as three panels: the input with its windows and each window's maximum, the pooled
output, and the gradient that reaches the input when every output sends back 1."""

from __future__ import annotations

import plotly.graph_objects as go

from dlviz.convolution.pooling import PoolResult
from dlviz.display import number
from dlviz.plots.convolution.grid import RDBU, axis, base_layout, bound, show_numbers, texts
from dlviz.plots.style import INK, fast_figure

GRAD = [[0.0, "#FFFFFF"], [1.0, "#1B9E4B"]]
MAX_MARK = "#F3A712"
DOMAINS = ((0.0, 0.36), (0.42, 0.62), (0.68, 1.0))


def _heat(z, x: str, y: str, hover, scale, zmin: float, zmax: float, numbers: bool) -> dict:
    trace = {
        "type": "heatmap",
        "z": z.tolist(),
        "hovertext": hover,
        "hoverinfo": "text",
        "colorscale": scale,
        "zmin": zmin,
        "zmax": zmax,
        "showscale": False,
        "xgap": 1,
        "ygap": 1,
        "xaxis": x,
        "yaxis": y,
    }
    if numbers:
        trace |= {"text": texts(z), "texttemplate": "%{text}", "textfont": {"size": 9}}
    return trace


def pooling_figure(result: PoolResult, channel: int = 0, height: int = 380) -> go.Figure:
    """Input | pooled output | gradient at the input, for one channel of ``result``."""
    x = result.image[channel]
    out = result.output[channel]
    grad = result.grad[channel]
    h, w = x.shape
    s, k = result.spec.stride, result.spec.window
    big = bound(x)
    in_hover = [
        [
            f"pixel ({r}, {c}) = {number(float(x[r, c]), 3)}<br>gradient {number(float(grad[r, c]), 3)}"
            for c in range(w)
        ]
        for r in range(h)
    ]
    out_hover = [
        [
            f"output ({r}, {c}) = {number(float(out[r, c]), 3)}<br>window rows {r * s}–{r * s + k - 1}, "
            f"columns {c * s}–{c * s + k - 1}"
            for c in range(out.shape[1])
        ]
        for r in range(out.shape[0])
    ]
    data = [
        _heat(x, "x", "y", in_hover, RDBU, -big, big, show_numbers(h, w)),
        _heat(out, "x2", "y2", out_hover, RDBU, -big, big, show_numbers(*out.shape)),
        _heat(
            grad, "x3", "y3", in_hover, GRAD, 0.0, max(float(grad.max()), 1e-9), show_numbers(h, w)
        ),
    ]
    if result.argmax is not None:
        flat = result.argmax[channel].flatten().tolist()
        data.append(
            {
                "type": "scatter",
                "x": [i % w for i in flat],
                "y": [i // w for i in flat],
                "mode": "markers",
                "marker": {
                    "symbol": "square-open",
                    "size": 12,
                    "color": MAX_MARK,
                    "line": {"width": 2},
                },
                "hoverinfo": "skip",
                "name": "window maximum",
            }
        )
    shapes = []
    if out.numel() <= 100:
        for r in range(out.shape[0]):
            for c in range(out.shape[1]):
                shapes.append(
                    {
                        "type": "rect",
                        "x0": c * s - 0.5,
                        "x1": c * s + k - 0.5,
                        "y0": r * s - 0.5,
                        "y1": r * s + k - 0.5,
                        "xref": "x",
                        "yref": "y",
                        "line": {"color": INK, "width": 1},
                    }
                )
    titles = (
        f"input ({h}×{w}), windows and maxima",
        f"{'max' if result.spec.kind == 'max' else 'average'}-pooled ({out.shape[0]}×{out.shape[1]})",
        "gradient reaching the input",
    )
    layout = base_layout(height, {"l": 10, "r": 10, "t": 20, "b": 30}) | {"shapes": shapes}
    for (suffix, domain), title in zip(
        (("", DOMAINS[0]), ("2", DOMAINS[1]), ("3", DOMAINS[2])), titles, strict=True
    ):
        layout[f"xaxis{suffix}"] = axis(f"y{suffix}", domain, title=title)
        layout[f"yaxis{suffix}"] = {
            **axis(f"x{suffix}", (0.0, 1.0), flip=True),
            "scaleanchor": f"x{suffix}",
        }
    return fast_figure(data, layout)
