"""Figures of softmax: probabilities as bars, one logit swept (others fixed), the Jacobian.

Builders take results from dlviz.activations.softmax (tensors) and only lay them out
(dlviz.plots.style for the look); every bar label and heatmap cell goes through dlviz.display, so
a tiny non-zero value never reads 0.000.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from dlviz.activations import SoftmaxResult, SoftmaxSweep
from dlviz.display import fixed, number
from dlviz.metrics import as_numpy
from dlviz.plots.activations.curves import PROBE_MARKER
from dlviz.plots.style import AXES, NEUTRAL, color, styled, vline


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
    return styled(go.Figure(data=[bar], layout=layout), title=title, height=400, margin=AXES)


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
            marker=PROBE_MARKER,
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
    # as drawn (the right axis's title, the legend above): see dlviz.plots.style.AXES
    return styled(go.Figure(data=data, layout=layout), height=400, margin={**AXES, "r": 76})


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
    title = "Jacobian ∂p_i / ∂z_j"
    # as drawn (the class names on the y axis, the colour bar): see dlviz.plots.style.AXES
    margin = {"l": 82, "r": 78, "t": 50, "b": 74}
    return styled(go.Figure(data=[heat], layout=layout), title=title, height=400, margin=margin)
