"""The one safe way to evaluate a parsed Expression: in floats, torch tensors or engine Values.

``evaluate(expression, env, arithmetic)`` walks the expression with the numbers of ``env``. Parts
without variables (``exp(1)``, ``1/0``, ``10.0**400``) are computed first in plain floats, as
Python would, so every arithmetic sees the same numbers and fails with the same message; a formula
that is constant as a whole becomes the arithmetic's own constant (a constant ``Value``, a 0-d
tensor). Division by zero, overflow, a function outside its domain and torch's errors become
``ExpressionError`` with a plain message a page can show. The Backprop page (engine Values, whose
``Arithmetic`` is ``dlviz.backprop.evaluate.VALUES``) and the custom descent surface (tensors) both
go through here. It draws nothing, knows nothing of the engine, and torch is imported only when
the tensor arithmetic is first asked for.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from dlviz.display import number
from dlviz.expression.language import Expression, ExpressionError


@dataclass(frozen=True, eq=False)
class Arithmetic:
    """A kind of number an expression can be evaluated in: its functions and its constants."""

    name: str
    functions: Mapping[str, Callable[[Any], Any]]
    constant: Callable[[float], Any]  # a plain number as this arithmetic's type


def _log(a: float) -> float:
    """ln a, with the engine's message outside the domain."""
    if a <= 0:
        raise ValueError(f"log of a non-positive number ({number(a)})")
    return math.log(a)


def _sqrt(a: float) -> float:
    """√a, with a plain message for a negative a."""
    if a < 0:
        raise ValueError(f"square root of a negative number ({number(a)})")
    return math.sqrt(a)


def _sigmoid(a: float) -> float:
    """1 / (1 + e**-a) in the form that cannot overflow for either sign of a."""
    return 1.0 / (1.0 + math.exp(-a)) if a >= 0 else math.exp(a) / (1.0 + math.exp(a))


FLOAT_FUNCTIONS: dict[str, Callable[[float], float]] = {
    "exp": math.exp,
    "log": _log,
    "tanh": math.tanh,
    "sigmoid": _sigmoid,
    "relu": lambda a: a if a > 0 else 0.0,
    "sin": math.sin,
    "cos": math.cos,
    "sqrt": _sqrt,
    "abs": abs,
}
"""Every function of the expression language on plain floats (the constant parts use these)."""

FLOATS = Arithmetic("floats", FLOAT_FUNCTIONS, float)


@functools.cache
def tensors() -> Arithmetic:
    """Elementwise torch functions; a constant is a 0-d float64 tensor (it broadcasts)."""
    import torch

    functions = {
        "sin": torch.sin,
        "cos": torch.cos,
        "tanh": torch.tanh,
        "exp": torch.exp,
        "log": torch.log,
        "sqrt": torch.sqrt,
        "abs": torch.abs,
        "sigmoid": torch.sigmoid,
        "relu": torch.relu,
    }
    return Arithmetic("tensors", functions, lambda c: torch.tensor(c, dtype=torch.float64))


def _zero_division(err: ZeroDivisionError) -> str:
    text = str(err)
    if "negative power" in text:  # Python's "0.0 cannot be raised to a negative power"
        return "0 to a negative power divides by zero"
    return "division by zero" if "division" in text or "modulo" in text else text


@contextmanager
def numeric_guard(action: str) -> Iterator[None]:
    """Turn arithmetic (and torch) failures inside the block into ExpressionError('<action>: ...')."""
    try:
        yield
    except ExpressionError:
        raise
    except ZeroDivisionError as err:
        raise ExpressionError(f"{action}: {_zero_division(err)}; change the numbers") from None
    except OverflowError:
        raise ExpressionError(
            f"{action}: a number overflowed (beyond about 1e308); use smaller inputs or exponents"
        ) from None
    except RecursionError:
        raise ExpressionError(f"{action}: the expression is too deeply nested") from None
    except ValueError as err:
        text = str(err)
        if "math domain error" in text:
            text = "a function was given a number outside its domain"
        raise ExpressionError(f"{action}: {text}; change the numbers") from None
    except RuntimeError:  # torch's errors (after RecursionError, which is one too)
        raise ExpressionError(f"{action}: torch could not compute it; change the formula") from None


def not_finite(value: float) -> str:
    """Why a value is not a number a learner can use: overflow (±inf) or undefined (NaN)."""
    if math.isnan(value):
        return "the result is undefined (an overflow on the way, such as inf − inf)"
    return "the result overflowed (beyond about 1e308)"


def evaluate(
    expression: Expression,
    env: Mapping[str, Any],
    arithmetic: Arithmetic = FLOATS,
    action: str = "evaluating the expression",
) -> Any:
    """The expression's value in ``arithmetic``; ExpressionError('<action>: ...') if it fails."""
    with numeric_guard(action):
        out = expression.evaluate(env, arithmetic.functions, FLOAT_FUNCTIONS)
        if isinstance(out, int | float):  # no variables: a constant
            out = arithmetic.constant(float(out))
    return out


def constant_value(expression: Expression, action: str = "evaluating the expression") -> float:
    """The value of an expression without variables (ExpressionError if it has some or fails)."""
    if expression.variables:
        raise ExpressionError(f"the expression depends on {', '.join(expression.variables)}")
    return float(evaluate(expression, {}, FLOATS, action))
