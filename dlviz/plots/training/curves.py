"""Learning-curve figures of the Training page: one run as it trains, and several runs overlaid.

Each builder takes small records (``EpochStats``-like objects with ``epoch``, ``train_loss``,
``val_acc``... attributes) and returns a styled ``go.Figure``. Nothing here trains or knows about
Streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dlviz.plots.style import PALETTE, color, styled
from dlviz.plots.training.layout import MARKER, room_for_legend


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
    return room_for_legend(fig, title)


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
    return room_for_legend(fig, title)
