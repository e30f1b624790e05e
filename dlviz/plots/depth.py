"""Figures of the depth study: per-layer activation histograms (a ridgeline) and depth profiles.

Builders take ``dlviz.depth.DepthStudy`` results and return plotly figures; no torch here. What a
log axis cannot show (inf/NaN, exactly 0) is left out of a curve and marked, never dropped
silently.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dlviz.depth.report import where
from dlviz.depth.study import UNDERFLOW, DepthStudy, LayerStats
from dlviz.display import number, percent
from dlviz.plots.style import AXES, BAD, NEUTRAL, color, rgba, styled

MAX_RIDGES = 25


def shown_layers(depth: int, max_rows: int = MAX_RIDGES) -> list[int]:
    """Up to ``max_rows`` evenly spread 1-based layer numbers, always with the first and last."""
    if depth <= max_rows:
        return list(range(1, depth + 1))
    step = (depth - 1) / (max_rows - 1)
    return sorted({round(1 + i * step) for i in range(max_rows)})


def _centres(edges: tuple[float, ...]) -> list[float]:
    """Bin centres; a centre within rounding of 0 is 0 (no 1e-17 or -0 in the hover)."""
    width = (edges[-1] - edges[0]) / max(1, len(edges) - 1)
    centres = [(a + b) / 2 for a, b in zip(edges, edges[1:], strict=False)]
    return [0.0 if abs(c) < 1e-9 * width else c for c in centres]


def _row_label(layer: LayerStats) -> str:
    return f"layer {layer.index}" + (" · overflow" if layer.nonfinite > 0 else "")


def ridgeline_figure(study: DepthStudy, *, height: int | None = None) -> go.Figure:
    """One filled histogram of h = f(z) per layer, stacked top (layer 1) to bottom (deepest).

    A layer whose activations hold inf/NaN is drawn red from its finite values only, and its row
    is labelled "overflow"; hovers print numbers through dlviz.display.
    """
    edges = study.edges
    centres = _centres(edges)
    rows = shown_layers(len(study.layers))
    fig = go.Figure()
    for r, layer_no in enumerate(rows):
        layer = study.layers[layer_no - 1]
        base = -r
        peak = max(layer.counts) or 1.0
        ys = [base + 0.9 * c / peak for c in layer.counts]
        shade = color(0) if layer.nonfinite == 0 else BAD
        about = f"std {_std_words(layer)}, flat units {percent(layer.flat, 0)}"
        if layer.nonfinite > 0:
            about += f", {percent(layer.nonfinite, 0)} inf/NaN"
        fig.add_trace(
            go.Scatter(
                x=[centres[0], *centres, centres[-1]],
                y=[base, *ys, base],
                mode="lines",
                line={"color": shade, "width": 1.2, "shape": "spline", "smoothing": 0.5},
                fill="toself",
                fillcolor=rgba(shade, 0.18 + 0.5 * r / max(1, len(rows) - 1)),
                name=_row_label(layer),
                showlegend=False,
                customdata=[
                    [number(x, 3), percent(c, 1)]
                    for x, c in zip(
                        [centres[0], *centres, centres[-1]], [0.0, *layer.counts, 0.0], strict=True
                    )
                ],
                hovertemplate=f"{_row_label(layer)}<br>h ≈ %{{customdata[0]}}: "
                f"%{{customdata[1]}} of values<br>{about}<extra></extra>",
            )
        )
    fig.update_yaxes(
        tickvals=[-r for r in range(len(rows))],
        ticktext=[_row_label(study.layers[n - 1]) for n in rows],
        showgrid=False,
        zeroline=False,
    )
    fig.update_xaxes(
        title_text="activation value h = f(z)  (shared bins)", range=[edges[0], edges[-1]]
    )
    title = "Distribution of activations, layer by layer"
    if len(rows) < len(study.layers):
        title += f" (every {math.ceil(len(study.layers) / len(rows))}th layer)"
    height = height or max(380, 60 + 26 * len(rows))
    return styled(fig, title=title, height=height, margin={**AXES, "l": 60})  # as drawn: AXES


def _std_words(layer: LayerStats) -> str:
    """A layer's activation std as text ("overflow" when its activations did)."""
    return "overflow" if layer.nonfinite > 0 else number(layer.std, 3)


def std_status(layer: LayerStats) -> str | None:
    """Why a layer's activation std cannot sit on a log axis: "overflow", "zero", or None."""
    if layer.nonfinite > 0 or not math.isfinite(layer.std):
        return "overflow"
    return "zero" if layer.std <= 0 else None


def grad_status(layer: LayerStats) -> str | None:
    """Why a layer's gradient norm cannot sit on a log axis: "overflow", "zero", or None."""
    if not math.isfinite(layer.grad_norm):
        return "overflow"
    return "zero" if layer.grad_norm <= 0 else None


def gaps(
    study: DepthStudy, status: Callable[[LayerStats], str | None]
) -> list[tuple[int, int, str]]:
    """Runs ``(first, last, reason)`` of consecutive layers that ``status`` says are not drawn."""
    runs: list[tuple[int, int, str]] = []
    for layer in study.layers:
        reason = status(layer)
        if reason is None:
            continue
        if runs and runs[-1][1] == layer.index - 1 and runs[-1][2] == reason:
            runs[-1] = (runs[-1][0], layer.index, reason)
        else:
            runs.append((layer.index, layer.index, reason))
    return runs


def gap_note(study: DepthStudy) -> str:
    """A short note for a legend entry whose curve has gaps (empty when it has none)."""
    depth = study.config.depth
    if study.overflow_layer is not None:
        return f"overflow at {where(study.overflow_layer, depth)}"
    if study.grad_overflow_layer is not None:
        return f"gradient overflow at layer {study.grad_overflow_layer}"
    if study.grad_vanished_layer is not None:
        return f"gradient 0 up to layer {study.grad_vanished_layer}"
    if study.collapsed_layer is not None:
        return f"std 0 from layer {study.collapsed_layer}"
    return ""


def depth_profile_figure(
    studies: Mapping[str, DepthStudy], current: str, *, height: int = 400
) -> go.Figure:
    """Two log-scale panels against depth: std of the activations and ||dL/dW_l||_F per layer.

    Values a log axis cannot show (inf/NaN, exactly 0) leave a gap; the current study's gaps are
    shaded and labelled, and another study's legend entry says where its curve stops.
    """
    fig = make_subplots(
        rows=1,
        cols=2,
        horizontal_spacing=0.1,
        subplot_titles=("Std of activations h per layer", "Weight-gradient norm ‖∂L/∂W‖ per layer"),
    )
    for i, (label, study) in enumerate(studies.items()):
        main = label == current
        shade = color(0) if main else color(i + 1)
        note = "" if main else gap_note(study)
        name = f"{label} ({note})" if note else label
        style = {
            "mode": "lines+markers" if main else "lines",
            "line": {"color": shade, "width": 3 if main else 1.6, "dash": None if main else "dot"},
            "marker": {"size": 5},
            "legendgroup": label,
            "opacity": 1.0 if main else 0.75,
        }
        layers = [layer.index for layer in study.layers]
        for col, status, value, what in (
            (1, std_status, lambda layer: layer.std, "std"),
            (2, grad_status, lambda layer: layer.grad_norm, "‖∂L/∂W‖"),
        ):
            ys = [None if status(layer) else value(layer) for layer in study.layers]
            fig.add_trace(
                go.Scatter(
                    x=layers,
                    y=ys,
                    name=name,
                    showlegend=col == 1,
                    **style,
                    hovertemplate=f"{label}<br>layer %{{x}}: {what} %{{y:.3g}}<extra></extra>",
                ),
                row=1,
                col=col,
            )
        if main:
            _mark_gaps(fig, study)
    fig.update_yaxes(type="log", exponentformat="power")
    fig.update_xaxes(title_text="layer (1 = next to the input)")
    fig = styled(fig, height=height)
    fig.update_layout(
        margin={"t": 40, "b": 100},
        legend={"orientation": "h", "yanchor": "top", "y": -0.2, "xanchor": "center", "x": 0.5},
    )
    return fig


GAP_WORDS = {
    1: {"overflow": "overflow to inf / NaN", "zero": "std 0: all units equal"},
    2: {"overflow": "overflow to inf / NaN", "zero": f"gradient 0 (below {number(UNDERFLOW, 2)})"},
}
"""The label of a shaded gap, per panel (1: activation std, 2: gradient norm) and reason."""


def _mark_gaps(fig: go.Figure, study: DepthStudy) -> None:
    """Shade and label each run of layers a panel cannot draw (inf/NaN, or exactly 0)."""
    for col, status in ((1, std_status), (2, grad_status)):
        for first, last, reason in gaps(study, status):
            fig.add_vrect(
                x0=first - 0.5,
                x1=last + 0.5,
                fillcolor=NEUTRAL if reason == "overflow" else color(5),
                opacity=0.15,
                line_width=0,
                row=1,
                col=col,
            )
            fig.add_annotation(
                x=(first + last) / 2,
                y=0.98,
                xref="x" if col == 1 else "x2",
                yref="y domain" if col == 1 else "y2 domain",
                yanchor="top",
                text=GAP_WORDS[col][reason],
                showarrow=False,
                font={"color": BAD if reason == "overflow" else NEUTRAL, "size": 11},
            )
