"""The one shared look of every dlviz figure: palette, fonts, margins and hover style, and the
small helpers every figure module uses (colour mixing, vertical guide lines, fast figures)."""

from __future__ import annotations

import functools
from copy import deepcopy

import plotly.graph_objects as go
from plotly.basedatatypes import convert_to_base64

PALETTE: tuple[str, ...] = (
    "#4F46E5",  # indigo (primary)
    "#E4572E",  # vermilion
    "#17A398",  # teal
    "#F3A712",  # amber
    "#8E44AD",  # purple
    "#2E86DE",  # blue
    "#D6336C",  # pink
    "#6C8E3E",  # olive
    "#7F8C8D",  # grey
    "#A0522D",  # sienna
)
# Right / wrong: a bluish green and a burnt orange, told apart with red-green colour blindness too
# (simulated protanopia / deuteranopia: ΔE 36 / 51, the old #1B9E4B / #D62728 pair 26 / 20;
# tests/unit/test_plot_style.py), and never the only cue: a mark or a word goes with them.
GOOD = "#0F8A6B"
BAD = "#C2410C"
NEUTRAL = "#7F8C8D"
SHADE = "rgba(228, 87, 46, 0.12)"
# Figures follow the learner's light or dark theme: Streamlit's chart theme (st.plotly_chart's
# default theme="streamlit", applied in the browser) sets their background, text and grid, so
# the colours a figure names itself must read on both pages. INK (probes, guide lines, markers,
# a few labels) is a mid grey-blue with 4.2:1 contrast on white and 4.4:1 on the dark theme's
# background; LABEL_BG backs a label whose text takes the theme's colour. No white boxes.
INK = "#737B8E"
LABEL_BG = "rgba(128, 134, 153, 0.22)"
SEQUENTIAL = "Viridis"
FONT = "Inter, -apple-system, Segoe UI, Roboto, sans-serif"


_GRID = "#E6E9F0"
_AXIS = {"gridcolor": _GRID, "linecolor": "#C9CED8", "zerolinecolor": "#C9CED8", "automargin": True}
_SCENE_AXIS = {
    "gridcolor": _GRID,
    "backgroundcolor": "white",
    "showbackground": True,
    "zerolinecolor": "#C9CED8",
}
TEMPLATE_LAYOUT: dict = {
    "paper_bgcolor": "white",
    "plot_bgcolor": "white",
    "font": {"family": FONT, "size": 13, "color": "#1F2333"},
    "colorway": list(PALETTE),
    "hoverlabel": {"font": {"family": FONT}},
    "xaxis": _AXIS,
    "yaxis": _AXIS,
    "scene": {"xaxis": _SCENE_AXIS, "yaxis": _SCENE_AXIS, "zaxis": _SCENE_AXIS},
    "polar": {"angularaxis": {"gridcolor": _GRID}, "radialaxis": {"gridcolor": _GRID}},
}
"""A compact plotly_white look: validating plotly's full template costs ~80 ms per figure."""


@functools.cache
def template() -> go.layout.Template:
    """The dlviz template, built on first use: no plotly object is made when this module is
    imported (plotly validators look pandas up in sys.modules, which must not happen while the
    server's warm-up is still importing pandas)."""
    return go.layout.Template(layout=TEMPLATE_LAYOUT)


def color(i: int) -> str:
    """The i-th palette colour, cycling."""
    return PALETTE[i % len(PALETTE)]


# Margins a figure is drawn with in the browser, set up front. Plotly lays a figure out once,
# then grows its margins to fit tick labels, axis titles and legends (automargin) and, when they
# grew, draws the whole figure again; Streamlit draws a chart from scratch on every change, so a
# slider move paid for two draws (the Playground's decision regions three: 224 -> 71 ms a draw,
# measured in Chromium). These are what Plotly grows the defaults to at desktop widths
# (1280-1920 px), so a figure built with them is laid out once; on a narrow screen the margins
# still grow where they must. tests/e2e/test_margins.py checks the charts that redraw most.
AXES = {"l": 70, "r": 20, "t": 50, "b": 67}
"""x and y axes with titles, a one-row legend above the plot, no figure title."""


def styled(
    fig: go.Figure, *, title: str | None = None, height: int = 420, margin: dict | None = None
) -> go.Figure:
    """Apply the dlviz template (white background, light grid, unified fonts) and return ``fig``;
    ``margin`` (for example ``AXES``) replaces the default margins."""
    fig.update_layout(
        template=template(),
        height=height,
        margin=margin or {"l": 55, "r": 20, "t": 50 if title else 25, "b": 50},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
    )
    if title:
        fig.update_layout(title={"text": title, "x": 0.01, "xanchor": "left"})
    return fig


def rgba(hex_color: str, alpha: float) -> str:
    """``'#RRGGBB'`` with opacity ``alpha`` as a CSS ``rgba(...)`` colour."""
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {min(1.0, alpha):.2f})"


def mix_white(hex_color: str, amount: float) -> str:
    """``amount`` of the colour mixed with white (0 = white, 1 = the colour), as ``'#RRGGBB'``."""
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return "#{:02X}{:02X}{:02X}".format(*(round(255 + (c - 255) * amount) for c in (r, g, b)))


def vline(
    x: float, xref: str = "x", *, color: str = INK, dash: str = "dot", yref: str = "paper"
) -> dict:
    """A vertical guide line at ``x`` across the whole height of the subplot ``xref``."""
    return {
        "type": "line",
        "x0": x,
        "x1": x,
        "xref": xref,
        "y0": 0,
        "y1": 1,
        "yref": yref,
        "line": {"color": color, "width": 1.2, "dash": dash},
    }


class FastFigure(go.Figure):
    """A ``go.Figure`` for big animated figures: built without validation, with its frames kept
    as the plain dicts they were written as, and serialised without copying them.

    Plotly's ``to_dict`` (what ``st.plotly_chart`` calls before encoding) deep-copies every frame,
    which for a 784-frame sliding window took longer than building the figure. Here data and
    layout are still copied (they are small, and a caller may restyle them), the frames are not:
    nothing downstream mutates them. ``frames`` builds plotly's ``go.Frame`` objects only when
    something asks for them.
    """

    _raw_frames: tuple[dict, ...] = ()

    @property
    def frames(self) -> tuple[go.Frame, ...]:
        if self._raw_frames and not self._frame_objs:
            self._frame_objs = tuple(go.Frame(f, _validate=False) for f in self._raw_frames)
        return self._frame_objs

    @frames.setter
    def frames(self, value) -> None:
        self._raw_frames = ()
        go.Figure.frames.fset(self, value)

    def to_dict(self) -> dict:
        if self._frame_objs or not self._raw_frames:
            return super().to_dict()
        result = {"data": deepcopy(self._data), "layout": deepcopy(self._layout)}
        convert_to_base64(result)
        result["frames"] = list(self._raw_frames)
        return result


def fast_figure(data: list[dict], layout: dict, frames: list[dict] | None = None) -> go.Figure:
    """A figure built without plotly's per-property validation (for big, animated figures).

    ``go.Figure(_validate=False)`` skips validation for data and layout but not for frames, and
    validating ~200 animation frames costs about a second per rerun, so frames are kept as dicts
    (``FastFigure``) and become plotly's private ``_frame_objs`` only when read. The unit tests
    check that both still exist and that the result equals a validated figure: a plotly upgrade
    that removes either fails them loudly.
    """
    fig = FastFigure({"data": data, "layout": layout}, _validate=False)
    if frames:
        fig._raw_frames = tuple(frames)
    return fig
