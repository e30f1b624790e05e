"""Curves of one activation: f and f' sampled on a grid (f' by torch.autograd), flat regions.

``analyse(CurveConfig(...))`` is what the Activations page draws: the sampled curve, its derivative,
the maximal intervals where |f'| < 0.01 (each named after what happens there: saturation, a dead
side, a turning point) and the values at a probe x. Maths only, float64; closed forms appear as
LaTeX in the registry and as the oracle in the unit tests, never here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch

from dlviz.activations.registry import get_activation

FLAT_THRESHOLD = 0.01
"""|f'(x)| below this counts as a vanishing (nearly zero) gradient."""


def value_and_derivative(
    fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor | Sequence[float]
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(fn(x), fn'(x))`` in float64 for an element-wise ``fn``, fn' from torch.autograd."""
    xs = torch.as_tensor(x, dtype=torch.float64).detach().clone().requires_grad_(True)
    with torch.enable_grad():
        y = fn(xs)
        (dy,) = torch.autograd.grad(y.sum(), xs)
    return y.detach(), dy


def curve(
    name: str, x: torch.Tensor | Sequence[float], **params: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(f(x), f'(x))`` in float64, the derivative from torch.autograd (element-wise f)."""
    act = get_activation(name)
    f, df = value_and_derivative(lambda xs: act.fn(xs, **params), x)
    # + 0.0 turns IEEE's -0 (Leaky ReLU with slope 0 at x < 0 gives -2 * 0) into 0
    return f + 0.0, df + 0.0


@dataclass(frozen=True)
class Region:
    """An interval [start, end] of x where |f'(x)| < threshold, with a learner-facing name."""

    start: float
    end: float
    name: str


def _crossing(x0: float, x1: float, g0: float, g1: float, threshold: float) -> float:
    """x where |f'| crosses the threshold between two grid points (linear interpolation)."""
    a0, a1 = abs(g0) - threshold, abs(g1) - threshold
    return x0 if a0 == a1 else x0 + (x1 - x0) * a0 / (a0 - a1)


def flat_regions(
    name: str, x: torch.Tensor, df: torch.Tensor, threshold: float = FLAT_THRESHOLD
) -> list[Region]:
    """Maximal intervals of the sorted grid ``x`` where |f'(x)| < threshold, each named."""
    xs, gs = x.tolist(), df.tolist()
    flat = [abs(g) < threshold for g in gs]
    left_name, right_name = get_activation(name).flat_names
    regions, i, n = [], 0, len(xs)
    while i < n:
        if not flat[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and flat[j + 1]:
            j += 1
        start = xs[i] if i == 0 else _crossing(xs[i - 1], xs[i], gs[i - 1], gs[i], threshold)
        end = xs[j] if j == n - 1 else _crossing(xs[j], xs[j + 1], gs[j], gs[j + 1], threshold)
        if i == 0:
            label = left_name
        elif j == n - 1:
            label = right_name
        else:
            label = "turning point: f′ changes sign"
        if label.startswith("nearly dead") and not any(gs[i : j + 1]):
            label = "dead side: f′ = 0"  # Leaky ReLU with slope 0 is plain ReLU
        regions.append(Region(start, end, label))
        i = j + 1
    return regions


@dataclass(frozen=True)
class CurveConfig:
    """What the Activations page asks for: an activation, its parameters, a range and a probe."""

    name: str = "sigmoid"
    params: tuple[tuple[str, float], ...] = ()
    probe: float = 0.0
    x_min: float = -8.0
    x_max: float = 8.0
    points: int = 1601  # step 0.01 on the default range

    @property
    def kwargs(self) -> dict[str, float]:
        """The parameters as keyword arguments of the activation's function."""
        return dict(self.params)


@dataclass(frozen=True)
class CurveResult:
    """A sampled curve, its autograd derivative, the flat regions and the probe values."""

    x: torch.Tensor
    f: torch.Tensor
    df: torch.Tensor
    regions: list[Region]
    probe_x: float
    probe_f: float
    probe_df: float


def analyse(config: CurveConfig) -> CurveResult:
    """Sample f and f' on the grid, find the flat regions and evaluate f, f' at the probe."""
    x = torch.linspace(config.x_min, config.x_max, config.points, dtype=torch.float64)
    f, df = curve(config.name, x, **config.kwargs)
    pf, pdf = curve(config.name, [config.probe], **config.kwargs)
    regions = flat_regions(config.name, x, df)
    return CurveResult(x, f, df, regions, config.probe, float(pf[0]), float(pdf[0]))


def region_at(regions: Sequence[Region], x: float) -> Region | None:
    """The flat region containing ``x``, if any."""
    return next((r for r in regions if r.start <= x <= r.end), None)
