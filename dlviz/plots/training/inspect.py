"""Figures that look inside a trained classifier: first-layer weights, feature maps, one input's
pixels and the probabilities the model gives it.

Plain arrays in, styled ``go.Figure`` out; used by the Training page's "Inside the model" and
"Draw a digit" views. Nothing here runs a model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from dlviz.metrics import as_numpy
from dlviz.plots.images import diverging_rgb, image_grid_figure, sequential_rgb
from dlviz.plots.style import GOOD, NEUTRAL, styled


def probability_bars_figure(
    probs: Any, classes: Sequence[str], *, title: str | None = None
) -> go.Figure:
    """The model's probability for each class; the top class in green."""
    p = as_numpy(probs).astype(np.float64).ravel()
    top = int(np.argmax(p)) if p.size else -1
    fig = go.Figure(
        go.Bar(
            x=list(classes), y=p.tolist(),
            marker_color=[GOOD if i == top else NEUTRAL for i in range(p.size)],
            text=[f"{v:.0%}" if v >= 0.005 else "" for v in p], textposition="outside",
            hovertemplate="p(%{x}) = %{y:.2%}<extra></extra>",
        )
    )  # fmt: skip
    styled(fig, title=title, height=280)
    fig.update_xaxes(type="category", title="class")
    fig.update_yaxes(range=[0, 1.15], tickformat=".0%", title="probability")
    return fig


def pixels_figure(image: Any, *, title: str | None = None, zmax: float = 255) -> go.Figure:
    """One gray image as a heatmap whose hover reads every pixel value (ink bright)."""
    img = as_numpy(image).astype(np.float64)
    img = img.reshape(img.shape[-2], img.shape[-1])
    h, w = img.shape
    fig = go.Figure(
        go.Heatmap(
            z=img, zmin=0, zmax=zmax, colorscale="Gray", showscale=False,
            hovertemplate="row %{y}, col %{x}: %{z:.0f}<extra></extra>",
        )
    )  # fmt: skip
    styled(fig, title=title, height=260)
    fig.update_xaxes(visible=False, range=[-0.5, w - 0.5], constrain="domain")
    fig.update_yaxes(visible=False, range=[h - 0.5, -0.5], scaleanchor="x", constrain="domain")
    fig.update_layout(margin={"l": 5, "r": 5, "b": 5})
    return fig


def first_layer_weights_figure(
    weights: np.ndarray,
    *,
    max_units: int = 32,
    cols: int = 8,
    title: str | None = None,
    fit_width: int | None = None,
) -> go.Figure:
    """First-layer weights [units, C, h, w] as images: blue positive, red negative, per unit scale.

    RGB inputs (CIFAR-10) are shown in colour, each unit scaled to fill [0, 1].
    """
    w = np.asarray(weights, dtype=np.float32)[:max_units]
    if w.shape[1] == 3:
        lo = w.min(axis=(1, 2, 3), keepdims=True)
        hi = w.max(axis=(1, 2, 3), keepdims=True)
        tiles = (w - lo) / np.maximum(hi - lo, 1e-12)
    else:
        tiles = diverging_rgb(w.mean(axis=1))
    hovers = [
        f"unit {i}: weights from {w[i].min():+.3f} to {w[i].max():+.3f}" for i in range(len(w))
    ]
    return image_grid_figure(
        tiles, cols=cols, titles=[f"#{i}" for i in range(len(w))], hovers=hovers, title=title,
        tile_px=56, fit_width=fit_width,
    )  # fmt: skip


def feature_maps_figure(
    maps: np.ndarray,
    *,
    max_maps: int = 32,
    cols: int = 8,
    title: str | None = None,
    fit_width: int | None = None,
) -> go.Figure:
    """One layer's channels [K, h, w] for one image (viridis, each channel on its own range)."""
    m = np.asarray(maps, dtype=np.float32)[:max_maps]
    hovers = [
        f"channel {i}: min {m[i].min():.2f}, max {m[i].max():.2f}, mean {m[i].mean():.2f}"
        for i in range(len(m))
    ]
    return image_grid_figure(
        sequential_rgb(m), cols=cols, titles=[f"ch {i}" for i in range(len(m))], hovers=hovers,
        title=title, tile_px=56, fit_width=fit_width,
    )  # fmt: skip
