"""Batched update rules (one tensor, many runs) against torch.optim, and the convergence map."""

from __future__ import annotations

import math
from dataclasses import asdict

import numpy as np
import pytest
import torch

from dlviz.descent import (
    BatchedOptimizer,
    BatchHyper,
    Hyper,
    convergence_map,
    get_surface,
    run,
    run_batch,
)
from dlviz.descent.compare import DescentConfig, OptimizerSpec, SurfaceSpec
from dlviz.descent.convergence import (
    map_axis,
    map_lr_range,
    map_point,
    map_settings,
    momentum_grid,
    run_map,
    stability_curve,
)
from dlviz.optimizers import OPTIMIZER_NAMES, make_optimizer

LRS = {
    "sgd": 1e-3,
    "momentum": 5e-4,
    "nesterov": 5e-4,
    "adagrad": 0.2,
    "rmsprop": 5e-3,
    "adam": 0.03,
    "adamw": 0.03,
}


def torch_rows(surface, name, starts, lrs, moms, steps, wd=None):
    """Each row through its own torch.optim optimizer: the oracle for the batched rules."""
    out = []
    for start, lr, m in zip(starts, lrs, moms, strict=True):
        hyper = Hyper(lr=lr, momentum=m, beta1=m, weight_decay=wd)
        if name == "adagrad":
            hyper = Hyper(lr=lr, weight_decay=wd)
        p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
        opt = make_optimizer(name, [p], **asdict(hyper))
        for _ in range(steps):
            opt.zero_grad()
            surface.value(p).backward()
            opt.step()
        out.append(p.detach().numpy())
    return np.stack(out)


@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
@pytest.mark.parametrize("wd", [None, 0.05])
def test_batched_rules_match_torch_optim_row_by_row(name, wd):
    surface = get_surface("himmelblau")
    gen = torch.Generator().manual_seed(0)
    n, steps = 6, 30
    starts = (torch.rand(n, 2, generator=gen, dtype=torch.float64) - 0.5) * 4
    lrs = LRS[name] * torch.logspace(-0.5, 0.5, n, dtype=torch.float64)
    moms = torch.linspace(0.0, 0.95, n, dtype=torch.float64)
    if name in ("adam", "adamw"):
        moms = torch.linspace(0.5, 0.95, n, dtype=torch.float64)
    h = BatchHyper(lr=lrs[:, None], momentum=moms[:, None], weight_decay=wd)
    opt = BatchedOptimizer(name, h)
    p = starts.clone()
    for _ in range(steps):
        q = p.clone().requires_grad_(True)
        (g,) = torch.autograd.grad(surface.value(q).sum(), q)
        p = opt.step(p, g)
    want = torch_rows(surface, name, starts.tolist(), lrs.tolist(), moms.tolist(), steps, wd)
    np.testing.assert_allclose(p.numpy(), want, rtol=1e-9, atol=1e-12)


def test_run_batch_agrees_with_single_runs_including_divergence():
    surface = get_surface("rosenbrock")
    lrs = torch.tensor([[1e-4], [5e-4], [3e-3], [2e-2]], dtype=torch.float64)
    moms = torch.full((4, 1), 0.9, dtype=torch.float64)
    starts = torch.tensor([surface.start] * 4, dtype=torch.float64)
    res = run_batch(surface, "momentum", starts, 150, BatchHyper(lr=lrs, momentum=moms))
    for i, lr in enumerate(lrs[:, 0].tolist()):
        path = run(surface, "momentum", surface.start, 150, Hyper(lr=lr, momentum=0.9))
        if path.diverged:
            assert res.diverged_at[i] == path.diverged_at
            assert np.isnan(res.final_loss[i])
        else:
            assert res.diverged_at[i] == -1
            np.testing.assert_allclose(res.final[i], path.positions[-1], rtol=1e-9)
            assert res.final_loss[i] == pytest.approx(path.losses[-1], rel=1e-9)
    assert res.diverged_at[-1] >= 0 and res.diverged_at[0] == -1


def test_convergence_map_on_the_quadratic_follows_the_theory():
    kappa = 10.0
    surface = get_surface("quadratic", kappa=kappa)
    cmap = convergence_map(
        surface,
        "momentum",
        surface.start,
        steps=300,
        lr_range=(1e-3, 2.0),
        n_lr=25,
        n_momentum=25,
        tol=1e-3,
    )
    assert cmap.steps_to_converge.shape == (25, 25) and cmap.final_loss.shape == (25, 25)
    assert cmap.momenta[0] == 0.0 and cmap.momenta[-1] == pytest.approx(0.99)
    for i, m in enumerate(cmap.momenta):
        limit = 2 * (1 + m) / kappa  # heavy ball is stable iff lr L < 2 (1 + m)
        stable = cmap.lrs < 0.95 * limit
        unstable = cmap.lrs > 1.05 * limit
        assert not cmap.diverged[i, stable].any()
        assert cmap.diverged[i, unstable].all()
    # the fastest cell is near the theoretical optimum of heavy ball momentum
    i, j = np.unravel_index(np.argmin(cmap.steps_to_converge), cmap.steps_to_converge.shape)
    best_m = ((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)) ** 2
    assert abs(cmap.momenta[i] - best_m) < 0.25
    assert cmap.steps_to_converge[i, j] < cmap.steps_to_converge[0].min()


def test_convergence_map_without_minima_has_no_convergence():
    surface = get_surface("saddle")
    cmap = convergence_map(surface, "adam", surface.start, steps=50, n_lr=5, n_momentum=5)
    assert np.isinf(cmap.steps_to_converge).all()


def test_momentum_grid_runs_from_plain_to_heavy():
    g = momentum_grid(25)
    assert g[0] == 0.0 and g[-1] == pytest.approx(0.99) and np.all(np.diff(g) > 0)


def test_chunked_map_equals_single_runs():
    surface = get_surface("beale")
    cmap = convergence_map(
        surface, "adam", surface.start, steps=40, lr_range=(1e-3, 1.0), n_lr=33, n_momentum=33
    )  # 1089 runs: two chunks
    for i, j in [(0, 0), (16, 20), (32, 32), (30, 1)]:
        path = run(surface, "adam", surface.start, 40, Hyper(lr=cmap.lrs[j], beta1=cmap.momenta[i]))
        if path.diverged:
            assert cmap.diverged[i, j]
        else:
            assert cmap.final_loss[i, j] == pytest.approx(path.losses[-1], rel=1e-8, abs=1e-300)


def test_what_the_page_reads_off_a_map():
    surface = get_surface("quadratic", kappa=50.0)
    spec = OptimizerSpec("adam", lr=0.3, beta1=None, beta2=0.99, eps=1e-8, weight_decay=0.0)
    config = DescentConfig(SurfaceSpec("quadratic", kappa=50.0), (-2.6, -0.6), 60, (spec,))
    settings = map_settings(config, surface, "adam", 5)
    assert settings.lr_range == map_lr_range(surface, "adam") == (0.3 / 300, 0.3 * 30)
    assert (settings.n, settings.beta2, settings.eps, settings.weight_decay) == (5, 0.99, 1e-8, 0)
    assert map_axis("adam") == "beta1" and map_axis("rmsprop") == "momentum"
    assert map_point(spec) == (0.3, 0.0)  # beta1 left at torch's default sits at 0 on the axis
    cmap = run_map(settings, surface)
    same = convergence_map(surface, "adam", config.start, 60, settings.lr_range, 5, 5, 1e-2, 0.99)
    assert np.array_equal(cmap.final_loss, same.final_loss, equal_nan=True)
    lr, m, steps = cmap.fastest()
    i, j = np.unravel_index(np.argmin(cmap.steps_to_converge), cmap.steps_to_converge.shape)
    assert (lr, m, steps) == (cmap.lrs[j], cmap.momenta[i], cmap.steps_to_converge[i, j])


def test_stability_curve_is_the_heavy_ball_limit_inside_the_range():
    bowl = get_surface("quadratic", kappa=10.0)
    curve = stability_curve(bowl, "momentum", [0.0, 0.5, 0.9], (0.1, 0.35))
    assert curve == [(0.2, 0.0), (pytest.approx(0.3), 0.5)]  # 2(1 + m)/L; m = 0.9 is outside
    assert stability_curve(bowl, "adam", [0.0], (0.1, 1.0)) is None
    assert stability_curve(get_surface("rosenbrock"), "sgd", [0.0], (1e-4, 1.0)) is None
    saddle = get_surface("saddle")
    assert stability_curve(saddle, "sgd", [0.0], (1e-4, 10.0)) is None  # no minimum


def test_a_map_where_nothing_settles_has_no_fastest_cell():
    surface = get_surface("saddle")
    cmap = convergence_map(surface, "sgd", surface.start, steps=20, n_lr=3, n_momentum=3)
    assert cmap.fastest() is None
