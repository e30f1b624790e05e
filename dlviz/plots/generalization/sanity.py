"""Figures of the sanity checks: one batch under planted bugs, random vs true labels, the
learning-rate range test, and a strip of augmented training images."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dlviz.display import fixed, number, percent
from dlviz.generalization import RunCurves
from dlviz.generalization.sanity import BUGS, OneBatchResult, RangeCurve
from dlviz.plots.images import image_grid_figure
from dlviz.plots.style import BAD, GOOD, INK, NEUTRAL, PALETTE, SHADE, color, styled

FLOOR = 1e-4
"""Losses below this are drawn at it (a log axis has no 0)."""


def one_batch_figure(result: OneBatchResult) -> go.Figure:
    """The loss on the one batch after every step, one line per loop, on a log axis; the loss of
    a uniform guess, ln(classes), dotted."""
    fig = go.Figure()
    for i, curve in enumerate(result.curves):
        y = [max(v, FLOOR) if math.isfinite(v) else None for v in curve.losses]
        words = [f"loss {fixed(v, 4)} · batch accuracy {percent(a, 0)}"
                 for v, a in zip(curve.losses, curve.accuracies, strict=True)]  # fmt: skip
        fig.add_scatter(
            x=list(range(len(y))), y=y, mode="lines", name=BUGS[curve.bug],
            line={"color": GOOD if curve.bug == "none" else color(i), "width": 3 if i == 0 else 2},
            customdata=words, hovertemplate=f"{BUGS[curve.bug]}<br>step %{{x}}: %{{customdata}}"
            "<extra></extra>",
        )  # fmt: skip
    fig.add_hline(y=result.chance_loss, line={"color": NEUTRAL, "dash": "dot"},
                  annotation_text=f"chance: ln(classes) = {fixed(result.chance_loss, 2)}",
                  annotation_position="top right")  # fmt: skip
    fig.update_xaxes(title="step on the same batch")
    fig.update_yaxes(title="loss on the batch (log scale)", type="log")
    styled(fig, title="Overfit one batch: the correct loop and four planted bugs", height=470)
    fig.update_layout(legend={"orientation": "h", "y": -0.2, "yanchor": "top", "x": 0},
                      margin={"b": 120})  # fmt: skip
    return fig


def random_labels_figure(runs: Sequence[RunCurves], chance: float = 0.1) -> go.Figure:
    """Accuracy on the training images and on the validation images for true and random labels."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1,
                        subplot_titles=("accuracy on the training images",
                                        "accuracy on the validation images"))  # fmt: skip
    for i, run in enumerate(runs):
        x = [e.epoch for e in run.history]
        for col, split in ((1, "fit"), (2, "val")):
            values = [getattr(e, f"{split}_acc") for e in run.history]
            fig.add_scatter(
                x=x, y=values, mode="lines+markers", name=run.name, legendgroup=run.name,
                showlegend=col == 1, line={"color": PALETTE[i * 1], "width": 2.5},
                customdata=[percent(v) for v in values],
                hovertemplate=f"{run.name}<br>epoch %{{x}}: %{{customdata}}<extra></extra>",
                row=1, col=col,
            )  # fmt: skip
    for col in (1, 2):
        fig.add_hline(y=chance, line={"color": NEUTRAL, "dash": "dot"}, row=1, col=col,
                      annotation_text="chance", annotation_position="bottom right")  # fmt: skip
    fig.update_xaxes(title="epoch")
    fig.update_yaxes(tickformat=".0%", range=[0, 1.04])
    styled(fig, height=400)
    fig.update_annotations(font={"size": 13, "color": INK})
    fig.update_layout(legend={"orientation": "h", "y": -0.2, "yanchor": "top", "x": 0},
                      margin={"b": 100})  # fmt: skip
    return fig


def range_test_figure(curve: RangeCurve) -> go.Figure:
    """Loss against the learning rate (log axis): raw and smoothed, the suggested range shaded,
    the steepest descent and the minimum marked."""
    fig = go.Figure()
    lo, hi = curve.suggested
    fig.add_vrect(x0=lo, x1=hi if hi > lo else lo * 1.5, fillcolor=SHADE, line_width=0)
    top = max(curve.smoothed) if curve.smoothed else 1.0
    fig.add_scatter(x=[math.sqrt(lo * max(hi, lo * 1.5))], y=[top * 1.05], mode="text",
                    text=["suggested range"], textfont={"color": BAD}, showlegend=False,
                    hoverinfo="skip")  # fmt: skip
    raw = [v if math.isfinite(v) else None for v in curve.losses]
    fig.add_scatter(
        x=list(curve.lrs),
        y=raw,
        mode="lines",
        name="loss of each batch",
        line={"color": "rgba(79, 70, 229, 0.3)", "width": 1},
        customdata=[
            f"learning rate {number(r, 3)} · loss {fixed(v, 4)}"
            for r, v in zip(curve.lrs, curve.losses, strict=True)
        ],  # fmt: skip
        hovertemplate="%{customdata}<extra></extra>",
    )
    n = len(curve.smoothed)
    fig.add_scatter(
        x=list(curve.lrs[:n]),
        y=list(curve.smoothed),
        mode="lines",
        name="smoothed loss",
        line={"color": PALETTE[0], "width": 3},
        customdata=[
            f"learning rate {number(r, 3)} · smoothed loss {fixed(v, 4)}"
            for r, v in zip(curve.lrs, curve.smoothed, strict=False)
        ],  # fmt: skip
        hovertemplate="%{customdata}<extra></extra>",
    )
    marks = ((curve.steepest, "steepest descent", GOOD), (curve.minimum, "lowest loss", INK))
    for rate, label, c in marks:
        y = curve.smoothed[list(curve.lrs).index(rate)]
        fig.add_scatter(x=[rate], y=[y], mode="markers+text", text=[label],
                        textposition="top center", marker={"size": 12, "color": c},
                        showlegend=False, hovertemplate=f"{label}: learning rate "
                        f"{number(rate, 3)}<extra></extra>")  # fmt: skip
    fig.update_xaxes(title="learning rate (log scale)", type="log")
    fig.update_yaxes(title="training loss", rangemode="tozero")
    styled(fig, title="Learning-rate range test: one run, the rate growing every step",
           height=420)  # fmt: skip
    fig.update_layout(legend={"orientation": "v", "x": 0.01, "y": 0.05, "yanchor": "bottom"})
    return fig


def augmented_strip_figure(samples: np.ndarray, labels: Sequence[str]) -> go.Figure:
    """``samples`` uint8 [N, copies, C, H, W]: each row an original image then its augmented
    versions, as the training loop sees them."""
    n, copies = samples.shape[:2]
    titles = [("original · " + labels[i]) if k == 0 else f"draw {k}" for i in range(n)
              for k in range(copies)]  # fmt: skip
    flat = samples.reshape(n * copies, *samples.shape[2:])
    return image_grid_figure(flat, cols=copies, titles=titles, tile_px=56)
