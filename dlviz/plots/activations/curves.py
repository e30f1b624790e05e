"""Figures of one activation and of several: f above f' with flat regions and the probe, overlays.

Builders take results from dlviz.activations (tensors) and return plotly figures styled with
dlviz.plots.style; they compute nothing but layout. Hover templates print exact numbers. The
probe's dot (``PROBE_MARKER``, ``probe_points``), the shaded ``band`` and ``LABEL_BG`` are shared
with the Loss page's figures. Each figure is assembled from plain dicts in one ``go.Figure(...)``
call: plotly's ``add_vrect``/``add_annotation`` re-validate the whole layout on every call and
would cost a slider move hundreds of milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from dlviz.activations import CurveResult
from dlviz.display import fixed, number
from dlviz.metrics import as_numpy
from dlviz.plots.style import AXES, BAD, INK, LABEL_BG, NEUTRAL, SHADE, color, styled, vline

PROBE_MARKER = {"size": 12, "color": INK, "line": {"color": "white", "width": 2}}
"""The probe's dot: dark with a white rim, on the Activations and the Loss figures alike."""


def band(x0: float, x1: float, xref: str = "x") -> dict:
    """A shaded vertical band (below the traces) across the whole height of the plotting area."""
    return {
        "type": "rect",
        "x0": x0,
        "x1": x1,
        "xref": xref,
        "y0": 0,
        "y1": 1,
        "yref": "paper",
        "fillcolor": SHADE,
        "line": {"width": 0},
        "layer": "below",
    }


def probe_points(
    x: Sequence[float],
    y: Sequence[float],
    hovertemplate: str,
    marker: dict | None = None,
    **trace: str,
) -> go.Scatter:
    """The probe as dots without a legend entry (``PROBE_MARKER`` unless ``marker``)."""
    return go.Scatter(
        x=x,
        y=y,
        mode="markers",
        showlegend=False,
        marker=PROBE_MARKER if marker is None else marker,
        hovertemplate=hovertemplate,
        **trace,
    )


def activation_figure(result: CurveResult, label: str) -> go.Figure:
    """f(x) above f'(x) on a shared x axis, flat regions shaded and named, the probe marked."""
    x = as_numpy(result.x)
    px, pf, pdf = result.probe_x, result.probe_f, result.probe_df
    data = [
        go.Scatter(
            x=x,
            y=as_numpy(result.f),
            name=f"{label}  f(x)",
            line={"color": color(0), "width": 3},
            hovertemplate="x = %{x:.3f}<br>f(x) = %{y:.6f}<extra></extra>",
        ),
        go.Scatter(
            x=x,
            y=as_numpy(result.df),
            name="f′(x)  from torch.autograd",
            xaxis="x2",
            yaxis="y2",
            line={"color": color(1), "width": 2.5},
            hovertemplate="x = %{x:.3f}<br>f′(x) = %{y:.6f}<extra></extra>",
        ),
        probe_points(
            [px], [pf], f"probe x = {fixed(px, 3)}<br>f(x) = {number(pf, 6)}<extra></extra>"
        ),
        probe_points(
            [px],
            [pdf],
            f"probe x = {fixed(px, 3)}<br>f′(x) = {number(pdf, 6)}<extra></extra>",
            xaxis="x2",
            yaxis="y2",
        ),
    ]
    shapes = [band(r.start, r.end) for r in result.regions] + [vline(px)]
    lo, hi = float(x[0]), float(x[-1])
    x_text, x_frac = fixed(px, 2), (px - lo) / (hi - lo)
    annotations = [
        _probe_label(px, pf, f"f({x_text}) = {number(pf)}", result.f, "", x_frac),
        _probe_label(px, pdf, f"f′({x_text}) = {number(pdf)}", result.df, "2", x_frac),
    ]
    for region in result.regions:
        interior = lo < region.start and region.end < hi
        annotations.append(
            {
                # a narrow interior band is labelled on its left, above the derivative's zero
                "x": region.start if interior else (region.start + region.end) / 2,
                "xanchor": "right" if interior else "center",
                "xref": "x",
                "showarrow": False,
                "y": 0.4 if interior else 0.97,
                "yref": "y2 domain" if interior else "y domain",
                "text": f"<b>{region.name}</b><br>|f′| < 0.01",
                "font": {"size": 11, "color": BAD},
                "bgcolor": LABEL_BG,
            }
        )
    layout = {
        "xaxis": {"anchor": "y", "matches": "x2", "showticklabels": False, "range": [lo, hi]},
        "yaxis": {"domain": [0.45, 1.0], "title": {"text": "f(x)"}},
        "xaxis2": {"anchor": "y2", "title": {"text": "x"}, "range": [lo, hi]},
        "yaxis2": {
            "domain": [0.0, 0.38],
            "title": {"text": "f′(x)"},
            "zeroline": True,
            "zerolinecolor": NEUTRAL,
        },
        "shapes": shapes,
        "annotations": annotations,
        "hovermode": "x",
    }
    return styled(go.Figure(data=data, layout=layout), height=560, margin=AXES)


def _probe_label(x: float, y: float, text: str, ys, axis: str, x_frac: float) -> dict:
    """An arrowed label at the probe, pushed away from the plot's nearest edges."""
    y_min, y_max = float(ys.min()), float(ys.max())
    y_frac = (y - y_min) / (y_max - y_min) if y_max > y_min else 0.5
    return {
        "x": x,
        "y": y,
        "xref": f"x{axis}",
        "yref": f"y{axis}",
        "text": text,
        "arrowhead": 0,
        "ax": -55 if x_frac > 0.7 else 45,
        "ay": 32 if y_frac > 0.75 else -30,
        "bgcolor": LABEL_BG,
    }


def compare_figure(
    curves: Sequence[tuple[str, object, object]], derivative: bool, probe: float | None = None
) -> go.Figure:
    """Several activations (or their derivatives) overlaid: ``curves`` is (label, x, y) tensors."""
    what = "f′(x)" if derivative else "f(x)"
    data = [
        go.Scatter(
            x=as_numpy(x),
            y=as_numpy(y),
            name=label,
            line={"color": color(i), "width": 2.5},
            hovertemplate=f"{label}: {what} = %{{y:.5f}}<extra></extra>",
        )
        for i, (label, x, y) in enumerate(curves)
    ]
    shapes, annotations = [], []
    if derivative:
        shapes.append(
            {
                "type": "rect",
                "x0": 0,
                "x1": 1,
                "xref": "paper",
                "y0": -0.01,
                "y1": 0.01,
                "yref": "y",
                "fillcolor": SHADE,
                "line": {"width": 0},
                "layer": "below",
            }
        )
        annotations.append(
            {
                "x": 0.01,
                "xref": "paper",
                "y": 0.0,
                "yref": "y",
                "text": "|f′| < 0.01",
                "showarrow": False,
                "yshift": 12,
                "xanchor": "left",
                "font": {"size": 11, "color": BAD},
            }
        )
    if probe is not None:
        shapes.append(vline(probe))
    layout = {
        "hovermode": "x unified",
        "xaxis": {"title": {"text": "x"}},
        "yaxis": {"title": {"text": what}},
        "shapes": shapes,
        "annotations": annotations,
    }
    return styled(go.Figure(data=data, layout=layout), height=480, margin=AXES)
