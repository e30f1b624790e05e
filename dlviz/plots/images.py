"""Grids of small images as one plotly figure: a PNG mosaic, per-tile titles, frames and hover text.

One embedded PNG keeps the figure small (a 10x10 grid of 28x28 digits is ~40 KB instead of the
megabyte a pixel heatmap would send) and renders crisp, square pixels at any zoom. Hover text
comes from an invisible square marker over each tile. Colour maps for weights and feature maps
are applied here with numpy, so the PNG holds exactly what the learner should see.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import numpy as np
import plotly.colors as pc
import plotly.graph_objects as go
from PIL import Image

from dlviz.plots.style import styled

TARGET_TILE_PX = 64  # on-screen size a tile aims for (images are upscaled by whole factors)


def _anchors(scale: Sequence[str]) -> np.ndarray:
    """Plotly colour strings -> float [K, 3] anchors in 0..255."""
    rgb = pc.convert_colors_to_same_type(list(scale), colortype="rgb")[0]
    return np.array([pc.unlabel_rgb(c) for c in rgb], dtype=np.float32)


VIRIDIS = _anchors(pc.sequential.Viridis)
RDBU = _anchors(pc.diverging.RdBu)


def colormap(values: np.ndarray, anchors: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Map values linearly from [lo, hi] onto the anchor colours; returns uint8 [..., 3]."""
    t = np.clip((np.asarray(values, dtype=np.float32) - lo) / max(hi - lo, 1e-12), 0.0, 1.0)
    pos = t * (len(anchors) - 1)
    i = np.minimum(pos.astype(np.int64), len(anchors) - 2)
    frac = (pos - i)[..., None]
    return np.rint(anchors[i] * (1 - frac) + anchors[i + 1] * frac).astype(np.uint8)


def diverging_rgb(maps: np.ndarray) -> np.ndarray:
    """[N, h, w] signed values -> uint8 RGB [N, 3, h, w], each map symmetric around 0 (blue > 0)."""
    out = []
    for m in maps:
        bound = float(np.abs(m).max()) or 1.0
        out.append(colormap(m, RDBU, -bound, bound).transpose(2, 0, 1))
    return np.stack(out) if out else np.zeros((0, 3, 1, 1), np.uint8)


def sequential_rgb(maps: np.ndarray) -> np.ndarray:
    """[N, h, w] values -> uint8 RGB [N, 3, h, w] through viridis, each map on its own min..max."""
    out = []
    for m in maps:
        lo, hi = float(m.min()), float(m.max())
        out.append(colormap(m, VIRIDIS, lo, hi if hi > lo else lo + 1.0).transpose(2, 0, 1))
    return np.stack(out) if out else np.zeros((0, 3, 1, 1), np.uint8)


def to_rgb_uint8(images: np.ndarray) -> np.ndarray:
    """[N, C, H, W] with C in {1, 3}, uint8 or float in [0, 1] -> uint8 [N, H, W, 3]."""
    x = np.asarray(images)
    if x.dtype != np.uint8:
        x = np.clip(np.rint(x.astype(np.float32) * 255.0), 0, 255).astype(np.uint8)
    if x.shape[1] == 1:
        x = np.repeat(x, 3, axis=1)
    return x.transpose(0, 2, 3, 1)


def png_data_uri(rgb: np.ndarray) -> str:
    """uint8 [H, W, 3] (or [H, W, 4] with alpha) -> ``data:image/png;base64,...``."""
    buffer = io.BytesIO()
    mode = "RGBA" if rgb.shape[-1] == 4 else "RGB"
    Image.fromarray(rgb, mode=mode).save(buffer, format="PNG", compress_level=6)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def image_grid_figure(
    images: np.ndarray,
    *,
    cols: int = 10,
    titles: Sequence[str] | None = None,
    title_colors: Sequence[str] | None = None,
    frame_colors: Sequence[str | None] | None = None,
    hovers: Sequence[str] | None = None,
    title: str | None = None,
    tile_px: int = TARGET_TILE_PX,
    fit_width: int | None = None,
    background: str | None = None,
) -> go.Figure:
    """Images [N, C, H, W] (C 1 or 3; uint8, or floats in [0, 1]) in rows of ``cols`` tiles.

    Pixels stay square (true aspect ratio); optional per-tile titles (coloured), frames and
    hover text. ``fit_width`` (pixels) is the width the figure will likely get: the height then
    shrinks with the mosaic so no empty band is left above and below it. The gaps between tiles
    are transparent (the page's light or dark background shows through) unless ``background``
    names a colour.
    """
    imgs = to_rgb_uint8(images)
    n, h, w, _ = imgs.shape if len(imgs) else (0, 1, 1, 3)
    cols = max(1, min(cols, n or 1))
    rows = max(1, -(-n // cols))
    up = max(1, round(tile_px / max(h, w)))  # whole-number upscale keeps pixels crisp
    gap = max(1, round(0.12 * w * up))  # gaps and title room in upscaled pixels
    head = round(0.5 * h * up) if titles else gap
    pitch_x, pitch_y = w * up + gap, h * up + head + gap
    if background is None:
        imgs = np.concatenate([imgs, np.full((*imgs.shape[:3], 1), 255, np.uint8)], axis=3)
        bg = np.zeros(4)
    else:
        bg = np.array(pc.unlabel_rgb(pc.convert_colors_to_same_type(background, "rgb")[0][0]))
    mosaic = np.empty((rows * pitch_y, cols * pitch_x - gap, len(bg)), dtype=np.uint8)
    mosaic[:] = bg.astype(np.uint8)
    centers = []
    for i in range(n):
        r, c = divmod(i, cols)
        y0, x0 = r * pitch_y + head, c * pitch_x
        tile = imgs[i].repeat(up, axis=0).repeat(up, axis=1)
        mosaic[y0 : y0 + h * up, x0 : x0 + w * up] = tile
        centers.append((x0 + w * up / 2, y0 + h * up / 2))

    fig = go.Figure(go.Image(source=png_data_uri(mosaic), x0=0, y0=0, dx=1, dy=1, hoverinfo="skip"))
    if hovers is not None and n:
        fig.add_trace(
            go.Scatter(
                x=[c[0] for c in centers],
                y=[c[1] for c in centers],
                mode="markers",
                marker={"symbol": "square", "size": w * up * 0.9, "color": "rgba(0,0,0,0)"},
                hovertext=list(hovers),
                hoverinfo="text",
                showlegend=False,
            )
        )
    # one layout update with plain dicts: add_annotation/add_shape per tile cost ~15 ms each
    annotations, shapes = [], []
    for i, (cx, cy) in enumerate(centers):
        if titles is not None:
            color = title_colors[i] if title_colors else "#1F2333"
            annotations.append({
                "x": cx, "y": cy - h * up / 2 - 1, "yanchor": "bottom", "text": titles[i],
                "showarrow": False, "font": {"size": 11, "color": color},
            })  # fmt: skip
        if frame_colors is not None and frame_colors[i]:
            half_w, half_h = w * up / 2 + 1, h * up / 2 + 1
            shapes.append({
                "type": "rect", "x0": cx - half_w, "x1": cx + half_w, "y0": cy - half_h,
                "y1": cy + half_h, "line": {"color": frame_colors[i], "width": 2.5},
            })  # fmt: skip
    fig.update_layout(annotations=annotations, shapes=shapes)
    scale = min(1.0, (fit_width - 20) / mosaic.shape[1]) if fit_width else 1.0
    height_px = mosaic.shape[0] * scale + (70 if title else 40)
    styled(fig, title=title, height=max(160, int(height_px)))
    fig.update_xaxes(visible=False, range=[-0.5, mosaic.shape[1] - 0.5], constrain="domain")
    fig.update_yaxes(
        visible=False,
        range=[mosaic.shape[0] - 0.5, -0.5],
        scaleanchor="x",
        constrain="domain",
    )
    fig.update_layout(margin={"l": 10, "r": 10, "b": 10}, hovermode="closest", dragmode=False)
    return fig
