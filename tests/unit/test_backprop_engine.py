"""The scalar autodiff engine against torch.autograd (float64) as the oracle."""

from __future__ import annotations

import math
import random

import pytest
import torch
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dlviz.backprop import MLP, Neuron, Value, gradients
from dlviz.expression import ExpressionError, parse_expression


def _on_tensors(fn):
    """A torch function that also takes a plain float (a constant argument such as exp(2))."""
    return lambda a: fn(torch.as_tensor(a, dtype=torch.float64))


TORCH_FUNCTIONS = {
    "exp": _on_tensors(torch.exp),
    "log": _on_tensors(torch.log),
    "tanh": _on_tensors(torch.tanh),
    "sigmoid": _on_tensors(torch.sigmoid),
    "relu": _on_tensors(torch.relu),
}


def torch_value_and_grads(text: str, values: dict[str, float]) -> tuple[float, dict[str, float]]:
    """The oracle: the same expression evaluated on float64 tensors, then torch.autograd."""
    expr = parse_expression(text)
    leaves = {
        k: torch.tensor(float(v), dtype=torch.float64, requires_grad=True)
        for k, v in values.items()
    }
    out = expr.evaluate(leaves, TORCH_FUNCTIONS)
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        return float(out), {k: 0.0 for k in values}
    out.backward()
    return out.item(), {
        k: (t.grad.item() if t.grad is not None else 0.0) for k, t in leaves.items()
    }


@pytest.mark.parametrize(
    "text",
    [
        "a + b",
        "a - b",
        "a * b",
        "a / b",
        "a**3",
        "a**-2",
        "a**0.5",
        "-a",
        "exp(a)",
        "log(a)",
        "tanh(a)",
        "sigmoid(a)",
        "relu(a)",
        "relu(-a)",
        "(a*b + c)**2",
        "a*a*a",
        "sigmoid(a*b)*log(c) - exp(-a)/b",
        "2 - a / 3 + 4*b",
    ],
)
def test_each_operation_matches_torch(text):
    values = {"a": 1.3, "b": -0.7, "c": 2.1}
    expr = parse_expression(text)
    values = {k: v for k, v in values.items() if k in expr.variables}
    value, grads = gradients(text, values)
    ref_value, ref_grads = torch_value_and_grads(text, values)
    assert value == pytest.approx(ref_value, abs=1e-12)
    for k in values:
        assert grads[k] == pytest.approx(ref_grads[k], abs=1e-12), k


def test_relu_at_zero_has_zero_gradient_like_torch():
    assert gradients("relu(a)", {"a": 0.0})[1]["a"] == 0.0
    assert torch_value_and_grads("relu(a)", {"a": 0.0})[1]["a"] == 0.0


def test_sigmoid_is_stable_for_large_inputs():
    value, grads = gradients("sigmoid(a)", {"a": -800.0})
    assert value == pytest.approx(0.0) and grads["a"] == pytest.approx(0.0)
    assert gradients("sigmoid(a)", {"a": 800.0})[0] == 1.0


def test_fan_out_adds_gradients():
    # f = a*b + a: df/da = b + 1
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    f = a * b + a
    f.backward()
    assert a.grad == -2.0 and b.grad == 2.0
    a2 = Value(3.0)
    sq = a2 * a2  # the same node in both slots
    sq.backward()
    assert a2.grad == 6.0


def test_backward_twice_without_zero_grad_doubles_every_grad_like_torch():
    a, b = Value(1.5), Value(-2.0)
    f = ((a * b).tanh() + a) ** 2
    f.backward()
    first = (a.grad, b.grad)
    f.backward()
    assert (a.grad, b.grad) == pytest.approx((2 * first[0], 2 * first[1]))
    ta = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(-2.0, dtype=torch.float64, requires_grad=True)
    tf = ((ta * tb).tanh() + ta) ** 2
    tf.backward(retain_graph=True)
    tf.backward()
    assert (a.grad, b.grad) == pytest.approx((ta.grad.item(), tb.grad.item()), abs=1e-12)
    f.zero_grad()
    assert a.grad == b.grad == f.grad == 0.0
    f.backward()
    assert (a.grad, b.grad) == pytest.approx(first)


def test_grads_before_backward_are_zero():
    a = Value(2.0)
    f = a.exp() * 3
    assert a.grad == 0.0 and f.grad == 0.0


def test_deep_graph_does_not_hit_the_recursion_limit():
    x = Value(0.5)
    y = x
    for _ in range(5000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0


def test_power_by_a_value_is_refused():
    with pytest.raises(TypeError):
        Value(2.0) ** Value(3.0)


def test_neuron_and_mlp_match_torch():
    rng = random.Random(3)
    mlp = MLP(3, [4, 4, 1], rng=rng)
    x = [0.5, -1.2, 2.0]
    out = mlp(x)[0]
    loss = (out - 1.0) ** 2
    loss.backward()
    layers = [
        torch.nn.Linear(3, 4, dtype=torch.float64),
        torch.nn.Linear(4, 4, dtype=torch.float64),
        torch.nn.Linear(4, 1, dtype=torch.float64),
    ]
    with torch.no_grad():
        for ours, theirs in zip(mlp.layers, layers, strict=True):
            theirs.weight.copy_(torch.tensor([[w.data for w in n.w] for n in ours.neurons]))
            theirs.bias.copy_(torch.tensor([n.b.data for n in ours.neurons]))
    h = torch.tensor(x, dtype=torch.float64)
    h = torch.relu(layers[0](h))
    h = torch.relu(layers[1](h))
    tloss = (layers[2](h)[0] - 1.0) ** 2
    tloss.backward()
    assert loss.data == pytest.approx(tloss.item(), abs=1e-12)
    for ours, theirs in zip(mlp.layers, layers, strict=True):
        for j, n in enumerate(ours.neurons):
            assert [w.grad for w in n.w] == pytest.approx(theirs.weight.grad[j].tolist(), abs=1e-12)
            assert n.b.grad == pytest.approx(theirs.bias.grad[j].item(), abs=1e-12)
    assert len(mlp.parameters()) == 4 * 4 + 4 * 5 + 5
    mlp.zero_grad()
    assert all(p.grad == 0.0 for p in mlp.parameters())
    assert len(Neuron(3).parameters()) == 4


# --- random expression trees: engine vs torch.autograd -----------------------------------------

VARIABLES = ("a", "b", "c", "d")


def trees(depth: int):
    """Random expression text over VARIABLES using every operation of the language."""
    leaf = st.one_of(
        st.sampled_from(VARIABLES),
        st.floats(-3, 3, allow_nan=False).map(lambda x: f"{x:.3g}").map(lambda s: f"({s})"),
    )
    if depth == 0:
        return leaf
    sub = trees(depth - 1)
    return st.one_of(
        leaf,
        st.tuples(sub, st.sampled_from(["+", "-", "*", "/"]), sub).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        st.tuples(sub, st.sampled_from(["2", "3", "-1", "0.5"])).map(lambda t: f"({t[0]})**{t[1]}"),
        st.tuples(st.sampled_from(["exp", "log", "tanh", "sigmoid", "relu", "-"]), sub).map(
            lambda t: f"{t[0]}({t[1]})"
        ),
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    trees(4),
    st.lists(st.floats(-2, 2, allow_nan=False), min_size=4, max_size=4),
)
def test_random_expression_trees_match_torch_autograd(text, numbers):
    try:
        expr = parse_expression(text)
    except ExpressionError:
        assume(False)  # over the operation limit
    values = {k: numbers[i] for i, k in enumerate(VARIABLES) if k in expr.variables}
    try:
        value, grads = gradients(text, values)
    except ExpressionError:
        assume(False)  # outside the domain (log of a negative, /0, overflow)
    ref_value, ref_grads = torch_value_and_grads(text, values)
    assume(math.isfinite(ref_value) and all(math.isfinite(g) for g in ref_grads.values()))
    assume(abs(ref_value) < 1e6 and all(abs(g) < 1e6 for g in ref_grads.values()))
    assert value == pytest.approx(ref_value, rel=1e-9, abs=1e-9)
    for k in values:
        assert grads[k] == pytest.approx(ref_grads[k], rel=1e-9, abs=1e-9), (text, k)
