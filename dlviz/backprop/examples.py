"""The Backprop page's worked examples, built with the engine (``Value``, ``Neuron``, ``MLP``).

Each ``Example`` names its variables (inputs, targets and trainable parameters, with defaults)
and builds its output from leaf Values, labelling the intermediate values a learner should
recognise (z, h, p, yhat, L). The free-expression example goes through the expression language
instead. Not a model zoo (the training presets are ``dlviz.training.models.PRESETS``): every graph
here is small enough to read node by node.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from dlviz.backprop.engine import MLP, Neuron, Value, leaves
from dlviz.backprop.evaluate import build
from dlviz.expression import numeric_guard, parse_expression


@dataclass(frozen=True)
class Variable:
    """A leaf of an example's graph: name, default value, whether gradient descent moves it."""

    name: str
    default: float
    parameter: bool = True


@dataclass(frozen=True)
class Example:
    """A worked example: title, formula (LaTeX), variables and a builder of its output Value."""

    key: str
    title: str
    latex: str
    variables: tuple[Variable, ...]
    build: Callable[[Mapping[str, Value]], Value]


def _label(v: Value, name: str) -> Value:
    v.label = name
    return v


def _relu_neuron(v: Mapping[str, Value]) -> Value:
    z = _label(v["w"] * v["x"] + v["b"], "z")
    return _label(z.relu(), "y")


def _seed_neuron(v: Mapping[str, Value]) -> Value:
    # The seed notebook's Neuron: act = b + w1*x1 + w2*x2 + w3*x3, then ReLU.
    neuron = Neuron(3)
    neuron.w = [v["w1"], v["w2"], v["w3"]]
    neuron.b = v["b"]
    out = neuron([v["x1"], v["x2"], v["x3"]])
    _label(out.parents[0], "act")
    return _label(out, "y")


def _mlp_221(v: Mapping[str, Value]) -> Value:
    mlp = MLP(2, [2, 1])
    hidden, output = mlp.layers
    for j, neuron in enumerate(hidden.neurons, start=1):
        neuron.w = [v[f"w{j}1"], v[f"w{j}2"]]
        neuron.b = v[f"b{j}"]
    output.neurons[0].w = [v["v1"], v["v2"]]
    output.neurons[0].b = v["c"]
    h = hidden([v["x1"], v["x2"]])
    for j, hj in enumerate(h, start=1):
        _label(hj, f"h{j}")
        _label(hj.parents[0], f"z{j}")
    yhat = _label(output(h)[0], "yhat")
    err = _label(yhat - v["y"], "e")
    return _label(err**2, "L")


def _logistic_bce(v: Mapping[str, Value]) -> Value:
    z = _label(v["w1"] * v["x1"] + v["w2"] * v["x2"] + v["b"], "z")
    p = _label(z.sigmoid(), "p")
    # BCE = -(y log p + (1 - y) log(1 - p)); p is used twice, so two gradients flow back into it.
    return _label(-(v["y"] * p.log() + (1 - v["y"]) * (1 - p).log()), "L")


EXAMPLES: dict[str, Example] = {
    e.key: e
    for e in (
        Example(
            "relu_neuron",
            "A single ReLU neuron",
            r"y = \mathrm{relu}(w x + b)",
            (Variable("x", 2.0, False), Variable("w", 0.75), Variable("b", -0.5)),
            _relu_neuron,
        ),
        Example(
            "seed_neuron",
            "The seed notebook's neuron (3 inputs)",
            r"y = \mathrm{relu}(b + w_1 x_1 + w_2 x_2 + w_3 x_3)",
            (
                Variable("x1", 1.0, False),
                Variable("x2", -2.0, False),
                Variable("x3", 0.5, False),
                Variable("w1", 0.6),
                Variable("w2", -0.3),
                Variable("w3", 0.9),
                Variable("b", 0.1),
            ),
            _seed_neuron,
        ),
        Example(
            "mlp_221",
            "A 2-2-1 MLP, squared error on one example",
            r"L = (\hat y - y)^2,\quad \hat y = c + \sum_j v_j\,\mathrm{relu}(b_j + w_{j1} x_1"
            r" + w_{j2} x_2)",
            (
                Variable("x1", 1.0, False),
                Variable("x2", -1.0, False),
                Variable("y", 1.0, False),
                Variable("w11", 0.5),
                Variable("w12", -0.4),
                Variable("b1", 0.1),
                Variable("w21", -0.3),
                Variable("w22", 0.8),
                Variable("b2", 1.4),
                Variable("v1", 0.7),
                Variable("v2", -0.6),
                Variable("c", 0.2),
            ),
            _mlp_221,
        ),
        Example(
            "logistic_bce",
            "Logistic regression, binary cross-entropy",
            r"L = -\big(y \log p + (1 - y)\log(1 - p)\big),\quad p = \sigma(w_1 x_1 + w_2 x_2 + b)",
            (
                Variable("x1", 1.5, False),
                Variable("x2", -0.5, False),
                Variable("y", 1.0, False),
                Variable("w1", 0.4),
                Variable("w2", 0.8),
                Variable("b", 0.3),
            ),
            _logistic_bce,
        ),
    )
}

EXPRESSION = "expression"
"""The key of the free-expression example (its variables come from the parsed text)."""

DEFAULT_EXPRESSION = "(a*b + c)**2"
EXPRESSION_DEFAULTS = {"a": 2.0, "b": -3.0, "c": 10.0}


def build_example(key: str, values: Mapping[str, float], expression: str = "") -> Value:
    """The output Value of example ``key`` (or of ``expression`` for the free example)."""
    if key == EXPRESSION:
        out, _ = build(parse_expression(expression), values)
        return out
    example = EXAMPLES[key]
    named = leaves(
        (var.name, float(values.get(var.name, var.default))) for var in example.variables
    )
    with numeric_guard(f"evaluating {example.title.lower()}"):
        out = example.build(named)
    return out


def example_variables(key: str, expression: str = "") -> tuple[Variable, ...]:
    """The variables of an example, or of an expression (defaults from EXPRESSION_DEFAULTS or 1)."""
    if key != EXPRESSION:
        return EXAMPLES[key].variables
    parsed = parse_expression(expression)
    return tuple(Variable(n, EXPRESSION_DEFAULTS.get(n, 1.0)) for n in parsed.variables)
