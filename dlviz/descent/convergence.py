"""The learning-rate x momentum convergence map: many runs at once, and what the page reads off it.

``convergence_map`` runs every (lr, momentum) pair of a log grid from one start through
``dlviz.descent.batched`` (the seven ``torch.optim`` update rules on an (N, 2) tensor) in chunks,
and records for each cell how many steps it needed to settle within a tolerance of a minimum, its
final loss and whether it diverged. ``MapSettings`` (from ``map_settings``) says which map the
page asks for and ``run_map`` runs it. ``map_lr_range``, ``map_axis``, ``map_point``,
``stability_curve`` and ``ConvergenceMap.fastest`` say which grid the page shows, where the
learner's own settings sit on it, where theory puts the edge of stability and which cell settled
first. Drawing the map is ``dlviz.plots.descent.map``'s job.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import torch

from dlviz.descent.batched import BatchHyper, run_batch
from dlviz.descent.compare import DescentConfig, OptimizerSpec, SurfaceSpec
from dlviz.descent.optimize import stability_limit
from dlviz.descent.surfaces import Surface

# Runs per batch: (CHUNK, 2) tensors stay under the 2048 elements above which torch splits
# sqrt and friends across threads; on a busy 2-core host waking the second thread cost ~20 ms
# per call, slower than doing the whole chunk on one.
CHUNK = 1000

# Which optimizer's hyperparameter the map's "momentum" axis sets.
MOMENTUM_AXIS: dict[str, str] = {
    "sgd": "momentum (SGD with momentum; the bottom row is plain SGD)",
    "momentum": "momentum",
    "nesterov": "momentum",
    "adagrad": "momentum (none: Adagrad has no momentum, rows repeat)",
    "rmsprop": "momentum",
    "adam": "beta1",
    "adamw": "beta1",
}


@dataclass(frozen=True)
class ConvergenceMap:
    """A grid of runs: rows are momentum values, columns learning rates."""

    lrs: np.ndarray  # (n_lr,)
    momenta: np.ndarray  # (n_m,)
    steps_to_converge: np.ndarray  # (n_m, n_lr), inf where it never settled
    final_loss: np.ndarray  # (n_m, n_lr), NaN where diverged
    diverged: np.ndarray  # (n_m, n_lr) bool
    steps: int
    tol: float

    def fastest(self) -> tuple[float, float, float] | None:
        """``(lr, momentum, steps)`` of the cell that settled in the fewest steps (None if none)."""
        stc = self.steps_to_converge
        if not np.isfinite(stc).any():
            return None
        i, j = np.unravel_index(np.argmin(stc), stc.shape)
        return float(self.lrs[j]), float(self.momenta[i]), stc[i, j]


def momentum_grid(n: int, largest: float = 0.99) -> np.ndarray:
    """n momentum values with 1 - momentum log-spaced from 1 (plain) down to 1 - largest."""
    return 1.0 - np.logspace(0.0, math.log10(1.0 - largest), n)


def convergence_map(
    surface: Surface,
    optimizer: str,
    start: tuple[float, float],
    steps: int = 200,
    lr_range: tuple[float, float] = (1e-4, 1.0),
    n_lr: int = 30,
    n_momentum: int = 30,
    tol: float = 1e-2,
    beta2: float | None = None,
    eps: float | None = None,
    weight_decay: float | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ConvergenceMap:
    """Run every (lr, momentum) pair of a log grid from one start as batched tensors (chunks of
    CHUNK runs; 25 x 25 is one batch)."""
    lrs = np.logspace(math.log10(lr_range[0]), math.log10(lr_range[1]), n_lr)
    momenta = momentum_grid(n_momentum)
    mm, ll = np.meshgrid(momenta, lrs, indexing="ij")
    h = BatchHyper(
        lr=torch.from_numpy(ll.reshape(-1, 1)),
        momentum=torch.from_numpy(mm.reshape(-1, 1)),
        beta2=beta2,
        eps=eps,
        weight_decay=weight_decay,
    )
    starts = torch.tensor([start], dtype=torch.float64).expand(ll.size, 2)
    parts = []
    for i in range(0, ll.size, CHUNK):
        rows = slice(i, i + CHUNK)
        h_rows = replace(h, lr=h.lr[rows], momentum=h.momentum[rows])
        parts.append(run_batch(surface, optimizer, starts[rows], steps, h_rows, tol, progress))
    shape = ll.shape
    return ConvergenceMap(
        lrs=lrs,
        momenta=momenta,
        steps_to_converge=np.concatenate([r.steps_to_converge for r in parts]).reshape(shape),
        final_loss=np.concatenate([r.final_loss for r in parts]).reshape(shape),
        diverged=np.concatenate([r.diverged_at >= 0 for r in parts]).reshape(shape),
        steps=steps,
        tol=tol,
    )


@dataclass(frozen=True)
class MapSettings:
    """Which map to run: the page's surface, start, steps and tolerance, one optimizer's fixed
    hyperparameters, the learning-rate range and the grid size (n x n). Hashable: a cache key."""

    surface: SurfaceSpec
    optimizer: str
    start: tuple[float, float]
    steps: int
    tol: float
    lr_range: tuple[float, float]
    n: int
    beta2: float | None
    eps: float | None
    weight_decay: float | None


def map_settings(config: DescentConfig, surface: Surface, optimizer: str, n: int) -> MapSettings:
    """The map of ``optimizer`` (one of ``config.optimizers``) around its suggested lr, n x n."""
    spec = next(o for o in config.optimizers if o.name == optimizer)
    return MapSettings(
        config.surface,
        optimizer,
        config.start,
        config.steps,
        config.tol,
        map_lr_range(surface, optimizer),
        int(n),
        spec.beta2,
        spec.eps,
        spec.weight_decay,
    )


def run_map(settings: MapSettings, surface: Surface) -> ConvergenceMap:
    """``convergence_map`` for the settings on ``surface`` (the Surface built from its spec)."""
    s = settings
    return convergence_map(
        surface,
        s.optimizer,
        s.start,
        s.steps,
        s.lr_range,
        s.n,
        s.n,
        s.tol,
        s.beta2,
        s.eps,
        s.weight_decay,
    )


def map_lr_range(surface: Surface, optimizer: str) -> tuple[float, float]:
    """The map's learning rates: four decades around the surface's suggested one (lr/300, 30 lr)."""
    base = surface.default_lr(optimizer)
    return base / 300, base * 30


def map_axis(optimizer: str) -> str:
    """The hyperparameter on the map's vertical axis: beta1 for Adam and AdamW, else momentum."""
    return "beta1" if optimizer in ("adam", "adamw") else "momentum"


def map_point(spec: OptimizerSpec) -> tuple[float, float]:
    """Where an optimizer's own settings sit on its map: (lr, momentum or beta1; None -> 0)."""
    value = getattr(spec, map_axis(spec.name))
    return spec.lr, 0.0 if value is None else value


def stability_curve(
    surface: Surface, optimizer: str, momenta: Sequence[float], lr_range: tuple[float, float]
) -> list[tuple[float, float]] | None:
    """Theory's edge lr = 2(1 + m)/L for each momentum m inside ``lr_range``, as (lr, m) points.

    None unless the surface is a bowl with one curvature L and the optimizer is SGD (+ momentum).
    """
    if surface.lipschitz is None or not surface.minima or optimizer not in ("sgd", "momentum"):
        return None
    points = [(stability_limit("momentum", surface.lipschitz, m), m) for m in momenta]
    return [(lr, m) for lr, m in points if lr_range[0] <= lr <= lr_range[1]]
