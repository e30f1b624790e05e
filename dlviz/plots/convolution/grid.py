"""Shared pieces of the convolution figures: heatmap axes, cell text, colour bounds."""

from __future__ import annotations

import numpy as np
import torch

from dlviz.display import number
from dlviz.plots.images import colormap, png_data_uri
from dlviz.plots.style import FONT, INK

FONT_SMALL = 10
RDBU = [[0.0, "#2166AC"], [0.5, "#F7F7F7"], [1.0, "#B2182B"]]
"""Negative blue, zero white, positive red: kernels, products and outputs."""
GRAYS = [[0.0, "#000000"], [1.0, "#FFFFFF"]]


def base_layout(height: int, margin: dict, font_size: int = 12) -> dict:
    """The frame every convolution figure shares: transparent (the light or dark page shows
    through; the cells carry their own colours), the app's font, no legend."""
    return {
        "template": {"layout": {"hoverlabel": {"font": {"family": FONT}}}},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": FONT, "size": font_size, "color": INK},
        "height": height,
        "margin": margin,
        "showlegend": False,
        "hovermode": "closest",
    }


def axis(anchor: str, domain: tuple[float, float], *, title: str = "", flip: bool = False) -> dict:
    """A hidden-grid axis over ``domain`` for a heatmap; ``flip`` puts row 0 at the top."""
    out = {
        "domain": list(domain),
        "anchor": anchor,
        "showgrid": False,
        "zeroline": False,
        "showticklabels": False,
        "ticks": "",
        "constrain": "domain",
        "title": {"text": title, "font": {"size": 12}, "standoff": 4},
    }
    if flip:
        out["autorange"] = "reversed"
    return out


def bound(values: torch.Tensor) -> float:
    """Half the width of a colour scale centred on 0 that holds every value."""
    finite = values[torch.isfinite(values)]
    return float(finite.abs().max()) if finite.numel() and finite.abs().max() > 0 else 1.0


def texts(values: torch.Tensor, digits: int = 2) -> list[list[str]]:
    """A 2-D tensor as cell labels through ``dlviz.display.number``."""
    return [[number(v, digits) for v in row] for row in values.tolist()]


def show_numbers(rows: int, cols: int, limit: int = 16) -> bool:
    """Write numbers inside the cells only while they stay readable."""
    return max(rows, cols) <= limit


_BLUE_RED = np.array([[33, 102, 172], [247, 247, 247], [178, 24, 43]], dtype=np.float32)
_BLACK_WHITE = np.array([[0, 0, 0], [255, 255, 255]], dtype=np.float32)


def _rgb(values: torch.Tensor, signed: bool, zmax: float | None) -> np.ndarray:
    """uint8 [H, W, 3]: [3, H, W] as RGB in 0..1, else blue-white-red (signed) or black-white."""
    array = values.detach().float().numpy()
    if values.dim() == 3:
        return np.clip(np.rint(array.transpose(1, 2, 0) * 255), 0, 255).astype(np.uint8)
    if signed:
        m = zmax if zmax is not None else bound(values)
        return colormap(array, _BLUE_RED, -m, m)
    return colormap(array, _BLACK_WHITE, 0.0, 1.0)


SOFT = np.array([[120, 165, 215], [250, 250, 250], [225, 120, 120]], dtype=np.float32)
"""Blue-white-red softened so black numbers stay readable on it (the product cells)."""


def grid_image(
    values: torch.Tensor, x: str, y: str, *, signed: bool = True, zmax: float | None = None
) -> dict:
    """A layout image of a grid, one cell per unit on axes ``x`` / ``y`` (row 0 on top).

    Layout images stay on screen while client-side frames redraw the figure (plotly blanks
    heatmaps and image traces until they have re-rendered, so an animation would flicker).
    """
    rgb = _rgb(values, signed, zmax)
    rows, cols = rgb.shape[:2]
    scale = max(1, -(-240 // max(rows, cols)))  # whole-pixel upscaling keeps the cells crisp
    rgb = np.repeat(np.repeat(rgb, scale, axis=0), scale, axis=1)
    return {
        "source": png_data_uri(rgb),
        "xref": x,
        "yref": y,
        "x": -0.5,
        "y": -0.5,
        "sizex": cols,
        "sizey": rows,
        "xanchor": "left",
        "yanchor": "top",
        "sizing": "stretch",
        "layer": "below",
    }


def hover_trace(hover: list[list[str]], x: str, y: str) -> dict:
    """An invisible heatmap over a grid: it only carries the hover text of each cell."""
    rows, cols = len(hover), len(hover[0])
    return {
        "type": "heatmap",
        "z": [[0] * cols for _ in range(rows)],
        "opacity": 0,
        "showscale": False,
        "hovertext": hover,
        "hoverinfo": "text",
        "xaxis": x,
        "yaxis": y,
    }


def number_trace(
    labels: list[list[str]], x: str, y: str, size: int = 9, dark: torch.Tensor | None = None
) -> dict:
    """The numbers inside the cells of a grid, as text (drawn at once on every frame); white
    where ``dark`` (a bool grid) says the cell is dark."""
    xs, ys, text, colors = [], [], [], []
    for r, row in enumerate(labels):
        for c, label in enumerate(row):
            if label:
                xs.append(c)
                ys.append(r)
                text.append(label)
                colors.append("#FFFFFF" if dark is not None and bool(dark[r, c]) else INK)
    return {
        "type": "scatter",
        "x": xs,
        "y": ys,
        "text": text,
        "mode": "text",
        "textfont": {"size": size, "color": colors},
        "hoverinfo": "skip",
        "xaxis": x,
        "yaxis": y,
    }


def ranges(rows: int, cols: int) -> tuple[list[float], list[float]]:
    """Axis ranges that show a rows x cols grid exactly, row 0 at the top."""
    return [-0.5, cols - 0.5], [rows - 0.5, -0.5]
