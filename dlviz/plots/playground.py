"""Figures of the Playground: decision regions, training curves, the network diagram, confusion.

Every builder takes a ``Snapshot`` (plain numpy arrays) and returns a ``go.Figure``; big arrays
stay numpy (float32) so plotly sends them as compact binary. ``uirevision`` keeps a learner's zoom
while the figures are redrawn every half second.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dlviz.playground.data import FEATURES, PlaygroundData
from dlviz.playground.session import Snapshot
from dlviz.plots.style import color, styled

POSITIVE = "#2E86DE"  # weights and activations above zero
NEGATIVE = "#E4572E"  # below zero
NEURON_SCALE = [[0.0, NEGATIVE], [0.5, "#FFFFFF"], [1.0, POSITIVE]]


def class_color(k: int) -> str:
    """Colour of class k (the shared palette)."""
    return color(k)


def _rgb(hex_color: str) -> np.ndarray:
    return np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)


def _tint(hex_color: str, amount: float) -> str:
    """Mix ``amount`` of the colour with white (0 = white, 1 = the colour)."""
    rgb = 255 + (_rgb(hex_color) - 255) * amount
    return "rgb({:.0f},{:.0f},{:.0f})".format(*rgb)


def region_colorscale(n_classes: int) -> list[list]:
    """Banded scale: values in [k, k+1) run from a pale to a strong tint of class k's colour."""
    scale: list[list] = []
    eps = 1e-6
    for k in range(n_classes):
        scale.append([k / n_classes + (eps if k else 0.0), _tint(class_color(k), 0.12)])
        scale.append(
            [(k + 1) / n_classes - (eps if k < n_classes - 1 else 0.0), _tint(class_color(k), 0.6)]
        )
    return scale


def region_values(probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(band value z = class + confidence in [0, 1), max probability) for each grid cell.

    Confidence rescales the winning probability from [1/K, 1] to [0, 1), so a cell where the
    network hesitates is pale and a confident one is strongly coloured.
    """
    k = probs.shape[-1]
    cls = probs.argmax(axis=-1)
    pmax = probs.max(axis=-1)
    conf = np.clip((pmax - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 0.999)
    return (cls + conf).astype(np.float32), pmax.astype(np.float32)


def decision_figure(
    snap: Snapshot, data: PlaygroundData, *, show_test: bool = True, height: int = 480
) -> go.Figure:
    """Decision regions (colour = predicted class, strength = confidence) and the data points."""
    k = data.n_classes
    z, pmax = region_values(snap.probs)
    axis = snap.axis
    fig = go.Figure(
        go.Heatmap(
            x=axis,
            y=axis,
            z=z,
            customdata=pmax,
            zmin=0,
            zmax=k,
            colorscale=region_colorscale(k),
            showscale=False,
            zsmooth="best",
            hovertemplate="x₁ %{x:.2f}, x₂ %{y:.2f}<br>top probability %{customdata:.2f}"
            "<extra></extra>",
            name="regions",
        )
    )
    sets = [("train", data.x_train.numpy(), data.y_train.numpy(), snap.train_pred)]
    if show_test:
        sets.append(("test", data.x_test.numpy(), data.y_test.numpy(), snap.test_pred))
    for split, x, y, pred in sets:
        for c in range(k):
            m = y == c
            wrong = (pred[m] != c).astype(int)
            fig.add_trace(
                go.Scatter(
                    x=x[m, 0],
                    y=x[m, 1],
                    mode="markers",
                    name=f"class {c} ({split})",
                    legendgroup=split,
                    marker={
                        "color": class_color(c) if split == "train" else "white",
                        "size": 7 if split == "train" else 8,
                        "symbol": "circle" if split == "train" else "diamond",
                        "line": {
                            "color": "white" if split == "train" else class_color(c),
                            "width": 1 if split == "train" else 2,
                        },
                    },
                    customdata=wrong,
                    hovertemplate=f"{split}, class {c}<br>x₁ %{{x:.2f}}, x₂ %{{y:.2f}}"
                    "<extra></extra>",
                )
            )
    lim = float(data.limit)
    fig.update_xaxes(range=[-lim, lim], title="x₁", constrain="domain", zeroline=False)
    fig.update_yaxes(range=[-lim, lim], title="x₂", scaleanchor="x", zeroline=False)
    acc = snap.history["test_acc"][-1] if len(snap.history["test_acc"]) else float("nan")
    styled(
        fig, title=f"Decision regions, epoch {snap.epoch} (test accuracy {acc:.0%})", height=height
    )
    fig.update_layout(
        uirevision="pg-regions",
        margin={"r": 10, "t": 40, "b": 40},
        legend={"orientation": "h", "y": -0.14, "yanchor": "top", "x": 0, "font": {"size": 11}},
    )
    return fig


def _thin(values: np.ndarray, most: int = 1500) -> np.ndarray:
    """Indices keeping at most ``most`` evenly spaced points, always the last one."""
    n = len(values)
    if n <= most:
        return np.arange(n)
    return np.unique(np.r_[np.linspace(0, n - 1, most).astype(int), n - 1])


def curves_figure(history: dict[str, np.ndarray], *, height: int = 320) -> go.Figure:
    """Cross-entropy and accuracy per epoch, train (solid) and test (dashed)."""
    fig = make_subplots(
        rows=1, cols=2, subplot_titles=("Loss (cross-entropy)", "Accuracy"), horizontal_spacing=0.1
    )
    idx = _thin(history["epoch"])
    ep = history["epoch"][idx]
    for col, metric in ((1, "loss"), (2, "acc")):
        for split, dash, c in (("train", "solid", color(0)), ("test", "dash", color(1))):
            fig.add_trace(
                go.Scatter(
                    x=ep,
                    y=history[f"{split}_{metric}"][idx],
                    mode="lines" if len(ep) > 30 else "lines+markers",
                    name=split,
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
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%", row=1, col=2)
    styled(fig, height=height)
    fig.update_layout(
        uirevision="pg-curves",
        margin={"t": 40},
        legend={"orientation": "h", "y": -0.25, "yanchor": "top", "x": 0},
    )
    return fig


def confusion_figure(confusion: np.ndarray, *, height: int = 320) -> go.Figure:
    """Test-set confusion matrix: rows are true classes, columns predicted ones."""
    k = len(confusion)
    labels = [f"class {i}" for i in range(k)]
    total = max(int(confusion.sum()), 1)
    fig = go.Figure(
        go.Heatmap(
            z=confusion,
            x=labels,
            y=labels,
            colorscale="Blues",
            showscale=False,
            texttemplate="%{z}",
            textfont={"size": 16},
            zmin=0,
            hovertemplate="true %{y}, predicted %{x}: %{z} points<extra></extra>",
        )
    )
    acc = np.trace(confusion) / total
    fig.update_xaxes(title="predicted", side="bottom")
    fig.update_yaxes(title="true", autorange="reversed")
    styled(fig, title=f"Test confusion matrix ({acc:.0%} on the diagonal)", height=height)
    return fig


# ----- network diagram ---------------------------------------------------------------------
_COL_GAP = 2.6  # horizontal distance between layer columns
_ROW_GAP = 1.3  # vertical distance between neurons
_BOX = 1.0  # side of a neuron's map


def _column_y(n: int) -> np.ndarray:
    return (n - 1) / 2 * _ROW_GAP - np.arange(n) * _ROW_GAP


def _edge_traces(snap: Snapshot, xs: list[float], ys: list[np.ndarray]) -> list[go.BaseTraceType]:
    """Edges binned by sign and |w| (a few traces, not one per edge) plus hover points."""
    wmax = max(float(np.abs(w).max()) for w in snap.weights) or 1.0
    bins: dict[tuple[int, int], tuple[list, list]] = {}
    hx, hy, htext = [], [], []
    for layer, w in enumerate(snap.weights):
        x0, x1 = xs[layer] + _BOX / 2, xs[layer + 1] - _BOX / 2
        for j in range(w.shape[0]):
            for i in range(w.shape[1]):
                v = float(w[j, i])
                strength = min(int(abs(v) / wmax * 5), 4)
                seg_x, seg_y = bins.setdefault((v >= 0, strength), ([], []))
                y0, y1 = float(ys[layer][i]), float(ys[layer + 1][j])
                seg_x += [x0, x1, None]
                seg_y += [y0, y1, None]
                hx.append(0.6 * x0 + 0.4 * x1)
                hy.append(0.6 * y0 + 0.4 * y1)
                htext.append(f"w = {v:+.3f}<br>layer {layer + 1}: from {i + 1} to {j + 1}")
    traces: list[go.BaseTraceType] = []
    for (positive, strength), (sx, sy) in sorted(bins.items()):
        traces.append(
            go.Scatter(
                x=sx,
                y=sy,
                mode="lines",
                hoverinfo="skip",
                showlegend=False,
                line={"color": POSITIVE if positive else NEGATIVE, "width": 0.6 + 1.4 * strength},
                opacity=0.3 + 0.17 * strength,
            )
        )
    traces.append(
        go.Scatter(
            x=hx,
            y=hy,
            mode="markers",
            text=htext,
            hovertemplate="%{text}<extra></extra>",
            marker={"size": 9, "color": "rgba(0,0,0,0)"},
            showlegend=False,
        )
    )
    return traces


def _map_trace(values: np.ndarray, x: float, y: float, *, output_class: int | None) -> go.Heatmap:
    """A neuron's output over the plane, drawn as a small heatmap centred on (x, y)."""
    m = values.shape[-1]
    d = _BOX / m
    if output_class is None:
        peak = float(np.abs(values).max()) or 1.0
        z, zmin, zmax, scale = values, -peak, peak, NEURON_SCALE
    else:
        z, zmin, zmax = values, 0.0, 1.0
        scale = [[0.0, "#FFFFFF"], [1.0, class_color(output_class)]]
    return go.Heatmap(
        z=z.astype(np.float32),
        x0=x - _BOX / 2 + d / 2,
        dx=d,
        y0=y - _BOX / 2 + d / 2,
        dy=d,
        zmin=zmin,
        zmax=zmax,
        colorscale=scale,
        showscale=False,
        hoverinfo="skip",
    )


def network_figure(
    snap: Snapshot, features: tuple[str, ...], *, height: int | None = None
) -> go.Figure:
    """The network: each neuron's output over the plane, edges coloured and sized by weight,
    biases as small squares on the nodes (and written next to the softmax outputs)."""
    widths = [len(m) for m in snap.maps]
    n_cols = len(widths)
    xs = [c * _COL_GAP for c in range(n_cols)]
    ys = [_column_y(n) for n in widths]
    fig = go.Figure()
    for trace in _edge_traces(snap, xs, ys):
        fig.add_trace(trace)
    for c, maps in enumerate(snap.maps):
        out = c == n_cols - 1
        for i, values in enumerate(maps):
            fig.add_trace(
                _map_trace(values, xs[c], float(ys[c][i]), output_class=i if out else None)
            )
    # biases: a small square at each neuron's lower left, colour = sign, size = magnitude
    bx, by, bcol, bsize, btext = [], [], [], [], []
    bmax = max((float(np.abs(b).max()) for b in snap.biases), default=0.0) or 1.0
    for layer, b in enumerate(snap.biases):
        c = layer + 1
        for j, v in enumerate(b):
            bx.append(xs[c] - _BOX / 2 - 0.12)
            by.append(float(ys[c][j]) - _BOX / 2 + 0.12)
            bcol.append(POSITIVE if v >= 0 else NEGATIVE)
            bsize.append(6 + 8 * min(abs(float(v)) / bmax, 1.0))
            kind = "output" if c == n_cols - 1 else f"hidden layer {c}"
            btext.append(f"{kind}, neuron {j + 1}<br>bias b = {float(v):+.3f}")
    fig.add_trace(
        go.Scatter(
            x=bx,
            y=by,
            mode="markers",
            text=btext,
            hovertemplate="%{text}<extra></extra>",
            marker={
                "symbol": "square",
                "color": bcol,
                "size": bsize,
                "line": {"color": "#1F2333", "width": 0.5},
            },
            showlegend=False,
            name="biases",
        )
    )
    # labels: inputs on the left, output classes and their biases on the right, column titles
    tx, ty, tt, tpos = [], [], [], []
    for i, f in enumerate(features):
        tx.append(xs[0] - _BOX / 2 - 0.1)
        ty.append(float(ys[0][i]))
        tt.append(FEATURES[f][0])
        tpos.append("middle left")
    for k, v in enumerate(snap.biases[-1]):
        tx.append(xs[-1] + _BOX / 2 + 0.1)
        ty.append(float(ys[-1][k]))
        tt.append(f"<b style='color:{class_color(k)}'>class {k}</b><br>b = {float(v):+.2f}")
        tpos.append("middle right")
    fig.add_trace(
        go.Scatter(
            x=tx,
            y=ty,
            mode="text",
            text=tt,
            textposition=tpos,
            hoverinfo="skip",
            showlegend=False,
            textfont={"size": 12},
        )
    )
    top = max(float(y[0]) for y in ys) + _BOX / 2 + 0.35
    titles = ["inputs", *[f"hidden {c}" for c in range(1, n_cols - 1)], "softmax"]
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=[top] * n_cols,
            mode="text",
            text=titles,
            hoverinfo="skip",
            showlegend=False,
            textfont={"size": 12, "color": "#555"},
        )
    )
    span = max(widths) * _ROW_GAP
    fig.update_xaxes(visible=False, range=[xs[0] - 1.6, xs[-1] + 2.0])
    fig.update_yaxes(visible=False, range=[-span / 2 - 0.1, span / 2 + 0.5], scaleanchor="x")
    styled(
        fig,
        title=f"Network, epoch {snap.epoch}",
        height=height or int(min(560, 150 + 52 * max(widths))),
    )
    fig.update_layout(margin={"l": 5, "r": 5, "b": 5}, uirevision="pg-network", showlegend=False)
    return fig
