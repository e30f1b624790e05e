"""The Playground's network diagram: every neuron's output over the plane, weights and biases.

Like TensorFlow Playground, each neuron is drawn as a small map of what it outputs across the
input plane; edges are coloured by the sign of their weight and drawn thicker when it is larger,
and each neuron carries a small square for its bias. Built once per run and then refreshed in
place (``update_network_figure``), so a half-second poll costs a few milliseconds.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dlviz.playground.data import FEATURES
from dlviz.playground.snapshot import Snapshot
from dlviz.plots.playground.regions import NEGATIVE, POSITIVE, class_color
from dlviz.plots.style import styled

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
    """Segments (float32 x, y with NaN breaks) per (sign, strength) bin, then the exact zeros
    (L1's casualties) as one more bin; hover text per edge."""
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
        keys.append(np.where(v == 0, 2 * _N_BINS, np.where(v > 0, 0, _N_BINS) + strength))
        texts += [
            (f"w = {float(a):+.3f}" if a else "w = 0 (zeroed)")
            + f"<br>layer {layer + 1}: from {b + 1} to {c + 1}"
            for a, b, c in zip(v, i, j, strict=True)
        ]
    seg_x, seg_y, key = np.concatenate(seg_x), np.concatenate(seg_y), np.concatenate(keys)
    bins = [
        (seg_x[key == b].ravel().astype(np.float32), seg_y[key == b].ravel().astype(np.float32))
        for b in range(2 * _N_BINS + 1)
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
    k = len(snap.maps[-1])
    out_classes = None if snap.regression else k
    fig = go.Figure()
    for trace in (
        *_edge_traces(),
        _edge_hover_trace(snap, xs, ys),
        *_map_traces(xs, ys, m, out_classes),
        _bias_trace(snap, xs, ys),
        *_text_traces(features, xs, ys, k, "output" if snap.regression else "softmax"),
    ):
        fig.add_trace(trace)
    _frame(fig, snap, xs, m, height)
    fig.layout.meta = list(features)
    return update_network_figure(fig, snap)


def _edge_traces() -> list[go.Scatter]:
    """One empty line trace per (sign, strength) bin; ``update_network_figure`` fills them."""
    bins = [
        go.Scatter(
            mode="lines",
            hoverinfo="skip",
            line={"color": POSITIVE if positive else NEGATIVE, "width": 0.6 + 1.4 * strength},
            opacity=0.3 + 0.17 * strength,
            meta="edges",
        )
        for positive in (True, False)
        for strength in range(_N_BINS)
    ]
    zeros = go.Scatter(  # weights L1 set to exactly zero: thin, dotted, grey
        mode="lines", hoverinfo="skip", line={"color": "#888", "width": 0.7, "dash": "dot"},
        opacity=0.8, meta="edges",
    )  # fmt: skip
    return [*bins, zeros]


def _edge_hover_trace(snap: Snapshot, xs: list[float], ys: list[np.ndarray]) -> go.Scatter:
    """Invisible markers 40 % along every edge, carrying its weight as hover text."""
    hx, hy = [], []
    for layer, w in enumerate(snap.weights):
        x0, x1 = xs[layer] + _BOX / 2, xs[layer + 1] - _BOX / 2
        for j in range(w.shape[0]):
            for i in range(w.shape[1]):
                hx.append(0.6 * x0 + 0.4 * x1)
                hy.append(0.6 * float(ys[layer][i]) + 0.4 * float(ys[layer + 1][j]))
    return go.Scatter(
        x=hx,
        y=hy,
        mode="markers",
        hovertemplate="%{text}<extra></extra>",
        marker={"size": 9, "color": "rgba(0,0,0,0)"},
        meta="edge-hover",
    )


def _map_traces(xs: list[float], ys: list[np.ndarray], m: int, k: int | None) -> list[go.Heatmap]:
    """One heatmap per column holding all its neurons' maps (the last column: k softmax maps, or
    with ``k=None`` the regression output on the diverging scale)."""
    d = _BOX / m
    return [
        go.Heatmap(
            x0=xs[c] - _BOX / 2 + d / 2,
            dx=d,
            y0=float(ys[c][-1]) - _BOX / 2 + d / 2,
            dy=d,
            zmin=0,
            zmax=255,
            colorscale=_column_scale(k if c == len(xs) - 1 else None),
            showscale=False,
            hoverinfo="skip",
            meta=f"maps-{c}",
        )
        for c in range(len(xs))
    ]


def _bias_trace(snap: Snapshot, xs: list[float], ys: list[np.ndarray]) -> go.Scatter:
    """A small square on the corner of every neuron, for its bias."""
    bx = [xs[layer + 1] - _BOX / 2 - 0.12 for layer, b in enumerate(snap.biases) for _ in b]
    by = [
        float(ys[layer + 1][j]) - _BOX / 2 + 0.12
        for layer, b in enumerate(snap.biases)
        for j in range(len(b))
    ]
    return go.Scatter(
        x=bx,
        y=by,
        mode="markers",
        hovertemplate="%{text}<extra></extra>",
        marker={"symbol": "square", "line": {"color": "#1F2333", "width": 0.5}},
        name="biases",
        meta="biases",
    )


def _text_traces(
    features: tuple[str, ...], xs: list[float], ys: list[np.ndarray], k: int, last: str
) -> list[go.Scatter]:
    """The input and class labels beside the outer columns, and a title over every column."""
    tx = [xs[0] - _BOX / 2 - 0.1] * len(features) + [xs[-1] + _BOX / 2 + 0.1] * k
    ty = [float(y) for y in ys[0]] + [float(y) for y in ys[-1]]
    labels = go.Scatter(
        x=tx,
        y=ty,
        mode="text",
        textposition=["middle left"] * len(features) + ["middle right"] * k,
        hoverinfo="skip",
        textfont={"size": 12},
        meta="labels",
    )
    n_cols = len(xs)
    top = max(float(y[0]) for y in ys) + _BOX / 2 + 0.35
    titles = go.Scatter(
        x=xs,
        y=[top] * n_cols,
        mode="text",
        text=["inputs", *[f"hidden {c}" for c in range(1, n_cols - 1)], last],
        hoverinfo="skip",
        textfont={"size": 12, "color": "#555"},
    )
    return [labels, titles]


def _frame(fig: go.Figure, snap: Snapshot, xs: list[float], m: int, height: int | None) -> None:
    """Hidden axes that keep squares square, and a height that suits the network's shape."""
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
        f"<b>ŷ</b><br>b = {float(v):+.2f}"
        if snap.regression
        else f"<b style='color:{class_color(c)}'>class {c}</b><br>b = {float(v):+.2f}"
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
                last = c == len(snap.maps) - 1
                trace.z = _column_z(snap.maps[c], output=last and not snap.regression)
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


def parameter_at(
    fig: go.Figure, widths: list[int], curve: int, index: int
) -> tuple[int, int, int | None] | None:
    """The parameter a click on ``network_figure`` picked, given the neurons per column:
    (layer, neuron, input) for an edge's hover marker, (layer, neuron, None) for a bias square,
    None for anything else. The markers run layer by layer, neuron by neuron (then input)."""
    if not 0 <= curve < len(fig.data):
        return None
    meta, k = fig.data[curve].meta, int(index)
    for layer in range(len(widths) - 1):
        n_in, n_out = widths[layer], widths[layer + 1]
        if meta == "edge-hover" and k < n_in * n_out:
            j, i = divmod(k, n_in)
            return layer, j, i
        if meta == "biases" and k < n_out:
            return layer, k, None
        k -= n_in * n_out if meta == "edge-hover" else n_out
    return None
