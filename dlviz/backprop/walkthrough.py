"""Everything the Backprop page shows for one configuration, as plain data.

``run_backprop(config)`` builds the worked example's graph with the engine, calls ``backward()``
the number of times the config says (0 and 2 are the classic mistakes), traces the graph,
replays the backward pass step by step and checks the gradients against torch and finite
differences.
``descent_step`` takes one gradient-descent step on chosen leaves with those (possibly wrong)
gradients. No Streamlit, no drawing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from dlviz.backprop.check import CheckRow, check_gradients, replay
from dlviz.backprop.evaluate import check_finite
from dlviz.backprop.examples import EXPRESSION, build_example
from dlviz.backprop.graph import Graph, Step, backward_steps, trace
from dlviz.display import number
from dlviz.expression import FLOAT_FUNCTIONS, ExpressionError


@dataclass(frozen=True)
class BackpropConfig:
    """An example (or expression), its variable values and how many times backward() is called."""

    example: str  # a key of dlviz.backprop.examples.EXAMPLES, or EXPRESSION
    values: tuple[tuple[str, float], ...]
    expression: str = ""
    backward_calls: int = 1  # 0: grads read before backward; 2: backward twice, no zero_grad


@dataclass(frozen=True)
class BackpropResult:
    """The traced graph (grads as the engine left them), the step-through and the check table."""

    graph: Graph
    steps: tuple[Step, ...]
    checks: tuple[CheckRow, ...]


class NothingToDifferentiate(ExpressionError):
    """An expression without variables: it has a value, but no gradient to show or check."""


def run_backprop(config: BackpropConfig) -> BackpropResult:
    """Forward, ``backward_calls`` x backward(), trace, step-through and gradient checks."""
    root = build_example(config.example, dict(config.values), config.expression)
    if all(node.constant for node in root.topological_order() if not node.parents):
        raise NothingToDifferentiate(
            "This expression has no variables, so there is nothing to differentiate: its value "
            f"is always {number(root.data)}. Put a variable in it, for example 2*x + 1"
        )
    for _ in range(config.backward_calls):
        root.backward()
    check_finite(root, "computing gradients")
    graph = trace(root, output_label="f" if config.example == EXPRESSION else "L")
    return BackpropResult(graph, tuple(backward_steps(graph)), tuple(check_gradients(graph)))


@dataclass(frozen=True)
class DescentStep:
    """One step theta <- theta - lr * grad: the output before and after, and each moved leaf."""

    lr: float
    before: float
    after: float
    moves: tuple[tuple[str, float, float, float], ...]  # name, value, grad, new value


def descent_step(graph: Graph, names: tuple[str, ...], lr: float) -> DescentStep:
    """Move the named leaves against the grads stored in ``graph`` and re-evaluate the output."""
    leaves = {n.label: n for n in graph.leaves()}
    chosen = [leaves[name] for name in names if name in leaves]
    new = {n.id: n.data - lr * n.grad for n in chosen}
    try:
        after = float(replay(graph, new, FLOAT_FUNCTIONS))
    except (ArithmeticError, ValueError):  # the step left the function's domain (log, /0)
        after = math.nan
    moves = tuple((n.label, n.data, n.grad, new[n.id]) for n in chosen)
    return DescentStep(lr, graph.root.data, after, moves)


def step_losses(graph: Graph, names: tuple[str, ...], lrs: list[float]) -> list[float]:
    """The output after one step for each learning rate (nan where undefined)."""
    return [descent_step(graph, names, lr).after for lr in lrs]
