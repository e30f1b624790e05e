"""Slow motion as stages: what the diagram shows, and the numbers, at each step of one update.

``step_stages(sm, features)`` turns a ``SlowMotion`` into the sequence a learner steps through:
the input, the forward pass one layer at a time, the loss, the backward pass one layer at a
time (last layer first) and the update. Each ``Stage`` says, per column of neurons, which value
to write on each node (or None: not reached yet), per layer of weights which value colours each
edge (weight, gradient or new weight; None: drawn dim), and the rows of numbers for a table.
Pure numpy and words; the figure is ``dlviz.plots.playground.slowmo``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlviz.display import number
from dlviz.playground.slowmo import SlowMotion
from dlviz.playground.snapshot import neuron_name


@dataclass(frozen=True, eq=False)
class Stage:
    """One stage of the step: a title, a sentence, what each node and edge shows, a table."""

    title: str
    text: str
    nodes: list[np.ndarray | None]  # per column: the value written on each node, or None
    node_symbol: list[str]  # per column: "a", "z", "δ" ... (what the value is)
    edges: list[np.ndarray | None]  # per Linear layer (n_out, n_in): colour values, or None
    edge_symbol: str  # "w", "∂L/∂w" or "new w"
    rows: list[dict]  # the numbers of this stage, one dict per neuron or weight


def node_names(sm: SlowMotion, features: tuple[str, ...]) -> list[list[str]]:
    task = "regression" if sm.regression else "classification"
    cols = sm.activations
    return [
        [neuron_name(c, j, len(cols), features, task) for j in range(len(col))]
        for c, col in enumerate(cols)
    ]


def _forward(sm: SlowMotion, names, layer: int) -> Stage:
    """Layer ``layer`` (1-based) computes z = W a + b, then a = act(z) (or softmax, or y)."""
    n_layers = len(sm.pre)
    last = layer == n_layers
    out = "ŷ = z" if sm.regression else "p = softmax(z)"
    how = out if last else "a = act(z)"
    rows = [
        {
            "neuron": names[layer][j],
            "z": float(z),
            ("ŷ" if sm.regression else "p") if last else "a": float(a),
        }
        for j, (z, a) in enumerate(zip(sm.pre[layer - 1], sm.post[layer - 1], strict=True))
    ]
    title = "output layer" if last else f"hidden layer {layer}"
    return Stage(
        f"Forward: {title}",
        f"Each neuron of {'the output layer' if last else title} adds up its inputs times their "
        "weights plus its bias, "
        f"z = Σ w·a + b, then {how}.",
        [*sm.activations[: layer + 1], *[None] * (n_layers - layer)],
        ["x", *["a"] * n_layers],
        [w if i == layer - 1 else None for i, w in enumerate(sm.weights)],
        "w",
        rows,
    )


def _loss(sm: SlowMotion, names) -> Stage:
    if sm.regression:
        y = float(sm.post[-1][0])
        text = (
            f"The loss is the squared error (ŷ − t)² = ({number(y, 4)} − {number(sm.target, 4)})² "
            f"= {number(sm.loss, 4)}."
        )
        rows = [
            {"quantity": "prediction ŷ", "value": y},
            {"quantity": "target t", "value": sm.target},
        ]
    else:
        k = int(sm.target)
        p = float(sm.post[-1][k])
        text = (
            f"The true class is {k}: the loss is −log p{k} = −log {number(p, 4)} "
            f"= {number(sm.loss, 4)}."
        )
        rows = [
            {"quantity": f"p (class {c})", "value": float(v)} for c, v in enumerate(sm.post[-1])
        ]
    rows.append({"quantity": "loss", "value": sm.loss})
    n = len(sm.pre)
    return Stage("Loss", text, sm.activations, ["x", *["a"] * n], [None] * n, "w", rows)


def _backward(sm: SlowMotion, names, layer: int) -> Stage:
    """Layer ``layer`` (1-based): its deltas, and the gradients of the weights into it."""
    n_layers = len(sm.pre)
    if layer == n_layers:
        how = "2(ŷ − t)" if sm.regression else "p − (1 for the true class, else 0)"
        text = f"Backward starts at the output: δ = ∂L/∂z = {how}."
    else:
        text = (
            "Each neuron's δ = (Σ over the next layer of w·δ) × act′(z): the error it passed on, "
            "scaled by how steep its activation is there."
        )
    text += " Each weight's gradient is ∂L/∂w = δ (of the neuron it feeds) × a (of its input)."
    nodes = [*sm.activations[:layer], *sm.delta[layer - 1 :]]
    rows = []
    g, d = sm.grad_w[layer - 1], sm.delta[layer - 1]
    for j in range(g.shape[0]):
        to = names[layer][j]
        rows.append(
            {
                "parameter": f"b of {to}",
                "δ of the neuron fed": float(d[j]),
                "input a": 1.0,
                "∂L/∂parameter = δ·a": float(sm.grad_b[layer - 1][j]),
            }
        )
        for i in range(g.shape[1]):
            rows.append({"parameter": f"w {names[layer - 1][i]} → {to}",
                         "δ of the neuron fed": float(d[j]),
                         "input a": float(sm.activations[layer - 1][i]),
                         "∂L/∂parameter = δ·a": float(g[j, i])})  # fmt: skip
    return Stage(
        f"Backward: {'output layer' if layer == n_layers else f'hidden layer {layer}'}",
        text,
        nodes,
        ["x", *["a"] * (layer - 1), *["δ"] * (n_layers - layer + 1)],
        [g if i == layer - 1 else None for i in range(n_layers)],
        "∂L/∂w",
        rows,
    )


def _update(sm: SlowMotion, names, change: float) -> Stage:
    reg = "" if not (sm.l2 or sm.l1) else " + λ·w" * bool(sm.l2) + " + λ₁·sign w" * bool(sm.l1)
    where = (
        f"the prediction moves by {number(change, 3)} on average over the plane"
        if sm.regression
        else f"the predicted class changes on {change:.1%} of the plane"
    )
    text = (
        f"Every weight takes one step: w ← w − η (∂L/∂w{reg}) with η = {number(sm.lr)}. "
        f"This example's loss goes from {number(sm.loss, 4)} to {number(sm.loss_after, 4)}; "
        f"{where}."
    )
    rows = []
    for layer, (w, nw, g) in enumerate(zip(sm.weights, sm.new_weights, sm.grad_w, strict=True)):
        for j in range(w.shape[0]):
            rows.append(
                {
                    "parameter": f"b of {names[layer + 1][j]}",
                    "old": float(sm.biases[layer][j]),
                    "gradient": float(sm.grad_b[layer][j]),
                    "step": float(sm.new_biases[layer][j] - sm.biases[layer][j]),
                    "new": float(sm.new_biases[layer][j]),
                }
            )
            for i in range(w.shape[1]):
                rows.append(
                    {
                        "parameter": f"w {names[layer][i]} → {names[layer + 1][j]}",
                        "old": float(w[j, i]),
                        "gradient": float(g[j, i]),
                        "step": float(nw[j, i] - w[j, i]),
                        "new": float(nw[j, i]),
                    }
                )
    n = len(sm.pre)
    return Stage(
        "Update", text, sm.activations, ["x", *["a"] * n], list(sm.new_weights), "new w", rows
    )


def step_stages(sm: SlowMotion, features: tuple[str, ...], change: float = 0.0) -> list[Stage]:
    """Input, forward per layer, loss, backward per layer (output first), update."""
    names = node_names(sm, features)
    n = len(sm.pre)
    target = f"target t = {number(sm.target, 4)}" if sm.regression else f"class {int(sm.target)}"
    first = Stage(
        "Input",
        f"One training example ({target}) enters the network as its features.",
        [sm.inputs, *[None] * n],
        ["x", *["a"] * n],
        [None] * n,
        "w",
        [{"input": names[0][i], "value": float(v)} for i, v in enumerate(sm.inputs)],
    )
    return [
        first,
        *(_forward(sm, names, layer) for layer in range(1, n + 1)),
        _loss(sm, names),
        *(_backward(sm, names, layer) for layer in range(n, 0, -1)),
        _update(sm, names, change),
    ]
