"""Figures for the Activations page: curve and derivative with flat regions, overlays, softmax.

Builders take results from dlviz.activations (tensors) and return plotly figures styled with
dlviz.plots.style; they compute nothing but layout. Hover templates print exact numbers.
Each figure is assembled from plain dicts in one ``go.Figure(...)`` call: plotly's
``add_vrect``/``add_annotation`` re-validate the whole layout on every call and would cost a
slider move hundreds of milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from dlviz.activations import CurveResult, SoftmaxResult, SoftmaxSweep
from dlviz.display import fixed, number
from dlviz.metrics import as_numpy
from dlviz.plots.style import BAD, INK, NEUTRAL, SHADE, color, styled, vline

MARKER = {"size": 12, "color": INK, "line": {"color": "white", "width": 2}}
LABEL_BG = "rgba(255,255,255,0.85)"


def band(x0: float, x1: float) -> dict:
    """A shaded vertical band (below the traces) across the whole plotting area."""
    return {
        "type": "rect",
        "x0": x0,
        "x1": x1,
        "xref": "x",
        "y0": 0,
        "y1": 1,
        "yref": "paper",
        "fillcolor": SHADE,
        "line": {"width": 0},
        "layer": "below",
    }


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
        go.Scatter(
            x=[px],
            y=[pf],
            mode="markers",
            showlegend=False,
            marker=MARKER,
            hovertemplate=f"probe x = {fixed(px, 3)}<br>f(x) = {number(pf, 6)}<extra></extra>",
        ),
        go.Scatter(
            x=[px],
            y=[pdf],
            xaxis="x2",
            yaxis="y2",
            mode="markers",
            showlegend=False,
            marker=MARKER,
            hovertemplate=f"probe x = {fixed(px, 3)}<br>f′(x) = {number(pdf, 6)}<extra></extra>",
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
                "bgcolor": "rgba(255,255,255,0.7)",
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
    return styled(go.Figure(data=data, layout=layout), height=560)


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
    return styled(go.Figure(data=data, layout=layout), height=480)


def softmax_bars_figure(result: SoftmaxResult, labels: Sequence[str]) -> go.Figure:
    """Probabilities as bars, each hover showing the logit, z/T, p and log p."""
    probs, logp = as_numpy(result.probs), as_numpy(result.log_probs)
    t = result.temperature
    custom = [
        [number(z, 4), number(z / t, 4), number(p, 6), number(lp, 6)]
        for z, p, lp in zip(result.logits, probs, logp, strict=True)
    ]
    bar = go.Bar(
        x=list(labels),
        y=probs,
        marker_color=[color(i) for i in range(len(labels))],
        text=[fixed(p, 3) for p in probs],  # a tiny p reads 1e-05, not 0.000
        textposition="outside",
        customdata=custom,
        hovertemplate=(
            "%{x}<br>logit z = %{customdata[0]}<br>z / T = %{customdata[1]}"
            "<br>p = %{customdata[2]}<br>log p = %{customdata[3]}<extra></extra>"
        ),
    )
    layout = {
        "yaxis": {"range": [0, 1.12], "title": {"text": "probability p"}},
        "xaxis": {"title": {"text": "class"}},
    }
    title = f"softmax(z / T) at T = {result.temperature:g}:  Σp = {probs.sum():.6f}"
    return styled(go.Figure(data=[bar], layout=layout), title=title, height=400)


def softmax_sweep_figure(
    sweep: SoftmaxSweep, current: float, label: str, temperature: float
) -> go.Figure:
    """p_k against its own logit z_k (others fixed), its autograd derivative and the current z_k."""
    x = as_numpy(sweep.x)
    i = int(abs(sweep.x - current).argmin())
    data = [
        go.Scatter(
            x=x,
            y=as_numpy(sweep.p),
            name=f"p({label})",
            line={"color": color(0), "width": 3},
            hovertemplate="p = %{y:.6f}<extra></extra>",
        ),
        go.Scatter(
            x=x,
            y=as_numpy(sweep.dp),
            name="∂p/∂z from autograd",
            yaxis="y2",
            line={"color": color(1), "width": 2, "dash": "dash"},
            hovertemplate="∂p/∂z = %{y:.6f}<extra></extra>",
        ),
        go.Scatter(
            x=[current],
            y=[float(sweep.p[i])],
            mode="markers",
            name="now",
            marker=MARKER,
            hovertemplate=f"current z = {number(current)}<br>p = {number(float(sweep.p[i]), 6)}"
            "<extra></extra>",
        ),
    ]
    top = 1.08 / (4 * temperature)  # max of ∂p/∂z is 1/(4T): both axes share their zero
    layout = {
        "xaxis": {
            "title": {
                "text": f"logit of {label}, others fixed  (dotted: c = {number(sweep.center)}, p = ½)"
            }
        },
        "yaxis": {"title": {"text": "p"}, "range": [-0.02, 1.08]},
        "yaxis2": {
            "title": {"text": "∂p/∂z"},
            "overlaying": "y",
            "side": "right",
            "range": [-0.02 * top / 1.08, top],
            "showgrid": False,
        },
        "shapes": [vline(sweep.center, color=NEUTRAL)],
        "hovermode": "x unified",
    }
    fig = styled(go.Figure(data=data, layout=layout), height=400)
    fig.update_layout(margin={"r": 60})
    return fig


def softmax_jacobian_figure(result: SoftmaxResult, labels: Sequence[str]) -> go.Figure:
    """Heatmap of ∂p_i/∂z_j with every value printed in its cell."""
    jac = as_numpy(result.jacobian)
    bound = max(float(abs(jac).max()), 1e-12)
    heat = go.Heatmap(
        z=jac,
        x=list(labels),
        y=list(labels),
        colorscale="RdBu",
        zmid=0,
        zmin=-bound,
        zmax=bound,
        # dlviz.display: a coloured cell of 4e-4 reads 0.0004, not 0.000; an exact zero reads 0
        text=[[fixed(v, 3) for v in row] for row in jac.tolist()],
        texttemplate="%{text}",
        customdata=[[number(v, 6) for v in row] for row in jac.tolist()],
        colorbar={"thickness": 12},
        hovertemplate="∂p(%{y}) / ∂z(%{x}) = %{customdata}<extra></extra>",
    )
    layout = {
        "xaxis": {"title": {"text": "logit z_j"}},
        "yaxis": {"title": {"text": "probability p_i"}, "autorange": "reversed"},
    }
    return styled(go.Figure(data=[heat], layout=layout), title="Jacobian ∂p_i / ∂z_j", height=400)
