"""How the computation graph maps onto the figure: its scale, and for a graph too big to show
whole at a readable size, the window shown at each step (it follows the current box).

A graph that fits the figure's width is drawn at full size; a wider one smaller, down to
``FIT_SCALE``; one that would need smaller text still is drawn at ``WINDOW_SCALE`` in a window
that moves with the backward pass (``cameras``). The learner can pan and zoom it in the browser.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dlviz.backprop.graph import Step
from dlviz.backprop.layout import Layout, Placed, value_key

FIGURE_WIDTH = 940  # px: the page's column on a 1400-px screen with the sidebar open
SIDE = 10  # px left and right of the plot
PAD = 14.0  # units of empty border around the drawing
# A graph wider than the figure is drawn smaller to fit, down to FIT_SCALE (the MLP fits at 0.58);
# one that would need smaller text is drawn at WINDOW_SCALE in a window that follows the step.
FIT_SCALE, WINDOW_SCALE = 0.5, 0.75
MAX_PLOT_HEIGHT = {"LR": 560, "TB": 760}  # px of graph shown at once in each layout


@dataclass(frozen=True)
class View:
    """How the drawing maps onto the figure: pixels per unit and the window shown (in units)."""

    scale: float
    plot_width: float  # px
    plot_height: float  # px
    window: tuple[float, float]  # units of width and height visible at once
    bounds: tuple[float, float, float, float]  # x0, x1, y0, y1 of the whole drawing

    @property
    def follows(self) -> bool:
        """Whether the graph is bigger than the window, so each step moves the view."""
        x0, x1, y0, y1 = self.bounds
        return x1 - x0 > self.window[0] + 1e-9 or y1 - y0 > self.window[1] + 1e-9


def viewport(layout: Layout) -> View:
    """Full size if the graph fits the figure's width, smaller down to FIT_SCALE, else a window."""
    bounds = (-PAD, layout.width + PAD, -PAD, layout.height + PAD)
    width, height = bounds[1] - bounds[0], bounds[3] - bounds[2]
    plot_width = FIGURE_WIDTH - 2 * SIDE
    fit = plot_width / width
    scale = min(1.0, fit) if fit >= FIT_SCALE else WINDOW_SCALE
    window_height = min(height, MAX_PLOT_HEIGHT[layout.direction] / scale)
    return View(
        scale, plot_width, window_height * scale, (plot_width / scale, window_height), bounds
    )


def _window(centre: float, size: float, low: float, high: float) -> tuple[float, float]:
    """[start, end] of length ``size`` around ``centre``, kept inside [low, high] when it fits."""
    if high - low <= size:
        mid = (low + high) / 2
        return mid - size / 2, mid + size / 2
    start = min(max(centre - size / 2, low), high - size)
    return start, start + size


def cameras(layout: Layout, steps: Sequence[Step], view: View) -> list[tuple[float, ...]]:
    """The window (x0, x1, y0, y1) at each step 0..len(steps): it stays put while the current box
    is well inside it and centres on the box when it is not (stepping in order hardly jumps)."""
    x0, x1, y0, y1 = view.bounds
    (w, h), out = view.window, []
    current: tuple[float, ...] | None = None
    for k in range(len(steps) + 1):
        box = layout.item(value_key(steps[max(k - 1, 0)].node)) if steps else layout.items[-1]
        inside = current is not None and _well_inside(box, current, 0.12)
        if not inside:
            current = (*_window(box.x, w, x0, x1), *_window(box.y, h, y0, y1))
        out.append(current)
    return out


def _well_inside(box: Placed, window: tuple[float, ...], margin: float) -> bool:
    """Whether ``box`` lies inside ``window`` with ``margin`` (a fraction of it) to spare."""
    x0, x1, y0, y1 = window
    mx, my = margin * (x1 - x0), margin * (y1 - y0)
    return (
        x0 + mx <= box.x - box.width / 2
        and box.x + box.width / 2 <= x1 - mx
        and y0 + my <= box.y - box.height / 2
        and box.y + box.height / 2 <= y1 - my
    )
