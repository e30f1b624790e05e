"""Regression figures of the Playground: the predicted value over the plane, and the fit.

The background is the network's output at every grid cell on a diverging scale (orange below
zero, white at zero, blue above) with a colour bar; the points carry their targets on the same
scale (filled circles: training, diamonds: test), so a point that stands out from its background
is one the network gets wrong. ``fit_figure`` plots prediction against target for the test points.
Both are built once per run and refreshed in place, like the classification figures.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dlviz.display import fixed
from dlviz.playground.data import PlaygroundData
from dlviz.playground.snapshot import Snapshot
from dlviz.plots.playground.regions import NEGATIVE, POSITIVE, click_catcher
from dlviz.plots.style import color, styled

DIVERGING = [[0.0, NEGATIVE], [0.5, "#FFFFFF"], [1.0, POSITIVE]]
"""Orange (negative) - white (zero) - blue (positive), as the network diagram's maps."""


def value_range(data: PlaygroundData) -> float:
    """Half-width of the colour scale: the largest |target|, at least 1 (so zero stays white)."""
    t = np.concatenate([data.y_train.numpy(), data.y_test.numpy()])
    return max(1.0, float(np.abs(t).max()) if len(t) else 1.0)


def _points(split: str, x: np.ndarray, t: np.ndarray, vmax: float) -> go.Scatter:
    train = split == "train"
    return go.Scatter(
        x=x[:, 0],
        y=x[:, 1],
        mode="markers",
        name=f"{split} points (colour = target)",
        legendgroup=split,
        customdata=t,
        marker={
            "color": t,
            "colorscale": DIVERGING,
            "cmin": -vmax,
            "cmax": vmax,
            "size": 7 if train else 8,
            "symbol": "circle" if train else "diamond",
            "line": {"color": "#1F2333" if train else "#555", "width": 0.8 if train else 1.5},
        },
        hovertemplate=f"{split} point<br>x₁ %{{x:.2f}}, x₂ %{{y:.2f}}<br>target %{{customdata:.3f}}"
        "<extra></extra>",
        meta=f"points-{split}",
    )


def value_figure(
    snap: Snapshot, data: PlaygroundData, *, show_test: bool = True, height: int = 480
) -> go.Figure:
    """The predicted value over the plane (diverging colours, colour bar) under the points."""
    vmax = value_range(data)
    fig = go.Figure(
        go.Heatmap(
            x=snap.axis,
            y=snap.axis,
            zmin=-vmax,
            zmax=vmax,
            colorscale=DIVERGING,
            colorbar={"title": {"text": "ŷ", "side": "right"}, "thickness": 12, "len": 0.8},
            zsmooth="fast",
            hovertemplate="x₁ %{x:.2f}, x₂ %{y:.2f}<br>prediction ŷ %{z:.3f}<extra></extra>",
            name="prediction",
        )
    )
    fig.add_trace(click_catcher(float(data.limit)))
    fig.add_trace(_points("train", data.x_train.numpy(), data.y_train.numpy(), vmax))
    if show_test:
        fig.add_trace(_points("test", data.x_test.numpy(), data.y_test.numpy(), vmax))
    lim = float(data.limit)
    fig.update_xaxes(range=[-lim, lim], title="x₁", constrain="domain", zeroline=False)
    fig.update_yaxes(range=[-lim, lim], title="x₂", scaleanchor="x", zeroline=False)
    styled(fig, title="Predicted value", height=height)
    fig.update_layout(
        uirevision="pg-regions",
        margin={"r": 10, "t": 40, "b": 40},
        legend={"orientation": "h", "y": -0.19, "yanchor": "top", "x": 0, "font": {"size": 11}},
    )
    return update_value_figure(fig, snap)


def update_value_figure(fig: go.Figure, snap: Snapshot) -> go.Figure:
    """Refresh a ``value_figure`` in place from a newer snapshot of the same run (cheap)."""
    r2, mse = snap.history["test_acc"][-1], snap.history["test_loss"][-1]
    rmse = float(np.sqrt(mse)) if np.isfinite(mse) else mse
    with fig.batch_update():
        fig.data[0].z = snap.probs[..., 0].astype(np.float32)
        fig.layout.title.text = (
            f"Predicted value, epoch {snap.epoch} (test R² {fixed(r2, 2)}, RMSE {fixed(rmse)})"
        )
    return fig


def fit_figure(data: PlaygroundData, *, height: int = 320) -> go.Figure:
    """Prediction against target on the test points, with the diagonal a perfect fit lies on."""
    vmax = value_range(data)
    fig = go.Figure(
        [
            go.Scatter(
                x=[-vmax, vmax],
                y=[-vmax, vmax],
                mode="lines",
                line={"color": "#999", "dash": "dot"},
                name="perfect fit",
                hoverinfo="skip",
            ),
            go.Scatter(
                x=data.y_test.numpy(),
                mode="markers",
                marker={"color": color(0), "size": 6, "opacity": 0.7},
                name="test points",
                hovertemplate="target %{x:.3f}<br>prediction %{y:.3f}<extra></extra>",
            ),
        ]
    )
    fig.update_xaxes(title="target t", range=[-vmax * 1.05, vmax * 1.05])
    fig.update_yaxes(title="prediction ŷ", range=[-vmax * 1.05, vmax * 1.05])
    styled(fig, title="Test fit", height=height)
    fig.update_layout(showlegend=False, uirevision="pg-fit")
    return fig


def update_fit_figure(fig: go.Figure, snap: Snapshot) -> go.Figure:
    """Refresh a ``fit_figure`` with the latest test predictions."""
    r2 = snap.history["test_acc"][-1]
    with fig.batch_update():
        fig.data[1].y = np.asarray(snap.test_pred, dtype=np.float32)
        fig.layout.title.text = f"Test fit: prediction against target (R² {fixed(r2, 2)})"
    return fig
