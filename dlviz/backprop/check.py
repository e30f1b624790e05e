"""Check the engine's gradients: torch.autograd in float64 and central finite differences.

Both checks replay a traced ``Graph`` op by op with another arithmetic (torch tensors, or plain
floats with one input nudged), so they work for any graph the engine built, whether from an
expression or from ``Neuron``/``MLP`` code. torch is imported only when its check runs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from dlviz.backprop.graph import CONSTANT, LEAF, Graph
from dlviz.expression import FLOAT_FUNCTIONS, tensors


def replay(graph: Graph, leaf_values: Mapping[int, Any], functions: Mapping[str, Callable]) -> Any:
    """Recompute the output from leaf values (by node id) with another arithmetic."""
    out: dict[int, Any] = {}
    for node in graph.nodes:
        if not node.op:
            out[node.id] = leaf_values.get(node.id, node.data)
            continue
        args = [out[p] for p in node.parents]
        if node.op == "+":
            out[node.id] = args[0] + args[1]
        elif node.op == "-":
            out[node.id] = args[0] - args[1]
        elif node.op == "*":
            out[node.id] = args[0] * args[1]
        elif node.op == "/":
            out[node.id] = args[0] / args[1]
        elif node.op == "neg":
            out[node.id] = -args[0]
        elif node.op.startswith("**"):
            out[node.id] = args[0] ** node.exponent
        else:
            out[node.id] = functions[node.op](args[0])
    return out[graph.root.id]


def torch_gradients(graph: Graph) -> dict[int, float]:
    """d(output)/d(leaf) for every leaf, from torch.autograd in float64."""
    import torch

    leaves = {
        n.id: torch.tensor(n.data, dtype=torch.float64, requires_grad=True)
        for n in graph.nodes
        if n.kind == LEAF
    }
    constants = {
        n.id: torch.tensor(n.data, dtype=torch.float64) for n in graph.nodes if n.kind == CONSTANT
    }
    out = replay(graph, {**constants, **leaves}, tensors().functions)
    if not isinstance(out, torch.Tensor) or not out.requires_grad:  # no leaf reaches the output
        return {i: 0.0 for i in leaves}
    out.backward()
    return {i: (t.grad.item() if t.grad is not None else 0.0) for i, t in leaves.items()}


def finite_differences(graph: Graph, h: float = 1e-6) -> dict[int, float]:
    """Central differences (f(x + h) - f(x - h)) / 2h for every leaf, h scaled by max(1, |x|)."""
    grads = {}
    for leaf in graph.leaves():
        step = h * max(1.0, abs(leaf.data))
        try:
            up = replay(graph, {leaf.id: leaf.data + step}, FLOAT_FUNCTIONS)
            down = replay(graph, {leaf.id: leaf.data - step}, FLOAT_FUNCTIONS)
            grads[leaf.id] = (up - down) / (2 * step)
        except (ArithmeticError, ValueError):  # the nudge left the function's domain
            grads[leaf.id] = math.nan
    return grads


@dataclass(frozen=True)
class CheckRow:
    """One leaf's gradient three ways, and how far the engine is from the other two."""

    name: str
    value: float
    engine: float
    torch: float
    finite_difference: float

    @property
    def error_torch(self) -> float:
        """|engine - torch.autograd|."""
        return abs(self.engine - self.torch)

    @property
    def error_finite_difference(self) -> float:
        """|engine - finite difference| (nan where the difference is undefined)."""
        return abs(self.engine - self.finite_difference)


def check_gradients(graph: Graph, engine: Mapping[int, float] | None = None) -> list[CheckRow]:
    """A row per leaf: engine grad (``engine`` or the graph's), torch float64, finite difference."""
    engine = engine if engine is not None else {n.id: n.grad for n in graph.nodes}
    reference = torch_gradients(graph)
    numeric = finite_differences(graph)
    return [
        CheckRow(n.label, n.data, engine[n.id], reference[n.id], numeric[n.id])
        for n in graph.leaves()
    ]
