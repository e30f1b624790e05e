"""Figures of what a trained classifier got right and wrong on the test set.

The confusion matrix (clickable: ``selected_cell`` reads the click back), accuracy per class, a
grid of test images with true and predicted labels, and the gallery of one confusion-matrix
cell. Plain arrays (numpy or torch) in, a styled ``go.Figure`` out; nothing here trains or knows
about Streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from dlviz.metrics import as_numpy
from dlviz.plots.images import image_grid_figure
from dlviz.plots.style import BAD, GOOD, PALETTE, styled
from dlviz.plots.training.layout import MARKER
from dlviz.training.results import top_k


def _top3_text(probs: np.ndarray, classes: Sequence[str]) -> str:
    """'7: 91.2%<br>1: 5.0%<br>9: 1.1%' for one probability vector."""
    idx, val = top_k(probs[None], 3)
    return "<br>".join(f"{classes[i]}: {v:.1%}" for i, v in zip(idx[0], val[0], strict=True))


def _predictions(labels: Any, probs: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(true labels, probabilities, predicted labels, right-or-wrong)`` as numpy arrays."""
    y = as_numpy(labels).astype(np.int64)
    pr = as_numpy(probs).astype(np.float32)
    pred = pr.argmax(axis=1) if len(pr) else np.zeros(0, np.int64)
    return y, pr, pred, pred == y


def confusion_matrix_figure(
    cm: np.ndarray,
    classes: Sequence[str],
    *,
    selected: tuple[int, int] | None = None,
    title: str | None = None,
    width_px: int = 470,
) -> go.Figure:
    """Rows = true class, columns = predicted. Green diagonal (shade = share right) whose counts
    carry a ✓, red mistakes.

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
        x=pp, y=tt, mode="markers+text", text=[_cell_text(c, t == p) for t, p, c in zip(tt, pp, counts, strict=True)],
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


RIGHT_MARK = "✓"
"""Marks the diagonal's counts, so right and wrong are not told by colour alone."""


def _cell_text(count: int, right: bool) -> str:
    """'✓ 35' on the diagonal, '3' off it, nothing for an empty cell."""
    if not count:
        return ""
    return f"{RIGHT_MARK} {count}" if right else str(count)


def cell_count(text: str) -> int:
    """The count a cell's text shows (``_cell_text`` read back)."""
    digits = text.replace(RIGHT_MARK, "").strip()
    return int(digits) if digits else 0


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
    """Test images titled '✓ true' or '✗ true → predicted' (the mark, not only the green or red,
    says right or wrong); top-3 on hover."""
    y, pr, pred, ok = _predictions(labels, probs)
    titles = [
        f"✓ {classes[t]}" if good else f"✗ {classes[t]}→{classes[p]}"
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
    titles = [
        f"{'✓' if good else '✗'} p={row[p]:.0%}" for row, p, good in zip(pr, pred, ok, strict=True)
    ]
    colors = [GOOD if good else BAD for good in ok]
    hovers = [
        f"true: {classes[t]}, predicted: {classes[p]}<br><b>top 3</b><br>{_top3_text(row, classes)}"
        for t, p, row in zip(y, pred, pr, strict=True)
    ]
    return image_grid_figure(
        as_numpy(images), cols=cols, titles=titles, title_colors=colors, hovers=hovers,
        title=title, fit_width=fit_width,
    )  # fmt: skip
