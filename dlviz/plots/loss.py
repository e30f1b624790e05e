"""Figures for the Loss page: the -log p curve, MSE against cross-entropy, softmax CE bars.

Builders take results from dlviz.loss and only lay them out (dlviz.plots.style for the look);
every hover prints exact values so a learner can read the numbers off the picture. Figures are
assembled from plain dicts in one ``go.Figure`` call (fast enough for every slider move).
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from dlviz.display import fixed, number, signed
from dlviz.loss import CECurve, SigmoidComparison, SoftmaxCE
from dlviz.metrics import as_numpy
from dlviz.plots.activations import LABEL_BG, PROBE_MARKER, band, probe_points
from dlviz.plots.style import AXES, BAD, GOOD, INK, NEUTRAL, color, styled, vline


def _title(text: str, x: float) -> dict:
    """A panel title placed above a subplot (paper coordinates)."""
    return {
        "text": f"<b>{text}</b>",
        "x": x,
        "y": 1.0,
        "xref": "paper",
        "yref": "paper",
        "xanchor": "center",
        "yanchor": "bottom",
        "showarrow": False,
        "font": {"size": 13},
    }


def cross_entropy_figure(curve: CECurve, show_y0: bool = True) -> go.Figure:
    """-log p (true label 1) and -log(1 - p) (label 0) against p, with the probe and its tangent."""
    p = as_numpy(curve.p)
    pp, pl, pg = curve.probe_p, curve.probe_loss, curve.probe_grad
    data = [
        go.Scatter(
            x=p,
            y=as_numpy(curve.loss_y1),
            name="y = 1:  −log p",
            line={"color": color(0), "width": 3},
            hovertemplate="p = %{x:.3f}<br>−log p = %{y:.4f}<extra>y = 1</extra>",
        )
    ]
    if show_y0:
        data.append(
            go.Scatter(
                x=p,
                y=as_numpy(curve.loss_y0),
                name="y = 0:  −log(1 − p)",
                line={"color": color(1), "width": 2.5, "dash": "dash"},
                hovertemplate="p = %{x:.3f}<br>−log(1 − p) = %{y:.4f}<extra>y = 0</extra>",
            )
        )
    half = min(0.08, pp)  # a short tangent segment of slope dL/dp = -1/p
    data += [
        go.Scatter(
            x=[pp - half, pp + half],
            y=[pl - pg * half, pl + pg * half],
            mode="lines",
            name=f"tangent: slope dL/dp = {number(pg)}",
            line={"color": NEUTRAL, "width": 2},
            hoverinfo="skip",
        ),
        probe_points(
            [pp],
            [pl],
            "p = %{x:.4f}<br>loss = %{y:.6f}<extra>probe</extra>",
            marker={**PROBE_MARKER, "size": 13},
        ),
    ]
    layout = {
        "xaxis": {"title": {"text": "p = probability given to the true class"}, "range": [0, 1.02]},
        "yaxis": {"title": {"text": "loss (nats)"}, "range": [0, 7]},
        "hovermode": "closest",
        "annotations": [
            {
                "x": pp,
                "y": min(pl, 6.8),
                "text": f"p = {number(pp, 3)}  →  loss {number(pl)}",
                "ax": 60,
                "ay": -40,
                "arrowhead": 0,
                "bgcolor": LABEL_BG,
            }
        ],
    }
    return styled(go.Figure(data=data, layout=layout), height=460, margin=AXES)


def mse_vs_ce_figure(cmp: SigmoidComparison) -> go.Figure:
    """Side by side: MSE and BCE against the logit z, and their gradients d/dz; mistakes shaded."""
    g, y = cmp.grid, cmp.grid.y
    z, p = as_numpy(g.z), as_numpy(g.p)
    series = (
        ("MSE", "MSE  (σ(z) − y)²", g.mse, g.dmse_dz, color(1), "dash", 2.5),
        ("CE", "cross-entropy", g.bce, g.dbce_dz, color(0), "solid", 3),
    )
    data = []
    for short, name, loss, grad, c, dash, width in series:
        for axis, values, what in (("", loss, "loss"), ("2", grad, "∂/∂z")):
            data.append(
                go.Scatter(
                    x=z,
                    y=as_numpy(values),
                    customdata=p,
                    name=name,
                    legendgroup=short,
                    showlegend=axis == "",
                    xaxis=f"x{axis}",
                    yaxis=f"y{axis}",
                    line={"color": c, "width": width, "dash": dash},
                    hovertemplate=(
                        f"z = %{{x:.2f}}, p = %{{customdata:.4f}}<br>{what} = %{{y:.5f}}"
                        f"<extra>{short}</extra>"
                    ),
                )
            )
    pr = cmp.probe
    pz = float(pr.z[0])
    for axis, a, b in (("", pr.mse, pr.bce), ("2", pr.dmse_dz, pr.dbce_dz)):
        data.append(
            probe_points(
                [pz, pz],
                [float(a[0]), float(b[0])],
                "probe z = %{x:.2f}<br>%{y:.6f}<extra>probe</extra>",
                marker={**PROBE_MARKER, "color": [color(1), color(0)]},
                xaxis=f"x{axis}",
                yaxis=f"y{axis}",
            )
        )
    shapes = [vline(pz, "x"), vline(pz, "x2")]
    annotations = [
        _title("loss against the logit z", 0.225),
        _title("gradient ∂loss/∂z: what training feels", 0.775),
    ]
    if cmp.mistake:
        lo, hi = cmp.mistake
        shapes += [band(lo, hi, axis) for axis in ("x", "x2")]
        annotations.append(
            {
                "x": (lo + hi) / 2,
                "y": 0.35,
                "xref": "x",
                "yref": "y domain",
                "bgcolor": LABEL_BG,
                "showarrow": False,
                "text": f"<b>confident<br>mistake</b><br>|p − y| > 0.9<br>(y = {y:g})",
                "font": {"size": 11, "color": BAD},
            }
        )
    axis_style = {"zeroline": True, "zerolinecolor": NEUTRAL}
    layout = {
        "xaxis": {"domain": [0, 0.45], "anchor": "y", "title": {"text": "logit z  (p = σ(z))"}},
        "xaxis2": {"domain": [0.55, 1], "anchor": "y2", "title": {"text": "logit z  (p = σ(z))"}},
        "yaxis": {"anchor": "x", **axis_style},
        "yaxis2": {"anchor": "x2", **axis_style},
        "shapes": shapes,
        "annotations": annotations,
        "hovermode": "x",
    }
    fig = styled(go.Figure(data=data, layout=layout), height=440)
    fig.update_layout(margin={"t": 70}, legend={"y": 1.1})
    return fig


def softmax_ce_figure(res: SoftmaxCE, labels: Sequence[str]) -> go.Figure:
    """Left: p against the one-hot target per class. Right: the gradient p − y as signed bars."""
    labels = list(labels)
    probs, target, grad = as_numpy(res.probs), as_numpy(res.one_hot), as_numpy(res.grad)
    verdict = [
        "gradient descent raises this logit" if v < 0 else "gradient descent lowers this logit"
        for v in grad
    ]
    data = [
        go.Bar(
            x=labels,
            y=probs,
            name="p = softmax(z)",
            marker_color=color(0),
            customdata=[[number(z), number(p, 6)] for z, p in zip(res.logits, probs, strict=True)],
            text=[fixed(v, 3) for v in probs],  # a tiny p reads 1e-05, not 0.000
            textposition="outside",
            hovertemplate="%{x}<br>z = %{customdata[0]}<br>p = %{customdata[1]}<extra></extra>",
        ),
        go.Bar(
            x=labels,
            y=target,
            name="y: one-hot target",
            marker={"color": "rgba(0,0,0,0)", "line": {"color": INK, "width": 2}},
            hovertemplate="%{x}<br>y = %{y:.0f}<extra></extra>",
        ),
        go.Bar(
            x=labels,
            y=grad,
            name="p − y",
            xaxis="x2",
            yaxis="y2",
            showlegend=False,
            marker_color=[GOOD if v < 0 else BAD for v in grad],
            customdata=[[signed(number(v, 6)), why] for v, why in zip(grad, verdict, strict=True)],
            text=[signed(fixed(v, 3)) for v in grad],  # never "-0.000" for a tiny gradient
            textposition="outside",
            hovertemplate="%{x}<br>∂L/∂z = %{customdata[0]}<br>%{customdata[1]}<extra></extra>",
        ),
    ]
    layout = {
        "xaxis": {"domain": [0, 0.45], "anchor": "y"},
        "xaxis2": {"domain": [0.55, 1], "anchor": "y2"},
        "yaxis": {"anchor": "x", "range": [0, 1.18], "title": {"text": "probability"}},
        "yaxis2": {
            "anchor": "x2",
            "range": [-1.18, 1.18],
            "zeroline": True,
            "zerolinecolor": NEUTRAL,
            "title": {"text": "∂L/∂z"},
        },
        "annotations": [
            _title("softmax p against the one-hot target y", 0.225),
            _title("gradient ∂L/∂z = p − y", 0.775),
        ],
        "barmode": "overlay",
        "bargap": 0.35,
    }
    fig = styled(go.Figure(data=data, layout=layout), height=420)
    fig.update_layout(margin={"t": 70}, legend={"y": 1.1})
    return fig
