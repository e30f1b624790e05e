"""The safe formula language the Backprop and Gradient-descent pages read formulas in.

``parse_expression(text)`` validates a learner's formula (a whitelist of ``ast`` nodes, never
``eval``) into an ``Expression``; ``evaluate(expression, env, arithmetic)`` is the one safe way to
compute it, in plain floats (``FLOATS``), torch tensors (``tensors()``) or any other
``Arithmetic`` (the autodiff engine's lives in ``dlviz.backprop``). Bad text and failed
arithmetic raise ``ExpressionError`` with a message a page can show. Every public name is
importable from here: ``language`` (parser) and ``arithmetic`` (evaluator) are its two halves. It
knows nothing of the engine, of surfaces or of pages.
"""

from __future__ import annotations

from dlviz.expression.arithmetic import (
    FLOAT_FUNCTIONS,
    FLOATS,
    Arithmetic,
    constant_value,
    evaluate,
    not_finite,
    numeric_guard,
    tensors,
)
from dlviz.expression.language import (
    DEFAULT_FUNCTIONS,
    Expression,
    ExpressionError,
    parse_expression,
)

__all__ = [
    "DEFAULT_FUNCTIONS",
    "FLOATS",
    "FLOAT_FUNCTIONS",
    "Arithmetic",
    "Expression",
    "ExpressionError",
    "constant_value",
    "evaluate",
    "not_finite",
    "numeric_guard",
    "parse_expression",
    "tensors",
]
