"""Scalar reverse-mode autodiff (``Value``), a safe expression language, and graph export as data."""

from __future__ import annotations

from dlviz.autodiff.expression import (
    DEFAULT_FUNCTIONS,
    Expression,
    ExpressionError,
    parse_expression,
)

__all__ = ["DEFAULT_FUNCTIONS", "Expression", "ExpressionError", "parse_expression"]
