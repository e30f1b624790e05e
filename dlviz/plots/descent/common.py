"""What the gradient-descent figures share: heights, the loss axis, the colour scale, the minima.

``display_height`` and ``loss_gap`` say what the plots show as height and as loss (log views for
surfaces that span decades); ``grid_payload`` packs a grid's heights and hover text for a surface
or contour trace; ``minima_trace`` marks the known minima, in 2-D (the contour panel,
``dlviz.plots.descent.traces``) or 3-D (``dlviz.plots.descent.surface3d``). No figure is built
here, and no number is computed that ``dlviz.descent`` does not already give.
"""

from __future__ import annotations

import numpy as np

from dlviz.descent.surfaces import Surface

Grid = tuple[np.ndarray, np.ndarray, np.ndarray]
SURFACE_SCALE = [
    [0.0, "#FBF8F1"],
    [0.25, "#E9E2D0"],
    [0.5, "#CFC5AE"],
    [0.75, "#A89D86"],
    [1.0, "#6F6656"],
]
LOSS_FLOOR = 1e-16  # f - f* below this is float64 round-off: drawn at the floor


def display_height(surface: Surface, f: np.ndarray) -> np.ndarray:
    """What the plots show as height: f, or log10(1 + f - f*) for surfaces spanning decades."""
    f = np.asarray(f, dtype=float)
    if not surface.log_view:
        return f
    fmin = surface.min_value or 0.0
    with np.errstate(invalid="ignore"):
        return np.log10(1.0 + np.maximum(f - fmin, 0.0))


def loss_gap(surface: Surface, losses: np.ndarray) -> tuple[np.ndarray, bool]:
    """``(y, is_gap)``: f - f* floored for a log axis when f* is known, else f itself."""
    fmin = surface.min_value
    if fmin is None:
        return np.asarray(losses, dtype=float), False
    return np.maximum(np.asarray(losses, dtype=float) - fmin, LOSS_FLOOR), True


def grid_payload(surface: Surface, z: np.ndarray) -> dict:
    """The grid's heights as float32 (half the bytes to send), with f for the hover text when
    the height is a log transform of it."""
    heights = display_height(surface, z).astype(np.float32)
    if not surface.log_view:
        return {
            "z": heights,
            "hovertemplate": "x=%{x:.3g}<br>y=%{y:.3g}<br>f=%{z:.4g}<extra></extra>",
        }
    return {
        "z": heights,
        "customdata": z.astype(np.float32),
        "hovertemplate": "x=%{x:.3g}<br>y=%{y:.3g}<br>f=%{customdata:.4g}<extra></extra>",
    }


MINIMUM_COLOR = "#FFD23F"


def minima_trace(surface: Surface, z: np.ndarray | None = None) -> dict:
    """The surface's known minima: gold stars on the contour, or gold diamonds at heights ``z``."""
    mx, my = np.array(surface.minima).T
    if z is None:
        where = {"type": "scatter", "x": mx, "y": my}
        marker = {"symbol": "star", "size": 15, "color": MINIMUM_COLOR, "line": {"width": 1}}
    else:
        where = {"type": "scatter3d", "x": mx, "y": my, "z": z}
        marker = {"symbol": "diamond", "size": 5, "color": MINIMUM_COLOR}
    return {
        **where,
        "mode": "markers",
        "name": "minimum",
        "marker": marker,
        "hovertemplate": "minimum (%{x:.4g}, %{y:.4g})<extra></extra>",
    }
