"""Optimizer trajectories on a 2-D surface with the real ``torch.optim`` classes.

A path is what a plain ``torch.optim`` loop does to a 2-element parameter: ``zero_grad``, evaluate
f, ``backward``, ``step``. Besides the positions it records the loss, the gradient used at every
step and the optimizer's own state (momentum buffer, Adam's moments, Adagrad's sum), and it stops
where the path diverges (a non-finite value, an overflowing loss, or a point far outside the
plotted box), saying why. Optional Gaussian gradient noise with standard deviation
``noise / sqrt(batch_size)`` imitates mini-batch gradients. Plotting lives in ``dlviz.plots``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np
import torch

from dlviz.descent.surfaces import Surface, get_surface
from dlviz.optimizers import HYPERPARAMS, OPTIMIZERS, make_optimizer

MAX_LOSS = 1e12  # |f| beyond this counts as overflow
FAR = 5.0  # a point more than FAR box-sizes from the box's centre has left the plot for good


@dataclass(frozen=True)
class Hyper:
    """Optimizer hyperparameters; ``None`` means torch.optim's default for that optimizer."""

    lr: float = 0.01
    momentum: float | None = None
    beta1: float | None = None
    beta2: float | None = None
    eps: float | None = None
    weight_decay: float | None = None


@dataclass(frozen=True)
class Path:
    """One optimizer run: positions (steps+1, 2), losses, gradients and state, and how it ended."""

    optimizer: str
    positions: np.ndarray
    losses: np.ndarray
    grads: np.ndarray  # gradient used for the step from row k (the noisy one when noise is on)
    state: dict[str, np.ndarray] = field(default_factory=dict)  # after the step into row k
    diverged_at: int | None = None  # the last row with real values; rows after it are NaN
    reason: str = ""

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    @property
    def last(self) -> int:
        """Index of the last valid row."""
        return len(self.positions) - 1 if self.diverged_at is None else self.diverged_at


def resolve_surface(surface: str | Surface, kappa: float | None = None) -> Surface:
    """A Surface object from a registered name (``kappa`` for the quadratic) or as given."""
    if isinstance(surface, Surface):
        return surface
    return get_surface(surface, **({} if kappa is None else {"kappa": kappa}))


def divergence_reason(surface: Surface, p: np.ndarray, loss: float) -> str:
    """Why the point ``p`` (2,) with value ``loss`` ends the path ('' when it does not)."""
    x, y = float(p[0]), float(p[1])
    if not (math.isfinite(x) and math.isfinite(y) and math.isfinite(loss)):
        return "the position or the loss became infinite or NaN (numerical overflow)"
    if abs(loss) > MAX_LOSS:
        return f"the loss passed {MAX_LOSS:.0e} (overflow is next)"
    cx, cy = sum(surface.xlim) / 2, sum(surface.ylim) / 2
    if max(abs(x - cx), abs(y - cy)) > FAR * surface.span:
        return f"it left the plotted region by more than {FAR:g} times its size"
    return ""


def noise_std(noise: float, batch_size: int) -> float:
    """Std of the gradient noise at a batch size: noise / sqrt(batch_size), a mini-batch mean's."""
    return noise / math.sqrt(max(batch_size, 1))


def run(
    surface: str | Surface,
    optimizer: str,
    start: tuple[float, float],
    steps: int,
    hyper: Hyper = Hyper(),
    *,
    noise: float = 0.0,
    batch_size: int = 1,
    seed: int = 0,
    kappa: float | None = None,
    dtype: torch.dtype = torch.float64,
) -> Path:
    """Run ``steps`` steps of torch.optim ``optimizer`` on f from ``start``; record everything.

    With ``noise > 0`` every gradient gets Gaussian noise of std ``noise / sqrt(batch_size)``.
    """
    surf = resolve_surface(surface, kappa)
    if steps < 0:
        raise ValueError("steps must be >= 0")
    p = torch.tensor([float(start[0]), float(start[1])], dtype=dtype, requires_grad=True)
    opt = make_optimizer(optimizer, [p], **asdict(hyper))
    gen = torch.Generator().manual_seed(seed) if noise > 0 else None
    sigma = noise_std(noise, batch_size)
    positions = np.full((steps + 1, 2), np.nan)
    losses = np.full(steps + 1, np.nan)
    grads = np.full((steps + 1, 2), np.nan)
    state = {k: np.full((steps + 1, 2), np.nan) for k in OPTIMIZERS[optimizer].state_keys}
    for arr in state.values():
        arr[0] = 0.0
    diverged_at, reason = None, ""
    for k in range(steps + 1):
        p.grad = None  # what opt.zero_grad() does for our single parameter, minus its overhead
        loss = surf.value(p)
        positions[k] = p.detach().numpy()
        losses[k] = loss.item()
        reason = divergence_reason(surf, positions[k], losses[k])
        if reason:
            diverged_at = k
            break
        if k == steps:
            break
        loss.backward()
        if sigma > 0:
            p.grad.add_(sigma * torch.randn(2, generator=gen, dtype=dtype))
        grads[k] = p.grad.numpy()
        opt.step()
        for key, arr in state.items():
            value = opt.state[p].get(key)
            arr[k + 1] = 0.0 if value is None else value.numpy()
    if diverged_at is None:
        p.grad = None
        final = surf.value(p)
        final.backward()
        grads[steps] = p.grad.numpy()
    return Path(optimizer, positions, losses, grads, state, diverged_at, reason)


def trajectory(
    surface: str | Surface,
    optimizer: str,
    start: tuple[float, float],
    steps: int,
    **hyperparams: float,
) -> np.ndarray:
    """Positions (steps+1, 2) of a plain torch.optim loop on the surface, start included.

    Hyperparameters: lr, momentum, beta1, beta2, eps, weight_decay (torch.optim's defaults when
    left out, except momentum 0.9 for "momentum" and "nesterov"), kappa for the quadratic, and
    noise, batch_size, seed for mini-batch gradient noise. Rows after a divergence are NaN.
    """
    hp = dict(hyperparams)
    kappa = hp.pop("kappa", None)
    extra = {k: hp.pop(k) for k in ("noise", "batch_size", "seed") if k in hp}
    unknown = set(hp) - set(HYPERPARAMS)
    if unknown:
        raise TypeError(f"unknown hyperparameters: {', '.join(sorted(unknown))}")
    hyper = Hyper(**{k: float(v) for k, v in hp.items()})
    path = run(surface, optimizer, start, steps, hyper, kappa=kappa, **extra)
    return path.positions


def steps_to_tolerance(surface: Surface, path: Path, tol: float) -> int | None:
    """The first step after which the path stays within ``tol`` of a minimum (None if never)."""
    d = surface.distance_to_minimum(path.positions[: path.last + 1])
    if path.diverged or not len(d) or not np.isfinite(d).all() or d[-1] >= tol:
        return None
    outside = np.flatnonzero(d >= tol)
    return 0 if not len(outside) else int(outside[-1]) + 1


def stability_limit(optimizer: str, lipschitz: float, momentum: float = 0.9) -> float | None:
    """Largest stable lr on a quadratic with top curvature L: 2/L for GD, 2(1+b)/L heavy ball.

    Nesterov (torch's form): 2(1+b) / ((1+2b) L). None for the adaptive optimizers.
    """
    if optimizer == "sgd":
        return 2.0 / lipschitz
    if optimizer == "momentum":
        return 2.0 * (1 + momentum) / lipschitz
    if optimizer == "nesterov":
        return 2.0 * (1 + momentum) / ((1 + 2 * momentum) * lipschitz)
    return None
