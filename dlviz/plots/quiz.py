"""Figures of the predict-then-reveal questions: the small sketches a learner picks among, and
the curve an experiment measured (``dlviz.questions.Outcome``). Layout only."""

from __future__ import annotations

import html

import plotly.graph_objects as go

from dlviz.display import number
from dlviz.plots.style import NEUTRAL, color, styled
from dlviz.questions import Outcome, sketch


def sketch_svg(name: str, label: str, width: int = 180, height: int = 90) -> str:
    """A small SVG of the schematic curve ``name`` (just the shape, no numbers), titled ``label``
    for screen readers. Plain SVG instead of a plotly chart: a page shows several of these inside
    a collapsed expander, and they should cost the browser nothing."""
    xs, ys = sketch(name)
    top, bottom = max(ys), min(0.0, min(ys))
    pad = 8

    def row(y: float) -> float:
        return pad + (top - y) / (top - bottom) * (height - 2 * pad)

    points = " ".join(
        f"{pad + x * (width - 2 * pad):.1f},{row(y):.1f}" for x, y in zip(xs, ys, strict=True)
    )
    axis = f"{pad},{pad} {pad},{height - pad} {pad},{row(0):.1f} {width - pad},{row(0):.1f}"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(label)}">'
        f"<title>{html.escape(label)}</title>"
        f'<polyline points="{axis}" fill="none" stroke="{NEUTRAL}" stroke-width="1.5"/>'
        f'<polyline points="{points}" fill="none" stroke="{color(5)}" stroke-width="3" '
        'stroke-linejoin="round" stroke-linecap="round"/></svg>'
    )


def outcome_figure(outcome: Outcome, title: str = "What the experiment measured") -> go.Figure:
    """The measured curve of an outcome (log y when the experiment says so and all y > 0)."""
    if outcome.curve is None:
        raise ValueError("This outcome has no curve.")
    xs, ys = outcome.curve
    fig = go.Figure(
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines+markers" if len(xs) <= 60 else "lines",
            line={"color": color(1), "width": 2.5},
            marker={"size": 5},
            customdata=[number(y) for y in ys],
            hovertemplate=f"{outcome.x_title} %{{x}}<br>{outcome.y_title} %{{customdata}}"
            "<extra></extra>",
        )
    )
    styled(fig, title=title, height=260)
    log = outcome.log_y and all(y > 0 for y in ys)
    fig.update_xaxes(title=outcome.x_title)
    fig.update_yaxes(title=outcome.y_title, type="log" if log else "linear", exponentformat="power")
    fig.update_layout(showlegend=False, hoverlabel={"bordercolor": NEUTRAL})
    return fig


def describe(outcome: Outcome) -> str:
    """A one-line text alternative of ``outcome_figure``: what it plots and its key numbers."""
    if outcome.curve is None:
        return ""
    xs, ys = outcome.curve
    return (
        f"Chart: {outcome.y_title} against {outcome.x_title}, {len(xs)} points, from "
        f"{number(ys[0])} at {number(xs[0])} to {number(ys[-1])} at {number(xs[-1])} "
        f"(smallest {number(min(ys))}, largest {number(max(ys))})."
    )
