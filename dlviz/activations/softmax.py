"""Softmax over a row of logits with a temperature: stable log-softmax, Jacobian, one-logit sweep.

``softmax_analysis(logits, T)`` gives the probabilities, log-probabilities and the autograd
Jacobian dp_i/dz_j; ``softmax_sweep`` moves one logit with the others fixed (p_k is then a sigmoid
centred on c = T LSE(z_-k / T)). Everything goes through log-sum-exp, so logits like 1000 and -1000
give finite probabilities that sum to 1. Maths only (torch, float64); figures live in dlviz.plots.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

SOFTMAX_LATEX = r"\mathrm{softmax}(z; T)_i = \frac{e^{z_i/T}}{\sum_j e^{z_j/T}}"
SOFTMAX_LSE_LATEX = (
    r"\log p_i = \frac{z_i}{T} - \mathrm{LSE}\!\left(\frac{z}{T}\right),\quad"
    r"\mathrm{LSE}(u) = m + \log\sum_j e^{u_j - m},\ m = \max_j u_j"
)
SOFTMAX_JACOBIAN_LATEX = (
    r"\frac{\partial p_i}{\partial z_j} = \frac{1}{T}\,p_i\,(\delta_{ij} - p_j)"
)


def log_softmax(logits: torch.Tensor | Sequence[float], temperature: float = 1.0) -> torch.Tensor:
    """log p = z/T - LSE(z/T) along the last axis, stable for any finite logits (float64)."""
    if not temperature > 0:
        raise ValueError("The temperature must be positive.")
    u = torch.as_tensor(logits, dtype=torch.float64) / temperature
    m = u.amax(dim=-1, keepdim=True).detach()  # the max: no exp below can overflow
    shifted = u - m  # subtract before adding back the log-sum: keeps precision for huge logits
    return shifted - torch.log(torch.exp(shifted).sum(dim=-1, keepdim=True))


def softmax(logits: torch.Tensor | Sequence[float], temperature: float = 1.0) -> torch.Tensor:
    """p_i = exp(z_i/T) / sum_j exp(z_j/T), computed as exp(log-softmax): sums to 1, never NaN."""
    return torch.exp(log_softmax(logits, temperature))


def softmax_jacobian(logits: Sequence[float], temperature: float = 1.0) -> torch.Tensor:
    """The Jacobian dp_i/dz_j of the softmax from torch.autograd (closed form p_i(δ_ij − p_j)/T)."""
    z = torch.as_tensor(logits, dtype=torch.float64)
    return torch.autograd.functional.jacobian(lambda v: softmax(v, temperature), z)


@dataclass(frozen=True)
class SoftmaxResult:
    """Softmax of a row of logits, with log-probabilities and the autograd Jacobian."""

    logits: tuple[float, ...]
    temperature: float
    probs: torch.Tensor
    log_probs: torch.Tensor
    jacobian: torch.Tensor


def softmax_analysis(logits: Sequence[float], temperature: float = 1.0) -> SoftmaxResult:
    """Probabilities, log-probabilities and Jacobian of softmax(z / T)."""
    lp = log_softmax(logits, temperature)
    return SoftmaxResult(
        tuple(float(v) for v in logits),
        temperature,
        lp.exp(),
        lp,
        softmax_jacobian(logits, temperature),
    )


@dataclass(frozen=True)
class SoftmaxSweep:
    """p_k as logit k sweeps over x with the other logits fixed: p_k = σ((x − c) / T)."""

    index: int
    x: torch.Tensor
    p: torch.Tensor
    dp: torch.Tensor
    center: float
    """c = T · LSE(z_{-k} / T): the logit at which class k reaches p = 1/2."""


def softmax_sweep(
    logits: Sequence[float], index: int, temperature: float = 1.0, points: int = 401
) -> SoftmaxSweep:
    """Sweep logit ``index`` across c ± 10T (and its current value); p_k and dp_k/dz_k by autograd."""
    z = torch.as_tensor(logits, dtype=torch.float64)
    others = torch.cat([z[:index], z[index + 1 :]])
    center = float(temperature * torch.logsumexp(others / temperature, dim=0))
    lo = min(center - 10 * temperature, float(z[index]) - temperature)
    hi = max(center + 10 * temperature, float(z[index]) + temperature)
    x = torch.linspace(lo, hi, points, dtype=torch.float64).requires_grad_(True)
    with torch.enable_grad():
        batch = z.repeat(points, 1)
        batch[:, index] = x
        p = softmax(batch, temperature)[:, index]
        (dp,) = torch.autograd.grad(p.sum(), x)
    return SoftmaxSweep(index, x.detach(), p.detach(), dp, center)
