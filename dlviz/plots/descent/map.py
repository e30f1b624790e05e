"""The learning-rate x momentum convergence map as a plotly heatmap.

Cells are coloured by how many steps a run needed to settle within the tolerance of a minimum (or
by its final loss); diverged runs show the red background, runs that never settled are grey. The
numbers come from ``dlviz.descent.convergence_map``; this module only draws them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from dlviz.descent.convergence import ConvergenceMap
from dlviz.display import number
from dlviz.plots.style import NEUTRAL, styled


def convergence_map_figure(
    cmap: ConvergenceMap,
    metric: str = "steps",
    current: tuple[float, float] | None = None,
    stability: Sequence[tuple[float, float]] | None = None,
    momentum_label: str = "momentum",
    height: int = 480,
) -> go.Figure:
    """Heatmap over log10 lr (x) and momentum (y): steps to settle, or log10 of the final loss."""
    x = np.log10(cmap.lrs)
    y = np.arange(len(cmap.momenta))
    lr_txt = np.broadcast_to([f"{v:.3g}" for v in cmap.lrs], cmap.final_loss.shape)
    m_txt = np.broadcast_to([[f"{v:.3g}"] for v in cmap.momenta], cmap.final_loss.shape)
    settled = np.isfinite(cmap.steps_to_converge)
    outcome = np.where(
        cmap.diverged,
        "diverged",
        np.where(settled, cmap.steps_to_converge.astype(str) + " steps", "did not settle"),
    )
    custom = np.stack(
        [
            lr_txt,
            m_txt,
            outcome,
            np.vectorize(lambda v: number(v, 3, nan="diverged", inf="diverged"))(cmap.final_loss),
        ],
        axis=-1,
    )
    if metric == "steps":
        zvals = np.where(settled, cmap.steps_to_converge, np.nan)
        title, scale = "steps to settle", "Viridis"
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            zvals = np.log10(np.maximum(cmap.final_loss, 1e-16))
        title, scale = "log₁₀ final loss", "Viridis"
    unsettled = np.where(~settled & ~cmap.diverged, 1.0, np.nan)
    hover = (
        "lr = %{customdata[0]}<br>" + momentum_label + " = %{customdata[1]}"
        "<br>%{customdata[2]}<br>final loss %{customdata[3]}<extra></extra>"
    )
    traces: list[dict] = [
        {
            "type": "heatmap",
            "x": x,
            "y": y,
            "z": zvals,
            "colorscale": scale,
            "customdata": custom,
            "hovertemplate": hover,
            "hoverongaps": False,
            "colorbar": {"title": {"text": title, "side": "right"}, "thickness": 14},
        }
    ]
    if metric == "steps":
        traces.append(
            {
                "type": "heatmap",
                "x": x,
                "y": y,
                "z": unsettled,
                "showscale": False,
                "colorscale": [[0, "#C9CCD6"], [1, "#C9CCD6"]],
                "customdata": custom,
                "hovertemplate": hover,
                "hoverongaps": False,
                "name": "did not settle",
            }
        )
    if stability:
        lx, ly = zip(*stability, strict=True)
        traces.append(
            {
                "type": "scatter",
                "x": np.log10(lx),
                "y": np.interp(ly, cmap.momenta, y),
                "mode": "lines",
                "line": {"color": "white", "width": 2, "dash": "dash"},
                "name": "theory: lr = 2(1+m)/L",
                "hoverinfo": "skip",
            }
        )
    if current is not None:
        lr, m = current
        traces.append(
            {
                "type": "scatter",
                "x": [math.log10(lr)],
                "y": [float(np.interp(m, cmap.momenta, y))],
                "mode": "markers",
                "marker": {
                    "symbol": "star",
                    "size": 16,
                    "color": "#FFD23F",
                    "line": {"width": 1.5, "color": "#1F2333"},
                },
                "name": "your settings",
                "hovertemplate": f"your settings: lr={lr:.3g}, "
                f"{momentum_label}={m:.3g}<extra></extra>",
            }
        )
    half = (x[-1] - x[0]) / (len(x) - 1) / 2 if len(x) > 1 else 0.5  # half a cell
    idx = np.unique(np.linspace(0, len(cmap.momenta) - 1, 7).round().astype(int))
    decades = np.arange(math.floor(x.min()), math.ceil(x.max()) + 1)
    layout = {
        "xaxis": {
            "title": {"text": "learning rate (log scale)"},
            "tickvals": decades,
            "ticktext": [f"1e{d}" for d in decades],
            "range": [x[0] - half, x[-1] + half],
        },
        "yaxis": {
            "title": {"text": momentum_label},
            "tickvals": idx,
            "ticktext": [f"{cmap.momenta[i]:.2f}" for i in idx],
            "range": [-0.5, len(cmap.momenta) - 0.5],
        },
        "plot_bgcolor": "#F6C9C4",  # NaN cells show the background: diverged runs
        "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        "showlegend": True,
    }
    fig = go.Figure({"data": traces, "layout": layout})
    styled(fig, height=height)
    fig.add_annotation(
        text="red = diverged · grey = did not settle" if metric == "steps" else "red = diverged",
        xref="paper",
        yref="paper",
        x=1,
        y=1.02,
        xanchor="right",
        yanchor="bottom",
        showarrow=False,
        font={"size": 11, "color": NEUTRAL},
    )
    return fig
