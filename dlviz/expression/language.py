"""A small, safe arithmetic expression language: parse with ``ast``, check a whitelist, walk the tree.

``parse_expression("relu(w1*x1 + w2*x2 + b)")`` returns an :class:`Expression` that knows its
variables and how many operations it has, and can be evaluated over any number-like type (floats,
autodiff ``Value``s, torch tensors) through their operators and a table of functions. It never calls
``eval`` or ``exec``: only the node types listed here are accepted, so nothing it accepts can run
code, touch attributes or reach builtins. It is not a general Python subset (no comparisons, no
conditionals, no keyword arguments).
"""

from __future__ import annotations

import ast
import math
import warnings
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

DEFAULT_FUNCTIONS = frozenset({"exp", "log", "tanh", "sigmoid", "relu"})

_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_UNARY = {ast.USub: "-", ast.UAdd: "+"}

# What a rejected node type is called in an error message.
_NODE_NAMES = {
    ast.Attribute: "attribute access (a.b)",
    ast.Subscript: "indexing (a[i])",
    ast.Lambda: "lambda",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a comprehension",
    ast.Compare: "a comparison",
    ast.BoolOp: "and/or",
    ast.IfExp: "if/else",
    ast.List: "a list",
    ast.Tuple: "a tuple",
    ast.Dict: "a dict",
    ast.Set: "a set",
    ast.JoinedStr: "an f-string",
    ast.Starred: "*unpacking",
    ast.NamedExpr: "assignment (:=)",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "a slice",
}


class ExpressionError(ValueError):
    """A bad expression or a failed evaluation; the message says what is wrong and where."""


@dataclass(frozen=True)
class Expression:
    """A validated expression: its text, variables (in order of first appearance), operation count."""

    text: str
    variables: tuple[str, ...]
    operations: int
    tree: ast.expr = field(repr=False, compare=False)

    def evaluate(
        self,
        env: Mapping[str, T],
        functions: Mapping[str, Callable[[T], T]],
        constants: Mapping[str, Callable[[float], float]] | None = None,
    ) -> T:
        """Walk the validated tree: variables from ``env``, calls from ``functions``, numbers as floats.

        Without ``constants`` a function may receive a plain float when its argument is constant,
        e.g. ``exp(2)``. With a table of float functions, parts without variables are computed in
        plain floats with it (``exp(2)`` calls ``constants["exp"](2.0)``) and a constant part that
        overflows to inf or NaN raises OverflowError. Pages use ``dlviz.expression.evaluate``.
        """
        return _evaluate(self.tree, env, functions, constants)


def _where(node: ast.AST, text: str) -> str:
    """'at column c: `fragment`' for a node of the source text (columns count from 1)."""
    col = getattr(node, "col_offset", None)
    if col is None:
        return ""
    fragment = ast.get_source_segment(text, node) or text[col : col + 20]
    if len(fragment) > 40:
        fragment = fragment[:37] + "..."
    return f" at column {col + 1}: `{fragment}`"


def _describe(node: ast.AST) -> str:
    """A learner-readable name for a rejected node."""
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str):
            return "a string"
        if isinstance(node.value, bool) or node.value is None:
            return f"`{node.value}`"
        if isinstance(node.value, complex):
            return "a complex number"
        return f"the constant {node.value!r}"
    for kind, name in _NODE_NAMES.items():
        if isinstance(node, kind):
            return name
    return type(node).__name__


def _is_number(node: ast.AST) -> bool:
    """True for int/float literals (bool excluded) and their unary +/- forms."""
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _is_number(node.operand)
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    )


class _Checker:
    """Validates a parsed tree against the whitelist, collecting variables and counting operations."""

    def __init__(self, text: str, functions: Collection[str]) -> None:
        self.text = text
        self.functions = frozenset(functions)
        self.variables: dict[str, None] = {}
        self.operations = 0

    def fail(self, what: str, node: ast.AST) -> ExpressionError:
        return ExpressionError(f"{what}{_where(node, self.text)}")

    def check(self, node: ast.AST) -> None:
        if isinstance(node, ast.BinOp):
            if type(node.op) not in _BINARY:
                raise self.fail(f"operator `{type(node.op).__name__}` is not allowed", node)
            if isinstance(node.op, ast.Pow) and not _is_number(node.right):
                raise self.fail(
                    "a power must be by a number (write x**2, not x**y; try exp(y*log(x)))", node
                )
            self.operations += 1
            self.check(node.left)
            self.check(node.right)
        elif isinstance(node, ast.UnaryOp):
            if type(node.op) not in _UNARY:
                raise self.fail(f"operator `{type(node.op).__name__}` is not allowed", node)
            self.operations += isinstance(node.op, ast.USub) and not _is_number(node.operand)
            self.check(node.operand)
        elif isinstance(node, ast.Call):
            self.check_call(node)
        elif isinstance(node, ast.Name):
            self.check_name(node)
        elif _is_number(node):
            try:
                value = float(node.value)  # type: ignore[attr-defined]
            except OverflowError:
                value = math.inf
            if not math.isfinite(value):
                raise self.fail("the number is too large", node)
        else:
            raise self.fail(f"{_describe(node)} is not allowed", node)

    def check_call(self, node: ast.Call) -> None:
        allowed = ", ".join(sorted(self.functions)) or "none"
        if not isinstance(node.func, ast.Name):
            raise self.fail(f"only plain function calls are allowed ({allowed})", node)
        name = node.func.id
        if name not in self.functions:
            raise self.fail(f"unknown function `{name}` (allowed: {allowed})", node)
        if node.keywords:
            raise self.fail(f"`{name}` takes no keyword arguments", node)
        if len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            raise self.fail(f"`{name}` takes exactly one argument", node)
        self.operations += 1
        self.check(node.args[0])

    def check_name(self, node: ast.Name) -> None:
        name = node.id
        if name.startswith("__") or name.startswith("_"):
            raise self.fail(f"names starting with an underscore are not allowed (`{name}`)", node)
        if name in self.functions:
            raise self.fail(f"`{name}` is a function: call it, e.g. {name}(x)", node)
        if not name.isascii():
            raise self.fail(f"variable names must be plain ASCII (`{name}`)", node)
        self.variables.setdefault(name, None)


def parse_expression(
    text: str,
    functions: Collection[str] = DEFAULT_FUNCTIONS,
    max_chars: int = 200,
    max_ops: int = 60,
) -> Expression:
    """Parse and validate ``text``; raise ExpressionError saying what is wrong and where."""
    if not isinstance(text, str):
        raise ExpressionError("the expression must be text")
    stripped = text.strip()
    if not stripped:
        raise ExpressionError("the expression is empty: type something like (a*b + c)**2")
    if len(stripped) > max_chars:
        raise ExpressionError(
            f"the expression is {len(stripped)} characters long; the limit is {max_chars}"
        )
    try:
        with warnings.catch_warnings():  # e.g. "invalid decimal literal" in "2x": an error follows
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(stripped, mode="eval")
    except SyntaxError as err:
        col = f" at column {err.offset}" if err.offset else ""
        raise ExpressionError(f"syntax error{col}: {err.msg}") from None
    except (ValueError, RecursionError, MemoryError):
        raise ExpressionError("the expression could not be read (too deeply nested?)") from None
    checker = _Checker(stripped, functions)
    try:
        checker.check(tree.body)
    except RecursionError:
        raise ExpressionError("the expression is too deeply nested") from None
    if checker.operations > max_ops:
        raise ExpressionError(
            f"the expression has {checker.operations} operations; the limit is {max_ops}"
        )
    return Expression(stripped, tuple(checker.variables), checker.operations, tree.body)


def _evaluate(
    node: ast.AST,
    env: Mapping[str, Any],
    functions: Mapping[str, Callable],
    constants: Mapping[str, Callable] | None = None,
) -> Any:
    """Recursive evaluation of an already validated node (numbers become plain floats)."""
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        try:
            return env[node.id]
        except KeyError:
            raise ExpressionError(f"no value given for variable `{node.id}`") from None
    if isinstance(node, ast.UnaryOp):
        operand = _evaluate(node.operand, env, functions, constants)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.Call):
        name = node.func.id  # type: ignore[attr-defined]
        argument = _evaluate(node.args[0], env, functions, constants)
        table = constants if constants is not None and isinstance(argument, float) else functions
        if name not in table:
            raise ExpressionError(f"no implementation given for function `{name}`")
        return _finite(table[name](argument), constants)
    if isinstance(node, ast.BinOp):
        left = _evaluate(node.left, env, functions, constants)
        right = _evaluate(node.right, env, functions, constants)
        return _finite(_binary(type(node.op), left, right), constants)
    raise ExpressionError(f"cannot evaluate {_describe(node)}")  # unreachable after validation


def _binary(op: type, left: Any, right: Any) -> Any:
    """left (op) right for one of the five operators."""
    if op is ast.Add:
        return left + right
    if op is ast.Sub:
        return left - right
    if op is ast.Mult:
        return left * right
    if op is ast.Div:
        return left / right
    result = left**right
    if isinstance(result, complex):  # plain floats: (-8.0) ** 0.5 is complex in Python
        raise ValueError(f"a negative number ({left:g}) to a fractional power ({right:g})")
    return result


def _finite(value: Any, constants: Mapping[str, Callable] | None) -> Any:
    """``value``; when folding constants, an OverflowError for a plain float that is inf or NaN."""
    if constants is not None and isinstance(value, float) and not math.isfinite(value):
        raise OverflowError("a constant overflowed")
    return value
