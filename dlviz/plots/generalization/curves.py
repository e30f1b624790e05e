"""Figures of the overfitting experiment: one run's train and validation curves with the gap drawn
and named, and every run's validation curves side by side.

Builders take ``dlviz.generalization.RunCurves`` and return styled plotly figures; hovers are
written with ``dlviz.display``. Nothing here trains or knows about Streamlit.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dlviz.display import fixed, percent
from dlviz.generalization import RunCurves, gap_at, kept_epoch
from dlviz.plots.style import INK, LABEL_BG, PALETTE, SHADE, color, rgba, styled

TRAIN, VAL, TEST = PALETTE[0], PALETTE[1], PALETTE[2]
METRICS = (("loss", "loss (cross-entropy)"), ("acc", "accuracy"))


def _values(run: RunCurves, split: str, metric: str) -> list[float | None]:
    """A split's per-epoch values; "fit" is the training images scored in eval mode."""
    return [getattr(e, f"{split}_{metric}") for e in run.history]


def _hover(label: str, metric: str, values: Sequence[float | None]) -> list[str]:
    fmt = percent if metric == "acc" else (lambda v: fixed(v, 4))
    return [f"{label} {'accuracy' if metric == 'acc' else 'loss'} {fmt(v)}" for v in values]


def gap_figure(run: RunCurves, epochs: int | None = None, title: str | None = None) -> go.Figure:
    """Loss and accuracy of one run on its training and validation images, the band between
    them shaded and labelled as the generalization gap; early stopping's stop and kept epochs
    are marked."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1)
    x = [e.epoch for e in run.history]
    for col, (metric, _) in enumerate(METRICS, 1):
        upper, lower = ("val", "fit") if metric == "loss" else ("fit", "val")
        for split, fill in ((lower, None), (upper, "tonexty")):
            label = "training images" if split == "fit" else "validation images"
            values = _values(run, split, metric)
            fig.add_scatter(
                x=x, y=values, mode="lines+markers", name=label, legendgroup=label,
                showlegend=col == 1, fill=fill, fillcolor=SHADE,
                line={"color": TRAIN if split == "fit" else VAL, "width": 2.5},
                marker={"size": 5}, customdata=_hover(label, metric, values),
                hovertemplate="epoch %{x}<br>%{customdata}<extra></extra>", row=1, col=col,
            )  # fmt: skip
        fig.add_scatter(
            x=x, y=_values(run, "test", metric), mode="lines", name="test images",
            legendgroup="test", showlegend=col == 1, visible="legendonly",
            line={"color": TEST, "dash": "dot"}, row=1, col=col,
            customdata=_hover("test", metric, _values(run, "test", metric)),
            hovertemplate="epoch %{x}<br>%{customdata}<extra></extra>",
        )  # fmt: skip
    _name_the_gap(fig, run)
    _mark_early_stop(fig, run)
    last = max([epochs or 0, *x, 1])
    fig.update_xaxes(title="epoch", range=[0.5, last + 0.5], dtick=2 if last > 10 else 1)
    fig.update_yaxes(title=METRICS[0][1], rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title=METRICS[1][1], tickformat=".0%", range=[0, 1.04], row=1, col=2)
    return styled(fig, title=title, height=380)


def _name_the_gap(fig: go.Figure, run: RunCurves) -> None:
    """A two-headed arrow across the gap at the kept epoch, labelled with its size."""
    gap = gap_at(run.history, kept_epoch(run))
    if gap is None:
        return
    e = run.history[gap.epoch - 1]
    for col, (lo, hi), text in (
        (1, (e.fit_loss, e.val_loss), f"gap {fixed(gap.loss_gap, 3)}"),
        (2, (e.val_acc, e.fit_acc), f"gap {percent(gap.accuracy_gap)}"),
    ):
        axis = "" if col == 1 else "2"
        fig.add_annotation(
            x=gap.epoch, y=hi, ax=gap.epoch, ay=lo, xref=f"x{axis}", yref=f"y{axis}",
            axref=f"x{axis}", ayref=f"y{axis}", text="", showarrow=True, arrowside="end+start",
            arrowhead=2, arrowwidth=1.5, arrowcolor=INK,
        )  # fmt: skip
        fig.add_annotation(
            x=gap.epoch, y=(lo + hi) / 2, xref=f"x{axis}", yref=f"y{axis}", xanchor="right",
            xshift=-6, text=f"<b>generalization {text}</b>", showarrow=False,
            font={"color": INK, "size": 12}, bgcolor=LABEL_BG,
        )  # fmt: skip


def _mark_early_stop(fig: go.Figure, run: RunCurves) -> None:
    """Early stopping: a dashed line where it stopped, a star on the kept weights' epoch."""
    if run.status != "early-stopped" or run.best_epoch is None:
        return
    stop = len(run.history)
    kept = run.history[run.best_epoch - 1]
    for col, (metric, _) in enumerate(METRICS, 1):
        fig.add_vline(x=stop, line={"color": INK, "dash": "dash", "width": 1.2}, row=1, col=col)
        fig.add_scatter(
            x=[kept.epoch], y=[getattr(kept, f"val_{metric}")], mode="markers+text",
            marker={"symbol": "star", "size": 16, "color": INK}, text=["kept"],
            textposition="top center", name="weights kept", legendgroup="kept",
            showlegend=col == 1, hovertemplate=f"weights kept from epoch {kept.epoch}<extra></extra>",
            row=1, col=col,
        )  # fmt: skip
    fig.add_annotation(
        x=stop, y=0.02, yref="y2 domain", text=f"stopped after epoch {stop}", showarrow=False,
        xanchor="left", yanchor="bottom", xshift=4, font={"size": 11, "color": INK}, row=1, col=2,
    )  # fmt: skip


def comparison_figure(runs: Sequence[RunCurves], epochs: int | None = None) -> go.Figure:
    """Validation loss and accuracy of every run (solid), training accuracy (dotted), one colour
    per run; an early-stopped run's kept epoch is starred."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1)
    for i, run in enumerate(runs):
        x = [e.epoch for e in run.history]
        c = color(i)
        for col, (metric, _) in enumerate(METRICS, 1):
            values = _values(run, "val", metric)
            fig.add_scatter(
                x=x, y=values, mode="lines", name=run.name, legendgroup=run.name,
                showlegend=col == 1, line={"color": c, "width": 2.5},
                customdata=_hover(f"{run.name} · validation", metric, values),
                hovertemplate="epoch %{x}<br>%{customdata}<extra></extra>", row=1, col=col,
            )  # fmt: skip
            if metric == "acc":
                fit = _values(run, "fit", metric)
                fig.add_scatter(
                    x=x, y=fit, mode="lines", name=f"{run.name} (training)",
                    legendgroup=run.name, showlegend=False,
                    line={"color": rgba(c, 0.6), "dash": "dot", "width": 1.5},
                    customdata=_hover(f"{run.name} · training", metric, fit),
                    hovertemplate="epoch %{x}<br>%{customdata}<extra></extra>", row=1, col=col,
                )  # fmt: skip
            kept = kept_epoch(run)
            if run.status == "early-stopped" and kept is not None:
                fig.add_scatter(
                    x=[kept], y=[values[kept - 1]], mode="markers", legendgroup=run.name,
                    showlegend=False, marker={"symbol": "star", "size": 14, "color": c},
                    hovertemplate=f"{run.name}: weights kept from epoch {kept}<extra></extra>",
                    row=1, col=col,
                )  # fmt: skip
    last = max([epochs or 0, *(len(r.history) for r in runs), 1])
    fig.update_xaxes(title="epoch", range=[0.5, last + 0.5])
    fig.update_yaxes(title="validation loss", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title="accuracy (dotted: training)", tickformat=".0%", range=[0, 1.04],
                     row=1, col=2)  # fmt: skip
    styled(fig, title="Every run on the same validation images", height=450)
    fig.update_layout(legend={"orientation": "h", "y": -0.2, "yanchor": "top", "x": 0},
                      margin={"b": 100})  # fmt: skip
    return fig
