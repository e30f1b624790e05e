"""Backpropagation: a scalar reverse-mode autodiff engine (``Value``), its graph, the checks.

``gradients("(a*b + c)**2", {"a": 2, "b": -3, "c": 10})`` returns the value and the gradient of
every variable; bad text or numbers raise ``dlviz.expression.ExpressionError`` with a message
saying what and where. The formula language itself is ``dlviz.expression``; here are the engine
(``engine``), expressions evaluated through it (``evaluate``), the graph export and step-through
(``graph``), the checks against torch and finite differences (``check``), the page's worked
examples (``examples``) and everything the page shows for one configuration (``walkthrough``).
"""

from __future__ import annotations

from dlviz.backprop.engine import MLP, Layer, Module, Neuron, Value
from dlviz.backprop.evaluate import VALUES, build, gradients

__all__ = [
    "MLP",
    "VALUES",
    "Layer",
    "Module",
    "Neuron",
    "Value",
    "build",
    "gradients",
]
