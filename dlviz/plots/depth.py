"""Figures of the depth study: per-layer activation histograms (a ridgeline) and depth profiles.

Builders take ``dlviz.depth.DepthStudy`` results and return plotly figures; no torch here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dlviz.depth import DepthStudy
from dlviz.plots.style import BAD, NEUTRAL, color, styled

MAX_RIDGES = 25


def _finite_or_none(v: float) -> float | None:
    """A value plotly can draw on a log axis: finite and positive, else a gap."""
    return v if math.isfinite(v) and v > 0 else None


def shown_layers(depth: int, max_rows: int = MAX_RIDGES) -> list[int]:
    """Up to ``max_rows`` evenly spread 1-based layer numbers, always with the first and last."""
    if depth <= max_rows:
        return list(range(1, depth + 1))
    step = (depth - 1) / (max_rows - 1)
    return sorted({round(1 + i * step) for i in range(max_rows)})


def ridgeline_figure(study: DepthStudy, *, height: int | None = None) -> go.Figure:
    """One filled histogram of h = f(z) per layer, stacked top (layer 1) to bottom (deepest)."""
    edges = study.edges
    centres = [(a + b) / 2 for a, b in zip(edges, edges[1:], strict=False)]
    rows = shown_layers(len(study.layers))
    fig = go.Figure()
    for r, layer_no in enumerate(rows):
        layer = study.layers[layer_no - 1]
        base = -r
        peak = max(layer.counts) or 1.0
        ys = [base + 0.9 * c / peak for c in layer.counts]
        shade = color(0) if layer.nonfinite == 0 else BAD
        fig.add_trace(
            go.Scatter(
                x=[centres[0], *centres, centres[-1]],
                y=[base, *ys, base],
                mode="lines",
                line={"color": shade, "width": 1.2, "shape": "spline", "smoothing": 0.5},
                fill="toself",
                fillcolor=_alpha(shade, 0.18 + 0.5 * r / max(1, len(rows) - 1)),
                name=f"layer {layer_no}",
                showlegend=False,
                customdata=[[layer_no, 0.0, layer.std, layer.flat]]
                + [[layer_no, 100 * c, layer.std, layer.flat] for c in layer.counts]
                + [[layer_no, 0.0, layer.std, layer.flat]],
                hovertemplate="layer %{customdata[0]}<br>h ≈ %{x:.3g}: %{customdata[1]:.1f}% of values"
                "<br>std %{customdata[2]:.3g}, flat units %{customdata[3]:.0%}<extra></extra>",
            )
        )
    fig.update_yaxes(
        tickvals=[-r for r in range(len(rows))],
        ticktext=[f"layer {n}" for n in rows],
        showgrid=False,
        zeroline=False,
    )
    fig.update_xaxes(
        title_text="activation value h = f(z)  (shared bins)", range=[edges[0], edges[-1]]
    )
    title = "Distribution of activations, layer by layer"
    if len(rows) < len(study.layers):
        title += f" (every {math.ceil(len(study.layers) / len(rows))}th layer)"
    return styled(fig, title=title, height=height or max(380, 60 + 26 * len(rows)))


def _alpha(hex_color: str, a: float) -> str:
    """'#RRGGBB' -> 'rgba(r, g, b, a)'."""
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {min(1.0, a):.2f})"


def depth_profile_figure(
    studies: Mapping[str, DepthStudy], current: str, *, height: int = 400
) -> go.Figure:
    """Two log-scale panels against depth: std of the activations and ||dL/dW_l||_F per layer."""
    fig = make_subplots(
        rows=1,
        cols=2,
        horizontal_spacing=0.1,
        subplot_titles=("Std of activations h per layer", "Weight-gradient norm ‖∂L/∂W‖ per layer"),
    )
    for i, (label, study) in enumerate(studies.items()):
        main = label == current
        shade = color(0) if main else color(i + 1)
        style = {
            "mode": "lines+markers" if main else "lines",
            "line": {"color": shade, "width": 3 if main else 1.6, "dash": None if main else "dot"},
            "marker": {"size": 5},
            "legendgroup": label,
            "opacity": 1.0 if main else 0.75,
        }
        layers = [layer.index for layer in study.layers]
        stds = [_finite_or_none(layer.std) for layer in study.layers]
        grads = [_finite_or_none(layer.grad_norm) for layer in study.layers]
        fig.add_trace(
            go.Scatter(
                x=layers,
                y=stds,
                name=label,
                **style,
                hovertemplate=f"{label}<br>layer %{{x}}: std %{{y:.3g}}<extra></extra>",
            ),
            row=1,
            col=1,
        )
        fig.add_trace(
            go.Scatter(
                x=layers,
                y=grads,
                name=label,
                showlegend=False,
                **style,
                hovertemplate=f"{label}<br>layer %{{x}}: ‖∂L/∂W‖ %{{y:.3g}}<extra></extra>",
            ),
            row=1,
            col=2,
        )
        if main:
            _mark_overflow(fig, study)
    fig.update_yaxes(type="log", exponentformat="power")
    fig.update_xaxes(title_text="layer (1 = next to the input)")
    fig = styled(fig, height=height)
    fig.update_layout(
        margin={"t": 40, "b": 100},
        legend={"orientation": "h", "yanchor": "top", "y": -0.2, "xanchor": "center", "x": 0.5},
    )
    return fig


def _mark_overflow(fig: go.Figure, study: DepthStudy) -> None:
    """Grey bands over layers whose activations overflowed to inf/NaN (nothing to plot there)."""
    bad = [layer.index for layer in study.layers if layer.nonfinite > 0]
    if not bad:
        return
    for col in (1, 2):
        fig.add_vrect(
            x0=bad[0] - 0.5,
            x1=bad[-1] + 0.5,
            fillcolor=NEUTRAL,
            opacity=0.15,
            line_width=0,
            row=1,
            col=col,
        )
    fig.add_annotation(
        x=(bad[0] + bad[-1]) / 2,
        y=1.0,
        xref="x",
        yref="paper",
        yanchor="bottom",
        text="overflow: inf / NaN",
        showarrow=False,
        font={"color": BAD, "size": 11},
    )
