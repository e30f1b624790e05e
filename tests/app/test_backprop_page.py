"""The Backprop page through AppTest: examples, the expression box, the step slider, mistakes."""

from __future__ import annotations

import pytest

from dlviz.backprop.examples import EXAMPLES, EXPRESSION
from dlviz.ui.backprop.controls import variable_key
from tests.app.conftest import open_page
from tests.app.hardening import assert_clean, enter_text
from tests.expression_strategies import (
    CONSTANT_FAILURES,
    CONSTANT_ONLY,
    LISTED_INPUTS,
    POWER_HINT,
    SINGLE_VARIABLE,
    plain,
)
from tests.support import plotly_specs

PAGE = "3_backprop.py"


@pytest.fixture
def at():
    return open_page(PAGE, timeout=60)


def graph_dot(at) -> str:
    charts = at.get("graphviz_chart")
    assert len(charts) == 1
    return charts[0].proto.spec


def test_opens_with_title_graph_check_table_and_step_chart(at):
    assert "Backprop" in at.title[0].value
    dot = graph_dot(at)
    assert "rankdir=LR" in dot and "grad ?" not in dot  # starts at the end of the pass
    assert at.slider(key="bp_step").value == at.slider(key="bp_step").max
    assert at.button(key="bp_next").disabled
    assert len(at.dataframe) >= 2  # check table, parameter moves
    specs = plotly_specs(at)
    assert specs and specs[0]["layout"]["xaxis"]["title"]["text"] == "learning rate"
    assert not at.error


@pytest.mark.parametrize("example", [*EXAMPLES, "expression"])
def test_every_example_renders_its_graph_and_inputs(at, example):
    at.selectbox(key="bp_preset").set_value(example).run()
    assert not at.exception and not at.error
    dot = graph_dot(at)
    if example in EXAMPLES:
        for var in EXAMPLES[example].variables:
            assert at.number_input(key=variable_key(example, var.name)).value == var.default
            assert f"{var.name} | data" in dot
    steps = at.slider(key="bp_step").max
    assert steps == dot.count("shape=record")  # one step per non-constant value node
    assert at.success  # the engine agrees with torch


def test_changing_a_number_changes_the_graph(at):
    before = graph_dot(at)
    at.number_input(key=variable_key("relu_neuron", "w")).set_value(-0.75).run()
    after = graph_dot(at)
    assert after != before
    assert "w | data -0.75" in after
    assert "grad 0" in after  # z < 0: relu passes no gradient back (a dead neuron)


def test_expression_box_valid_and_invalid(at):
    at.selectbox(key="bp_preset").set_value("expression").run()
    at.text_input(key="bp_expr").set_value("relu(w1*x1 + w2*x2 + b)").run()
    assert not at.error
    for name in ("w1", "x1", "w2", "x2"):  # b keeps its default of the default expression
        assert at.number_input(key=variable_key("expression", name)).value == 1.0
    assert "w1 | data 1" in graph_dot(at)

    at.text_input(key="bp_expr").set_value("x.__class__").run()
    assert not at.exception
    assert "attribute access" in at.error[0].value and "column" in at.error[0].value
    assert not at.get("graphviz_chart")

    at.text_input(key="bp_expr").set_value("log(a)").run()
    at.number_input(key=variable_key("expression", "a")).set_value(-1.0).run()
    assert not at.exception
    assert "log of a non-positive number" in plain(at.error[0].value)


def test_step_slider_and_prev_next_walk_the_backward_pass(at):
    slider = at.slider(key="bp_step")
    total = slider.max
    slider.set_value(0).run()
    dot = graph_dot(at)
    assert dot.count("grad ?") == total  # forward pass only: no gradient shown yet
    assert any("Forward pass done" in i.value for i in at.info)

    at.button(key="bp_next").click().run()
    assert at.slider(key="bp_step").value == 1
    assert graph_dot(at).count("grad ?") == total - 1
    assert any(r"\frac{\partial y}{\partial y} = 1" in x.value for x in at.latex)

    at.button(key="bp_next").click().run()
    assert at.slider(key="bp_step").value == 2
    dot = graph_dot(at)
    assert "penwidth=3.2" in dot  # the current node is outlined
    assert any("dy/dz" in c.value for c in at.caption)  # chain rule with numbers

    at.button(key="bp_prev").click().run()
    at.button(key="bp_prev").click().run()
    assert at.slider(key="bp_step").value == 0
    assert at.button(key="bp_prev").disabled and not at.button(key="bp_next").disabled


def test_new_numbers_keep_the_current_step(at):
    at.slider(key="bp_step").set_value(2).run()
    at.number_input(key=variable_key("relu_neuron", "b")).set_value(0.25).run()
    assert at.slider(key="bp_step").value == 2
    assert "b | data 0.25" in graph_dot(at)


def test_top_down_layout(at):
    at.segmented_control(key="bp_layout").set_value("TB").run()
    dot = graph_dot(at)
    assert "rankdir=TB" in dot and "{y | data" in dot


def test_example_change_resets_the_slider_to_the_end(at):
    at.slider(key="bp_step").set_value(1).run()
    at.selectbox(key="bp_preset").set_value("mlp_221").run()
    slider = at.slider(key="bp_step")
    assert slider.value == slider.max > 20


def test_mistake_switches_break_the_check_table_and_the_step(at):
    at.selectbox(key="bp_preset").set_value("logistic_bce").run()
    table = at.dataframe[0].value  # text: every number as dlviz.display writes it
    assert (table["|engine − torch|"].astype(float) < 1e-12).all()

    at.toggle(key="bp_twice").set_value(True).run()
    table = at.dataframe[0].value
    engine, torch = (table[c].astype(float) for c in ("engine grad", "torch.autograd (float64)"))
    assert engine.tolist() == pytest.approx((2 * torch).tolist(), rel=1e-7)
    assert any("twice" in e.value for e in at.error)

    at.toggle(key="bp_before").set_value(True).run()
    table = at.dataframe[0].value
    assert (table["engine grad"] == "0").all()
    moves = at.dataframe[1].value
    assert (moves["before"] == moves["after"]).all()  # zero grads: the step moves nothing


def test_learning_rate_and_parameter_choice_drive_the_step(at):
    at.selectbox(key="bp_preset").set_value("logistic_bce").run()
    at.slider(key="bp_lr").set_value(0.5).run()
    moves = at.dataframe[1].value
    assert list(moves["parameter"]) == ["w1", "w2", "b"]
    before, grad, after = (moves[c].astype(float) for c in ("before", "grad", "after"))
    assert after.tolist() == pytest.approx((before - 0.5 * grad).tolist(), rel=1e-5)
    at.multiselect(key="bp_gd_params_logistic_bce").set_value([]).run()
    assert any("at least one parameter" in i.value for i in at.info)


# --- the hardening issue's exact inputs (tracebacks or unreadable messages before) --------------


@pytest.fixture
def expression_page(at):
    at.selectbox(key="bp_preset").set_value(EXPRESSION).run()
    return at


@pytest.mark.parametrize("text", LISTED_INPUTS)
def test_every_listed_input_shows_a_graph_or_a_message(expression_page, text):
    at = enter_text(expression_page, "bp_expr", text)
    assert at.get("graphviz_chart") or at.error or at.warning


@pytest.mark.parametrize("text", SINGLE_VARIABLE)
def test_a_single_variable_has_gradient_one_checked_against_torch(expression_page, text):
    at = enter_text(expression_page, "bp_expr", text)
    assert not at.error
    (row,) = at.dataframe[0].value.to_dict("records")
    assert (row["variable"], row["value"], row["engine grad"]) == ("x", "1", "1")
    assert (row["torch.autograd (float64)"], row["|engine − torch|"]) == ("1", "0")
    assert float(row["finite difference"]) == pytest.approx(1.0)
    assert any("agrees with torch.autograd" in s.value for s in at.success)


@pytest.mark.parametrize(("text", "value"), CONSTANT_ONLY.items())
def test_a_constant_only_expression_says_there_is_nothing_to_differentiate(
    expression_page, text, value
):
    at = enter_text(expression_page, "bp_expr", text)
    message = plain(at.warning[0].value)
    assert "has no variables" in message and f"its value is always {value}." in message
    assert not at.get("graphviz_chart") and not at.dataframe


@pytest.mark.parametrize(("text", "fragment"), CONSTANT_FAILURES.items())
def test_constant_failures_are_messages(expression_page, text, fragment):
    at = enter_text(expression_page, "bp_expr", text)
    assert plain(at.error[0].value) == f"evaluating the expression: {fragment}" + (
        "; change the numbers."
        if "overflow" not in fragment
        else " (beyond about 1e308); use smaller inputs or exponents."
    )


def test_the_power_hint_keeps_its_stars(expression_page):
    at = enter_text(expression_page, "bp_expr", POWER_HINT)
    shown = at.error[0].value
    assert r"write x\*\*2, not x\*\*y" in shown  # escaped: Markdown prints x**2, not a bold x2
    assert "write x**2, not x**y" in plain(shown)


def test_one_step_metrics_and_tables_use_words_and_no_minus_zero(expression_page):
    at = enter_text(expression_page, "bp_expr", "log(a)")
    at.number_input(key=variable_key(EXPRESSION, "a")).set_value(1e-3).run()
    at.slider(key="bp_lr").set_value(0.5).run()  # a - 0.5 * 1000 < 0: log is undefined there
    assert_clean(at)
    after = next(m for m in at.metric if m.label == "f after")
    assert after.value == "undefined" and not after.proto.delta
    at.text_input(key="bp_expr").set_value("x*-0.0").run()
    assert_clean(at)
    assert at.dataframe[0].value["engine grad"][0] == "0"  # the float is -0.0
