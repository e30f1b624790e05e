"""Figures of "Can you trust the probabilities?": reliability diagrams before and after
temperature scaling with their confidence histograms, and every test image on the -log p curve."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dlviz.calibration import Reliability
from dlviz.display import count, fixed, number, percent
from dlviz.generalization.trust import Calibration, true_class_loss
from dlviz.plots.style import BAD, GOOD, INK, NEUTRAL, PALETTE, rgba, styled
from dlviz.plots.training.layout import room_for_legend


def _bars(fig: go.Figure, rel: Reliability, col: int, name: str) -> None:
    n = len(rel.counts)
    centres = [(rel.edges[k] + rel.edges[k + 1]) / 2 for k in range(n)]
    acc = [None if math.isnan(a) else a for a in rel.accuracy]
    conf = [None if math.isnan(c) else c for c in rel.confidence]
    words = [
        f"confidence {fixed(rel.edges[k], 2)}–{fixed(rel.edges[k + 1], 2)}: {count(rel.counts[k])} "
        f"images<br>mean confidence {percent(rel.confidence[k])} · accuracy "
        f"{percent(rel.accuracy[k])}"
        for k in range(n)
    ]
    fig.add_bar(
        x=centres, y=acc, width=1 / n, name="accuracy in the bin", legendgroup="acc",
        showlegend=col == 1, marker={"color": PALETTE[0], "line": {"color": "white", "width": 1}},
        customdata=words, hovertemplate="%{customdata}<extra></extra>", row=1, col=col,
    )  # fmt: skip
    gap_base = [
        min(a, c) if a is not None and c is not None else None
        for a, c in zip(acc, conf, strict=True)
    ]
    gap = [
        abs(a - c) if a is not None and c is not None else None
        for a, c in zip(acc, conf, strict=True)
    ]
    fig.add_bar(
        x=centres, y=gap, base=gap_base, width=1 / n, name="gap to the diagonal",
        legendgroup="gap", showlegend=col == 1,
        marker={"color": "rgba(0,0,0,0)", "line": {"color": BAD, "width": 1.5},
                "pattern": {"shape": "/", "fgcolor": BAD, "bgcolor": "rgba(0,0,0,0)"}},
        customdata=words, hovertemplate="%{customdata}<extra></extra>", row=1, col=col,
    )  # fmt: skip
    fig.add_scatter(
        x=[0, 1], y=[0, 1], mode="lines", name="perfectly calibrated", legendgroup="diag",
        showlegend=col == 1, line={"color": INK, "dash": "dash"}, hoverinfo="skip",
        row=1, col=col,
    )  # fmt: skip
    fig.add_bar(
        x=centres, y=list(rel.counts), width=1 / n, name="images per bin", legendgroup="count",
        showlegend=col == 1, marker={"color": NEUTRAL}, customdata=words,
        hovertemplate="%{customdata}<extra></extra>", row=2, col=col,
    )  # fmt: skip


def reliability_figure(cal: Calibration) -> go.Figure:
    """Before and after temperature scaling: accuracy per confidence bin against the diagonal
    (the gap shaded red), and how many test images fall in each bin."""
    fig = make_subplots(
        rows=2, cols=2, row_heights=[0.72, 0.28], vertical_spacing=0.1, horizontal_spacing=0.1,
        subplot_titles=(
            f"as trained (T = 1): ECE {percent(cal.before.ece)}",
            f"temperature T = {fixed(cal.temperature, 2)}: ECE {percent(cal.after.ece)}",
            "", "",
        ),
    )  # fmt: skip
    _bars(fig, cal.before, 1, "before")
    _bars(fig, cal.after, 2, "after")
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(range=[0, 1], tickformat=".0%")
    fig.update_xaxes(title="confidence (top-class probability)", row=2)
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%", title="accuracy", row=1, col=1)
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%", row=1, col=2)
    fig.update_yaxes(title="images", rangemode="tozero", row=2, col=1)
    fig.update_yaxes(rangemode="tozero", row=2, col=2)
    styled(fig, height=600)
    fig.update_annotations(font={"size": 13, "color": INK})
    fig.update_layout(legend={"y": -0.16, "yanchor": "top"}, margin={"b": 90})
    return fig


def loss_curve_figure(cal: Calibration, selected: int | None = None) -> go.Figure:
    """Every test image at (p(true class), -log p(true class)) on the cross-entropy curve: right
    answers green, mistakes red; confident mistakes sit high on the steep left."""
    p, loss = (t.numpy() for t in true_class_loss(cal.probs, cal.labels))
    pred = cal.probs.argmax(1).numpy()
    right = pred == cal.labels.numpy()
    grid = np.geomspace(1e-4, 1, 200)
    fig = go.Figure()
    fig.add_scatter(
        x=grid, y=-np.log(grid), mode="lines", name="−log p (the loss of one image)",
        line={"color": INK, "width": 1.5}, hoverinfo="skip",
    )  # fmt: skip
    for mask, name, c in ((right, "right", GOOD), (~right, "wrong", BAD)):
        idx = np.flatnonzero(mask)
        words = [
            f"test image {i}: p(true class) {number(p[i], 3)} · loss {fixed(loss[i], 3)}"
            for i in idx
        ]
        fig.add_scatter(
            x=np.maximum(p[idx], 1e-4), y=loss[idx], mode="markers", name=f"{name} ({count(len(idx))})",
            marker={"color": rgba(c, 0.55), "size": 7}, customdata=idx, text=words,
            hovertemplate="%{text}<extra></extra>",
        )  # fmt: skip
    if selected is not None:
        fig.add_scatter(
            x=[max(p[selected], 1e-4)], y=[loss[selected]], mode="markers", name="selected",
            marker={"symbol": "circle-open", "size": 18, "color": INK, "line": {"width": 2}},
            hoverinfo="skip",
        )  # fmt: skip
    fig.update_xaxes(title="probability given to the true class (log scale)", type="log",
                     range=[-4.1, 0.05])  # fmt: skip
    fig.update_yaxes(title="cross-entropy −log p", rangemode="tozero")
    title = "Every test image on the cross-entropy curve (click a point)"
    styled(fig, title=title, height=440)
    fig.update_layout(clickmode="event+select")
    return room_for_legend(fig, title)
