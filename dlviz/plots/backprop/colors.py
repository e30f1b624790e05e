"""The colours of the computation-graph figure, for a light and for a dark page.

A value box is filled by its gradient: the sign picks the hue (vermilion +, blue -), the size the
depth, mixed into the page's background (white on a light page, near-black on a dark one), so a
small gradient reads as a faint box and a large one as a deep one on either page; the text in the
boxes is the page's ink. Grey boxes are the ones the backward pass has not reached yet.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

POSITIVE = "#E4572E"  # vermilion: grad > 0 (increasing this value increases the output)
NEGATIVE = "#2E86DE"  # blue: grad < 0


@dataclass(frozen=True)
class Colors:
    """Every colour the figure uses, for one page background."""

    paper: str  # the page behind the figure (gradient fills are mixed into it)
    ink: str  # text
    muted: str  # text of a box the backward pass has not reached yet
    unreached: str  # fill of such a box
    outline: str  # box and pill borders
    edge: str  # edges and their arrowheads
    op_fill: str  # operation pills
    constant: str  # plain numbers (constants)
    highlight: str  # the current box, and the ops and edges its gradient came back through
    control: str  # the step buttons' and slider's fill
    control_line: str  # their border and the slider's ticks


LIGHT = Colors(
    paper="#FFFFFF",
    ink="#1F2333",
    muted="#8A8F9C",
    unreached="#EEF0F3",
    outline="#5B6170",
    edge="#9AA0AE",
    op_fill="#F4F4FB",
    constant="#6B7280",
    highlight="#4F46E5",
    control="#F3F4F8",
    control_line="#C9CED8",
)
DARK = Colors(
    paper="#0E1117",
    ink="#ECEEF4",
    muted="#80869A",
    unreached="#23262F",
    outline="#9AA0AE",
    edge="#6E7485",
    op_fill="#1B1E27",
    constant="#A3A9B8",
    highlight="#A5B4FC",
    control="#262730",
    control_line="#4B5060",
)
UNREACHED = LIGHT.unreached


def colors_for(dark: bool) -> Colors:
    """The colours for a dark or a light page."""
    return DARK if dark else LIGHT


def mix(color: str, base: str, amount: float) -> str:
    """``amount`` of ``color`` over ``base`` (0 = base, 1 = the colour), both ``'#RRGGBB'``."""
    pairs = ((int(color[i : i + 2], 16), int(base[i : i + 2], 16)) for i in (1, 3, 5))
    return "#{:02X}{:02X}{:02X}".format(*(round(y + (x - y) * amount) for x, y in pairs))


def grad_color(grad: float, scale: float, colors: Colors = LIGHT) -> str:
    """Fill for a gradient: sign picks the hue, sqrt(|grad| / scale) the depth (paper at 0)."""
    if scale <= 0 or grad == 0 or not math.isfinite(grad):
        return colors.paper
    t = 0.12 + 0.68 * math.sqrt(min(abs(grad) / scale, 1.0))
    return mix(POSITIVE if grad > 0 else NEGATIVE, colors.paper, t)
