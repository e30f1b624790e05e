"""Figures of the Playground: decision regions, training curves and the confusion matrix.

Every builder takes a ``Snapshot`` (plain numpy arrays) and returns a ``go.Figure``; big arrays
stay numpy (uint8 or float32) so plotly sends them as compact binary. The network diagram lives
in ``dlviz.plots.playground.network``. ``uirevision`` keeps a learner's zoom
while the figures are redrawn every half second.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dlviz.display import percent
from dlviz.playground.data import PlaygroundData
from dlviz.playground.snapshot import Snapshot
from dlviz.plots.style import color, mix_white, styled

POSITIVE = "#2E86DE"  # weights and activations above zero
NEGATIVE = "#E4572E"  # below zero


def class_color(k: int) -> str:
    """Colour of class k (the shared palette)."""
    return color(k)


def region_colorscale(n_classes: int) -> list[list]:
    """Banded scale: values in [k, k+1) run from a pale to a strong tint of class k's colour."""
    scale: list[list] = []
    eps = 1e-6
    for k in range(n_classes):
        scale.append([k / n_classes + (eps if k else 0.0), mix_white(class_color(k), 0.12)])
        scale.append(
            [
                (k + 1) / n_classes - (eps if k < n_classes - 1 else 0.0),
                mix_white(class_color(k), 0.6),
            ]
        )
    return scale


def region_values(probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(band code in 0..255, top probability in %) for each grid cell, both uint8 (compact JSON).

    Class k owns the codes from 255 k / K to 255 (k + 1) / K (kept a little inside, so rounding
    never lands on a neighbour's colour); within it the code rises with the confidence, the
    winning probability rescaled from [1/K, 1] to [0, 1]. An unsure cell is pale, a sure one
    strongly coloured.
    """
    k = probs.shape[-1]
    cls = probs.argmax(axis=-1)
    pmax = probs.max(axis=-1)
    conf = np.clip((pmax - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0)
    code = np.floor(255.0 * (cls + 0.02 + 0.96 * conf) / k)
    return code.astype(np.uint8), np.round(pmax * 100).astype(np.uint8)


CLICK_GRID = 32
"""The click catcher's points per axis: a click lands on the nearest one (0.25 apart on [-4, 4])."""


def click_catcher(limit: float) -> go.Scatter:
    """Invisible square markers over the whole plane, so a click anywhere is a selected point
    (plotly reports no point for a click on a heatmap). Empty and hidden until a click mode is
    chosen (``set_click_hint``), so a poll sends no extra points."""
    return go.Scatter(
        x=[],
        y=[],
        mode="markers",
        marker={"size": 14, "symbol": "square", "color": "rgba(0,0,0,0)"},
        hovertemplate="x₁ %{x:.2f}, x₂ %{y:.2f}<extra></extra>",
        showlegend=False,
        visible=False,
        name="click",
        meta="click",
    )


def set_click_hint(fig: go.Figure, hint: str | None) -> go.Figure:
    """Fill and show the click catcher with ``hint`` in its hover, over the figure's whole plane
    (or empty and hide it with None)."""
    for trace in fig.data:
        if trace.meta != "click" or (hint is None and not trace.visible):
            continue
        if hint is None:
            trace.update(x=[], y=[], visible=False)
            continue
        limit = float(fig.layout.xaxis.range[1])
        axis = np.linspace(-limit, limit, CLICK_GRID, dtype=np.float32)
        gx, gy = np.meshgrid(axis, axis)
        trace.update(
            x=gx.ravel(),
            y=gy.ravel(),
            visible=True,
            hovertemplate=f"{hint}<br>x₁ %{{x:.2f}}, x₂ %{{y:.2f}}<extra></extra>",
        )
    return fig


def decision_figure(
    snap: Snapshot, data: PlaygroundData, *, show_test: bool = True, height: int = 480
) -> go.Figure:
    """Decision regions (colour = predicted class, strength = confidence), the data points and
    the misclassified ones crossed out."""
    k = data.n_classes
    fig = go.Figure(
        go.Heatmap(
            x=snap.axis,
            y=snap.axis,
            zmin=0,
            zmax=255,
            colorscale=region_colorscale(k),
            showscale=False,
            zsmooth="fast",
            hovertemplate="x₁ %{x:.2f}, x₂ %{y:.2f}<br>top probability %{customdata}%"
            "<extra></extra>",
            name="regions",
        )
    )
    fig.add_trace(click_catcher(float(data.limit)))
    for split, x, y in _point_sets(data, show_test):
        for c in range(k):
            m = y == c
            train = split == "train"
            fig.add_trace(
                go.Scatter(
                    x=x[m, 0],
                    y=x[m, 1],
                    mode="markers",
                    name=f"class {c} ({split})",
                    legendgroup=split,
                    marker={
                        "color": class_color(c) if train else "white",
                        "size": 7 if train else 8,
                        "symbol": "circle" if train else "diamond",
                        "line": {
                            "color": "white" if train else class_color(c),
                            "width": 1 + (not train),
                        },
                    },
                    hovertemplate=f"{split}, class {c}<br>x₁ %{{x:.2f}}, x₂ %{{y:.2f}}"
                    "<extra></extra>",
                )
            )
    fig.add_trace(
        go.Scatter(
            mode="markers",
            name="misclassified",
            marker={"symbol": "x-thin", "size": 7, "line": {"color": "#1F2333", "width": 1.5}},
            hoverinfo="skip",
            meta=show_test,
        )
    )
    lim = float(data.limit)
    fig.update_xaxes(range=[-lim, lim], title="x₁", constrain="domain", zeroline=False)
    fig.update_yaxes(range=[-lim, lim], title="x₂", scaleanchor="x", zeroline=False)
    # as drawn: see dlviz.plots.style.AXES
    styled(
        fig, title="Decision regions", height=height, margin={"l": 76, "r": 16, "t": 40, "b": 146}
    )
    fig.update_layout(
        uirevision="pg-regions",
        legend={"orientation": "h", "y": -0.19, "yanchor": "top", "x": 0, "font": {"size": 11}},
    )
    return update_decision_figure(fig, snap, data)


def _point_sets(data: PlaygroundData, show_test: bool) -> list[tuple[str, np.ndarray, np.ndarray]]:
    sets = [("train", data.x_train.numpy(), data.y_train.numpy())]
    if show_test:
        sets.append(("test", data.x_test.numpy(), data.y_test.numpy()))
    return sets


def update_decision_figure(fig: go.Figure, snap: Snapshot, data: PlaygroundData) -> go.Figure:
    """Refresh a ``decision_figure`` in place from a newer snapshot of the same run (cheap)."""
    z, pmax = region_values(snap.probs)
    wrong = fig.data[-1]
    show_test = bool(wrong.meta)
    preds = [snap.train_pred, snap.test_pred]
    bad = [x[p != y] for (_, x, y), p in zip(_point_sets(data, show_test), preds, strict=False)]
    xs = np.concatenate(bad) if bad else np.zeros((0, 2), np.float32)
    acc = snap.history["test_acc"][-1]
    with fig.batch_update():
        fig.data[0].update(z=z, customdata=pmax)
        wrong.update(x=xs[:, 0], y=xs[:, 1])
        fig.layout.title.text = (
            f"Decision regions, epoch {snap.epoch} (test accuracy {percent(acc, 0)})"
        )
    return fig


def _thin(values: np.ndarray, most: int = 1500) -> np.ndarray:
    """Indices keeping at most ``most`` evenly spaced points, always the last one."""
    n = len(values)
    if n <= most:
        return np.arange(n)
    return np.unique(np.r_[np.linspace(0, n - 1, most).astype(int), n - 1])


def curves_figure(
    history: dict[str, np.ndarray], *, height: int = 320, regression: bool = False
) -> go.Figure:
    """Cross-entropy and accuracy per epoch (regression: squared error and R²), train (solid)
    and test (dashed)."""
    titles = (
        ("Loss (mean squared error)", "R²") if regression else ("Loss (cross-entropy)", "Accuracy")
    )
    fig = make_subplots(rows=1, cols=2, subplot_titles=titles, horizontal_spacing=0.1)
    for col, metric in ((1, "loss"), (2, "acc")):
        for split, dash, c in (("train", "solid", color(0)), ("test", "dash", color(1))):
            fig.add_trace(
                go.Scatter(
                    name=split,
                    meta=f"{split}_{metric}",
                    line={"color": c, "dash": dash, "width": 2},
                    legendgroup=split,
                    showlegend=col == 1,
                    hovertemplate=f"epoch %{{x}}<br>{split} %{{y:.3f}}<extra></extra>",
                ),
                row=1,
                col=col,
            )
    fig.update_xaxes(title="epoch")
    fig.update_yaxes(rangemode="tozero", row=1, col=1)
    if regression:  # R² can start far below zero: show it from -1 (or its lowest) to 1
        fig.update_yaxes(autorange=True, autorangeoptions={"maxallowed": 1.02}, row=1, col=2)
    else:
        fig.update_yaxes(range=[0, 1.02], tickformat=".0%", row=1, col=2)
    # as drawn (the legend below): see dlviz.plots.style.AXES
    styled(fig, height=height, margin={"l": 55, "r": 20, "t": 40, "b": 90})
    fig.update_layout(
        uirevision="pg-curves",
        legend={"orientation": "h", "y": -0.25, "yanchor": "top", "x": 0},
    )
    return update_curves_figure(fig, history)


def update_curves_figure(fig: go.Figure, history: dict[str, np.ndarray]) -> go.Figure:
    """Refresh a ``curves_figure`` in place with the latest history (thinned past 1500 points)."""
    idx = _thin(history["epoch"])
    ep = history["epoch"][idx]
    mode = "lines" if len(ep) > 30 else "lines+markers"
    with fig.batch_update():
        for trace in fig.data:
            trace.update(
                x=ep.astype(np.int32), y=history[trace.meta][idx].astype(np.float32), mode=mode
            )
    return fig


def confusion_figure(confusion: np.ndarray, *, height: int = 320) -> go.Figure:
    """Test-set confusion matrix: rows are true classes, columns predicted ones."""
    labels = [f"class {i}" for i in range(len(confusion))]
    fig = go.Figure(
        go.Heatmap(
            x=labels,
            y=labels,
            colorscale="Blues",
            showscale=False,
            texttemplate="%{text}",
            textfont={"size": 16},
            zmin=0,
            hovertemplate="true %{y}, predicted %{x}: %{z} points<extra></extra>",
        )
    )
    fig.update_xaxes(title="predicted", side="bottom")
    fig.update_yaxes(title="true", autorange="reversed")
    styled(
        fig,
        title="Test confusion matrix",
        height=height,
        margin={"l": 95, "r": 20, "t": 50, "b": 74},
    )
    return update_confusion_figure(fig, confusion)


def update_confusion_figure(fig: go.Figure, confusion: np.ndarray) -> go.Figure:
    """Refresh a ``confusion_figure`` in place with new counts."""
    acc = np.trace(confusion) / max(int(confusion.sum()), 1)
    with fig.batch_update():
        fig.data[0].z = confusion
        fig.data[0].text = [
            [f"✓ {n}" if i == j else str(n) for j, n in enumerate(row)]
            for i, row in enumerate(np.asarray(confusion).tolist())
        ]  # right and wrong not by colour alone
        fig.layout.title.text = f"Test confusion matrix ({acc:.0%} on the diagonal)"
    return fig
