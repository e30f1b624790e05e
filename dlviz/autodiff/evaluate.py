"""Expressions through the engine: build a ``Value`` graph from text, and ``gradients(...)``.

This is the boundary where numeric failures (division by zero, log of a non-positive number,
overflow) become ``ExpressionError`` messages a page can show. It does not draw and does not
import torch.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from dlviz.autodiff.engine import VALUE_FUNCTIONS, Value, leaves
from dlviz.autodiff.expression import Expression, ExpressionError, parse_expression


@contextmanager
def numeric_guard(action: str) -> Iterator[None]:
    """Turn arithmetic failures inside the block into ExpressionError('<action>: ...')."""
    try:
        yield
    except ExpressionError:
        raise
    except ZeroDivisionError as err:
        text = "division by zero" if "division" in str(err) else str(err)
        raise ExpressionError(f"{action}: {text}; change the numbers") from None
    except OverflowError:
        raise ExpressionError(
            f"{action}: a number overflowed (beyond about 1e308); use smaller inputs or exponents"
        ) from None
    except ValueError as err:
        raise ExpressionError(f"{action}: {err}; change the numbers") from None


def check_finite(root: Value, action: str = "evaluating") -> None:
    """Raise ExpressionError if the value or any gradient in its graph is inf or nan."""
    if not math.isfinite(root.data):
        raise ExpressionError(f"{action}: the result is {root.data} (overflow); use smaller inputs")
    for node in root.topological_order():
        if not math.isfinite(node.grad):
            raise ExpressionError(
                f"{action}: a gradient is {node.grad} (overflow); use smaller inputs"
            )


def build(expression: Expression, values: Mapping[str, float]) -> tuple[Value, dict[str, Value]]:
    """The expression's output Value and its named leaf Values (forward pass only)."""
    missing = [v for v in expression.variables if v not in values]
    if missing:
        raise ExpressionError(f"no value given for {', '.join(missing)}")
    named = leaves((name, float(values[name])) for name in expression.variables)
    with numeric_guard("evaluating the expression"):
        out = expression.evaluate(named, VALUE_FUNCTIONS)
    if not isinstance(out, Value):  # a constant expression such as "2*3"
        out = Value(float(out))
    if not math.isfinite(out.data):
        raise ExpressionError(f"the result is {out.data} (overflow); use smaller inputs")
    return out, named


def gradients(expression: str, values: dict[str, float]) -> tuple[float, dict[str, float]]:
    """The expression's value and d(expression)/d(variable) for every variable in it."""
    parsed = parse_expression(expression)
    out, named = build(parsed, values)
    out.backward()
    check_finite(out, "computing gradients")
    return out.data, {name: v.grad for name, v in named.items()}
