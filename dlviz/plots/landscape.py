"""Figures of a loss landscape: the initial -> trained line, and the plane as contour and surface.

Builders take a ``dlviz.landscape.Landscape`` and return plotly figures. Non-finite losses are
drawn as gaps; ``log`` plots log10 of the loss, which opens up the valley around the minimum.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dlviz.display import number, percent
from dlviz.landscape import Landscape
from dlviz.plots.style import BAD, GOOD, LABEL_BG, NEUTRAL, SEQUENTIAL, color, styled


def _one(v: float, log: bool = False) -> float | None:
    """A value plotly can draw: None for inf/NaN (and for v <= 0 on a log scale)."""
    if not math.isfinite(v) or (log and v <= 0):
        return None
    return math.log10(v) if log else v


def _values(t, log: bool = False) -> list:
    """A 1-D or 2-D tensor as (nested) lists through ``_one``."""
    data = t.tolist()
    if data and isinstance(data[0], list):
        return [[_one(v, log) for v in row] for row in data]
    return [_one(v, log) for v in data]


def _z_label(log: bool) -> str:
    return "log10(loss)" if log else "loss"


def _plane(land: Landscape, log: bool, hover: str = "") -> dict:
    """What the contour and the surface share: the grid, its heights, colours and hover text."""
    c = land.coords.tolist()
    return {
        "x": c,
        "y": c,
        "z": _values(land.plane_loss, log),
        "colorscale": SEQUENTIAL,
        "colorbar": {"title": {"text": _z_label(log)}},
        "hovertemplate": f"a = %{{x:.2f}}, b = %{{y:.2f}}<br>{_z_label(log)} %{{z:.4f}}{hover}"
        "<extra></extra>",
    }


def landscape_line_figure(land: Landscape, *, height: int = 380) -> go.Figure:
    """Loss and accuracy along theta(t) = theta_0 + t (theta_1 - theta_0); t = 0, 1 marked."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    t = land.line_t.tolist()
    fig.add_trace(
        go.Scatter(
            x=t,
            y=_values(land.line_loss),
            name="test loss",
            mode="lines+markers",
            line={"color": color(0), "width": 3},
            marker={"size": 5},
            hovertemplate="t = %{x:.2f}<br>loss %{y:.4f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=t,
            y=_values(land.line_acc * 100),
            name="test accuracy",
            mode="lines",
            line={"color": color(2), "width": 2, "dash": "dot"},
            hovertemplate="t = %{x:.2f}<br>accuracy %{y:.1f}%<extra></extra>",
        ),
        secondary_y=True,
    )
    for where, label, shade in ((0.0, "initial weights", NEUTRAL), (1.0, "trained weights", GOOD)):
        loss = land.line_loss[t.index(where)].item()
        fig.add_trace(
            go.Scatter(
                x=[where],
                y=[loss if math.isfinite(loss) else None],
                mode="markers+text",
                marker={
                    "size": 13,
                    "color": shade,
                    "symbol": "diamond",
                    "line": {"width": 1, "color": "white"},
                },
                text=[label],
                textposition="top center",
                showlegend=False,
                hovertemplate=f"{label} (t = {where:g})<br>loss %{{y:.4f}}<extra></extra>",
            )
        )
    fig.update_xaxes(title_text="t   (0 = initial weights θ₀, 1 = trained weights θ₁)")
    fig.update_yaxes(
        title_text="cross-entropy on test images", rangemode="tozero", secondary_y=False
    )
    fig.update_yaxes(
        title_text="accuracy (%)",
        range=[0, 105],
        tickvals=[0, 20, 40, 60, 80, 100],
        showgrid=False,
        secondary_y=True,
    )
    fig = styled(
        fig, title="1-D: the straight line from the initial to the trained weights", height=height
    )
    fig.update_layout(
        legend={
            "orientation": "v",
            "yanchor": "middle",
            "y": 0.5,
            "xanchor": "right",
            "x": 0.9,
            "bgcolor": LABEL_BG,
        }
    )
    return fig


def landscape_contour_figure(land: Landscape, *, log: bool = False, height: int = 480) -> go.Figure:
    """Contour of the loss over the plane theta_1 + a d_1 + b d_2, the trained weights at (0, 0)."""
    fig = go.Figure(
        go.Contour(
            **_plane(land, log, hover="<br>accuracy %{customdata:.1f}%"),
            ncontours=24,
            contours={"showlabels": True, "labelfont": {"size": 10, "color": "white"}},
            customdata=(land.plane_acc * 100).tolist(),
        )
    )
    fig.add_trace(_trained_marker_2d(land))
    fig.update_xaxes(title_text="a  (along random direction d₁)", constrain="domain")
    fig.update_yaxes(title_text="b  (along d₂)", scaleanchor="x", scaleratio=1)
    return styled(fig, title="2-D contour around the trained weights", height=height)


def _trained_marker_2d(land: Landscape) -> go.Scatter:
    return go.Scatter(
        x=[0.0],
        y=[0.0],
        mode="markers+text",
        text=["trained"],
        textposition="top right",
        textfont={"color": "white"},
        marker={"size": 14, "color": BAD, "symbol": "x", "line": {"width": 2, "color": "white"}},
        name="trained weights",
        showlegend=False,
        hovertemplate=f"trained weights<br>loss {number(land.trained_loss, 4)}<br>"
        f"accuracy {percent(land.trained_acc)}<extra></extra>",
    )


def landscape_surface_figure(land: Landscape, *, log: bool = False, height: int = 520) -> go.Figure:
    """The same plane as a 3-D surface, with the trained weights as a red point on it."""
    centre = _one(land.centre_loss, log)
    fig = go.Figure(
        go.Surface(
            **_plane(land, log),
            contours={"z": {"show": True, "usecolormap": True, "project": {"z": True}, "width": 1}},
        )
    )
    fig.add_trace(
        go.Scatter3d(
            x=[0.0],
            y=[0.0],
            z=[centre],
            mode="markers+text",
            text=["trained"],
            marker={"size": 6, "color": BAD},
            showlegend=False,
            hovertemplate=f"trained weights<br>loss {number(land.trained_loss, 4)}<extra></extra>",
        )
    )
    fig.update_layout(
        scene={
            "xaxis_title": "a (d₁)",
            "yaxis_title": "b (d₂)",
            "zaxis_title": _z_label(log),
            "camera": {"eye": {"x": 1.5, "y": -1.5, "z": 0.9}},
            "aspectmode": "manual",
            "aspectratio": {"x": 1, "y": 1, "z": 0.6},
        }
    )
    fig = styled(fig, title="2-D surface: the loss as height", height=height)
    fig.update_layout(margin={"l": 0, "r": 0, "b": 0})
    return fig
