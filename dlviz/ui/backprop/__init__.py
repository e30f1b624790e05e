"""The Backprop page's one ui module: controls and step-through (``controls``), checks and one
gradient-descent step (``results``), and the page header and texts of ``dlviz.ui.common``."""

from __future__ import annotations

from dlviz.ui.backprop.controls import (
    backprop_controls,
    compute,
    mistake_controls,
    show_step_through,
)
from dlviz.ui.backprop.results import show_checks, show_descent
from dlviz.ui.common import page_header, prose, text_sections, try_this

__all__ = [
    "backprop_controls",
    "compute",
    "mistake_controls",
    "page_header",
    "prose",
    "show_checks",
    "show_descent",
    "show_step_through",
    "text_sections",
    "try_this",
]
