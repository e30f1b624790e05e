"""Layout details shared by the Training page's figures: the marker colour and legend room.

Not a style of its own: colours and the base layout come from ``dlviz.plots.style``.
"""

from __future__ import annotations

import plotly.graph_objects as go

MARKER = "rgba(31, 35, 51, 0.55)"
"""Dashed marker lines: the scrubbed epoch on the curves, the overall accuracy on the bars."""


def room_for_legend(fig: go.Figure, title: str | None) -> go.Figure:
    """Keep a titled figure's horizontal legend between the title and the plot, not on the title."""
    if title:
        fig.update_layout(margin={"t": 80}, legend={"y": 1.03})
    return fig
