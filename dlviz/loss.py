"""Classification losses for the Loss page: cross-entropy curves, MSE against CE, softmax CE.

Maths only (torch, float64). Every gradient comes from torch.autograd; the closed forms
(-1/p, p - y, 2(p - y)p(1 - p)) are stated in docstrings and LaTeX and checked in the unit tests
against ``torch.nn.functional``. Log-probabilities go through log-sum-exp, so logits like
1000 and -1000 give finite losses. ``logit_step`` is one step of gradient descent on the logits,
with the losses along consecutive steps. Figures live in dlviz.plots.loss, widgets in dlviz.ui.loss.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from dlviz.activations import log_softmax, value_and_derivative

LOG_CLAMP = -100.0
"""torch.nn.functional.binary_cross_entropy clamps log p at -100; so do we (loss at most 100)."""

CE_LATEX = r"L(p) = -\log p_{\text{true}}, \qquad \frac{dL}{dp} = -\frac{1}{p}"
BCE_LATEX = r"\mathrm{BCE}(p, y) = -\bigl[\,y \log p + (1 - y)\log(1 - p)\,\bigr]"
MSE_VS_CE_LATEX = (
    r"p = \sigma(z):\quad \frac{\partial\,\mathrm{MSE}}{\partial z} = 2\,(p - y)\,p\,(1 - p)"
    r"\qquad \frac{\partial\,\mathrm{BCE}}{\partial z} = p - y"
)
SOFTMAX_CE_LATEX = (
    r"L = -\sum_i y_i \log p_i = -\log p_{t}, \qquad"
    r"\frac{\partial L}{\partial z_i} = p_i - y_i"
)


def binary_cross_entropy(p: torch.Tensor | Sequence[float], y: float) -> torch.Tensor:
    """BCE(p, y) = -[y log p + (1 - y) log(1 - p)], each log clamped at -100 like PyTorch."""
    p = torch.as_tensor(p, dtype=torch.float64)
    loss = torch.zeros_like(p)
    # a term whose weight is 0 is left out, not multiplied by 0: at p = 1, 0 * log(1 - p) would
    # make the gradient 0 * inf = NaN (and the loss -0) where dL/dp = -1/p = -1
    if y != 0:
        loss = loss - y * torch.log(p).clamp(min=LOG_CLAMP)
    if y != 1:
        loss = loss - (1 - y) * torch.log1p(-p).clamp(min=LOG_CLAMP)
    return loss


@dataclass(frozen=True)
class CECurve:
    """-log p of the true class on a grid of p, the y = 0 branch, and the probe values."""

    p: torch.Tensor
    loss_y1: torch.Tensor
    loss_y0: torch.Tensor
    probe_p: float
    probe_loss: float
    probe_grad: float
    """dL/dp = -1/p at the probe."""


def cross_entropy_curve(probe_p: float, points: int = 1000) -> CECurve:
    """The curves -log p (y = 1) and -log(1 - p) (y = 0) for p in (0, 1], with the probe."""
    if not 0 < probe_p <= 1:
        raise ValueError("The probability of the true class must lie in (0, 1].")
    p = torch.linspace(1 / points, 1.0, points, dtype=torch.float64)
    loss, grad = value_and_derivative(
        lambda q: binary_cross_entropy(q, 1.0), torch.tensor([probe_p])
    )
    return CECurve(
        p,
        binary_cross_entropy(p, 1.0),
        binary_cross_entropy(p, 0.0),
        probe_p,
        float(loss[0]),
        float(grad[0]),
    )


@dataclass(frozen=True)
class SigmoidLosses:
    """MSE and binary CE of p = σ(z) against a label y, with their gradients w.r.t. the logit z."""

    y: float
    z: torch.Tensor
    p: torch.Tensor
    mse: torch.Tensor
    bce: torch.Tensor
    dmse_dz: torch.Tensor
    dbce_dz: torch.Tensor


def sigmoid_losses(z: torch.Tensor | Sequence[float], y: float) -> SigmoidLosses:
    """MSE = (σ(z) - y)² and BCE(σ(z), y) (stable, from the logit) and d/dz of both by autograd."""
    if y not in (0.0, 1.0):
        raise ValueError("The label y must be 0 or 1.")
    z = torch.as_tensor(z, dtype=torch.float64)
    target = torch.full_like(z, y)
    mse, dmse = value_and_derivative(lambda v: (torch.sigmoid(v) - target) ** 2, z)
    bce, dbce = value_and_derivative(
        lambda v: F.binary_cross_entropy_with_logits(v, target, reduction="none"), z
    )
    return SigmoidLosses(y, z, torch.sigmoid(z), mse, bce, dmse, dbce)


@dataclass(frozen=True)
class SigmoidComparison:
    """MSE against BCE on a grid of logits, the same at a probe logit, and where p is badly wrong."""

    grid: SigmoidLosses
    probe: SigmoidLosses
    mistake: tuple[float, float] | None
    """Interval of z where |p - y| > 0.9 (a confident mistake) within the grid."""


def compare_mse_ce(
    probe_z: float, y: float, z_max: float = 8.0, points: int = 801
) -> SigmoidComparison:
    """Both losses and both gradients for z in [-z_max, z_max]; the confident-mistake interval."""
    grid = sigmoid_losses(torch.linspace(-z_max, z_max, points, dtype=torch.float64), y)
    # |σ(z) - y| > 0.9  <=>  z < -log 9 (y = 1)  or  z > log 9 (y = 0)
    edge = float(torch.log(torch.tensor(9.0)))
    mistake = (-z_max, -edge) if y == 1.0 else (edge, z_max)
    return SigmoidComparison(grid, sigmoid_losses([probe_z], y), mistake)


@dataclass(frozen=True)
class SoftmaxCE:
    """Logits -> softmax -> one-hot target -> cross-entropy -> gradient p - y (by autograd)."""

    logits: tuple[float, ...]
    target: int
    probs: torch.Tensor
    one_hot: torch.Tensor
    loss: float
    grad: torch.Tensor


def softmax_cross_entropy(logits: Sequence[float], target: int) -> SoftmaxCE:
    """L = -log softmax(z)[t] via log-sum-exp; dL/dz from autograd (equals p - onehot(t))."""
    if not 0 <= target < len(logits):
        raise ValueError(f"The true class must be between 0 and {len(logits) - 1}.")
    z = torch.as_tensor(logits, dtype=torch.float64).detach().clone().requires_grad_(True)
    with torch.enable_grad():
        log_p = log_softmax(z)
        loss = -log_p[target]
        (grad,) = torch.autograd.grad(loss, z)
    one_hot = F.one_hot(torch.tensor(target), len(logits)).to(torch.float64)
    return SoftmaxCE(
        tuple(float(v) for v in logits),
        target,
        log_p.detach().exp(),
        one_hot,
        float(loss.detach()) + 0.0,  # -log 1 is -0 in IEEE arithmetic; a loss of 0 has no sign
        grad,
    )


@dataclass(frozen=True)
class LogitStep:
    """One gradient step on the logits: the new logits and the losses along the steps so far."""

    logits: tuple[float, ...]
    history: tuple[float, ...]
    """The loss before the first of the consecutive steps, then after each of them."""


def same_loss(a: float, b: float) -> bool:
    """Whether two losses are the same number up to rounding (a step history is still current)."""
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def logit_step(
    logits: Sequence[float],
    target: int,
    lr: float,
    history: Sequence[float] = (),
    bound: float = math.inf,
) -> LogitStep:
    """z <- z - lr (p - onehot(t)), rounded to 6 decimals and kept in [-bound, bound].

    ``history`` is the losses of the steps before; it starts again from this step's loss when
    the logits were edited since (its last loss is not the loss of ``logits``).
    """
    before = softmax_cross_entropy(logits, target)
    stepped = tuple(
        min(max(round(z - lr * g, 6), -bound), bound) + 0.0  # + 0.0: a logit rounded to -0 reads 0
        for z, g in zip(logits, before.grad.tolist(), strict=True)
    )
    if not history or not same_loss(history[-1], before.loss):
        history = (before.loss,)
    after = softmax_cross_entropy(stepped, target).loss
    return LogitStep(stepped, (*history, after))


def confident_mistake(k: int, target: int) -> tuple[float, ...]:
    """Logits sure of the wrong class: the next class at +5, the true class at -3, the rest 0."""
    wrong = (target + 1) % k
    return tuple(-3.0 if i == target else 5.0 if i == wrong else 0.0 for i in range(k))
