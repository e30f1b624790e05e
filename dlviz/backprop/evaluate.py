"""Expressions through the engine: build a ``Value`` graph from text, and ``gradients(...)``.

``VALUES`` is the engine's ``Arithmetic`` for the shared evaluator of ``dlviz.expression``, so
numeric failures (division by zero, log of a non-positive number, overflow) become the same
``ExpressionError`` messages as in floats and tensors. It does not draw and does not import torch.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from dlviz.backprop.engine import VALUE_FUNCTIONS, Value, as_constant, leaves
from dlviz.expression import (
    Arithmetic,
    Expression,
    ExpressionError,
    evaluate,
    not_finite,
    parse_expression,
)

VALUES = Arithmetic("values", VALUE_FUNCTIONS, as_constant)
"""The engine's Values as an arithmetic: a constant expression becomes a constant leaf."""


def check_finite(root: Value, action: str = "evaluating") -> None:
    """Raise ExpressionError if the value or any gradient in its graph is inf or nan."""
    if not math.isfinite(root.data):
        raise ExpressionError(f"{action}: {not_finite(root.data)}; use smaller inputs")
    for node in root.topological_order():
        if not math.isfinite(node.grad):
            what = "undefined" if math.isnan(node.grad) else "overflowed (beyond about 1e308)"
            raise ExpressionError(f"{action}: a gradient {what}; use smaller inputs")


def build(expression: Expression, values: Mapping[str, float]) -> tuple[Value, dict[str, Value]]:
    """The expression's output Value and its named leaf Values (forward pass only)."""
    missing = [v for v in expression.variables if v not in values]
    if missing:
        raise ExpressionError(f"no value given for {', '.join(missing)}")
    named = leaves((name, float(values[name])) for name in expression.variables)
    out = evaluate(expression, named, VALUES)  # a constant expression is a constant Value
    if not math.isfinite(out.data):
        raise ExpressionError(
            f"evaluating the expression: {not_finite(out.data)}; use smaller inputs"
        )
    return out, named


def gradients(expression: str, values: dict[str, float]) -> tuple[float, dict[str, float]]:
    """The expression's value and d(expression)/d(variable) for every variable in it."""
    parsed = parse_expression(expression)
    out, named = build(parsed, values)
    out.backward()
    check_finite(out, "computing gradients")
    return out.data, {name: v.grad for name, v in named.items()}
