"""Many independent optimizer runs as one batched tensor, for the learning-rate x momentum map.

``torch.optim`` steps one parameter tensor with one set of hyperparameters. A convergence map needs
hundreds of runs that differ only in lr and momentum, so this module re-implements the seven update
rules of ``torch.optim`` (same formulas, same order of operations; the tests compare them with
torch.optim row by row) on an (N, 2) tensor of positions with per-row lr and momentum columns.
One autograd call on sum(f) gives every row's own gradient because the rows do not interact.
The map itself (its grid, its chunks, what it says) is in ``dlviz.descent.convergence``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from dlviz.descent.optimize import FAR, MAX_LOSS
from dlviz.descent.surfaces import Surface
from dlviz.optimizers import OPTIMIZERS


@dataclass(frozen=True)
class BatchHyper:
    """Hyperparameters of a batch: lr and momentum are (N, 1) columns, the rest scalars.

    ``momentum`` is beta1 for Adam and AdamW, RMSprop's momentum, SGD's momentum.
    """

    lr: torch.Tensor
    momentum: torch.Tensor
    beta2: float | None = None
    eps: float | None = None
    weight_decay: float | None = None


class BatchedOptimizer:
    """The update rule of ``torch.optim.<name>`` applied row-wise to positions of shape (N, 2)."""

    def __init__(self, name: str, h: BatchHyper) -> None:
        if name not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {name!r}")
        self.name, self.h, self.t = name, h, 0
        adamw = name == "adamw"
        self.wd = h.weight_decay if h.weight_decay is not None else (1e-2 if adamw else 0.0)
        default_eps = 1e-10 if name == "adagrad" else 1e-8
        self.eps = h.eps if h.eps is not None else default_eps
        default_beta2 = 0.99 if name == "rmsprop" else 0.999
        self.beta2 = h.beta2 if h.beta2 is not None else default_beta2
        self.buf: torch.Tensor | None = None
        self.sq: torch.Tensor | None = None

    def step(self, p: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
        """New positions from positions ``p`` and gradients ``g`` (both (N, 2))."""
        self.t += 1
        step = getattr(
            self, f"_{'sgd' if self.name in ('sgd', 'momentum', 'nesterov') else self.name}"
        )
        return step(p, g)

    def _sgd(self, p: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
        """g += wd p; b = m b + g (b = g at t = 1); d = g + m b (Nesterov) or b; p -= lr d."""
        h = self.h
        if self.wd:
            g = g + self.wd * p
        m = h.momentum if self.name != "sgd" else torch.zeros_like(h.momentum)
        self.buf = g.clone() if self.buf is None else self.buf * m + g
        d = g + m * self.buf if self.name == "nesterov" else self.buf
        return p - h.lr * d

    def _adagrad(self, p: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
        """s += g^2; p -= lr g / (sqrt(s) + eps)."""
        if self.wd:
            g = g + self.wd * p
        self.sq = g * g if self.sq is None else self.sq + g * g
        return p - self.h.lr * g / (self.sq.sqrt() + self.eps)

    def _rmsprop(self, p: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
        """s = a s + (1-a) g^2; b = m b + g / (sqrt(s) + eps); p -= lr b."""
        if self.wd:
            g = g + self.wd * p
        a = self.beta2
        self.sq = (1 - a) * g * g if self.sq is None else self.sq * a + (1 - a) * g * g
        scaled = g / (self.sq.sqrt() + self.eps)
        self.buf = scaled if self.buf is None else self.buf * self.h.momentum + scaled
        return p - self.h.lr * self.buf

    def _adam(self, p: torch.Tensor, g: torch.Tensor, decoupled: bool = False) -> torch.Tensor:
        """m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr m_hat / (sqrt(v_hat) + eps)."""
        b1, b2, t = self.h.momentum, self.beta2, self.t
        if decoupled:
            p = p * (1 - self.h.lr * self.wd)
        elif self.wd:
            g = g + self.wd * p
        if self.buf is None:
            self.buf, self.sq = torch.zeros_like(p), torch.zeros_like(p)
        self.buf = self.buf + (g - self.buf) * (1 - b1)  # torch's lerp
        self.sq = self.sq * b2 + (1 - b2) * g * g
        bc1 = 1 - b1**t
        bc2 = 1 - b2**t
        denom = self.sq.sqrt() / math.sqrt(bc2) + self.eps
        return p - (self.h.lr / bc1) * self.buf / denom

    def _adamw(self, p: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
        """Adam with decoupled weight decay: p *= 1 - lr wd before the Adam step."""
        return self._adam(p, g, decoupled=True)


def batched_gradients(surface: Surface, p: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``(f, grad f)`` for every row of ``p`` (N, 2) with one backward pass through sum(f)."""
    q = p.detach().requires_grad_(True)
    f = surface.value(q)
    (g,) = torch.autograd.grad(f.sum(), q)
    return f.detach(), g


@dataclass(frozen=True)
class BatchResult:
    """Per-row outcome of a batched run (all arrays have one entry per row)."""

    final: np.ndarray  # (N, 2) last valid position
    final_loss: np.ndarray  # f at the last valid position (NaN when diverged)
    steps_to_converge: np.ndarray  # first step after which it stays within tol (inf if never)
    diverged_at: np.ndarray  # step of divergence, -1 if it never diverged


def run_batch(
    surface: Surface,
    optimizer: str,
    starts: torch.Tensor,
    steps: int,
    h: BatchHyper,
    tol: float = 1e-2,
    progress: Callable[[int, int], None] | None = None,
) -> BatchResult:
    """Run N independent optimizers for ``steps`` steps; diverged rows freeze where they broke."""
    p = starts.detach().to(torch.float64).clone()
    n = p.shape[0]
    # plain SGD is the momentum rule at momentum 0, so the map's momentum axis means something
    opt = BatchedOptimizer("momentum" if optimizer == "sgd" else optimizer, h)
    mins = torch.tensor(surface.minima, dtype=p.dtype).reshape(-1, 2)
    centre = torch.tensor([sum(surface.xlim) / 2, sum(surface.ylim) / 2], dtype=p.dtype)
    alive = torch.ones(n, dtype=torch.bool)
    diverged_at = torch.full((n,), -1, dtype=torch.long)
    last_outside = torch.full((n,), -1, dtype=torch.long)
    loss = torch.full((n,), math.nan, dtype=p.dtype)
    with np.errstate(all="ignore"):
        for k in range(steps + 1):
            f, g = batched_gradients(surface, p)
            bad = ~torch.isfinite(p).all(1) | ~torch.isfinite(f) | (f.abs() > MAX_LOSS)
            bad |= (p - centre).abs().amax(1) > FAR * surface.span
            newly = bad & alive
            diverged_at[newly] = k
            alive &= ~bad
            loss = torch.where(alive, f, loss)
            if len(mins):
                d2 = (
                    (p[:, None, :] - mins).square().sum(-1).amin(1)
                )  # squared: sqrt/cdist are slow here
                last_outside = torch.where(alive & ~(d2 < tol * tol), k, last_outside)
            if k == steps or not alive.any():
                break
            g = torch.where(alive[:, None], g, torch.zeros_like(g))
            p = torch.where(alive[:, None], opt.step(p, g), p)
            if progress is not None and k % 20 == 0:
                progress(k, steps)
    converged = alive & (last_outside < steps) if len(mins) else torch.zeros(n, dtype=torch.bool)
    stc = torch.where(converged, (last_outside + 1).to(p.dtype), torch.full_like(loss, math.inf))
    return BatchResult(
        final=p.numpy(),
        final_loss=torch.where(alive, loss, torch.full_like(loss, math.nan)).numpy(),
        steps_to_converge=stc.numpy(),
        diverged_at=diverged_at.numpy(),
    )
