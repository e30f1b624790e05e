"""Figures for the Training page: the dataset, the learning curves and what the model got wrong.

Each builder takes plain arrays (numpy or torch) and small records (EpochStats-like objects
with ``epoch``, ``train_loss``, ``val_acc``... attributes) and returns a styled ``go.Figure``.
Nothing here trains or knows about Streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dlviz.metrics import as_numpy
from dlviz.plots.images import image_grid_figure
from dlviz.plots.style import BAD, GOOD, PALETTE, color, styled
from dlviz.training.results import top_k

MARKER = "rgba(31, 35, 51, 0.55)"


def _top3_text(probs: np.ndarray, classes: Sequence[str]) -> str:
    """'7: 91.2%<br>1: 5.0%<br>9: 1.1%' for one probability vector."""
    idx, val = top_k(probs[None], 3)
    return "<br>".join(f"{classes[i]}: {v:.1%}" for i, v in zip(idx[0], val[0], strict=True))


def _room_for_legend(fig: go.Figure, title: str | None) -> go.Figure:
    """Keep a titled figure's horizontal legend between the title and the plot, not on the title."""
    if title:
        fig.update_layout(margin={"t": 80}, legend={"y": 1.03})
    return fig


def sample_grid_figure(
    images: Any,
    labels: Any,
    classes: Sequence[str],
    *,
    cols: int = 10,
    title: str | None = None,
    fit_width: int | None = None,
) -> go.Figure:
    """A grid of dataset images titled with their labels."""
    y = as_numpy(labels)
    names = [classes[int(t)] for t in y]
    return image_grid_figure(
        as_numpy(images), cols=cols, titles=names, hovers=names, title=title, fit_width=fit_width
    )


def pick_per_class(labels: Any, per_class: int, num_classes: int) -> np.ndarray:
    """Indices of the first ``per_class`` examples of each class, class by class."""
    y = as_numpy(labels)
    return np.concatenate([np.flatnonzero(y == k)[:per_class] for k in range(num_classes)]).astype(
        np.int64
    )


def class_balance_figure(
    train_labels: Any, test_labels: Any, classes: Sequence[str], *, title: str | None = None
) -> go.Figure:
    """How many training and test images each class has (grouped bars)."""
    k = len(classes)
    fig = go.Figure()
    for i, (name, labels) in enumerate((("train", train_labels), ("test", test_labels))):
        counts = np.bincount(as_numpy(labels).astype(np.int64), minlength=k)[:k]
        fig.add_bar(
            x=list(classes),
            y=counts,
            name=name,
            marker_color=color(i),
            hovertemplate="%{x}: %{y} " + name + " images<extra></extra>",
        )
    styled(fig, title=title, height=300)
    _room_for_legend(fig, title)
    fig.update_layout(barmode="group", bargap=0.25)
    fig.update_xaxes(type="category", title="class")
    fig.update_yaxes(title="images")
    return fig


def learning_curves_figure(
    history: Sequence[Any],
    *,
    epoch: int | None = None,
    epochs: int | None = None,
    steps: Sequence[tuple[float, float]] = (),
    title: str | None = None,
) -> go.Figure:
    """Loss and accuracy per epoch for train / validation / test; a dashed line marks ``epoch``.

    ``steps`` adds the per-batch training loss as (fractional epoch, loss) points, for live runs.
    """
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1)
    x = [h.epoch for h in history]
    series = (
        ("train", PALETTE[0], "solid"),
        ("val", PALETTE[1], "solid"),
        ("test", PALETTE[2], "dot"),
    )
    if steps:
        fig.add_scatter(
            x=[s[0] for s in steps], y=[s[1] for s in steps], mode="lines", name="batch loss",
            line={"color": "rgba(79, 70, 229, 0.3)", "width": 1}, row=1, col=1,
            hovertemplate="epoch %{x:.2f}<br>batch loss %{y:.4f}<extra></extra>",
        )  # fmt: skip
    for name, col, dash in series:
        label = {"train": "train", "val": "validation", "test": "test"}[name]
        for c, metric in ((1, "loss"), (2, "acc")):
            fig.add_scatter(
                x=x,
                y=[getattr(h, f"{name}_{metric}") for h in history],
                mode="lines+markers",
                name=label,
                legendgroup=label,
                showlegend=c == 1,
                line={"color": col, "dash": dash, "width": 2.5},
                marker={"size": 6},
                hovertemplate=f"epoch %{{x}}<br>{label} {metric} "
                + ("%{y:.2%}" if metric == "acc" else "%{y:.4f}")
                + "<extra></extra>",
                row=1,
                col=c,
            )
    if epoch is not None:
        for c in (1, 2):
            fig.add_vline(
                x=epoch, line={"color": MARKER, "dash": "dash", "width": 1.5}, row=1, col=c
            )
    last = max([epochs or 0, *x, 1])
    fig.update_xaxes(
        title="epoch", range=[0.8 if steps else 0.8, last + 0.2], dtick=1 if last <= 20 else None
    )
    fig.update_yaxes(title="loss (cross-entropy)", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title="accuracy", tickformat=".0%", row=1, col=2)
    styled(fig, title=title, height=360)
    return _room_for_legend(fig, title)


def _predictions(labels: Any, probs: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(true labels, probabilities, predicted labels, right-or-wrong)`` as numpy arrays."""
    y = as_numpy(labels).astype(np.int64)
    pr = as_numpy(probs).astype(np.float32)
    pred = pr.argmax(axis=1) if len(pr) else np.zeros(0, np.int64)
    return y, pr, pred, pred == y


def prediction_grid_figure(
    images: Any,
    labels: Any,
    probs: Any,
    classes: Sequence[str],
    *,
    cols: int = 10,
    title: str | None = None,
    fit_width: int | None = None,
) -> go.Figure:
    """Test images titled 'true → predicted', green when right and red when wrong; top-3 on hover."""
    y, pr, pred, ok = _predictions(labels, probs)
    titles = [
        f"{classes[t]}" if good else f"{classes[t]}→{classes[p]}"
        for t, p, good in zip(y, pred, ok, strict=True)
    ]
    hovers = [
        f"true: {classes[t]}<br>predicted: {classes[p]} ({'right' if good else 'wrong'})"
        f"<br><b>top 3</b><br>{_top3_text(row, classes)}"
        for t, p, good, row in zip(y, pred, ok, pr, strict=True)
    ]
    colors = [GOOD if good else BAD for good in ok]
    return image_grid_figure(
        as_numpy(images), cols=cols, titles=titles, title_colors=colors,
        frame_colors=colors, hovers=hovers, title=title, fit_width=fit_width,
    )  # fmt: skip


def confusion_matrix_figure(
    cm: np.ndarray,
    classes: Sequence[str],
    *,
    selected: tuple[int, int] | None = None,
    title: str | None = None,
    width_px: int = 470,
) -> go.Figure:
    """Rows = true class, columns = predicted. Green diagonal (shade = share right), red mistakes.

    Sized for a container about ``width_px`` wide: square cells, room for long class names.

    The cells are a square-marker ``go.Scatter`` (point index = true * K + predicted), so a click
    selects a cell in ``st.plotly_chart(on_select=...)``; heatmaps underneath give the colour.
    """
    k = len(classes)
    cm = np.asarray(cm, dtype=np.int64)
    row_tot = cm.sum(axis=1, keepdims=True)
    share = np.divide(cm, row_tot, out=np.zeros(cm.shape, np.float64), where=row_tot > 0)
    diag = np.where(np.eye(k, dtype=bool), share, np.nan)
    off = np.where(~np.eye(k, dtype=bool) & (cm > 0), share, np.nan)
    off_max = float(np.nanmax(off)) if np.isfinite(off).any() else 1.0
    fig = go.Figure()
    common = {
        "x": list(range(k)),
        "y": list(range(k)),
        "showscale": False,
        "hoverinfo": "skip",
        "xgap": 1,
        "ygap": 1,
    }
    fig.add_heatmap(z=diag, zmin=0, zmax=1, colorscale=[[0, "#E8F5EC"], [1, GOOD]], **common)
    fig.add_heatmap(z=off, zmin=0, zmax=off_max, colorscale=[[0, "#FCE4E4"], [1, BAD]], **common)
    tt, pp = np.divmod(np.arange(k * k), k)
    counts = cm[tt, pp]
    text_color = [
        "white" if (t == p and share[t, p] > 0.6) or (t != p and c and share[t, p] > 0.6 * off_max) else "#1F2333"
        for t, p, c in zip(tt, pp, counts, strict=True)
    ]  # fmt: skip
    hover = [
        f"true <b>{classes[t]}</b>, predicted <b>{classes[p]}</b><br>{c} test images"
        f" ({share[t, p]:.1%} of the {classes[t]}s)<br><i>click to see them</i>"
        for t, p, c in zip(tt, pp, counts, strict=True)
    ]
    label_px = 7 * max(len(c) for c in classes) + 8  # tick labels at ~7 px per character
    slanted = max(len(c) for c in classes) > 3
    left, bottom = label_px + 45, (int(0.7 * label_px) if slanted else 18) + 45
    side = max(18 * k, min(46 * k, width_px - left - 20))  # the square matrix, in pixels
    cell_px = side // k
    fig.add_scatter(
        x=pp, y=tt, mode="markers+text", text=[str(c) if c else "" for c in counts],
        textfont={"color": text_color, "size": 12 if k <= 10 else 9},
        customdata=np.stack([tt, pp], axis=1), hovertext=hover, hoverinfo="text",
        marker={"symbol": "square", "size": cell_px, "color": "rgba(0,0,0,0)"},
        selected={"marker": {"opacity": 1}}, unselected={"marker": {"opacity": 1}},
        showlegend=False,
    )  # fmt: skip
    if selected is not None:
        t, p = selected
        fig.add_shape(
            type="rect", x0=p - 0.5, x1=p + 0.5, y0=t - 0.5, y1=t + 0.5,
            line={"color": "#1F2333", "width": 3},
        )  # fmt: skip
    top = 50 if title else 20
    styled(fig, title=title, height=side + top + bottom)
    fig.update_layout(margin={"l": left, "r": 20, "t": top, "b": bottom})
    ticks = {"tickmode": "array", "tickvals": list(range(k)), "ticktext": list(classes)}
    fig.update_xaxes(title="predicted class", side="bottom", showgrid=False, zeroline=False,
                     constrain="domain", range=[-0.5, k - 0.5], tickangle=-40 if slanted else 0,
                     automargin=False, **ticks)  # fmt: skip
    fig.update_yaxes(title="true class", autorange=False, range=[k - 0.5, -0.5], showgrid=False,
                     zeroline=False, scaleanchor="x", constrain="domain", automargin=False,
                     **ticks)  # fmt: skip
    fig.update_layout(clickmode="event+select", dragmode=False, hovermode="closest")
    return fig


def selected_cell(selection: Mapping[str, Any] | None, num_classes: int) -> tuple[int, int] | None:
    """The (true, predicted) cell of a plotly selection event on ``confusion_matrix_figure``."""
    if not selection:
        return None
    points = selection.get("points") or []
    for point in points:
        data = point.get("customdata")
        if isinstance(data, (list, tuple)) and len(data) == 2:
            return int(data[0]), int(data[1])
        if "x" in point and "y" in point and point.get("curve_number", 2) == 2:
            return int(round(point["y"])), int(round(point["x"]))
    indices = selection.get("point_indices") or []
    if indices and 0 <= int(indices[0]) < num_classes * num_classes:
        return divmod(int(indices[0]), num_classes)
    return None


def per_class_accuracy_figure(
    acc: np.ndarray,
    classes: Sequence[str],
    *,
    overall: float | None = None,
    title: str | None = None,
) -> go.Figure:
    """Share of each class's test images classified correctly (worst in red); dashed = overall."""
    values = np.nan_to_num(np.asarray(acc, dtype=np.float64), nan=0.0)
    worst = int(np.argmin(values)) if len(values) else -1
    colors = [BAD if i == worst else PALETTE[0] for i in range(len(values))]
    fig = go.Figure(
        go.Bar(
            x=list(classes), y=values.tolist(), marker_color=colors,
            text=[f"{v:.0%}" for v in values], textposition="inside", insidetextanchor="end",
            textfont={"color": "white", "size": 11},
            hovertemplate="class %{x}: %{y:.2%} right<extra></extra>",
        )
    )  # fmt: skip
    if overall is not None:
        fig.add_hline(
            y=overall, line={"color": MARKER, "dash": "dash"},
            annotation_text=f"overall {overall:.1%}", annotation_position="top left",
        )  # fmt: skip
    low = float(values.min()) if len(values) else 0.0
    styled(fig, title=title, height=320)
    fig.update_xaxes(type="category", title="true class")
    fig.update_yaxes(tickformat=".0%", range=[max(0.0, low - 0.15), 1.04], title="accuracy")
    return fig


def runs_overlay_figure(
    histories: Mapping[str, Sequence[Any]], *, title: str | None = None
) -> go.Figure:
    """Validation loss and accuracy of several runs (solid) with training curves (dotted)."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1)
    for i, (label, history) in enumerate(histories.items()):
        x = [h.epoch for h in history]
        for name, dash in (("val", "solid"), ("train", "dot")):
            for c, metric in ((1, "loss"), (2, "acc")):
                fig.add_scatter(
                    x=x, y=[getattr(h, f"{name}_{metric}") for h in history], mode="lines+markers",
                    name=label if name == "val" else f"{label} (train)", legendgroup=label,
                    showlegend=c == 1 and name == "val",
                    line={"color": color(i), "dash": dash, "width": 2.5 if name == "val" else 1.5},
                    marker={"size": 5},
                    hovertemplate=f"{label}<br>epoch %{{x}}<br>{name} {metric} %{{y:.4f}}<extra></extra>",
                    row=1, col=c,
                )  # fmt: skip
    last = max([len(h) for h in histories.values()] or [1])
    fig.update_xaxes(title="epoch", dtick=1 if last <= 20 else None)
    fig.update_yaxes(title="loss (cross-entropy)", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title="accuracy", tickformat=".0%", row=1, col=2)
    styled(fig, title=title, height=400)
    return _room_for_legend(fig, title)


def gallery_figure(
    images: Any,
    labels: Any,
    probs: Any,
    classes: Sequence[str],
    *,
    cols: int = 8,
    title: str | None = None,
    fit_width: int | None = None,
) -> go.Figure:
    """Test images of one confusion-matrix cell, each titled with the probability of its prediction."""
    y, pr, pred, ok = _predictions(labels, probs)
    titles = [f"p={row[p]:.0%}" for row, p in zip(pr, pred, strict=True)]
    colors = [GOOD if good else BAD for good in ok]
    hovers = [
        f"true: {classes[t]}, predicted: {classes[p]}<br><b>top 3</b><br>{_top3_text(row, classes)}"
        for t, p, row in zip(y, pred, pr, strict=True)
    ]
    return image_grid_figure(
        as_numpy(images), cols=cols, titles=titles, title_colors=colors, hovers=hovers,
        title=title, fit_width=fit_width,
    )  # fmt: skip
