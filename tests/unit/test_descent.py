"""dlviz.descent: surfaces, torch.optim trajectories, divergence, custom formulas (torch as oracle)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from dlviz.descent import (
    SURFACES,
    Hyper,
    get_surface,
    run,
    stability_limit,
    steps_to_tolerance,
    trajectory,
)
from dlviz.descent.compare import OptimizerSpec, stability_limits
from dlviz.optimizers import OPTIMIZER_NAMES

HYPER = {
    "sgd": {"lr": 0.002},
    "momentum": {"lr": 0.001, "momentum": 0.8},
    "nesterov": {"lr": 0.001, "momentum": 0.85},
    "adagrad": {"lr": 0.3, "eps": 1e-9},
    "rmsprop": {"lr": 0.01, "beta2": 0.95, "momentum": 0.5},
    "adam": {"lr": 0.05, "beta1": 0.8, "beta2": 0.99},
    "adamw": {"lr": 0.05, "beta1": 0.85, "beta2": 0.995, "weight_decay": 0.1},
}

# Plain torch formulas, written independently of dlviz.descent.surfaces.
REFERENCE = {
    "rosenbrock": lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2,
    "himmelblau": lambda x, y: (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2,
    "beale": lambda x, y: (
        (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2
    ),
    "saddle": lambda x, y: x**2 - y**2,
}


def reference_quadratic(kappa):
    c, s = math.cos(math.pi / 6), math.sin(math.pi / 6)
    return lambda x, y: 0.5 * ((c * x + s * y) ** 2 + kappa * (-s * x + c * y) ** 2)


def torch_loop(f, opt_name, start, steps, hp):
    """The plain torch.optim loop trajectory() must reproduce."""
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    lr = hp["lr"]
    wd = hp.get("weight_decay", 0.0)
    if opt_name == "sgd":
        opt = torch.optim.SGD([p], lr=lr, weight_decay=wd)
    elif opt_name in ("momentum", "nesterov"):
        opt = torch.optim.SGD(
            [p], lr=lr, momentum=hp["momentum"], nesterov=opt_name == "nesterov", weight_decay=wd
        )
    elif opt_name == "adagrad":
        opt = torch.optim.Adagrad([p], lr=lr, eps=hp["eps"], weight_decay=wd)
    elif opt_name == "rmsprop":
        opt = torch.optim.RMSprop(
            [p], lr=lr, alpha=hp["beta2"], momentum=hp["momentum"], weight_decay=wd
        )
    elif opt_name == "adam":
        opt = torch.optim.Adam([p], lr=lr, betas=(hp["beta1"], hp["beta2"]), weight_decay=wd)
    else:
        opt = torch.optim.AdamW([p], lr=lr, betas=(hp["beta1"], hp["beta2"]), weight_decay=wd)
    out = [p.detach().clone()]
    for _ in range(steps):
        opt.zero_grad()
        f(p[0], p[1]).backward()
        opt.step()
        out.append(p.detach().clone())
    return torch.stack(out).numpy()


@pytest.mark.parametrize("surface", [*SURFACES])
@pytest.mark.parametrize("optimizer", OPTIMIZER_NAMES)
def test_trajectory_equals_a_plain_torch_optim_loop(surface, optimizer):
    f = reference_quadratic(4.0) if surface == "quadratic" else REFERENCE[surface]
    start = (0.3, -0.4) if surface == "saddle" else get_surface(surface).start
    hp = dict(HYPER[optimizer])
    if surface == "quadratic":
        hp["kappa"] = 4.0
    steps = 40
    got = trajectory(surface, optimizer, start, steps, **hp)
    hp.pop("kappa", None)
    want = torch_loop(f, optimizer, start, steps, hp)
    assert got.shape == (steps + 1, 2)
    np.testing.assert_allclose(got[0], start)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def test_default_hyperparameters_are_torch_defaults():
    start = (-1.0, 1.5)
    got = trajectory("himmelblau", "adam", start, 25, lr=0.1)
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([p], lr=0.1)
    for _ in range(25):
        opt.zero_grad()
        REFERENCE["himmelblau"](p[0], p[1]).backward()
        opt.step()
    np.testing.assert_allclose(got[-1], p.detach().numpy(), rtol=1e-12)


def test_unknown_hyperparameter_and_optimizer_are_rejected():
    with pytest.raises(TypeError, match="learning_rate"):
        trajectory("beale", "sgd", (1, 1), 3, learning_rate=0.1)
    with pytest.raises(ValueError, match="unknown optimizer"):
        trajectory("beale", "lbfgs", (1, 1), 3, lr=0.1)
    with pytest.raises(ValueError, match="unknown surface"):
        trajectory("banana", "sgd", (1, 1), 3, lr=0.1)


@pytest.mark.parametrize("surface", ["quadratic", "rosenbrock", "himmelblau", "beale"])
def test_known_minima_have_zero_gradient_and_lowest_value(surface):
    surf = get_surface(surface)
    mins = torch.tensor(surf.minima, dtype=torch.float64, requires_grad=True)
    f = surf.value(mins)
    (g,) = torch.autograd.grad(f.sum(), mins)
    assert torch.allclose(g, torch.zeros_like(g), atol=1e-9)
    _, _, z = surf.grid(101)
    assert surf.min_value == pytest.approx(0.0, abs=1e-12)
    assert z.min() >= surf.min_value - 1e-12
    # and each minimum is a minimum: the Hessian is positive definite
    for m in surf.minima:
        hess = torch.autograd.functional.hessian(
            lambda q: surf.value(q), torch.tensor(m, dtype=torch.float64)
        )
        assert torch.linalg.eigvalsh(hess).min() > 0


def test_saddle_has_no_minimum_and_a_saddle_point():
    surf = get_surface("saddle")
    assert surf.minima == () and surf.min_value is None
    hess = torch.autograd.functional.hessian(surf.value, torch.zeros(2, dtype=torch.float64))
    eig = torch.linalg.eigvalsh(hess)
    assert eig.min() < 0 < eig.max()


@pytest.mark.parametrize("kappa", [1.0, 10.0, 100.0])
def test_quadratic_condition_number_is_kappa(kappa):
    surf = get_surface("quadratic", kappa=kappa)
    hess = torch.autograd.functional.hessian(surf.value, torch.zeros(2, dtype=torch.float64))
    eig = torch.linalg.eigvalsh(hess)
    assert eig.max() / eig.min() == pytest.approx(kappa)
    assert surf.lipschitz == pytest.approx(float(eig.max()))


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov"])
def test_stability_limit_separates_convergence_from_divergence_on_the_quadratic(optimizer):
    kappa = 10.0
    limit = stability_limit(optimizer, kappa, momentum=0.9)
    start = (-2.0, 1.0)
    ok = run("quadratic", optimizer, start, 600, Hyper(lr=0.97 * limit, momentum=0.9), kappa=kappa)
    bad = run("quadratic", optimizer, start, 600, Hyper(lr=1.03 * limit, momentum=0.9), kappa=kappa)
    assert not ok.diverged
    assert ok.losses[-1] < ok.losses[0]
    assert bad.diverged
    assert "overflow" in bad.reason or "left the plotted region" in bad.reason


def test_stability_limits_name_each_optimizer_with_a_limit_on_a_bowl():
    bowl = get_surface("quadratic", kappa=10.0)
    specs = (
        OptimizerSpec("sgd", lr=0.1),
        OptimizerSpec("momentum", lr=0.5, momentum=0.5),
        OptimizerSpec("adam", lr=0.3),
    )
    limits = stability_limits(bowl, specs)
    assert [(spec.name, stable) for spec, _, stable in limits] == [
        ("sgd", True),  # 0.1 < 2/10
        ("momentum", False),  # 0.5 >= 2(1 + 0.5)/10
    ]
    assert limits[0][1] == pytest.approx(0.2) and limits[1][1] == pytest.approx(0.3)
    assert stability_limits(get_surface("saddle"), specs) == []  # no minimum to be stable at
    assert stability_limits(get_surface("rosenbrock"), specs) == []  # no single curvature


def test_divergence_stops_the_path_and_fills_the_rest_with_nan():
    path = run("rosenbrock", "sgd", (-1.5, 2.0), 100, Hyper(lr=0.01))
    assert path.diverged and 0 < path.diverged_at < 100
    assert np.isnan(path.positions[path.diverged_at + 1 :]).all()
    assert np.isfinite(path.positions[: path.diverged_at]).all()
    assert path.reason
    pos = trajectory("rosenbrock", "sgd", (-1.5, 2.0), 100, lr=0.01)
    assert pos.shape == (101, 2) and np.isnan(pos[-1]).all()


def test_saddle_escape_is_reported_as_leaving_the_region():
    path = run("saddle", "momentum", (-1.8, 0.02), 300, Hyper(lr=0.05, momentum=0.9))
    assert path.diverged
    assert "left the plotted region" in path.reason


def test_converging_paths_reach_the_minimum_and_report_steps():
    surf = get_surface("quadratic", kappa=5.0)
    path = run(surf, "momentum", surf.start, 300, Hyper(lr=0.1, momentum=0.5))
    n = steps_to_tolerance(surf, path, 1e-3)
    assert n is not None and 0 < n < 300
    d = surf.distance_to_minimum(path.positions)
    assert (d[n:] < 1e-3).all() and d[n - 1] >= 1e-3


def test_optimizer_state_is_recorded_as_torch_stores_it():
    path = run("himmelblau", "adam", (0.0, 0.0), 5, Hyper(lr=0.1))
    p = torch.tensor((0.0, 0.0), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([p], lr=0.1)
    for k in range(5):
        opt.zero_grad()
        REFERENCE["himmelblau"](p[0], p[1]).backward()
        np.testing.assert_allclose(path.grads[k], p.grad.numpy())
        opt.step()
        np.testing.assert_allclose(path.state["exp_avg"][k + 1], opt.state[p]["exp_avg"].numpy())
        np.testing.assert_allclose(
            path.state["exp_avg_sq"][k + 1], opt.state[p]["exp_avg_sq"].numpy()
        )
    mom = run("beale", "momentum", (1.0, 1.0), 3, Hyper(lr=0.01, momentum=0.9))
    assert set(mom.state) == {"momentum_buffer"}
    np.testing.assert_allclose(mom.state["momentum_buffer"][1], mom.grads[0])


def test_gradient_noise_is_seeded_and_shrinks_with_batch_size():
    surf = get_surface("quadratic", kappa=5.0)
    kw = {"noise": 1.0, "batch_size": 4, "seed": 3}
    a = run(surf, "sgd", (1.0, 1.0), 50, Hyper(lr=0.05), **kw)
    b = run(surf, "sgd", (1.0, 1.0), 50, Hyper(lr=0.05), **kw)
    np.testing.assert_array_equal(a.positions, b.positions)
    # the noise is what was added to the true gradient at the same point: std 1/sqrt(batch)
    for bs in (1, 100):
        noisy = run(surf, "sgd", (1.0, 1.0), 400, Hyper(lr=0.05), noise=1.0, batch_size=bs)
        p = torch.tensor(noisy.positions[:-1], requires_grad=True)
        (true,) = torch.autograd.grad(surf.value(p).sum(), p)
        added = noisy.grads[:-1] - true.numpy()
        assert np.std(added) == pytest.approx(1.0 / math.sqrt(bs), rel=0.1)
        assert abs(np.mean(added)) < 3 / math.sqrt(bs * 800)


@pytest.mark.parametrize("surface", ["quadratic", "rosenbrock", "himmelblau", "beale"])
@pytest.mark.parametrize("optimizer", OPTIMIZER_NAMES)
def test_suggested_learning_rates_do_not_diverge(surface, optimizer):
    surf = get_surface(surface)
    path = run(surf, optimizer, surf.start, 200, Hyper(lr=surf.default_lr(optimizer)))
    assert not path.diverged
    assert path.losses[-1] < path.losses[0]


# --- custom formulas through the shared evaluator (tracebacks on the page before) ---------------
