"""Graph export, the step-through of the backward pass, the gradient checks and the examples."""

from __future__ import annotations

import json
import math

import pytest
import torch

from dlviz.backprop import Value, build
from dlviz.backprop.check import check_gradients, finite_differences, torch_gradients
from dlviz.backprop.engine import as_constant
from dlviz.backprop.examples import EXAMPLES, EXPRESSION, build_example, example_variables
from dlviz.backprop.graph import (
    CONSTANT,
    LEAF,
    OUTPUT,
    backward_steps,
    chain_rule_latex,
    chain_rule_text,
    grads_at,
    trace,
)
from dlviz.backprop.walkthrough import (
    BackpropConfig,
    NothingToDifferentiate,
    descent_step,
    run_backprop,
    step_losses,
)
from dlviz.expression import ExpressionError, parse_expression
from dlviz.plots.backprop import graph_figure
from dlviz.plots.backprop.traces import CONSTANTS
from tests.expression_strategies import CONSTANT_ONLY, SINGLE_VARIABLE


def graph_of(text: str, values: dict[str, float], backward: bool = True):
    out, _ = build(parse_expression(text), values)
    if backward:
        out.backward()
    return trace(out)


def test_trace_is_plain_data_in_topological_order():
    g = graph_of("(a*b + c)**2", {"a": 2, "b": -3, "c": 10})
    assert [n.label for n in g.nodes if n.kind == LEAF] == ["a", "b", "c"]
    assert g.root.kind == OUTPUT and g.root.label == "L" and g.root.data == 16.0
    assert g.operations == 3
    for parent, child in g.edges:
        assert parent < child  # parents come first
    assert {n.op for n in g.nodes} == {"", "*", "+", "**2"}
    data = json.loads(json.dumps(g.to_dict()))
    assert len(data["nodes"]) == 6 and len(data["edges"]) == 5
    assert [n["grad"] for n in data["nodes"] if n["label"] == "a"] == [-24.0]


def test_constants_are_their_own_kind_and_unnamed_nodes_get_labels():
    g = graph_of("2*a + 1", {"a": 3})
    kinds = {n.label: n.kind for n in g.nodes}
    assert kinds["2"] == kinds["1"] == CONSTANT
    assert "t1" in kinds


def test_steps_follow_reverse_topological_order_and_end_at_the_engine_grads():
    g = graph_of("relu(w1*x1 + w2*x2 + b)", {"w1": 0.5, "x1": 2, "w2": -1, "x2": 0.3, "b": 0.1})
    steps = backward_steps(g)
    assert steps[0].node == g.root.id and steps[0].grad == 1.0
    order = [s.node for s in steps]
    assert order == sorted(order, reverse=True)
    for s in steps:
        assert s.grad == pytest.approx(g.nodes[s.node].grad, abs=1e-15)
        for t in s.terms:
            assert t.consumer > s.node  # a consumer's gradient is complete before its inputs'
    assert len(steps) == sum(1 for n in g.nodes if n.kind != CONSTANT)
    assert grads_at(steps, -1) == {}
    assert grads_at(steps, 0) == {g.root.id: 1.0}
    assert len(grads_at(steps, len(steps) - 1)) == len(steps)


def test_chain_rule_text_fills_in_the_numbers():
    # L = c * d, c = a * b: dL/da = dc/da * dL/dc = b * dL/dc
    a, b, d = Value(2.0, label="a"), Value(1.5, label="b"), Value(1.5, label="d")
    c = a * b
    c.label = "c"
    L = c * d
    L.backward()
    g = trace(L)
    steps = {g.nodes[s.node].label: s for s in backward_steps(g)}
    assert chain_rule_text(g, steps["a"]) == "dL/da = dc/da * dL/dc = b * 1.5 = 1.5 * 1.5 = 2.25"
    assert chain_rule_text(g, steps["c"]) == "dL/dc = dL/dc (direct) = d * 1 = 1.5 * 1 = 1.5"
    assert chain_rule_text(g, steps["L"]).startswith("dL/dL = 1")
    latex = chain_rule_latex(g, steps["a"])
    assert r"\frac{\partial L}{\partial a}" in latex and latex.endswith("2.25")


def test_fan_out_gives_one_term_per_use():
    g = graph_of("a*b + a", {"a": 2, "b": -3})
    step = next(s for s in backward_steps(g) if g.nodes[s.node].label == "a")
    assert len(step.terms) == 2 and step.grad == -2.0
    assert " + " in chain_rule_text(g, step)
    square = graph_of("a*a", {"a": 3})
    step = next(s for s in backward_steps(square) if square.nodes[s.node].label == "a")
    assert [t.slot for t in step.terms] == [0, 1] and step.grad == 6.0


@pytest.mark.parametrize(
    "text",
    ["a/b", "a**3", "-a", "exp(a)", "log(b)", "tanh(a)", "sigmoid(a)", "relu(a)", "a - b"],
)
def test_every_op_has_a_symbolic_local_derivative(text):
    g = graph_of(text, {"a": 0.7, "b": 1.9})
    for s in backward_steps(g)[1:]:
        line = chain_rule_text(g, s)
        assert "d" + g.root.label in line and "/d" in line
        assert "?" not in line
        chain_rule_latex(g, s)


def test_checks_agree_with_torch_and_finite_differences():
    g = graph_of(
        "sigmoid(a*b)*log(c) - exp(-a)/b + relu(c - a)**2", {"a": 0.4, "b": -1.2, "c": 2.5}
    )
    rows = check_gradients(g)
    assert [r.name for r in rows] == ["a", "b", "c"]
    for r in rows:
        assert r.error_torch < 1e-12
        assert r.error_finite_difference < 1e-6


def test_torch_replay_matches_direct_torch():
    g = graph_of("(x - y)**2", {"x": 3.0, "y": 1.0})
    assert list(torch_gradients(g).values()) == pytest.approx([4.0, -4.0])
    x = torch.tensor(3.0, dtype=torch.float64, requires_grad=True)
    ((x - 1.0) ** 2).backward()
    assert torch_gradients(g)[0] == x.grad.item()
    assert finite_differences(g)[0] == pytest.approx(4.0, abs=1e-6)


@pytest.mark.parametrize("key", list(EXAMPLES))
def test_every_example_builds_and_checks_out(key):
    result = run_backprop(
        BackpropConfig(key, tuple((v.name, v.default) for v in EXAMPLES[key].variables))
    )
    g = result.graph
    assert g.root.label in {"L", "y"}
    assert {n.label for n in g.leaves()} == {v.name for v in EXAMPLES[key].variables}
    for row in result.checks:
        assert row.error_torch < 1e-12, row
        assert row.error_finite_difference < 1e-6, row
    assert len(result.steps) == sum(1 for n in g.nodes if n.kind != CONSTANT)


def test_seed_neuron_and_mlp_examples_name_their_intermediate_values():
    seed = trace(build_example("seed_neuron", {}))
    assert {"act", "y"} <= {n.label for n in seed.nodes}
    mlp = trace(build_example("mlp_221", {}))
    assert {"z1", "z2", "h1", "h2", "yhat", "e", "L"} <= {n.label for n in mlp.nodes}
    bce = trace(build_example("logistic_bce", {"y": 1.0}))
    p = next(n for n in bce.nodes if n.label == "p")
    assert math.isclose(bce.root.data, -math.log(p.data))


def test_expression_example_and_errors():
    assert [v.name for v in example_variables(EXPRESSION, "x*y + x")] == ["x", "y"]
    assert build_example(EXPRESSION, {"x": 2, "y": 3}, "x*y + x").data == 8.0
    with pytest.raises(ExpressionError):
        build_example(EXPRESSION, {}, "x.y")
    with pytest.raises(ExpressionError, match="non-positive"):
        build_example("logistic_bce", {"w1": 100.0, "x1": 100.0, "y": 0.0})


def test_common_mistakes_change_the_engine_grads():
    values = tuple((v.name, v.default) for v in EXAMPLES["mlp_221"].variables)
    right = run_backprop(BackpropConfig("mlp_221", values))
    twice = run_backprop(BackpropConfig("mlp_221", values, backward_calls=2))
    before = run_backprop(BackpropConfig("mlp_221", values, backward_calls=0))
    for r, t, b in zip(right.checks, twice.checks, before.checks, strict=True):
        assert t.engine == pytest.approx(2 * r.engine)
        assert b.engine == 0.0
        assert t.torch == r.torch == b.torch
    # the step-through always shows the correct pass
    assert [s.grad for s in twice.steps] == [s.grad for s in right.steps]


def test_descent_step_lowers_a_smooth_loss_and_zero_grads_do_nothing():
    values = tuple((v.name, v.default) for v in EXAMPLES["logistic_bce"].variables)
    g = run_backprop(BackpropConfig("logistic_bce", values)).graph
    params = ("w1", "w2", "b")
    step = descent_step(g, params, 0.1)
    assert step.after < step.before
    assert [m[0] for m in step.moves] == ["w1", "w2", "b"]
    for _, value, grad, new in step.moves:
        assert new == pytest.approx(value - 0.1 * grad)
    zero = run_backprop(BackpropConfig("logistic_bce", values, backward_calls=0)).graph
    assert descent_step(zero, params, 0.1).after == step.before
    losses = step_losses(g, params, [0.0, 0.1])
    assert losses[0] == step.before and losses[1] == step.after


# --- the simplest expressions (a traceback in the check table before) ---------------------------


@pytest.mark.parametrize("text", SINGLE_VARIABLE)
def test_a_single_variable_has_gradient_one_checked_against_torch(text):
    result = run_backprop(BackpropConfig(EXPRESSION, (("x", 1.5),), text))
    assert result.graph.root.kind == LEAF and result.graph.root.label == "x"
    (row,) = result.checks
    assert (row.name, row.value, row.engine, row.torch) == ("x", 1.5, 1.0, 1.0)
    assert row.finite_difference == pytest.approx(1.0)
    assert [s.grad for s in result.steps] == [1.0]
    assert chain_rule_text(result.graph, result.steps[0]).startswith("dx/dx = 1")
    assert descent_step(result.graph, ("x",), 0.5).after == 1.0  # x - 0.5 * 1


@pytest.mark.parametrize(("text", "value"), CONSTANT_ONLY.items())
def test_a_constant_only_expression_is_refused_with_its_value(text, value):
    with pytest.raises(NothingToDifferentiate, match=f"its value is always {value}\\. Put a"):
        run_backprop(BackpropConfig(EXPRESSION, (), text))


def test_the_checks_of_a_graph_without_variables_are_empty_not_a_crash():
    graph = trace(as_constant(2.0))
    assert graph.leaves() == [] and graph.root.kind == CONSTANT
    assert torch_gradients(graph) == {} and check_gradients(graph) == []


def test_chain_rule_text_and_latex_never_write_minus_zero():
    # f = x * -0.0: the local derivative df/dx is the float -0.0 (and the constant's label)
    g = graph_of("x*-0.0", {"x": 2.0})
    step = next(s for s in backward_steps(g) if g.nodes[s.node].label == "x")
    assert math.copysign(1.0, step.terms[0].local) == -1.0  # the float really is -0.0
    text, latex = chain_rule_text(g, step), chain_rule_latex(g, step)
    assert "-0" not in text and "-0" not in latex
    constants = graph_figure(g, backward_steps(g)).data[CONSTANTS]
    assert list(constants.text) == ["0"] and "-0" not in str(constants.hovertext)
