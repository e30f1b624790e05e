"""The transfer study's figure: Digits test accuracy against the number of labelled images, one
line per way of starting (from scratch, frozen source features, fine-tuned)."""

from __future__ import annotations

import plotly.graph_objects as go

from dlviz.data import dataset_info
from dlviz.display import count, percent
from dlviz.generalization.transfer import MODES, TransferResult, mode_label
from dlviz.plots.style import INK, PALETTE, styled
from dlviz.plots.training.layout import room_for_legend


def transfer_figure(result: TransferResult, marked: int | None = None) -> go.Figure:
    """Accuracy on the Digits test images after training on n labelled images (log x), with the
    size ``marked`` (the learner's slider) drawn as a dashed line."""
    fig = go.Figure()
    for i, mode in enumerate(MODES):
        label = mode_label(mode, result.source)
        acc = list(result.accuracy[mode])
        fig.add_scatter(
            x=list(result.sizes), y=acc, mode="lines+markers", name=label,
            line={"color": PALETTE[i], "width": 3}, marker={"size": 9},
            customdata=[f"{label}: {percent(a)} with {count(n)} labelled images"
                        for a, n in zip(acc, result.sizes, strict=True)],
            hovertemplate="%{customdata}<extra></extra>",
        )  # fmt: skip
    fig.add_hline(y=0.1, line={"color": PALETTE[8], "dash": "dot"}, annotation_text="chance")
    fig.update_xaxes(title="labelled Digits images (log scale)", type="log",
                     tickvals=list(result.sizes), ticktext=[count(n) for n in result.sizes])  # fmt: skip
    fig.update_yaxes(title=f"accuracy on {count(result.test_images)} Digits test images",
                     tickformat=".0%", range=[0, 1.02])  # fmt: skip
    if marked is not None:  # a trace, not a shape: shapes and annotations on log axes differ
        fig.add_scatter(
            x=[marked, marked], y=[0, 1.0], mode="lines+text", showlegend=False,
            text=[f" {count(marked)} images", ""], textposition="top right",
            line={"color": INK, "width": 1.2, "dash": "dash"}, hoverinfo="skip",
            name="your size",
        )  # fmt: skip
    source = dataset_info(result.source).label
    title = f"Where transfer helps: the same CNN started three ways ({source} source)"
    styled(fig, title=title, height=420)
    return room_for_legend(fig, title)
