"""Property test of the Backprop page over its reachable widget space: clean after every run.

Hypothesis picks an example (or an expression), variable values inside their bounds (0 and the
extremes ±100 included), the layout, the two mistake switches, the parameters to update and the
learning rate, on one page kept open across examples (so it also walks sequences of moves). After
every run the page must pass ``assert_clean``, and every step of the graph figure (its frames,
which the learner steps through in the browser) must write its numbers cleanly.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlviz.backprop.examples import DEFAULT_EXPRESSION, EXAMPLES, EXPRESSION, example_variables
from dlviz.expression import ExpressionError
from dlviz.plots.backprop import traces
from dlviz.ui.backprop.controls import VALUE_RANGE, variable_key
from dlviz.ui.backprop.results import LRS
from tests.app.conftest import open_page
from tests.app.hardening import PAGE_SETTINGS, assert_clean, text_problem
from tests.expression_strategies import formulas
from tests.support import spec_by_key

BAD_BOX = {"nan", "inf", "-inf", "n/a", "overflow", "-0", "None"}

ENGINE_FUNCTIONS = ("exp", "log", "tanh", "sigmoid", "relu")
EXPRESSIONS = st.one_of(
    st.sampled_from([DEFAULT_EXPRESSION, "x", "log(a)*b", "a*a", "sigmoid(w*x + b)", "1/a"]),
    formulas(("a", "b", "x"), ENGINE_FUNCTIONS, leaves=6),
)
VALUES = st.one_of(
    st.sampled_from([0.0, -VALUE_RANGE, VALUE_RANGE]),
    st.floats(-VALUE_RANGE, VALUE_RANGE, allow_nan=False, allow_subnormal=False),
)


MOST_VARIABLES = max(len(e.variables) for e in EXAMPLES.values())
# Every choice is drawn up front, whatever the page shows, so a replayed example draws the same.
PLAN = st.fixed_dictionaries(
    {
        "example": st.sampled_from([*EXAMPLES, EXPRESSION]),
        "expression": EXPRESSIONS,
        "values": st.lists(VALUES, min_size=MOST_VARIABLES, max_size=MOST_VARIABLES),
        "layout": st.sampled_from(["LR", "TB"]),
        "before": st.booleans(),
        "twice": st.booleans(),
        "update": st.lists(st.booleans(), min_size=MOST_VARIABLES, max_size=MOST_VARIABLES),
        "lr": st.sampled_from(LRS),
    }
)


@pytest.fixture(scope="module")
def page():
    return open_page("3_backprop.py", timeout=120)


def run(at, what: str) -> None:
    at.run()
    assert_clean(at, what)


def assert_graph_clean(spec: dict) -> None:
    """Every step the learner can step to writes numbers: no NaN, inf or -0 in a box or text."""
    for frame in spec["frames"]:
        grads = frame["data"][traces.STEPPED.index(traces.VALUES)]["text"]
        assert not set(grads) & BAD_BOX, (frame["name"], grads)
        text = frame["layout"]["annotations"][0]["text"]
        assert text_problem(text) is None, (frame["name"], text)
    data = [c[1] for c in spec["data"][traces.VALUES]["customdata"]]
    assert not set(data) & BAD_BOX, data


def variables_of(example: str, expression: str) -> tuple[str, ...]:
    try:
        return tuple(v.name for v in example_variables(example, expression))
    except ExpressionError:
        return ()


@PAGE_SETTINGS
@given(plan=PLAN)
def test_every_reachable_setting_keeps_the_page_clean(page, plan):
    at = page
    example = plan["example"]
    expression = plan["expression"] if example == EXPRESSION else ""
    at.selectbox(key="bp_preset").set_value(example)
    run(at, f"example {example}")
    if example == EXPRESSION:
        at.text_input(key="bp_expr").set_value(expression)
        run(at, f"expression {expression!r}")
    names = variables_of(example, expression)
    for name, value in zip(names, plan["values"], strict=False):
        at.number_input(key=variable_key(example, name)).set_value(value)
    run(at, "variable values")
    if not any(c.proto.id.endswith("-bp_graph") for c in at.get("plotly_chart")):
        return  # an error message stands in for the graph (assert_clean checked it)
    at.segmented_control(key="bp_layout").set_value(plan["layout"])
    at.toggle(key="bp_before").set_value(plan["before"])
    at.toggle(key="bp_twice").set_value(plan["twice"])
    run(at, "layout and mistakes")
    assert_graph_clean(spec_by_key(at, "bp_graph"))
    chosen = [name for name, pick in zip(names, plan["update"], strict=False) if pick]
    at.multiselect(key=f"bp_gd_params_{example}").set_value(chosen)
    at.slider(key="bp_lr").set_value(plan["lr"])
    run(at, "parameters and learning rate")
