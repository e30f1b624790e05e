"""One training step in slow motion: one example through one full update, every number kept.

``slow_motion(model, x, target, ...)`` takes the Playground's MLP and one training example and
writes down, layer by layer, what a step does: the forward pass (each neuron's weighted sum z and
its output a), the loss, the backward pass (each neuron's delta dL/dz and each weight's gradient
dL/dw = delta_out * a_in) and a plain gradient-descent update on that example alone,
w <- w - lr (g + l2 w + l1 sign w) (with L1's dead zone at zero), then the example's loss after.
The backward pass is the chain rule written out with matrices; only the activation's own
derivative comes from autograd. The unit tests check every number against ``loss.backward()``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from dlviz.activations.curves import value_and_derivative
from dlviz.playground.model import linear_layers


@dataclass(frozen=True, eq=False)
class SlowMotion:
    """One example's step. Lists run over the Linear layers, input side first; arrays float64."""

    inputs: np.ndarray  # (F,) the example's features, the network's input a_0
    target: float  # the class (classification) or the target value t (regression)
    regression: bool
    pre: list[np.ndarray]  # z_l = W_l a_{l-1} + b_l, (n_l,)
    post: list[np.ndarray]  # a_l = act(z_l); last: softmax probabilities or the output y
    loss: float  # this example's loss before the step (no penalty)
    delta: list[np.ndarray]  # dL/dz_l
    grad_w: list[np.ndarray]  # dL/dW_l = outer(delta_l, a_{l-1}), (n_l, n_{l-1})
    grad_b: list[np.ndarray]  # dL/db_l = delta_l
    weights: list[np.ndarray]  # before the step
    biases: list[np.ndarray]
    new_weights: list[np.ndarray]
    new_biases: list[np.ndarray]
    loss_after: float  # this example's loss with the new weights
    lr: float
    l2: float
    l1: float

    @property
    def activations(self) -> list[np.ndarray]:
        """a_0 (the inputs), a_1, ..., the output: one array per column of the diagram."""
        return [self.inputs, *self.post]


def _activation(model: nn.Sequential) -> nn.Module | None:
    return next((m for m in model if not isinstance(m, nn.Linear)), None)


def _forward(weights, biases, act: nn.Module | None, x: torch.Tensor, regression: bool):
    """(pre-activations z_l, outputs a_l) of every Linear layer for one example, float64."""
    pre, post, a = [], [], x
    for i, (w, b) in enumerate(zip(weights, biases, strict=True)):
        z = w @ a + b
        pre.append(z)
        last = i == len(weights) - 1
        a = (z if regression else torch.softmax(z, dim=0)) if last else act(z)
        post.append(a)
    return pre, post


def _loss(z: torch.Tensor, target: float, regression: bool) -> float:
    if regression:
        return float((z[0] - target) ** 2)
    return float(torch.logsumexp(z, 0) - z[int(target)])


@torch.no_grad()
def slow_motion(
    model: nn.Sequential,
    x: torch.Tensor,
    target: float,
    *,
    regression: bool,
    lr: float,
    l2: float = 0.0,
    l1: float = 0.0,
) -> SlowMotion:
    """Forward, loss, backward and one gradient-descent update for the single example ``x``."""
    lins, act = linear_layers(model), _activation(model)
    x = torch.as_tensor(x, dtype=torch.float64)
    weights = [lin.weight.double() for lin in lins]
    biases = [lin.bias.double() for lin in lins]
    pre, post = _forward(weights, biases, act, x, regression)
    out = post[-1]
    if regression:
        d = 2 * (out - target)  # d(y - t)^2 / dy
    else:
        d = out.clone()
        d[int(target)] -= 1.0  # softmax + cross-entropy: p - onehot(y)
    deltas = [d]
    for i in range(len(lins) - 1, 0, -1):  # back through the hidden layers
        _, slope = value_and_derivative(act, pre[i - 1])
        d = (lins[i].weight.double().T @ d) * slope
        deltas.insert(0, d)
    acts = [x, *post]
    grad_w = [torch.outer(deltas[i], acts[i]) for i in range(len(lins))]
    new_w, new_b = [], []
    for w, b, gw, gb in zip(weights, biases, grad_w, deltas, strict=True):
        nw = w - lr * (gw + l2 * w + l1 * torch.sign(w))
        if l1 > 0:  # L1's dead zone, as the trainer's (dlviz.playground.model.stop_at_zero)
            dead = (nw * w < 0) | ((w == 0) & (gw.abs() <= l1))
            nw = torch.where(dead, torch.zeros_like(nw), nw)
        new_w.append(nw)
        new_b.append(b - lr * gb)
    pre_after, _ = _forward(new_w, new_b, act, x, regression)

    def arr(ts: list[torch.Tensor]) -> list[np.ndarray]:
        return [t.numpy().copy() for t in ts]

    return SlowMotion(
        inputs=x.numpy().copy(),
        target=float(target),
        regression=regression,
        pre=arr(pre),
        post=arr(post),
        loss=_loss(pre[-1], target, regression),
        delta=arr(deltas),
        grad_w=arr(grad_w),
        grad_b=arr(deltas),
        weights=arr(weights),
        biases=arr(biases),
        new_weights=arr(new_w),
        new_biases=arr(new_b),
        loss_after=_loss(pre_after[-1], target, regression),
        lr=float(lr),
        l2=float(l2),
        l1=float(l1),
    )


def model_with(
    model: nn.Sequential, weights: list[torch.Tensor], biases: list[torch.Tensor]
) -> nn.Sequential:
    """A copy of ``model`` (same layers and activation) holding these weights and biases."""
    import copy

    twin = copy.deepcopy(model)
    with torch.no_grad():
        for lin, w, b in zip(linear_layers(twin), weights, biases, strict=True):
            lin.weight.copy_(torch.as_tensor(w))
            lin.bias.copy_(torch.as_tensor(b))
    return twin
