"""Several optimizers on one surface: the page's configuration, the runs, a summary and advice.

``DescentConfig`` (frozen, hashable: a cache key) says which surface, where to start, how many
steps, which optimizers with which hyperparameters and how much gradient noise. ``summary`` turns
the paths into table rows (final loss, distance to the nearest minimum, steps until within
tolerance, divergence), ``explain`` says in words why a path diverged and what to change, and
``stability_limits`` gives each optimizer's largest stable learning rate on a bowl.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch

from dlviz.descent.custom import custom_surface
from dlviz.descent.optimize import Hyper, Path, run, stability_limit
from dlviz.descent.optimize import steps_to_tolerance as _steps_to_tolerance
from dlviz.descent.surfaces import Surface, get_surface
from dlviz.display import number
from dlviz.optimizers import LABELS, OPTIMIZERS


@dataclass(frozen=True)
class SurfaceSpec:
    """Which surface: a registered name (with kappa for the quadratic) or a custom formula."""

    name: str = "quadratic"
    kappa: float = 50.0
    expression: str = ""  # the formula when name == "custom"
    bound: float = 3.0  # half-width of the custom surface's box


@dataclass(frozen=True)
class OptimizerSpec:
    """One optimizer and its hyperparameters (None = torch.optim's default)."""

    name: str
    lr: float
    momentum: float | None = None
    beta1: float | None = None
    beta2: float | None = None
    eps: float | None = None
    weight_decay: float | None = None

    def hyper(self) -> Hyper:
        """The hyperparameters as dlviz.descent.Hyper."""
        return Hyper(self.lr, self.momentum, self.beta1, self.beta2, self.eps, self.weight_decay)

    def describe(self) -> str:
        """'lr 0.01, momentum 0.9': what this optimizer uses (default eps, zero decay left out)."""
        names = {
            "beta1": "β₁",
            "beta2": "α" if self.name == "rmsprop" else "β₂",
            "eps": "ε",
            "weight_decay": "wd",
        }
        parts = []
        for key in OPTIMIZERS[self.name].uses:
            value = getattr(self, key)
            quiet = (key == "eps" and value in (1e-8, 1e-10)) or (
                key == "weight_decay" and not value
            )
            if value is not None and not quiet:
                parts.append(f"{names.get(key, key)} {value:g}")
        return ", ".join(parts)


@dataclass(frozen=True)
class DescentConfig:
    """Everything that determines the paths on the page."""

    surface: SurfaceSpec = SurfaceSpec()
    start: tuple[float, float] = (-2.6, -0.6)
    steps: int = 200
    optimizers: tuple[OptimizerSpec, ...] = field(default_factory=tuple)
    noise: float = 0.0  # std of the gradient noise at batch size 1
    batch_size: int = 32
    seed: int = 0
    tol: float = 1e-2


def build_surface(spec: SurfaceSpec) -> Surface:
    """The Surface for a spec (raises ExpressionError for a bad custom formula)."""
    if spec.name == "custom":
        return custom_surface(spec.expression, bound=spec.bound)
    return get_surface(spec.name, kappa=spec.kappa)


def run_one(surface: Surface, opt: OptimizerSpec, config: DescentConfig) -> Path:
    """One optimizer's path under the config (noise seeded per config)."""
    return run(
        surface,
        opt.name,
        config.start,
        config.steps,
        opt.hyper(),
        noise=config.noise,
        batch_size=config.batch_size,
        seed=config.seed,
    )


def gradient_scale(surface: Surface, start: tuple[float, float]) -> float:
    """|grad f| at the start: a natural unit for the size of gradient noise."""
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(surface.value(p), p)
    norm = float(g.norm())
    return norm if math.isfinite(norm) and norm > 0 else 1.0


@dataclass(frozen=True)
class SummaryRow:
    """One line of the comparison table."""

    optimizer: str
    settings: str
    final_loss: float
    distance: float
    steps_to_tol: int | None
    diverged_at: int | None
    outcome: str


def summary(
    surface: Surface, specs: tuple[OptimizerSpec, ...], paths: list[Path], tol: float
) -> list[SummaryRow]:
    """Table rows: final loss, distance to the nearest minimum, steps until within tol, outcome."""
    rows = []
    for spec, path in zip(specs, paths, strict=True):
        last = path.positions[path.last]
        dist = float(surface.distance_to_minimum(last)) if np.isfinite(last).all() else math.nan
        n = _steps_to_tolerance(surface, path, tol)
        if path.diverged:
            outcome = f"diverged at step {path.diverged_at}"
        elif n is not None:
            outcome = f"settled after {n} steps"
        elif not surface.minima and np.array_equal(path.positions[path.last], path.positions[0]):
            outcome = "did not move (the gradient is 0)"
        elif not surface.minima:
            outcome = "still falling (no minimum)"
        else:
            outcome = "not there yet"
        rows.append(
            SummaryRow(
                LABELS[spec.name],
                spec.describe(),
                float(path.losses[path.last]),
                dist,
                n,
                path.diverged_at,
                outcome,
            )
        )
    return rows


def spec_limit(surface: Surface, spec: OptimizerSpec) -> float | None:
    """The largest stable lr for ``spec`` on a surface with one curvature L (None otherwise)."""
    if surface.lipschitz is None:
        return None
    m = 0.9 if spec.momentum is None else spec.momentum
    return stability_limit(spec.name, surface.lipschitz, m)


def stability_limits(
    surface: Surface, specs: tuple[OptimizerSpec, ...]
) -> list[tuple[OptimizerSpec, float, bool]]:
    """``(spec, largest stable lr, stable?)`` for each optimizer that has a limit on this bowl."""
    if surface.lipschitz is None or not surface.minima:
        return []
    limits = [(spec, spec_limit(surface, spec)) for spec in specs]
    return [(spec, lim, spec.lr < lim) for spec, lim in limits if lim is not None]


def explain(surface: Surface, spec: OptimizerSpec, path: Path) -> str:
    """Why a path diverged, in words, with the fix; '' for a path that did not."""
    if not path.diverged:
        return ""
    name = LABELS[spec.name]
    text = f"**{name}** stopped at step {path.diverged_at}: {path.reason}."
    if not surface.minima:
        return text + (
            " This surface has no minimum, so falling away is the right answer here; what "
            "matters is how long the optimizer lingers near the saddle point first."
        )
    limit = spec_limit(surface, spec)
    if limit is not None and spec.lr >= limit:
        return text + (
            f" On this bowl the largest curvature is L = {number(surface.lipschitz)}; {name} is "
            f"stable only for lr < {number(limit, 3)}, and lr = {number(spec.lr)} is past it: "
            "every step overshoots the valley floor by more than it corrects."
        )
    return text + (
        f" Each step overshot further than the last. Try a learning rate about three times "
        f"smaller (lr = {number(spec.lr / 3, 2)}), or an adaptive optimizer (Adam, RMSprop)."
    )
