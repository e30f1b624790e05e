"""A trained CNN seen from inside: the overview (input, every stage's feature maps, the dense
layers and the softmax, left to right) and one feature map opened large with the kernels that
feed it and the input patch that excites it most.

Each stage's maps are one PNG (a column of tiles); an invisible marker over each tile carries its
hover text and the (stage, channel) a click selects. Colours: blue below 0, white at 0, red above,
on a scale per map, per layer or global (the three modes of CNN Explainer).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
import torch

from dlviz.convolution.trained import Stage
from dlviz.display import number, percent
from dlviz.plots.convolution.grid import (
    axis,
    base_layout,
    bound,
    grid_image,
    hover_trace,
    number_trace,
    ranges,
    texts,
)
from dlviz.plots.images import colormap, png_data_uri
from dlviz.plots.style import BAD, GOOD, NEUTRAL, fast_figure

SCALES = {"map": "per map", "layer": "per layer", "global": "global"}
MAX_MAPS = 8
GAP = 0.25  # of a tile, between tiles
_BLUE_RED = np.array([[33, 102, 172], [247, 247, 247], [178, 24, 43]], dtype=np.float32)


def _column_png(maps: torch.Tensor, bounds: Sequence[float]) -> tuple[str, int, int]:
    """Maps [n, h, w] stacked top to bottom with gaps, each on ±bound: (PNG uri, height, width)."""
    n, h, w = maps.shape
    up = max(1, 48 // max(h, w))
    gap = max(1, int(GAP * h * up))
    tile_h, tile_w = h * up, w * up
    canvas = np.full((n * (tile_h + gap) - gap, tile_w, 3), 255, dtype=np.uint8)
    for i in range(n):
        rgb = colormap(maps[i].numpy(), _BLUE_RED, -bounds[i], bounds[i])
        rgb = rgb.repeat(up, axis=0).repeat(up, axis=1)
        canvas[i * (tile_h + gap) : i * (tile_h + gap) + tile_h] = rgb
    return png_data_uri(canvas), canvas.shape[0], canvas.shape[1]


def _bounds(map_stages: list[Stage], scale: str) -> list[list[float]]:
    shown = [s.values[:MAX_MAPS] for s in map_stages]
    overall = max((bound(v) for v in shown), default=1.0)
    out = []
    for v in shown:
        if scale == "map":
            out.append([bound(m) for m in v])
        elif scale == "layer":
            out.append([bound(v)] * len(v))
        else:
            out.append([overall] * len(v))
    return out


def overview_figure(
    image: torch.Tensor,
    stages: list[Stage],
    probs: torch.Tensor,
    classes: Sequence[str],
    true_class: int,
    scale: str = "layer",
    height: int = 620,
) -> go.Figure:
    """Input, each stage's first ``MAX_MAPS`` maps, the dense layers and the softmax bars."""
    maps = [s for s in stages if s.is_map]
    dense = [s for s in stages if not s.is_map and s.name != stages[-1].name]
    columns = 2 + len(maps) + len(dense)
    width = 1 / (columns + 0.6)  # the softmax column is wider: it has class names
    data: list[dict] = []
    layout = _base(height)
    images = []
    # the input
    rgb_in = image if image.shape[0] == 3 else image[0]
    images.append(grid_image(rgb_in, "x", "y", signed=False))
    xr, yr = ranges(*image.shape[-2:])
    layout["xaxis"] = axis("y", (0.0, width * 0.9), title="input") | {"range": xr}
    layout["yaxis"] = axis("x", (0.55, 1.0)) | {"range": yr, "scaleanchor": "x"}
    for j, (stage, bounds) in enumerate(zip(maps, _bounds(maps, scale), strict=True), 1):
        n = min(MAX_MAPS, stage.values.shape[0])
        source, ph, pw = _column_png(stage.values[:n], bounds)
        ax = str(j + 1)
        images.append(
            {
                "source": source, "xref": f"x{ax}", "yref": f"y{ax}", "x": 0, "y": 0,
                "sizex": pw, "sizey": ph, "xanchor": "left", "yanchor": "top",
                "sizing": "stretch", "layer": "below",
            }
        )  # fmt: skip
        pitch = ph / n if n > 1 else ph
        tile = pw
        data.append(_tile_markers(stage, j, n, pitch, tile, bounds, ax))
        shape_text = "×".join(str(v) for v in stage.values.shape)
        layout[f"xaxis{ax}"] = axis(
            f"y{ax}", (j * width, (j + 0.9) * width), title=f"{stage.name}<br>{shape_text}"
        ) | {"range": [0, pw]}
        layout[f"yaxis{ax}"] = axis(f"x{ax}", (0.0, 1.0)) | {
            "range": [ph, 0],
            "scaleanchor": f"x{ax}",
        }
    start = 1 + len(maps)
    for j, stage in enumerate(dense):
        ax = str(start + j + 1)
        data.append(_dense_strip(stage, ax))
        layout[f"xaxis{ax}"] = axis(
            f"y{ax}",
            ((start + j) * width, (start + j + 0.5) * width),
            title=f"{stage.name}<br>{stage.values.numel()} units",
        )
        layout[f"yaxis{ax}"] = axis(f"x{ax}", (0.0, 1.0), flip=True)
    data.append(_softmax_bars(probs, classes, true_class, str(columns)))
    layout[f"xaxis{columns}"] = axis(
        f"y{columns}", ((columns - 1.6) * width + 0.02, 1.0), title="softmax"
    ) | {"range": [0, 1.45]}
    layout[f"yaxis{columns}"] = axis(f"x{columns}", (0.0, 1.0), flip=True) | {
        "showticklabels": True,
        "type": "category",
        "tickfont": {"size": 10},
    }
    layout["images"] = images
    return fast_figure(data, layout)


def _tile_markers(stage: Stage, j: int, n: int, pitch: float, tile: float, bounds, ax: str) -> dict:
    hover, custom = [], []
    for c in range(n):
        m = stage.values[c]
        hover.append(
            f"{stage.name} map {c}: max {number(float(m.max()), 3)}, min "
            f"{number(float(m.min()), 3)}<br>colour scale ±{number(bounds[c], 3)} · click to open"
        )
        custom.append([j, c])
    return {
        "type": "scatter",
        "x": [tile / 2] * n,
        "y": [pitch * c + (pitch - pitch * GAP / (1 + GAP)) / 2 for c in range(n)],
        "customdata": custom,
        "mode": "markers",
        "marker": {"symbol": "square", "size": 40, "color": "rgba(0,0,0,0)"},
        "hovertext": hover,
        "hoverinfo": "text",
        "xaxis": f"x{ax}",
        "yaxis": f"y{ax}",
    }


def _dense_strip(stage: Stage, ax: str) -> dict:
    values = stage.values.flatten()
    m = bound(values)
    return {
        "type": "heatmap",
        "z": [[float(v)] for v in values.tolist()],
        "colorscale": [[0, "#2166AC"], [0.5, "#F7F7F7"], [1, "#B2182B"]],
        "zmin": -m,
        "zmax": m,
        "showscale": False,
        "hovertemplate": f"{stage.name} unit %{{y}}: %{{z:.3g}}<extra></extra>",
        "xaxis": f"x{ax}",
        "yaxis": f"y{ax}",
    }


def _softmax_bars(probs: torch.Tensor, classes: Sequence[str], true_class: int, ax: str) -> dict:
    pred = int(torch.argmax(probs))
    colors = [GOOD if i == true_class else BAD if i == pred else NEUTRAL for i in range(len(probs))]
    labels = [
        f"{name}{' (true)' if i == true_class else ''}{' (predicted)' if i == pred and i != true_class else ''}"
        for i, name in enumerate(classes)
    ]
    return {
        "type": "bar",
        "orientation": "h",
        "x": probs.tolist(),
        "y": labels,
        "marker": {"color": colors},
        "text": [percent(p) for p in probs.tolist()],
        "textposition": "outside",
        "cliponaxis": False,
        "hovertemplate": "%{y}: %{text}<extra></extra>",
        "xaxis": f"x{ax}",
        "yaxis": f"y{ax}",
    }


def detail_figure(
    stage: Stage,
    channel: int,
    kernels: torch.Tensor | None,
    patch: torch.Tensor | None,
    spot: tuple[int, int] | None,
    height: int = 340,
) -> go.Figure:
    """One map large, the kernels [Cin, k, k] that feed it, and (first layer) the best patch."""
    m = stage.values[channel]
    hover = [
        [f"({r}, {c}): {number(v, 3)}" for c, v in enumerate(row)]
        for r, row in enumerate(m.tolist())
    ]
    data = [hover_trace(hover, "x", "y")]
    images = [grid_image(m, "x", "y")]
    layout = _base(height)
    xr, yr = ranges(*m.shape)
    layout["xaxis"] = axis("y", (0.0, 0.36), title=f"{stage.name} map {channel}") | {"range": xr}
    layout["yaxis"] = axis("x", (0.0, 1.0)) | {"range": yr, "scaleanchor": "x"}
    if spot is not None:
        data.append(
            {
                "type": "scatter", "x": [spot[1]], "y": [spot[0]], "mode": "markers",
                "marker": {"symbol": "square-open", "size": 14, "color": "#F3A712", "line": {"width": 3}},
                "hoverinfo": "skip",
            }
        )  # fmt: skip
    if kernels is not None:
        shown = kernels[:16]
        grid = _tile_row(shown)
        images.append(grid_image(grid, "x2", "y2", zmax=bound(shown)))
        xr, yr = ranges(*grid.shape)
        title = f"its kernel ({'×'.join(str(v) for v in kernels.shape)})"
        if kernels.shape[0] > 16:
            title += ", first 16 input channels"
        layout["xaxis2"] = axis("y2", (0.42, 0.68), title=title) | {"range": xr}
        layout["yaxis2"] = axis("x2", (0.0, 1.0)) | {"range": yr, "scaleanchor": "x2"}
        if kernels.shape[0] == 1:
            data.append(number_trace(texts(kernels[0]), "x2", "y2", 11))
    if patch is not None:
        shown = patch if patch.shape[0] == 3 else patch[0]
        images.append(
            grid_image(shown, "x3", "y3", signed=bool(patch.min() < 0 or patch.max() > 1))
        )
        xr, yr = ranges(*patch.shape[-2:])
        layout["xaxis3"] = axis("y3", (0.74, 1.0), title="input patch at the amber square") | {
            "range": xr
        }
        layout["yaxis3"] = axis("x3", (0.0, 1.0)) | {"range": yr, "scaleanchor": "x3"}
        if patch.shape[0] == 1 and max(patch.shape[-2:]) <= 9:
            data.append(number_trace(texts(patch[0]), "x3", "y3", 10))
    layout["images"] = images
    return fast_figure(data, layout)


def _tile_row(kernels: torch.Tensor) -> torch.Tensor:
    """[n, k, k] side by side with a blank (zero) column between: [k, n(k + 1) - 1]."""
    n, k, _ = kernels.shape
    parts = []
    for i in range(n):
        if i:
            parts.append(torch.zeros(k, 1))
        parts.append(kernels[i])
    return torch.cat(parts, dim=1)


def _base(height: int) -> dict:
    margin = {"l": 10, "r": 40, "t": 10, "b": 50}
    return base_layout(height, margin, font_size=11) | {"clickmode": "event+select"}
