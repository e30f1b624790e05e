"""Scalar reverse-mode autodiff (``Value``), a safe expression language, and graph export as data.

``gradients("(a*b + c)**2", {"a": 2, "b": -3, "c": 10})`` returns the value and the gradient of
every variable; bad text or numbers raise ``ExpressionError`` with a message saying what and where.
``dlviz.expression.arithmetic.evaluate`` is the one safe way to evaluate a parsed expression in
floats, Values or torch tensors; both expression pages go through it.
"""

from __future__ import annotations

from dlviz.backprop.engine import MLP, Layer, Module, Neuron, Value
from dlviz.backprop.evaluate import build, gradients
from dlviz.expression.language import (
    DEFAULT_FUNCTIONS,
    Expression,
    ExpressionError,
    parse_expression,
)

__all__ = [
    "DEFAULT_FUNCTIONS",
    "MLP",
    "Expression",
    "ExpressionError",
    "Layer",
    "Module",
    "Neuron",
    "Value",
    "build",
    "gradients",
    "parse_expression",
]
