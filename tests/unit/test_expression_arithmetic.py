"""The one evaluator both expression pages use: constants, failures and messages (torch as oracle).

``dlviz.expression.evaluate`` must give the same value, or the same ExpressionError
message, whether the expression is evaluated in floats, engine Values or torch tensors, and must
never let ZeroDivisionError, OverflowError, ValueError or a torch error escape.
"""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlviz.backprop import VALUES, Value
from dlviz.backprop.engine import leaves
from dlviz.expression import (
    FLOATS,
    Arithmetic,
    ExpressionError,
    constant_value,
    evaluate,
    numeric_guard,
    parse_expression,
    tensors,
)
from tests.expression_strategies import (
    ALL_FUNCTIONS,
    CONSTANT_FAILURES,
    CONSTANT_PARTS,
    SINGLE_VARIABLE,
    formulas,
    typed_text,
)

ARITHMETICS = {"floats": FLOATS, "values": VALUES, "tensors": tensors()}


def env_for(name: str, values: dict[str, float]) -> dict:
    """The variables as numbers of one arithmetic."""
    if name == "values":
        return leaves(values.items())
    if name == "tensors":
        return {k: torch.tensor(v, dtype=torch.float64) for k, v in values.items()}
    return dict(values)


def as_float(x) -> float:
    return float(x.data) if isinstance(x, Value) else float(x)


def parse(text: str):
    """Parse with every function of both pages (the engine lacks sin, cos, sqrt and abs)."""
    return parse_expression(text, functions=ALL_FUNCTIONS)


@pytest.mark.parametrize("name", ARITHMETICS)
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (CONSTANT_PARTS[0], 1 + 4 + math.e),  # x**2 + y**2 + exp(1)
        (CONSTANT_PARTS[1], math.sin(1) + 4),  # sin(1)*x**2 + y**2
        ("log(2)*sqrt(4)*abs(-3)", math.log(2) * 2 * 3),
        ("relu(-1) + sigmoid(0) + tanh(0) + cos(0)", 1.5),
    ],
)
def test_functions_of_constants_work_in_every_arithmetic(name, text, expected):
    """Was: exp(): argument 'input' must be Tensor, not float (a traceback on the descent page)."""
    out = evaluate(parse(text), env_for(name, {"x": 1.0, "y": 2.0}), ARITHMETICS[name])
    assert as_float(out) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        *CONSTANT_FAILURES.items(),
        ("1e308*10", "a number overflowed"),
        ("exp(1000)", "a number overflowed"),
        ("x + log(0)", "log of a non-positive number (0)"),
        ("x*sqrt(-1)", "square root of a negative number (-1)"),
        ("(-8)**0.5 + y", "a negative number (-8) to a fractional power (0.5)"),
    ],
)
def test_constant_failures_give_one_message_in_every_arithmetic(text, fragment):
    messages = set()
    for name, arithmetic in ARITHMETICS.items():
        with pytest.raises(ExpressionError) as err:
            evaluate(parse(text), env_for(name, {"x": 1.0, "y": 2.0}), arithmetic)
        messages.add(str(err.value))
    assert len(messages) == 1, messages
    (message,) = messages
    assert fragment in message and message.startswith("evaluating the expression: ")


def test_a_constant_expression_becomes_the_arithmetics_own_constant():
    assert evaluate(parse("2*3"), {}, FLOATS) == 6.0
    value = evaluate(parse("2*3"), {}, VALUES)
    assert isinstance(value, Value) and value.constant and value.data == 6.0
    tensor = evaluate(parse("0**0"), {}, tensors())
    assert isinstance(tensor, torch.Tensor) and tensor.dtype == torch.float64
    assert tensor.item() == 1.0
    assert constant_value(parse("2*3")) == 6.0
    with pytest.raises(ExpressionError, match="depends on x"):
        constant_value(parse("2*x"))


@pytest.mark.parametrize("text", SINGLE_VARIABLE)
def test_a_single_variable_is_itself(text):
    x = Value(3.0, label="x")
    assert evaluate(parse(text), {"x": x}, VALUES) is x


def test_variable_failures_are_messages_too():
    with pytest.raises(ExpressionError, match="division by zero"):
        evaluate(parse("1/x"), leaves([("x", 0.0)]), VALUES)
    # tensors follow IEEE arithmetic: 1/0 is inf there (a hole in a surface), not an error
    out = evaluate(parse("1/x"), {"x": torch.tensor([0.0, 2.0])}, tensors())
    assert math.isinf(out[0]) and out[1] == 0.5


def test_torch_errors_and_deep_recursion_become_messages():
    def broken(_):
        raise RuntimeError("CUDA error: an illegal memory access was encountered")

    failing = Arithmetic("broken", {"exp": broken}, float)
    with pytest.raises(ExpressionError, match="torch could not compute it"):
        evaluate(parse("exp(x)"), {"x": torch.tensor(1.0)}, failing)
    guard = numeric_guard("evaluating the expression")
    with pytest.raises(ExpressionError, match="too deeply nested"), guard:
        raise RecursionError
    guard = numeric_guard("evaluating the expression")
    with pytest.raises(ExpressionError, match="outside its domain"), guard:
        math.acos(2)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    formulas(),
    st.sampled_from([0.0, 1.0, -1.0, 0.5, 100.0, -100.0, 1e-8]),
    st.sampled_from([0.0, 2.0, -3.0, 1e3]),
)
def test_one_evaluator_many_arithmetics_agree(text, x, y):
    """Random formulas: only ExpressionError escapes; floats, Values and tensors agree."""
    try:
        expr = parse(text)
    except ExpressionError:
        return  # e.g. more than 60 operations
    values = {k: v for k, v in {"x": x, "y": y}.items() if k in expr.variables}
    results: dict[str, float | str] = {}
    for name, arithmetic in ARITHMETICS.items():
        if name == "values" and any(f in expr.text for f in ("sin", "cos", "sqrt", "abs")):
            continue  # the engine has no sin/cos/sqrt/abs (the Backprop page refuses them)
        try:
            results[name] = as_float(evaluate(expr, env_for(name, values), arithmetic))
        except ExpressionError as err:
            results[name] = str(err)
    if not expr.variables:  # constant-only: one value or one message, whatever the arithmetic
        assert len({str(r) for r in results.values()}) == 1, results
    floats, on_tensors = results["floats"], results["tensors"]
    if isinstance(floats, float) and math.isfinite(floats):
        assert on_tensors == pytest.approx(floats, rel=1e-9, abs=1e-12)
    if isinstance(results.get("values"), float) and isinstance(floats, float):
        assert results["values"] == pytest.approx(floats, rel=1e-12, abs=1e-300, nan_ok=True)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(typed_text(), st.sampled_from([0.0, 1.0, -2.0, 100.0]))
def test_anything_typed_is_a_value_or_an_expression_error(text, value):
    """Whatever a learner types: parse, then evaluate in every arithmetic; nothing else escapes."""
    try:
        expr = parse(text)
    except ExpressionError:
        return
    for name, arithmetic in ARITHMETICS.items():
        env = env_for(name, dict.fromkeys(expr.variables, value))
        try:
            out = evaluate(expr, env, arithmetic)
        except ExpressionError as err:
            assert str(err) and "Traceback" not in str(err)
            continue
        assert isinstance(out, {"floats": float, "values": Value, "tensors": torch.Tensor}[name])
