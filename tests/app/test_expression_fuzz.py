"""The same typed text on both pages that take expressions: a value or a message, never a traceback.

Hypothesis feeds well-formed formulas, constant-only ones, overflow, division by zero, deep
nesting, very long text, unicode and Python that must be refused (``__import__('os')``, lambda,
attribute access) to the Backprop page's "Your own expression" box and to the Gradient-descent
page's custom surface. Each run must show a result (a graph, a chart) or a message, and pass
``assert_clean``: no exception element, no NaN/inf/None/-0 where a number belongs.
"""

from __future__ import annotations

import pytest
from hypothesis import example, given

from dlviz.backprop.examples import EXPRESSION
from tests.app.conftest import open_page
from tests.app.hardening import PAGE_SETTINGS, assert_clean
from tests.expression_strategies import hostile_inputs, typed_text
from tests.support import plotly_specs


@pytest.fixture(scope="module")
def pages():
    """Both pages, opened once on their expression boxes (a fresh page costs seconds)."""
    backprop = open_page("3_backprop.py", timeout=120)
    backprop.selectbox(key="bp_preset").set_value(EXPRESSION).run()
    descent = open_page("4_gradient_descent.py", timeout=120)
    descent.selectbox(key="gd_surface").set_value("custom").run()
    return backprop, descent


def shows_something(at, *results: str) -> bool:
    """A result element of one of the given kinds, or a message."""
    return any(at.get(kind) for kind in results) or bool(at.error or at.warning or at.info)


@PAGE_SETTINGS
@given(text=typed_text())
@example(text="__import__('os').system('ls')")
@example(text="x**2 + y**2 + exp(1)")
@example(text="2*3")
def test_both_pages_show_a_value_or_a_message(pages, text):
    backprop, descent = pages
    backprop.text_input(key="bp_expr").set_value(text).run()
    assert_clean(backprop, f"Backprop, expression {text!r}")
    assert shows_something(backprop, "plotly_chart"), text

    descent.text_input(key="gd_expr").set_value(text).run()
    assert_clean(descent, f"Gradient descent, f(x, y) = {text!r}")
    assert plotly_specs(descent) or shows_something(descent), text


@pytest.mark.parametrize("text", [t for t in hostile_inputs if "__" in t or "lambda" in t])
def test_code_is_refused_on_both_pages(pages, text):
    backprop, descent = pages
    backprop.text_input(key="bp_expr").set_value(text).run()
    descent.text_input(key="gd_expr").set_value(text).run()
    for at in (backprop, descent):
        assert_clean(at, text)
        assert at.error and not plotly_specs(at)
