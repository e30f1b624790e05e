"""Learner-typed expressions for the library and page tests: exact cases and hypothesis strategies.

The exact strings of the hardening issue (functions of constants, division by zero, overflow, a
single variable, constant-only expressions) are listed once, so "the same input on both pages"
means the same list. ``formulas()`` builds well-formed formulas (which may still divide by zero or
overflow); ``hostile_inputs`` lists text a page must refuse politely (Python that runs code,
unicode, deep nesting, very long input); ``typed_text()`` mixes those with arbitrary unicode, the
way a learner (or a cat on the keyboard) fills a text box.
"""

from __future__ import annotations

import re

from hypothesis import strategies as st

# Functions of a constant, and constant failures: a traceback on the descent page before.
CONSTANT_PARTS = ["x**2 + y**2 + exp(1)", "sin(1)*x**2 + y**2"]
CONSTANT_FAILURES = {
    "1/0": "division by zero",
    "0**-1": "0 to a negative power divides by zero",
    "10.0**400": "a number overflowed",
}
# The simplest expressions: a traceback in the Backprop check table before.
SINGLE_VARIABLE = ["x", "(x)", "+x"]
CONSTANT_ONLY = {"2": "2", "2*3": "6", "0**0": "1"}
POWER_HINT = "x**y"  # its message says "write x**2, not x**y": the ** must survive Markdown


def plain(markdown: str) -> str:
    """The text a reader sees for Markdown written with dlviz.display.escape_markdown."""
    return re.sub(r"\\(.)", r"\1", markdown)


ALL_FUNCTIONS = ("exp", "log", "tanh", "sigmoid", "relu", "sin", "cos", "sqrt", "abs")
NUMBERS = ("0", "1", "2", "0.5", "3", "1e-3", "10.0", "400", "1e300", "2.5")
EXPONENTS = ("2", "3", "-1", "0.5", "0", "-2", "400")

hostile_inputs = (
    "__import__('os')",
    "__import__('os').system('ls')",
    "lambda: 1",
    "(lambda: 0)()",
    "x.__class__",
    "().__class__.__bases__[0]",
    "x.real",
    "open('f')",
    "x if x else y",
    "[x for x in y]",
    "x[0]",
    "f'{x}'",
    "x == y",
    "x; y",
    "import os",
    "x = 1",
    "2x",
    "x²",
    "ｘ + 1",
    "é + 1",
    "∑",
    "π*x",
    "x\x00",
    "`x`",
    "$x$",
    "",
    "   ",
    "x" * 250,
    "x + " * 70 + "x",
    "(" * 99 + "x" + ")" * 99,  # deep nesting inside the 200-character limit
    "(" * 120 + "x" + ")" * 120,  # too long
    "-" * 190 + "x",
    "sin(" * 39 + "x" + ")" * 39,
    "exp(" * 30 + "x" + ")" * 30,
    "1e999",
    "1e308*10",
    "exp(1000)",
    "exp(exp(exp(x)))",
    "log(0)",
    "sqrt(-1)",
    "(-8)**0.5",
    "x/0",
    "1/(x - x)",
    "log(x)",
    "x**0.5",
    "x**y",
    "x**2 + y**2 + exp(1)",
    "sin(1)*x**2 + y**2",
    "1/0",
    "0**-1",
    "10.0**400",
    "2",
    "2*3",
    "0**0",
    "x",
    "(x)",
    "+x",
    "a_b*c_",
)


def formulas(variables: tuple[str, ...] = ("x", "y"), functions=ALL_FUNCTIONS, leaves: int = 8):
    """Well-formed formulas over ``variables`` (none: constant-only), numbers and ``functions``."""
    atoms = st.sampled_from(variables + NUMBERS) if variables else st.sampled_from(NUMBERS)

    def extend(inner):
        return st.one_of(
            st.tuples(inner, st.sampled_from("+-*/"), inner).map(
                lambda t: f"({t[0]} {t[1]} {t[2]})"
            ),
            st.tuples(inner, st.sampled_from(EXPONENTS)).map(lambda t: f"({t[0]})**{t[1]}"),
            st.tuples(st.sampled_from(functions), inner).map(lambda t: f"{t[0]}({t[1]})"),
            inner.map(lambda s: f"-{s}"),
        )

    return st.recursive(atoms, extend, max_leaves=leaves)


def typed_text():
    """Anything a learner might type: formulas, constant-only ones, hostile text, random unicode."""
    return st.one_of(
        formulas(),
        formulas(()),
        formulas(("x",)),
        st.sampled_from(hostile_inputs),
        st.text(max_size=40),
    )


LISTED_INPUTS: list[str] = [
    *SINGLE_VARIABLE,
    *CONSTANT_ONLY,
    *CONSTANT_FAILURES,
    *CONSTANT_PARTS,
    POWER_HINT,
]
"""Every exact string the issue lists, for the pages that take expressions."""
