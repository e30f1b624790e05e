"""Two-dimensional loss surfaces f(x, y) written in torch, with their known minima and a view box.

Each surface is a plain torch function of two tensors (so gradients come from autograd and the same
code evaluates one point, a path or a whole batch), plus what a page needs to draw it: the plotted
region, a sensible start, the known minima and a LaTeX formula. ``SURFACES`` is the registry of the
built-in ones and ``get_surface`` picks one by name. A learner's own formula becomes a surface in
``dlviz.descent.custom``; this module does no optimisation (see ``dlviz.descent.optimize``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

Fn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]

QUADRATIC_ANGLE = math.pi / 6  # the bowl's long axis is rotated 30 degrees from the x axis


@dataclass(frozen=True)
class Surface:
    """A loss surface: ``fn(x, y)`` elementwise in torch, its plotted box, minima and a formula."""

    name: str
    label: str
    fn: Fn = field(repr=False, compare=False)
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    minima: tuple[tuple[float, float], ...]
    start: tuple[float, float]
    latex: str
    log_view: bool = False  # draw log10(1 + f - f*) because f spans many orders of magnitude
    lrs: tuple[tuple[str, float], ...] = ()  # (optimizer, a learning rate that works from start)
    lipschitz: float | None = None  # largest Hessian eigenvalue L where it is one number
    notes: str = ""

    def __call__(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self.fn(x, y)

    def default_lr(self, optimizer: str) -> float:
        """A learning rate that makes ``optimizer`` behave well from ``start`` (0.01 if unknown)."""
        return dict(self.lrs).get(optimizer, 0.01)

    def value(self, p: torch.Tensor) -> torch.Tensor:
        """f at points ``p`` of shape (..., 2)."""
        return self.fn(p[..., 0], p[..., 1])

    def evaluate(self, points: np.ndarray) -> np.ndarray:
        """f at points (..., 2) given as numbers, without gradients."""
        with torch.no_grad():
            return self.value(torch.as_tensor(points, dtype=torch.float64)).numpy()

    @property
    def min_value(self) -> float | None:
        """f* = f at the known minima (None when the surface has no minimum)."""
        if not self.minima:
            return None
        pts = torch.tensor(self.minima, dtype=torch.float64)
        return float(self.value(pts).min())

    @property
    def span(self) -> float:
        """The larger side of the plotted box."""
        return max(self.xlim[1] - self.xlim[0], self.ylim[1] - self.ylim[0])

    def grid(self, n: int = 80) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(xs, ys, Z)`` with Z[i, j] = f(xs[j], ys[i]) on an n x n grid over the box."""
        xs = torch.linspace(*self.xlim, n, dtype=torch.float64)
        ys = torch.linspace(*self.ylim, n, dtype=torch.float64)
        gy, gx = torch.meshgrid(ys, xs, indexing="ij")
        with torch.no_grad():
            z = self.fn(gx, gy)
        return xs.numpy(), ys.numpy(), z.numpy()

    def distance_to_minimum(self, points: np.ndarray) -> np.ndarray:
        """Distance from each point (..., 2) to the nearest known minimum (NaN if none)."""
        points = np.asarray(points, dtype=float)
        if not self.minima:
            return np.full(points.shape[:-1], np.nan)
        mins = np.asarray(self.minima, dtype=float)
        d = np.linalg.norm(points[..., None, :] - mins, axis=-1)
        return d.min(axis=-1)


def default_lrs(
    sgd: float, momentum: float, nesterov: float, adagrad: float, rmsprop: float, adam: float
) -> tuple[tuple[str, float], ...]:
    """Per-optimizer default learning rates in dlviz.optimizers.OPTIMIZERS order (AdamW = Adam)."""
    names = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw")
    return tuple(zip(names, (sgd, momentum, nesterov, adagrad, rmsprop, adam, adam), strict=True))


def _quadratic_fn(kappa: float) -> Fn:
    """f = (u^2 + kappa v^2) / 2 in coordinates (u, v) rotated by QUADRATIC_ANGLE."""
    c, s = math.cos(QUADRATIC_ANGLE), math.sin(QUADRATIC_ANGLE)

    def fn(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        u = c * x + s * y
        v = -s * x + c * y
        return 0.5 * (u**2 + kappa * v**2)

    return fn


def quadratic(kappa: float = 50.0) -> Surface:
    """A rotated bowl with Hessian eigenvalues 1 and kappa: f = (u^2 + kappa v^2) / 2."""
    if not kappa >= 1:
        raise ValueError(f"kappa must be at least 1, got {kappa}")
    return Surface(
        name="quadratic",
        label=f"Quadratic bowl (kappa = {kappa:g})",
        fn=_quadratic_fn(kappa),
        xlim=(-3.0, 3.0),
        ylim=(-3.0, 3.0),
        minima=((0.0, 0.0),),
        start=(-2.6, -0.6),
        log_view=True,
        latex=r"f(x, y) = \tfrac12\,(u^2 + \kappa\, v^2),\quad "
        r"\begin{pmatrix}u\\v\end{pmatrix} = R_{30^\circ}\begin{pmatrix}x\\y\end{pmatrix},"
        rf"\quad \kappa = {kappa:g}",
        lrs=default_lrs(
            round(1.5 / kappa, 4), round(0.5 / kappa, 4), round(0.5 / kappa, 4), 1.0, 0.05, 0.3
        ),
        lipschitz=float(kappa),
        notes="The Hessian has eigenvalues 1 and κ, so κ is its condition number and L = κ its "
        "largest curvature.",
    )


def _rosenbrock(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """f = (a - x)^2 + b (y - x^2)^2 with a = 1, b = 100."""
    return (1.0 - x) ** 2 + 100.0 * (y - x**2) ** 2


def rosenbrock() -> Surface:
    """Rosenbrock's banana valley, minimum f(1, 1) = 0."""
    return Surface(
        name="rosenbrock",
        label="Rosenbrock (a = 1, b = 100)",
        fn=_rosenbrock,
        xlim=(-2.0, 2.0),
        ylim=(-1.0, 3.0),
        minima=((1.0, 1.0),),
        start=(-1.2, 1.0),
        latex=r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2",
        log_view=True,
        lrs=default_lrs(0.002, 0.001, 0.001, 1.0, 0.03, 0.2),
        notes="A narrow curved valley: easy to find, slow to follow.",
    )


def _himmelblau(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """f = (x^2 + y - 11)^2 + (x + y^2 - 7)^2."""
    return (x**2 + y - 11.0) ** 2 + (x + y**2 - 7.0) ** 2


HIMMELBLAU_MINIMA = (
    (3.0, 2.0),
    (-2.805118086952745, 3.131312518250573),
    (-3.779310253377747, -3.283185991286170),
    (3.584428340330492, -1.848126526964404),
)


def himmelblau() -> Surface:
    """Himmelblau's function: four minima, all with f = 0."""
    return Surface(
        name="himmelblau",
        label="Himmelblau (four minima)",
        fn=_himmelblau,
        xlim=(-5.0, 5.0),
        ylim=(-5.0, 5.0),
        minima=HIMMELBLAU_MINIMA,
        start=(0.0, -1.0),
        latex=r"f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        log_view=True,
        lrs=default_lrs(0.01, 0.002, 0.004, 0.5, 0.02, 0.3),
        notes="Four equally deep minima: which one you reach depends on the start and the optimizer.",
    )


def _beale(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """f = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2."""
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def beale() -> Surface:
    """Beale's function: flat plateaus and steep walls, minimum f(3, 0.5) = 0."""
    return Surface(
        name="beale",
        label="Beale (plateaus and cliffs)",
        fn=_beale,
        xlim=(-4.5, 4.5),
        ylim=(-4.5, 4.5),
        minima=((3.0, 0.5),),
        start=(1.0, 1.4),
        latex=r"f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
        log_view=True,
        lrs=default_lrs(0.02, 0.005, 0.003, 1.0, 0.05, 0.3),
        notes="Gradients range over ten orders of magnitude: a job for per-coordinate step sizes.",
    )


def _saddle(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """f = x^2 - y^2."""
    return x**2 - y**2


def saddle() -> Surface:
    """A saddle: a minimum along x, a maximum along y, no minimum at all."""
    return Surface(
        name="saddle",
        label="Saddle (x^2 - y^2)",
        fn=_saddle,
        xlim=(-2.0, 2.0),
        ylim=(-2.0, 2.0),
        minima=(),
        start=(-1.8, 0.02),
        latex=r"f(x, y) = x^2 - y^2",
        lrs=default_lrs(0.05, 0.01, 0.01, 0.3, 0.01, 0.05),
        lipschitz=2.0,
        notes="The gradient at (0, 0) is zero but it is no minimum; f falls without bound along y.",
    )


SURFACES: dict[str, Callable[..., Surface]] = {
    "quadratic": quadratic,
    "rosenbrock": rosenbrock,
    "himmelblau": himmelblau,
    "beale": beale,
    "saddle": saddle,
}
SURFACE_NAMES: tuple[str, ...] = (*SURFACES, "custom")


def get_surface(name: str, **params: float) -> Surface:
    """The registered surface ``name`` (``kappa`` for the quadratic; other params are ignored)."""
    try:
        factory = SURFACES[name]
    except KeyError:
        raise ValueError(f"unknown surface {name!r}; choose one of {', '.join(SURFACES)}") from None
    if name == "quadratic":
        return factory(kappa=float(params.get("kappa", 50.0)))
    return factory()
