"""Figures of the Backprop page: the computation graph stepped through in the browser
(``graph_figure``; its layout is ``dlviz.backprop.layout``) and the output after one
gradient-descent step against the learning rate (``step_line_figure``)."""

from __future__ import annotations

from dlviz.plots.backprop.colors import DARK, LIGHT, NEGATIVE, POSITIVE, UNREACHED, grad_color
from dlviz.plots.backprop.figure import graph_figure
from dlviz.plots.backprop.step import step_line_figure

__all__ = [
    "DARK",
    "LIGHT",
    "NEGATIVE",
    "POSITIVE",
    "UNREACHED",
    "grad_color",
    "graph_figure",
    "step_line_figure",
]
