"""The Backprop page through AppTest: examples, the expression box, the graph's steps, mistakes."""

from __future__ import annotations

import pytest

from dlviz.backprop.examples import EXAMPLES, EXPRESSION
from dlviz.display import number
from dlviz.plots.backprop.traces import STEPPED, VALUES
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
from tests.support import plotly_specs, spec_by_key

PAGE = "3_backprop.py"


@pytest.fixture
def at():
    return open_page(PAGE, timeout=60)


def graph(at) -> dict:
    """The spec of the computation-graph figure (its frames included)."""
    return spec_by_key(at, "bp_graph")


def has_graph(at) -> bool:
    return any(c.proto.id.endswith("-bp_graph") for c in at.get("plotly_chart"))


def boxes(spec: dict) -> dict[str, tuple[str, str]]:
    """Each value box's name -> (data, grad) as the figure opens (at the last step)."""
    values = spec["data"][VALUES]
    return {c[0]: (c[1], g) for c, g in zip(values["customdata"], values["text"], strict=True)}


def test_opens_with_title_graph_check_table_and_step_chart(at):
    assert "Backprop" in at.title[0].value
    spec = graph(at)
    total = len(spec["frames"]) - 1
    assert spec["layout"]["sliders"][0]["active"] == total  # opens at the end of the pass
    assert "?" not in [g for _, g in boxes(spec).values()]
    assert len(at.dataframe) >= 2  # check table, parameter moves
    specs = plotly_specs(at)
    assert specs[-1]["layout"]["xaxis"]["title"]["text"] == "learning rate"
    assert not at.error


@pytest.mark.parametrize("example", [*EXAMPLES, "expression"])
def test_every_example_renders_its_graph_and_inputs(at, example):
    at.selectbox(key="bp_preset").set_value(example).run()
    assert not at.exception and not at.error
    spec = graph(at)
    shown = boxes(spec)
    if example in EXAMPLES:
        for var in EXAMPLES[example].variables:
            assert at.number_input(key=variable_key(example, var.name)).value == var.default
            assert shown[var.name][0] == number(var.default, 4)
    assert len(spec["frames"]) == len(shown) + 1  # one step per non-constant value
    assert at.success  # the engine agrees with torch


def test_changing_a_number_changes_the_graph(at):
    before = graph(at)
    at.number_input(key=variable_key("relu_neuron", "w")).set_value(-0.75).run()
    after = boxes(graph(at))
    assert after != boxes(before)
    assert after["w"] == ("-0.75", "0")  # z < 0: relu passes no gradient back (a dead neuron)
    assert after["z"][1] == "0" and after["y"][1] == "1"


def test_expression_box_valid_and_invalid(at):
    at.selectbox(key="bp_preset").set_value("expression").run()
    at.text_input(key="bp_expr").set_value("relu(w1*x1 + w2*x2 + b)").run()
    assert not at.error
    for name in ("w1", "x1", "w2", "x2"):  # b keeps its default of the default expression
        assert at.number_input(key=variable_key("expression", name)).value == 1.0
    assert boxes(graph(at))["w1"][0] == "1"

    at.text_input(key="bp_expr").set_value("x.__class__").run()
    assert not at.exception
    assert "attribute access" in at.error[0].value and "column" in at.error[0].value
    assert not has_graph(at)

    at.text_input(key="bp_expr").set_value("log(a)").run()
    at.number_input(key=variable_key("expression", "a")).set_value(-1.0).run()
    assert not at.exception
    assert "log of a non-positive number" in plain(at.error[0].value)


def test_the_steps_are_frames_and_their_chain_rules_are_written_out(at):
    spec = graph(at)
    frames = spec["frames"]
    total = len(frames) - 1
    texts = [f["data"][STEPPED.index(VALUES)]["text"] for f in frames]
    assert [t.count("?") for t in texts] == list(range(total, -1, -1))
    assert "forward pass done" in frames[0]["layout"]["annotations"][0]["text"]
    assert "Step 2 of 6: the gradient of z" in frames[2]["layout"]["annotations"][0]["text"]
    formulas = "".join(m.value for m in at.markdown)
    assert r"\frac{\partial y}{\partial y} = 1" in formulas  # every step's chain rule, LaTeX
    assert formulas.count("**Step ") == total


def test_new_numbers_redraw_the_same_graph_with_them(at):
    before = boxes(graph(at))
    at.number_input(key=variable_key("relu_neuron", "b")).set_value(0.25).run()
    after = boxes(graph(at))
    assert list(after) == list(before) and after["b"] == ("0.25", "1")
    assert after["z"][0] == "1.75" != before["z"][0]  # z = w*x + b = 0.75*2 + 0.25


def test_top_down_layout(at):
    wide = graph(at)
    at.segmented_control(key="bp_layout").set_value("TB").run()
    tall = graph(at)
    assert boxes(tall) == boxes(wide)
    assert tall["layout"]["height"] > wide["layout"]["height"]
    assert max(tall["data"][VALUES]["y"]) == tall["data"][VALUES]["y"][-1]  # the output: lowest


def test_example_change_draws_the_new_graph_at_its_last_step(at):
    at.selectbox(key="bp_preset").set_value("mlp_221").run()
    spec = graph(at)
    assert spec["layout"]["sliders"][0]["active"] == len(spec["frames"]) - 1 > 20
    assert "yhat" in boxes(spec)


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
    assert has_graph(at) or at.error or at.warning


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
    assert not has_graph(at) and not at.dataframe


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
