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
    styled(fig, title="Decision regions", height=height)
    fig.update_layout(
        uirevision="pg-regions",
        margin={"r": 10, "t": 40, "b": 40},
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
        fig.layout.title.text = f"Decision regions, epoch {snap.epoch} (test accuracy {acc:.0%})"
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
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%", row=1, col=2)
    styled(fig, height=height)
    fig.update_layout(
        uirevision="pg-curves",
        margin={"t": 40},
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
            texttemplate="%{z}",
            textfont={"size": 16},
            zmin=0,
            hovertemplate="true %{y}, predicted %{x}: %{z} points<extra></extra>",
        )
    )
    fig.update_xaxes(title="predicted", side="bottom")
    fig.update_yaxes(title="true", autorange="reversed")
    styled(fig, title="Test confusion matrix", height=height)
    return update_confusion_figure(fig, confusion)


def update_confusion_figure(fig: go.Figure, confusion: np.ndarray) -> go.Figure:
    """Refresh a ``confusion_figure`` in place with new counts."""
    acc = np.trace(confusion) / max(int(confusion.sum()), 1)
    with fig.batch_update():
        fig.data[0].z = confusion
        fig.layout.title.text = f"Test confusion matrix ({acc:.0%} on the diagonal)"
    return fig


# ----- network diagram ---------------------------------------------------------------------
_COL_GAP = 2.6  # horizontal distance between layer columns
_BOX = 1.0  # side of a neuron's map
_GAP_CELLS = 6  # empty map cells between two neurons of a column
_N_BINS = 5  # edge strength classes (per sign)


def _row_gap(m: int) -> float:
    return _BOX * (m + _GAP_CELLS) / m


def _column_y(n: int, m: int) -> np.ndarray:
    """Centres of a column's n neurons, top first, spaced so maps land on one cell grid."""
    gap = _row_gap(m)
    return (n - 1) / 2 * gap - np.arange(n) * gap


_GAP = 255  # map code drawn transparent: the space between two neurons' maps
_TOP = 253  # map codes run 0.._TOP


def _column_z(maps: np.ndarray, output: bool) -> np.ndarray:
    """One column's maps stacked bottom-up as uint8 codes, with _GAP rows between them.

    A hidden or input map is scaled to [-1, 1] by its own peak and coded 0.._TOP (white at the
    middle); softmax map c holds its probability p as a code in class c's band of _column_scale.
    """
    n, m, _ = maps.shape
    z = np.full((n * (m + _GAP_CELLS) - _GAP_CELLS, m), _GAP, dtype=np.uint8)
    for i, values in enumerate(maps):
        if output:
            v = np.floor(_TOP * (i + 0.02 + 0.96 * np.clip(values, 0, 1)) / n)
        else:
            v = np.round((values / (float(np.abs(values).max()) or 1.0) + 1) / 2 * _TOP)
        start = (n - 1 - i) * (m + _GAP_CELLS)  # neuron 0 is drawn at the top
        z[start : start + m] = v
    return z


def _column_scale(output_classes: int | None) -> list[list]:
    """Colour scale over codes 0..255: orange-white-blue (or one white-to-class band per class),
    and transparent for _GAP."""
    top = _TOP / 255
    if output_classes is None:
        scale = [[0.0, NEGATIVE], [top / 2, "#FFFFFF"], [top, POSITIVE]]
    else:
        k = output_classes
        scale = []
        for c in range(k):
            scale.append([top * c / k + (1e-6 if c else 0.0), "#FFFFFF"])
            scale.append([top * (c + 1) / k, class_color(c)])
    last = scale[-1][1]
    return [*scale, [254.5 / 255, last], [1.0, "rgba(255,255,255,0)"]]


def _edge_segments(snap: Snapshot, xs: list[float], ys: list[np.ndarray]):
    """Segments (float32 x, y with NaN breaks) per (sign, strength) bin; hover text per edge."""
    wmax = max(float(np.abs(w).max()) for w in snap.weights) or 1.0
    seg_x, seg_y, keys, texts = [], [], [], []
    for layer, w in enumerate(snap.weights):
        n_out, n_in = w.shape
        j, i = np.divmod(np.arange(n_out * n_in), n_in)
        x0, x1 = xs[layer] + _BOX / 2, xs[layer + 1] - _BOX / 2
        nan = np.full(len(j), np.nan)
        seg_x.append(np.stack([np.full(len(j), x0), np.full(len(j), x1), nan], 1))
        seg_y.append(np.stack([ys[layer][i], ys[layer + 1][j], nan], 1))
        v = w.ravel()
        strength = np.minimum((np.abs(v) / wmax * _N_BINS).astype(int), _N_BINS - 1)
        keys.append(np.where(v >= 0, 0, _N_BINS) + strength)
        texts += [
            f"w = {float(a):+.3f}<br>layer {layer + 1}: from {b + 1} to {c + 1}"
            for a, b, c in zip(v, i, j, strict=True)
        ]
    seg_x, seg_y, key = np.concatenate(seg_x), np.concatenate(seg_y), np.concatenate(keys)
    bins = [
        (seg_x[key == b].ravel().astype(np.float32), seg_y[key == b].ravel().astype(np.float32))
        for b in range(2 * _N_BINS)
    ]
    return bins, texts


def _layout_points(snap: Snapshot) -> tuple[list[float], list[np.ndarray], int]:
    m = snap.maps[0].shape[-1]
    xs = [c * _COL_GAP for c in range(len(snap.maps))]
    return xs, [_column_y(len(maps), m) for maps in snap.maps], m


def network_figure(
    snap: Snapshot, features: tuple[str, ...], *, height: int | None = None
) -> go.Figure:
    """The network: each neuron's output over the plane, edges coloured and sized by weight,
    biases as small squares on the nodes (and written next to the softmax outputs)."""
    xs, ys, m = _layout_points(snap)
    n_cols, k = len(xs), len(snap.maps[-1])
    fig = go.Figure()
    for positive, strength in ((p, s) for p in (True, False) for s in range(_N_BINS)):
        fig.add_trace(
            go.Scatter(
                mode="lines",
                hoverinfo="skip",
                line={"color": POSITIVE if positive else NEGATIVE, "width": 0.6 + 1.4 * strength},
                opacity=0.3 + 0.17 * strength,
                meta="edges",
            )
        )
    hx, hy = [], []
    for layer, w in enumerate(snap.weights):
        x0, x1 = xs[layer] + _BOX / 2, xs[layer + 1] - _BOX / 2
        for j in range(w.shape[0]):
            for i in range(w.shape[1]):
                hx.append(0.6 * x0 + 0.4 * x1)
                hy.append(0.6 * float(ys[layer][i]) + 0.4 * float(ys[layer + 1][j]))
    fig.add_trace(
        go.Scatter(
            x=hx,
            y=hy,
            mode="markers",
            hovertemplate="%{text}<extra></extra>",
            marker={"size": 9, "color": "rgba(0,0,0,0)"},
            meta="edge-hover",
        )
    )
    d = _BOX / m
    for c in range(n_cols):
        output = c == n_cols - 1
        fig.add_trace(
            go.Heatmap(
                x0=xs[c] - _BOX / 2 + d / 2,
                dx=d,
                y0=float(ys[c][-1]) - _BOX / 2 + d / 2,
                dy=d,
                zmin=0,
                zmax=255,
                colorscale=_column_scale(k if output else None),
                showscale=False,
                hoverinfo="skip",
                meta=f"maps-{c}",
            )
        )
    bx = [xs[layer + 1] - _BOX / 2 - 0.12 for layer, b in enumerate(snap.biases) for _ in b]
    by = [
        float(ys[layer + 1][j]) - _BOX / 2 + 0.12
        for layer, b in enumerate(snap.biases)
        for j in range(len(b))
    ]
    fig.add_trace(
        go.Scatter(
            x=bx,
            y=by,
            mode="markers",
            hovertemplate="%{text}<extra></extra>",
            marker={"symbol": "square", "line": {"color": "#1F2333", "width": 0.5}},
            name="biases",
            meta="biases",
        )
    )
    tx = [xs[0] - _BOX / 2 - 0.1] * len(features) + [xs[-1] + _BOX / 2 + 0.1] * k
    ty = [float(y) for y in ys[0]] + [float(y) for y in ys[-1]]
    fig.add_trace(
        go.Scatter(
            x=tx,
            y=ty,
            mode="text",
            textposition=["middle left"] * len(features) + ["middle right"] * k,
            hoverinfo="skip",
            textfont={"size": 12},
            meta="labels",
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
            textfont={"size": 12, "color": "#555"},
        )
    )
    widest = max(len(maps) for maps in snap.maps)
    span = widest * _row_gap(m)
    x_range = [xs[0] - 1.6, xs[-1] + 2.0]
    y_range = [-span / 2 - 0.1, span / 2 + 0.5]
    if height is None:  # about right for a ~600 px wide column (the axes keep squares square)
        aspect = (y_range[1] - y_range[0]) / (x_range[1] - x_range[0])
        height = int(np.clip(50 + 600 * aspect, 300, 600))
    fig.update_xaxes(visible=False, range=x_range)
    fig.update_yaxes(visible=False, range=y_range, scaleanchor="x")
    styled(fig, title="Network", height=height)
    fig.update_layout(margin={"l": 5, "r": 5, "b": 5}, uirevision="pg-network", showlegend=False)
    fig.layout.meta = list(features)
    return update_network_figure(fig, snap)


def update_network_figure(fig: go.Figure, snap: Snapshot) -> go.Figure:
    """Refresh a ``network_figure`` in place: maps, edge bins, biases, labels, title (cheap)."""
    xs, ys, _ = _layout_points(snap)
    bins, texts = _edge_segments(snap, xs, ys)
    features = fig.layout.meta
    bmax = max((float(np.abs(b).max()) for b in snap.biases), default=0.0) or 1.0
    biases = np.concatenate(snap.biases)
    where = [
        ("output" if layer == len(snap.biases) - 1 else f"hidden layer {layer + 1}", j)
        for layer, b in enumerate(snap.biases)
        for j in range(len(b))
    ]
    labels = [FEATURES[f][0] for f in features] + [
        f"<b style='color:{class_color(c)}'>class {c}</b><br>b = {float(v):+.2f}"
        for c, v in enumerate(snap.biases[-1])
    ]
    edge_traces = [t for t in fig.data if t.meta == "edges"]
    with fig.batch_update():
        for trace, (seg_x, seg_y) in zip(edge_traces, bins, strict=True):
            trace.update(x=seg_x, y=seg_y)
        for trace in fig.data:
            meta = trace.meta or ""
            if meta == "edge-hover":
                trace.text = texts
            elif meta.startswith("maps-"):
                c = int(meta[5:])
                trace.z = _column_z(snap.maps[c], output=c == len(snap.maps) - 1)
            elif meta == "biases":
                trace.update(
                    text=[
                        f"{kind}, neuron {j + 1}<br>bias b = {v:+.3f}"
                        for (kind, j), v in zip(where, biases.tolist(), strict=True)
                    ],
                    marker={
                        "color": [POSITIVE if v >= 0 else NEGATIVE for v in biases],
                        "size": (6 + 8 * np.minimum(np.abs(biases) / bmax, 1.0)).tolist(),
                    },
                )
            elif meta == "labels":
                trace.text = labels
        fig.layout.title.text = f"Network, epoch {snap.epoch}"
    return fig
