"""The expression language: what it accepts, what it rejects (with where), and that it cannot run code."""

from __future__ import annotations

import builtins
import contextlib
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlviz.backprop import gradients
from dlviz.expression import DEFAULT_FUNCTIONS, ExpressionError, parse_expression

FLOATS = {
    "exp": math.exp,
    "log": math.log,
    "tanh": math.tanh,
    "sigmoid": lambda a: 1 / (1 + math.exp(-a)),
    "relu": lambda a: max(a, 0.0),
}


def test_variables_in_order_of_first_appearance_and_operation_count():
    e = parse_expression("relu(w1*x1 + w2*x2 + b)")
    assert e.variables == ("w1", "x1", "w2", "x2", "b")
    assert e.operations == 5  # 2 products, 2 sums, relu
    assert parse_expression("(a*b + c)**2").operations == 3
    assert parse_expression("-a").operations == 1
    assert parse_expression("-2 * a").operations == 1  # a negative literal is a number
    assert parse_expression("b + a*b").variables == ("b", "a")


@pytest.mark.parametrize(
    ("text", "env", "expected"),
    [
        ("(a*b + c)**2", {"a": 2, "b": -3, "c": 10}, 16.0),
        ("a / b - c", {"a": 1, "b": 4, "c": 1}, -0.75),
        ("-x**2", {"x": 3}, -9.0),  # Python precedence: -(x**2)
        ("x**-1", {"x": 4}, 0.25),
        ("+x * 2e1", {"x": 0.5}, 10.0),
        ("log(exp(a))", {"a": 1.25}, 1.25),
        ("relu(a) + relu(-a)", {"a": -2}, 2.0),
        ("sigmoid(0)", {}, 0.5),
        ("tanh(a)", {"a": 0.3}, math.tanh(0.3)),
        ("2 ** 3", {}, 8.0),
    ],
)
def test_evaluate_matches_python_arithmetic(text, env, expected):
    assert parse_expression(text).evaluate(env, FLOATS) == pytest.approx(expected, abs=1e-12)


def test_numbers_become_plain_floats():
    seen = []
    parse_expression("x + 3").evaluate({"x": 1.0}, FLOATS)
    parse_expression("exp(3)").evaluate({}, {"exp": lambda a: seen.append(a) or 0.0})
    assert seen == [3.0] and type(seen[0]) is float


REJECTED = [
    ("a.b", "attribute"),
    ("x.__class__", "attribute"),
    ("a[0]", "indexing"),
    ("'abc'", "string"),
    ('"x" * 3', "string"),
    ("lambda: 1", "lambda"),
    ("[x for x in y]", "comprehension"),
    ("{x for x in y}", "comprehension"),
    ("sum(x for x in y)", "unknown function"),
    ("exp(x=1)", "keyword"),
    ("exp(*a)", "one argument"),
    ("exp(a, b)", "one argument"),
    ("exp()", "one argument"),
    ("__import__('os')", "unknown function"),
    ("__builtins__", "underscore"),
    ("_x + 1", "underscore"),
    ("open(x)", "unknown function"),
    ("eval(x)", "unknown function"),
    ("(lambda: 0)()", "plain function"),
    ("x**y", "power must be by a number"),
    ("2**x", "power must be by a number"),
    ("x**(1+1)", "power must be by a number"),
    ("a if b else c", "if/else"),
    ("a < b", "comparison"),
    ("a and b", "and/or"),
    ("a // b", "operator"),
    ("a % b", "operator"),
    ("a @ b", "operator"),
    ("~a", "operator"),
    ("not a", "operator"),
    ("(a, b)", "tuple"),
    ("[a]", "list"),
    ("{'a': 1}", "dict"),
    ("f'{a}'", "f-string"),
    ("(y := 2)", "assignment"),
    ("True + a", "True"),
    ("None", "None"),
    ("1j * a", "complex"),
    ("exp", "is a function"),
    ("exp + 1", "is a function"),
    ("1e999 * a", "too large"),
    ("a +", "syntax error"),
    ("import os", "syntax error"),
    ("a = 1", "syntax error"),
    ("", "empty"),
    ("   ", "empty"),
    ("a" * 201, "201 characters"),
    ("+".join(["a"] * 62), "61 operations"),
    ("x" + "*x" * 61, "61 operations"),
]


@pytest.mark.parametrize(("text", "fragment"), REJECTED)
def test_every_rejected_form_raises_expression_error_saying_what(text, fragment):
    with pytest.raises(ExpressionError) as info:
        parse_expression(text)
    assert fragment in str(info.value)
    assert isinstance(info.value, ValueError)


def test_error_says_where():
    with pytest.raises(ExpressionError, match=r"column 9: `x\.real`"):
        parse_expression("a + b * x.real")
    with pytest.raises(ExpressionError, match=r"column 5: `foo\(b\)`"):
        parse_expression("a + foo(b)")


def test_limits_are_parameters_and_boundaries_are_inclusive():
    parse_expression("a" * 200)
    parse_expression("+".join(["a"] * 61))  # exactly 60 operations
    with pytest.raises(ExpressionError, match="limit is 5"):
        parse_expression("a+a+a+a+a+a+a", max_ops=5)
    with pytest.raises(ExpressionError, match="limit is 10"):
        parse_expression("a + b + c + d", max_chars=10)


def test_function_set_is_configurable_and_function_names_are_not_variables():
    assert parse_expression("sin(x)", functions={"sin"}).variables == ("x",)
    with pytest.raises(ExpressionError, match="unknown function `relu`"):
        parse_expression("relu(x)", functions={"sin"})
    with pytest.raises(ExpressionError, match="is a function"):
        parse_expression("sin * 2", functions={"sin"})
    assert {"exp", "log", "tanh", "sigmoid", "relu"} == DEFAULT_FUNCTIONS


def test_evaluate_reports_missing_variables_and_functions():
    e = parse_expression("a + exp(b)")
    with pytest.raises(ExpressionError, match="`b`"):
        e.evaluate({"a": 1.0}, FLOATS)
    with pytest.raises(ExpressionError, match="`exp`"):
        e.evaluate({"a": 1.0, "b": 2.0}, {})


def test_expression_is_hashable_and_compares_by_text():
    assert parse_expression("a*b") == parse_expression(" a*b ")
    assert hash(parse_expression("a*b")) == hash(parse_expression("a*b"))


@pytest.mark.parametrize(
    ("text", "values", "fragment"),
    [
        ("a / b", {"a": 1, "b": 0}, "division by zero"),
        ("log(a)", {"a": 0}, "log of a non-positive"),
        ("log(a - 3)", {"a": 1}, "log of a non-positive"),
        ("exp(a)", {"a": 1000}, "overflow"),
        ("a**2 * a**2", {"a": 1e100}, "overflow"),
        ("a**0.5", {"a": -4}, "fractional power"),
        ("a**-1", {"a": 0}, "change the numbers"),
        ("a + b", {"a": 1}, "no value given for b"),
    ],
)
def test_gradients_reports_numeric_failures_as_expression_errors(text, values, fragment):
    with pytest.raises(ExpressionError, match=fragment):
        gradients(text, values)


# --- nothing the parser accepts can run code ---------------------------------------------------

TOKENS = st.sampled_from(
    [
        "a",
        "b",
        "x1",
        "2",
        "0.5",
        "+",
        "-",
        "*",
        "/",
        "**",
        "(",
        ")",
        ",",
        ".",
        "[",
        "]",
        "'s'",
        "__class__",
        "__import__",
        "os",
        "exp",
        "log",
        "relu",
        "lambda",
        ":",
        "=",
        "for",
        "in",
        "if",
        "else",
        "print",
        "open",
        "getattr",
        " ",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(TOKENS, min_size=1, max_size=25).map("".join))
def test_anything_accepted_only_touches_env_and_functions(text):
    """Random token soups: either ExpressionError, or evaluation that calls nothing but our table."""
    calls = []

    def guard(*args, **kwargs):  # pragma: no cover - must never be reached
        calls.append(args)
        raise AssertionError("the parser let a builtin run")

    try:
        expr = parse_expression(text)
    except ExpressionError:
        return
    saved = {name: getattr(builtins, name) for name in ("__import__", "open", "eval", "exec")}
    try:
        for name in saved:
            setattr(builtins, name, guard)
        env = {name: 1.5 for name in expr.variables}
        with contextlib.suppress(ArithmeticError, ValueError):
            expr.evaluate(env, FLOATS)
    finally:
        for name, fn in saved.items():
            setattr(builtins, name, fn)
    assert not calls
    for name in expr.variables:
        assert name.isidentifier() and not name.startswith("_") and name not in DEFAULT_FUNCTIONS


def test_builtins_by_name_are_just_variables_never_called():
    # `open`, `print` are ordinary variable names: they are looked up in env, never in builtins.
    expr = parse_expression("open + print * 2")
    assert expr.variables == ("open", "print")
    assert expr.evaluate({"open": 1.0, "print": 2.0}, FLOATS) == 5.0
    with pytest.raises(ExpressionError, match="unknown function `print`"):
        parse_expression("print(1)")
