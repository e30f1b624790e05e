"""The line and the plane of a loss landscape: settings, coordinates, evaluation, result.

``loss_landscape`` evaluates the loss on the 1-D line theta(t) = theta_0 + t (theta_1 - theta_0)
and on the 2-D plane theta(a, b) = theta_1 + a d_1 + b d_2 (filter-normalized random directions
from ``dlviz.landscape.directions``), each point through an ``Evaluator``. ``LandscapeConfig`` is
the frozen, hashable settings; ``Landscape`` the result. It does not store anything on disk.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass

import torch
from torch import nn

from dlviz.landscape.directions import State, perturbable, random_direction
from dlviz.landscape.evaluator import Evaluator

PointsDone = Callable[[int, int], None]
"""Called with (points done, points in all) as the evaluation proceeds."""

MIN_RESOLUTION, MAX_RESOLUTION = 5, 51
MAX_TEST_IMAGES = 10_000


@dataclass(frozen=True)
class LandscapeConfig:
    """What to evaluate: grid sizes, how far to go, on how many test images, which directions."""

    resolution: int = 21  # grid points per axis of the plane (odd: the centre is a grid point)
    span: float = 1.0  # the plane covers a, b in [-span, span] (units of filter-normalized d)
    line_points: int = 41  # points on the initial -> final line
    line_margin: float = 0.25  # the line covers t in [-margin, 1 + margin]
    test_images: int = 1000  # first N test images
    seed: int = 0  # of the two random directions

    def __post_init__(self) -> None:
        if not MIN_RESOLUTION <= self.resolution <= MAX_RESOLUTION or self.resolution % 2 == 0:
            raise ValueError(
                f"resolution must be odd and between {MIN_RESOLUTION} and {MAX_RESOLUTION}, "
                f"got {self.resolution}."
            )
        if not (math.isfinite(self.span) and self.span > 0):
            raise ValueError(f"span must be a positive number, got {self.span}.")
        if self.line_points < 3 or not 0 <= self.line_margin <= 2:
            raise ValueError("line_points must be >= 3 and line_margin between 0 and 2.")
        if not 1 <= self.test_images <= MAX_TEST_IMAGES:
            raise ValueError(f"test_images must be between 1 and {MAX_TEST_IMAGES}.")

    @property
    def points(self) -> int:
        """Weight settings evaluated: the plane's resolution², the line, and the trained weights."""
        return self.resolution**2 + self.line_points + 1

    def key(self) -> str:
        """sha256 hex of the sorted JSON of the settings."""
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True, eq=False)
class Landscape:
    """Loss and accuracy along the line and over the plane (float64 tensors; NaN/inf kept)."""

    config: LandscapeConfig
    line_t: torch.Tensor  # [L] line coordinate t (0 = initial, 1 = trained)
    line_loss: torch.Tensor  # [L]
    line_acc: torch.Tensor  # [L]
    coords: torch.Tensor  # [R] plane coordinates a (columns) and b (rows)
    plane_loss: torch.Tensor  # [R, R], plane_loss[i, j] at (a = coords[j], b = coords[i])
    plane_acc: torch.Tensor  # [R, R]
    trained_loss: float  # loss of the trained weights, evaluated directly
    trained_acc: float
    images: int  # test images actually used
    seconds: float  # wall time of the evaluation

    @property
    def centre_loss(self) -> float:
        """The plane's value at (0, 0), i.e. at the trained weights."""
        mid = len(self.coords) // 2
        return float(self.plane_loss[mid, mid])

    @property
    def initial_loss(self) -> float:
        """The line's value at t = 0, i.e. at the initial weights."""
        return float(self.line_loss[self.line_t.tolist().index(0.0)])

    @property
    def lowest_loss(self) -> float:
        """The smallest finite loss on the plane (nan when none is finite)."""
        finite = self.plane_loss[torch.isfinite(self.plane_loss)]
        return float(finite.min()) if finite.numel() else float("nan")

    @property
    def nonfinite(self) -> int:
        """How many evaluated points gave an inf/NaN loss."""
        both = torch.cat([self.line_loss.flatten(), self.plane_loss.flatten()])
        return int((~torch.isfinite(both)).sum())


def _float_state(state: Mapping[str, torch.Tensor]) -> State:
    return {k: v.detach().float() if v.is_floating_point() else v for k, v in state.items()}


def losses_at(
    evaluate: Evaluator,
    base: Mapping[str, torch.Tensor],
    directions: list[Mapping[str, torch.Tensor]],
    coeffs: torch.Tensor,
    progress: PointsDone | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean cross-entropy and accuracy at theta = base + sum_k c_k d_k for each row c of coeffs.

    ``base`` holds every entry of the model's state_dict; directions may cover any subset of it.
    Returns two float64 tensors of length ``len(coeffs)``.
    """
    losses = torch.empty(len(coeffs), dtype=torch.float64)
    accs = torch.empty(len(coeffs), dtype=torch.float64)
    names = sorted(set().union(*(d.keys() for d in directions)))
    for p, c in enumerate(coeffs.tolist()):
        state = dict(base)
        for name in names:
            shifted = base[name].clone()
            for ck, d in zip(c, directions, strict=True):
                if name in d and ck != 0:
                    shifted.add_(d[name], alpha=ck)
            state[name] = shifted
        losses[p], accs[p] = evaluate(state)
        if progress is not None:
            progress(p + 1, len(coeffs))
    return losses, accs


def line_coords(cfg: LandscapeConfig) -> torch.Tensor:
    """t values from -margin to 1 + margin, always containing exactly 0 and 1."""
    t = torch.linspace(-cfg.line_margin, 1 + cfg.line_margin, cfg.line_points, dtype=torch.float64)
    for anchor in (0.0, 1.0):
        t[(t - anchor).abs().argmin()] = anchor
    return t


def plane_coords(cfg: LandscapeConfig) -> torch.Tensor:
    """a (and b) values: ``resolution`` points on [-span, span], the middle one exactly 0."""
    c = torch.linspace(-cfg.span, cfg.span, cfg.resolution, dtype=torch.float64)
    c[cfg.resolution // 2] = 0.0
    return c


def loss_landscape(
    model: nn.Module,
    initial_state: Mapping[str, torch.Tensor],
    final_state: Mapping[str, torch.Tensor],
    x: torch.Tensor,
    y: torch.Tensor,
    cfg: LandscapeConfig = LandscapeConfig(),
    progress: PointsDone | None = None,
) -> Landscape:
    """The 1-D line from the initial to the trained weights and the 2-D filter-normalized plane.

    ``x`` are model-ready float inputs (normalized), ``y`` labels; the first ``cfg.test_images``
    are used. ``model`` only provides the architecture: its own weights are never modified.
    """
    t0 = time.perf_counter()
    x, y = x[: cfg.test_images], y[: cfg.test_images]
    evaluate = Evaluator(model, x, y)
    final, initial = _float_state(final_state), _float_state(initial_state)
    names = perturbable(model)
    params = {n: final[n] for n in names}
    d1 = random_direction(params, cfg.seed * 2 + 1)
    d2 = random_direction(params, cfg.seed * 2 + 2)
    t = line_coords(cfg)
    c = plane_coords(cfg)
    grid = torch.cartesian_prod(c, c).flip(1)  # rows (b, a): b varies slowest -> [R, R] row-major
    total = len(t) + len(grid) + 1

    def report(offset: int) -> PointsDone | None:
        return None if progress is None else (lambda done, _n: progress(offset + done, total))

    trained_loss, trained_acc = evaluate(final)
    to_final = {
        k: final[k] - initial[k] for k in final if final[k].is_floating_point() and k in initial
    }
    line_loss, line_acc = losses_at(evaluate, initial, [to_final], t[:, None], report(1))
    plane_loss, plane_acc = losses_at(evaluate, final, [d1, d2], grid, report(1 + len(t)))
    r = cfg.resolution
    return Landscape(
        config=cfg,
        line_t=t,
        line_loss=line_loss,
        line_acc=line_acc,
        coords=c,
        plane_loss=plane_loss.view(r, r),
        plane_acc=plane_acc.view(r, r),
        trained_loss=trained_loss,
        trained_acc=trained_acc,
        images=len(y),
        seconds=time.perf_counter() - t0,
    )
