"""A learner's own loss surface: a formula in x and y, parsed safely, with its minima estimated.

``custom_surface`` turns the text typed on the Gradient-descent page into a ``Surface`` through the
safe expression language of ``dlviz.expression`` (it never calls ``eval``), and estimates where
its minima are: the lowest local minima of a grid over the plotted box, refined with L-BFGS. The
built-in surfaces and the ``Surface`` type are in ``dlviz.descent.surfaces``; this module does no
optimisation of paths (see ``dlviz.descent.optimize``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping

import numpy as np
import torch

from dlviz.descent.surfaces import Surface, default_lrs
from dlviz.expression import ExpressionError, evaluate, parse_expression, tensors

CUSTOM_FUNCTIONS: Mapping[str, Callable[[torch.Tensor], torch.Tensor]] = tensors().functions
"""The functions a custom formula may call (elementwise torch functions)."""

_POWER = re.compile(r"\*\*\s*([-+]?\s*[\d.]+(?:[eE][-+]?\d+)?)")  # ** and a number literal


def _latex(text: str) -> str:
    """A formula of the expression language as LaTeX: x**-1 -> x^{-1}, a*b -> a \\cdot b."""
    powered = _POWER.sub(lambda m: "^{" + m.group(1).replace(" ", "") + "}", text)
    return powered.replace("**", "^").replace("*", r" \cdot ")


def custom_surface(text: str, bound: float = 3.0, minima_grid: int = 81) -> Surface:
    """A surface from a learner's formula in x and y (``^`` means power), parsed safely.

    Raises ExpressionError with a message for the learner when the text is not a valid formula
    in x and y. Minima are estimated: the lowest local minima of the grid, refined by L-BFGS.
    """
    if not 0 < bound <= 100:
        raise ExpressionError("the plotted half-width must be between 0 and 100")
    expr = parse_expression(text.replace("^", "**"), functions=CUSTOM_FUNCTIONS)
    extra = [v for v in expr.variables if v not in ("x", "y")]
    if extra:
        raise ExpressionError(
            f"only the variables x and y are allowed; found {', '.join(f'`{v}`' for v in extra)}"
        )

    def fn(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        out = evaluate(expr, {"x": x, "y": y}, tensors())
        # A formula without x and y is a 0-d constant: spread it over x, wired to x for autograd.
        return out if expr.variables else out + 0.0 * x

    box = (-float(bound), float(bound))
    draft = Surface("custom", f"Custom: {expr.text}", fn, box, box, (), (0.0, 0.0), "")
    _, _, z = draft.grid(minima_grid)
    if not np.isfinite(z).any():
        raise ExpressionError("the formula is not finite anywhere in the plotted box")
    minima = _estimate_minima(draft, z)
    start = (-0.7 * bound, 0.6 * bound)
    return Surface(
        name="custom",
        label=f"Custom: {expr.text}",
        fn=fn,
        xlim=box,
        ylim=box,
        minima=minima,
        start=start,
        latex="f(x, y) = " + _latex(expr.text),
        log_view=False,
        lrs=default_lrs(0.01, 0.005, 0.005, 0.5, 0.01, 0.05),
        notes="Minima were estimated numerically inside the plotted box.",
    )


def _estimate_minima(
    surface: Surface, z: np.ndarray, limit: int = 6
) -> tuple[tuple[float, float], ...]:
    """Interior grid points lower than their 8 neighbours, refined with L-BFGS, deduplicated."""
    n = z.shape[0]
    zz = np.where(np.isfinite(z), z, np.inf)
    core = zz[1:-1, 1:-1]
    is_min = np.ones_like(core, dtype=bool)
    below_one = np.zeros_like(core, dtype=bool)  # a flat plateau (f = 2) has no minimum to mark
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            if di or dj:
                neighbour = zz[1 + di : n - 1 + di, 1 + dj : n - 1 + dj]
                is_min &= core <= neighbour
                below_one |= core < neighbour
    is_min &= np.isfinite(core) & below_one
    idx = np.argwhere(is_min)
    idx = idx[np.argsort(core[is_min])][: limit * 3]
    xs = np.linspace(*surface.xlim, n)
    ys = np.linspace(*surface.ylim, n)
    found: list[tuple[float, float]] = []
    tol = surface.span / n * 2
    for i, j in idx:
        p = _refine(surface, (xs[j + 1], ys[i + 1]))
        inside = (
            surface.xlim[0] <= p[0] <= surface.xlim[1]
            and surface.ylim[0] <= p[1] <= surface.ylim[1]
        )
        if inside and all(math.dist(p, q) > tol for q in found):
            found.append(p)
        if len(found) >= limit:
            break
    return tuple(found)


def _refine(surface: Surface, start: tuple[float, float]) -> tuple[float, float]:
    """A few L-BFGS iterations from a grid point; the grid point itself if that fails."""
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS(
        [p],
        lr=1.0,
        max_iter=100,
        tolerance_grad=1e-10,
        tolerance_change=1e-15,
        line_search_fn="strong_wolfe",
    )

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = surface.value(p)
        loss.backward()
        return loss

    try:
        opt.step(closure)
    except (RuntimeError, IndexError, ArithmeticError, ValueError):  # e.g. torch's strong-Wolfe
        # line search indexes an empty bracket when it meets NaN (log(-x) near its domain's edge)
        return (float(start[0]), float(start[1]))
    q = p.detach()
    if not torch.isfinite(q).all() or surface.value(q) > surface.value(torch.tensor(start)):
        return (float(start[0]), float(start[1]))
    return (float(q[0]), float(q[1]))
