"""A colour convolution, channel by channel: each input channel meets its own kernel slice, the
three results are added and the bias joins them; and several output channels side by side."""

from __future__ import annotations

import plotly.graph_objects as go

from dlviz.convolution import ConvResult
from dlviz.display import number
from dlviz.plots.convolution.grid import RDBU, axis, base_layout, bound, ranges, show_numbers, texts
from dlviz.plots.style import fast_figure

CHANNEL_SCALES = (
    ("red", [[0.0, "#000000"], [1.0, "#FF3B30"]]),
    ("green", [[0.0, "#000000"], [1.0, "#34C759"]]),
    ("blue", [[0.0, "#000000"], [1.0, "#0A84FF"]]),
)
COLUMNS = ((0.0, 0.24), (0.28, 0.40), (0.45, 0.69), (0.76, 1.0))


def _heat(z, x: str, y: str, scale, zmin: float, zmax: float, hover: str, numbers: bool) -> dict:
    trace = {
        "type": "heatmap",
        "z": z.tolist(),
        "colorscale": scale,
        "zmin": zmin,
        "zmax": zmax,
        "showscale": False,
        "xaxis": x,
        "yaxis": y,
        "hovertemplate": hover + " (row %{y}, column %{x}): %{z:.3g}<extra></extra>",
    }
    if numbers:
        trace |= {"text": texts(z), "texttemplate": "%{text}", "textfont": {"size": 9}}
    return trace


def channels_figure(result: ConvResult, out_channel: int = 0, height: int = 620) -> go.Figure:
    """Rows R, G, B: input channel | kernel slice | channel's contribution; right: the sum + bias."""
    channels = result.image.shape[0]
    contributions = result.products(out_channel).sum(dim=(1, 2))  # [C, oh, ow]
    kernel = result.kernel[out_channel]
    out = result.output[out_channel]
    kmax, cmax, omax = bound(kernel), bound(contributions), bound(out)
    data, layout_axes, n = [], {}, 0
    gap = 0.06
    row_h = (1 - gap * (channels - 1)) / channels
    for c in range(channels):
        name, scale = CHANNEL_SCALES[c % 3] if channels == 3 else ("input", CHANNEL_SCALES[0][1])
        y0 = 1 - (c + 1) * row_h - c * gap
        cells = (
            (result.padded[c], scale, 0.0, 1.0, f"{name} input", False),
            (kernel[c], RDBU, -kmax, kmax, f"{name} weight", True),
            (
                contributions[c],
                RDBU,
                -cmax,
                cmax,
                f"{name} contribution",
                show_numbers(*out.shape, 8),
            ),
        )
        for col, (z, sc, lo, hi, hover, numbers) in enumerate(cells):
            n += 1
            suffix = "" if n == 1 else str(n)
            data.append(_heat(z, f"x{suffix}", f"y{suffix}", sc, lo, hi, hover, numbers))
            title = (f"{name} channel", f"{name} slice of the kernel", f"{name} × slice, summed")[
                col
            ]
            xr, yr = ranges(*z.shape)
            layout_axes[f"xaxis{suffix}"] = axis(f"y{suffix}", COLUMNS[col], title=title) | {
                "range": xr
            }
            layout_axes[f"yaxis{suffix}"] = axis(f"x{suffix}", (y0, y0 + row_h)) | {
                "range": yr,
                "scaleanchor": f"x{suffix}",
            }
    n += 1
    data.append(
        _heat(out, f"x{n}", f"y{n}", RDBU, -omax, omax, "output", show_numbers(*out.shape, 8))
    )
    layout_axes[f"xaxis{n}"] = axis(
        f"y{n}",
        COLUMNS[3],
        title=f"sum of the {channels} + bias {number(float(result.bias[out_channel]), 3)}",
    )
    xr, yr = ranges(*out.shape)
    layout_axes[f"xaxis{n}"]["range"] = xr
    layout_axes[f"yaxis{n}"] = axis(f"x{n}", (0.3, 0.7)) | {"range": yr, "scaleanchor": f"x{n}"}
    layout = _base(height) | layout_axes
    return fast_figure(data, layout)


def outputs_figure(result: ConvResult, names: list[str], height: int = 300) -> go.Figure:
    """Every output channel of ``result`` side by side, each on its own colour scale."""
    count = result.output.shape[0]
    width = 1 / count
    data, layout_axes = [], {}
    for o in range(count):
        suffix = "" if o == 0 else str(o + 1)
        z = result.output[o]
        m = bound(z)
        data.append(_heat(z, f"x{suffix}", f"y{suffix}", RDBU, -m, m, names[o], False))
        xr, yr = ranges(*z.shape)
        layout_axes[f"xaxis{suffix}"] = axis(
            f"y{suffix}", (o * width + 0.01, (o + 1) * width - 0.01), title=names[o]
        ) | {"range": xr}
        layout_axes[f"yaxis{suffix}"] = axis(f"x{suffix}", (0.0, 1.0)) | {
            "range": yr,
            "scaleanchor": f"x{suffix}",
        }
    return fast_figure(data, _base(height) | layout_axes)


def _base(height: int) -> dict:
    return base_layout(height, {"l": 10, "r": 10, "t": 10, "b": 40})
