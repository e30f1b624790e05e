"""The output after one gradient-descent step against the learning rate (the Backprop page's last
figure). It only draws: the losses come from ``dlviz.backprop.walkthrough.step_losses``."""

from __future__ import annotations

import math
from collections.abc import Sequence

import plotly.graph_objects as go

from dlviz.plots.style import AXES, BAD, GOOD, PALETTE, styled


def step_line_figure(
    lrs: Sequence[float], losses: Sequence[float], lr: float, before: float, after: float
) -> go.Figure:
    """The output after one step theta - lr * grad, against lr; the chosen lr marked."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=list(lrs),
            y=[None if not math.isfinite(v) else v for v in losses],
            mode="lines",
            name="after one step",
            line={"color": PALETTE[0], "width": 2.5},
            hovertemplate="lr %{x:.3g}<br>after %{y:.5g}<extra></extra>",
        )
    )
    fig.add_hline(
        y=before,
        line={"dash": "dot", "color": "#7F8C8D"},
        annotation_text="before the step",
        annotation_position="top left",
    )
    if math.isfinite(after):
        fig.add_trace(
            go.Scatter(
                x=[lr],
                y=[after],
                mode="markers",
                name="your learning rate",
                marker={"size": 12, "color": GOOD if after <= before else BAD},
                hovertemplate="lr %{x:.3g}<br>after %{y:.5g}<extra></extra>",
            )
        )
    fig.update_xaxes(title="learning rate")
    fig.update_yaxes(title="output after one step")
    # no title: the section heading names it; the legend takes the top
    return styled(fig, height=330, margin=AXES)
