"""The sliding window: the padded input, the kernel, the products at one position and the output,
with one frame per output position so Play, Pause and the step slider run in the browser (no
server rerun per step).

Frame i moves the window outline and its tap markers over the padded input, refills the products
panel (cell colours are layout shapes, numbers a text trace) with kernel x window for that
position, outlines the output cell being written, and writes the sum with the bias above the
figure. Grids are layout images, which stay on screen while frames redraw (plotly blanks heatmaps
until they re-render); invisible heatmaps carry the hover text, so hovering an output cell shows
its whole patch and value.
"""

from __future__ import annotations

import plotly.graph_objects as go
import torch

from dlviz.convolution import ConvResult
from dlviz.display import number
from dlviz.plots.convolution.grid import (
    SOFT,
    axis,
    base_layout,
    bound,
    grid_image,
    hover_trace,
    number_trace,
    ranges,
    show_numbers,
    texts,
)
from dlviz.plots.convolution.hover import input_hover, output_hover, repeated
from dlviz.plots.convolution.player import menus, slider
from dlviz.plots.images import colormap
from dlviz.plots.style import INK, fast_figure

MAX_FRAMES = 1296
"""The most output positions one animation steps through (36 x 36); a caption names the rest."""
WINDOW = "#F3A712"  # amber: the window and the cell it writes
DOMAINS = {"in": (0.0, 0.40), "k": (0.45, 0.56), "p": (0.61, 0.72), "out": (0.77, 1.0)}
TAPS, PRODUCT_TEXT, OUTPUT_CELLS = 2, 5, 6  # indices of the animated and the clickable traces


def window_figure(result: ConvResult, channel: int = 0, height: int = 540) -> go.Figure:
    """The animated convolution of ``result`` for output channel ``channel``."""
    oh, ow = result.out_shape
    count = min(oh * ow, MAX_FRAMES)
    kernel = result.kernel[channel]
    frames = _frames(result, channel, count)
    first = frames[0]
    k_labels = _stacked_text(kernel)
    data = [
        hover_trace(input_hover(result), "x", "y"),
        _input_numbers(result),
        {
            **first["data"][0],
            "mode": "markers",
            "marker": {"size": 5, "color": WINDOW, "line": {"color": INK, "width": 1}},
            "hoverinfo": "skip",
        },
        hover_trace([[f"weight {t}" if t else "" for t in row] for row in k_labels], "x2", "y2"),
        number_trace(k_labels, "x2", "y2", 10),
        {**number_trace(k_labels, "x3", "y3", 10), **first["data"][1]},
        _output_cells(output_hover(result, channel)),
        _output_numbers(result, channel),
    ]
    layout = _layout(result, channel, count, height)
    layout["shapes"] = [
        base | change
        for base, change in zip(layout["shapes"], first["layout"]["shapes"], strict=True)
    ]
    layout["annotations"][0]["text"] = first["layout"]["annotations"][0]["text"]
    return fast_figure(data, layout, frames)


def at_position(figure: go.Figure, position: int) -> go.Figure:
    """``figure`` (a ``window_figure``) opening at output ``position`` instead of the first: the
    window, the products, the sum and the step slider as that frame has them. Built from the
    figure's own frames without copying them (cheap enough for a click)."""
    frames = getattr(figure, "_raw_frames", ())
    if not frames or not 0 < position < len(frames):
        return figure
    frame = frames[position]
    data = [dict(t) for t in figure._data]
    data[TAPS] |= frame["data"][0]
    data[PRODUCT_TEXT] |= frame["data"][1]
    layout = dict(figure._layout)
    changes = frame["layout"]["shapes"]
    layout["shapes"] = [base | c for base, c in zip(layout["shapes"], changes, strict=True)]
    layout["annotations"] = [{**layout["annotations"][0], **frame["layout"]["annotations"][0]}]
    layout["sliders"] = [{**layout["sliders"][0], "active": position}]
    return fast_figure(data, layout, list(frames))


def clicked_position(event) -> int | None:
    """The output position (row-major) of a clicked output cell in a chart's selection, or None."""
    try:
        point = event["selection"]["points"][0]
        if int(point.get("curve_number", OUTPUT_CELLS)) != OUTPUT_CELLS:
            return None
        return int(point["point_index"])
    except (KeyError, IndexError, TypeError, ValueError):
        return None


def _output_cells(hover: list[list[str]]) -> dict:
    """One invisible marker per output cell (row-major): its hover text, and a click target
    (plotly reports no points for clicks on a heatmap)."""
    rows, cols = len(hover), len(hover[0])
    return {
        "type": "scatter",
        "mode": "markers",
        "x": [c for _ in range(rows) for c in range(cols)],
        "y": [r for r in range(rows) for _ in range(cols)],
        "hovertext": [t for row in hover for t in row],
        "hoverinfo": "text",
        "marker": {"size": 12, "opacity": 0, "symbol": "square"},
        "xaxis": "x4",
        "yaxis": "y4",
        "showlegend": False,
    }


def _stacked(values: torch.Tensor) -> torch.Tensor:
    """[C, k, k] -> one [(C k + C - 1), k] grid: the channels one under the other, NaN between."""
    blocks = []
    for c in range(values.shape[0]):
        if c:
            blocks.append(torch.full((1, values.shape[-1]), float("nan")))
        blocks.append(values[c])
    return torch.cat(blocks)


def _stacked_text(values: torch.Tensor) -> list[list[str]]:
    grid = _stacked(values)
    return [["" if v != v else number(v, 2) for v in row] for row in grid.tolist()]


def _signed(values: torch.Tensor) -> bool:
    """Draw on blue-white-red unless the values are an image in 0..1."""
    return bool(values.min() < 0 or values.max() > 1)


def _input_numbers(result: ConvResult) -> dict:
    padded = result.padded
    if padded.shape[0] != 1 or not show_numbers(*padded.shape[-2:]):
        return number_trace([[""]], "x", "y")
    dark = None if _signed(padded) else padded[0] < 0.5
    return number_trace(texts(padded[0]), "x", "y", 9, dark)


def _output_numbers(result: ConvResult, channel: int) -> dict:
    out = result.output[channel]
    if not show_numbers(*out.shape, 12):
        return number_trace([[""]], "x4", "y4")
    return number_trace(texts(out), "x4", "y4", 9)


def _paren(text: str) -> str:
    return f"({text})" if text.startswith("-") else text


def _sum_text(window: list[float], kernel: list[float], total: float, bias: float) -> str:
    if len(window) <= 9:
        pairs = zip(window, kernel, strict=True)
        terms = " + ".join(f"{repeated(x, 2)}·{_paren(repeated(w, 2))}" for x, w in pairs)
        expansion = f"{terms} = {number(total - bias, 4)}"
    else:
        expansion = f"sum of the {len(window)} products window × kernel = {number(total - bias, 4)}"
    return f"{expansion}<br>+ bias {_paren(number(bias, 3))} = <b>{number(total, 4)}</b>"


def _frames(result: ConvResult, channel: int, count: int) -> list[dict]:
    """One frame per output position (row-major), holding only what changes, so that a 28 x 28
    image's 784 frames stay a few hundred kilobytes. Built from whole tensors at once."""
    ow = result.out_shape[1]
    kernel = result.kernel[channel]
    k, d, ext = result.spec.kernel_size, result.spec.dilation, result.spec.extent
    # [positions, C*k*k]: the window and the products at every position, channel-major
    windows = result.windows.flatten(0, 2).flatten(1).T[:count]
    products = windows * kernel.flatten()
    zmax = products.abs().amax(dim=1).clamp(min=1e-12)
    colours = colormap((products / zmax[:, None]).numpy(), SOFT, -1.0, 1.0).tolist()
    bias = float(result.bias[channel])
    totals = (products.sum(dim=1) + bias).tolist()
    weights = kernel.flatten().tolist()
    frames = []
    for i, (window, prods, rgb, total) in enumerate(
        zip(windows.tolist(), products.tolist(), colours, totals, strict=True)
    ):
        r, c = divmod(i, ow)
        r0, c0 = result.origin(r, c)
        title = (
            f"Output ({r}, {c}): the window covers padded rows {r0}–{r0 + ext - 1}, "
            f"columns {c0}–{c0 + ext - 1}"
        )
        fills = [{"fillcolor": f"rgb({x},{y},{z})"} for x, y, z in rgb]
        frames.append(
            {
                "name": str(i),
                "traces": [TAPS, PRODUCT_TEXT],
                "data": [
                    {
                        "type": "scatter",
                        "x": [c0 + j * d - 0.3 for _ in range(k) for j in range(k)],
                        "y": [r0 + q * d - 0.3 for q in range(k) for _ in range(k)],
                    },
                    {"type": "scatter", "text": [number(v, 2) for v in prods]},
                ],
                "layout": {
                    "shapes": [_corners(c0, r0, ext), _corners(c, r, 1), {}, *fills],
                    "annotations": [
                        {"text": title + "<br>" + _sum_text(window, weights, total, bias)}
                    ],
                },
            }
        )
    return frames


def _flat_labels(values: torch.Tensor) -> list[str]:
    """The labels of a stacked grid in ``number_trace``'s order (blank separator rows skipped)."""
    return [t for row in _stacked_text(values) for t in row if t]


def _corners(x0: int, y0: int, size: int) -> dict:
    """A frame's update of a box shape: its corners only (the style stays)."""
    return {"x0": x0 - 0.5, "y0": y0 - 0.5, "x1": x0 + size - 0.5, "y1": y0 + size - 0.5}


def _box(x0: int, y0: int, size: int, xref: str, yref: str, color: str = WINDOW) -> dict:
    return {
        "type": "rect",
        "xref": xref,
        "yref": yref,
        **_corners(x0, y0, size),
        "line": {"color": color, "width": 3},
    }


def _product_cells(kernel: torch.Tensor) -> list[dict]:
    """One rectangle per product cell (frames recolour them), none on the separator rows."""
    grid = _stacked(kernel)
    cells = []
    for r, row in enumerate(grid.tolist()):
        for c, v in enumerate(row):
            if v == v:
                cell = _box(c, r, 1, "x3", "y3", "#FFFFFF")
                cell["line"] = {"color": "#FFFFFF", "width": 1}
                cell["layer"] = "below"
                cells.append(cell)
    return cells


def _layout(result: ConvResult, channel: int, count: int, height: int) -> dict:
    """Four panels side by side (grids as layout images) under the step text and the controls."""
    p = result.spec.padding
    h, w = result.image.shape[-2:]
    padded = result.padded
    out = result.output[channel]
    kernel = result.kernel[channel]
    image_edge = _box(p, p, 1, "x", "y", "#4F46E5") | {
        "x1": p + w - 0.5,
        "y1": p + h - 0.5,
        "line": {"color": "#4F46E5", "width": 1.5, "dash": "dot"},
    }
    stacked = _stacked(kernel)
    images = [
        grid_image(padded if padded.shape[0] == 3 else padded[0], "x", "y", signed=_signed(padded)),
        grid_image(torch.nan_to_num(stacked, nan=0.0), "x2", "y2", zmax=bound(kernel)),
        grid_image(out, "x4", "y4"),
    ]
    sizes = {
        "": padded.shape[-2:],
        "2": stacked.shape,
        "3": stacked.shape,
        "4": out.shape,
    }
    titles = {
        "": f"padded input ({padded.shape[-2]}×{padded.shape[-1]})",
        "2": "kernel",
        "3": "kernel × window",
        "4": "output ({}×{})".format(*result.out_shape),
    }
    layout = base_layout(height, {"l": 10, "r": 10, "t": 150, "b": 30}) | {
        "images": images,
        "shapes": [
            _box(0, 0, 1, "x", "y"),
            _box(0, 0, 1, "x4", "y4"),
            image_edge,
            *_product_cells(kernel),
        ],
        "annotations": [
            {
                "text": "",
                "x": 0,
                "y": 1,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "left",
                "yanchor": "bottom",
                "yshift": 70,
                "align": "left",
                "showarrow": False,
                "font": {"size": 12},
            }
        ],
        "updatemenus": menus(),
        "sliders": [slider(count)],
    }
    for key, suffix in (("in", ""), ("k", "2"), ("p", "3"), ("out", "4")):
        xr, yr = ranges(*sizes[suffix])
        layout[f"xaxis{suffix}"] = axis(f"y{suffix}", DOMAINS[key], title=titles[suffix]) | {
            "range": xr
        }
        layout[f"yaxis{suffix}"] = axis(f"x{suffix}", (0.0, 1.0)) | {
            "range": yr,
            "scaleanchor": f"x{suffix}",
        }
    return layout
