"""Playground regression and L1: datasets, losses and metrics against torch and scikit-learn,
the shared builder/trainer, L1's exact zeros, the figures and the names of zeroed weights."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.metrics import mean_squared_error, r2_score

from dlviz.playground.data import (
    REGRESSION_DATASETS,
    TARGETS,
    DataConfig,
    make_dataset,
    task_of,
)
from dlviz.playground.model import (
    ModelConfig,
    TrainSettings,
    build_mlp,
    evaluate,
    l1_penalty,
    linear_layers,
    optimizer_for,
    r_squared,
    squared_error,
    stop_at_zero,
    train_epoch,
)
from dlviz.playground.session import Trainer
from dlviz.playground.snapshot import weight_name, zero_weights
from dlviz.plots.playground.network import network_figure
from dlviz.plots.playground.regions import curves_figure
from dlviz.plots.playground.regression import fit_figure, update_fit_figure, value_figure


@pytest.mark.parametrize("name", list(REGRESSION_DATASETS))
def test_regression_datasets_are_float_targets_near_the_noiseless_function(name):
    d = make_dataset(DataConfig(name=name, n_samples=400, noise=0.0, test_fraction=0.25, seed=3))
    assert task_of(name) == "regression" and d.regression and d.n_classes == 1
    assert len(d.x_train) == 300 and len(d.x_test) == 100
    assert d.y_train.dtype == torch.float32 and d.x_train.dtype == torch.float32
    x = torch.cat([d.x_train, d.x_test]).numpy()
    t = torch.cat([d.y_train, d.y_test]).numpy()
    np.testing.assert_allclose(t, TARGETS[name](x.astype(np.float64)), atol=1e-6)
    assert np.abs(t).max() <= 1.0 + 1e-6 and np.abs(x).max() <= d.limit
    noisy = make_dataset(DataConfig(name=name, n_samples=400, noise=0.3, seed=3))
    assert (
        0.2
        < float(
            (
                noisy.y_train
                - torch.from_numpy(TARGETS[name](noisy.x_train.numpy().astype(np.float64))).float()
            ).std()
        )
        < 0.4
    )


@pytest.mark.parametrize("seed", range(4))
def test_squared_error_and_r2_match_torch_and_scikit_learn(seed):
    g = torch.Generator().manual_seed(seed)
    out, t = torch.randn(50, 1, generator=g), torch.randn(50, generator=g)
    assert squared_error(out, t).item() == pytest.approx(F.mse_loss(out[:, 0], t).item(), rel=1e-6)
    assert squared_error(out, t).item() == pytest.approx(
        mean_squared_error(t.numpy(), out[:, 0].numpy()), rel=1e-5
    )
    assert r_squared(out[:, 0], t) == pytest.approx(
        r2_score(t.numpy(), out[:, 0].numpy()), abs=1e-5
    )
    const = torch.full((5,), 2.0)
    assert r_squared(const, const) == r2_score(const.numpy(), const.numpy()) == 1.0
    assert r_squared(const + 1, const) == r2_score(const.numpy(), const.numpy() + 1) == 0.0


def test_regression_uses_the_same_builder_with_one_linear_output_and_learns_the_plane():
    data = make_dataset(DataConfig(name="plane", n_samples=300, noise=0.05))
    cfg = ModelConfig(("x1", "x2"), (4,), "tanh", "adam", 0)
    model = build_mlp(2, data.n_classes, cfg)
    assert linear_layers(model)[-1].out_features == 1
    settings = TrainSettings(lr=0.03, batch_size=16)
    opt, g = optimizer_for(model, cfg.optimizer, settings), torch.Generator().manual_seed(1)
    first, r2_first, _ = evaluate(model, data.x_train, data.y_train, True)
    for _ in range(30):
        train_epoch(model, opt, data.x_train, data.y_train, 16, g, True)
    loss, r2, pred = evaluate(model, data.x_test, data.y_test, True)
    assert loss < first / 5 and r2 > 0.95 > r2_first
    assert r2 == pytest.approx(r2_score(data.y_test.numpy(), pred.numpy()), abs=1e-5)
    assert loss == pytest.approx(mean_squared_error(data.y_test.numpy(), pred.numpy()), rel=1e-5)


def test_l1_penalty_gradient_is_lambda_sign_w_on_weights_only():
    model = build_mlp(2, 3, ModelConfig(hidden=(4,)))
    l1_penalty(model, 0.1).backward()
    for lin in linear_layers(model):
        torch.testing.assert_close(lin.weight.grad, 0.1 * torch.sign(lin.weight.detach()))
        assert lin.bias.grad is None


def test_stop_at_zero_zeroes_exactly_the_weights_that_changed_sign_or_stay():
    w = torch.tensor([[0.5, -0.2, 0.1], [0.0, 0.3, -0.4]])
    before = torch.tensor([[0.6, 0.1, 0.1], [0.2, -0.3, -0.5]])
    stop_at_zero([w], [before])
    torch.testing.assert_close(w, torch.tensor([[0.5, 0.0, 0.1], [0.0, 0.0, -0.4]]))
    w = torch.tensor([[0.02, -0.01]])
    stop_at_zero([w], [torch.zeros(1, 2)], [torch.tensor([[True, False]])])
    torch.testing.assert_close(w, torch.tensor([[0.0, -0.01]]))


def test_l1_one_batch_step_equals_sgd_on_the_penalised_loss_then_the_dead_zone():
    torch.manual_seed(0)
    x, y = torch.randn(8, 2), torch.randint(0, 2, (8,))
    cfg = ModelConfig(hidden=(3,), optimizer="sgd")
    a, b = build_mlp(2, 2, cfg), build_mlp(2, 2, cfg)
    with torch.no_grad():  # two weights already at zero: one held there, one pulled off
        for m in (a, b):
            linear_layers(m)[0].weight[0, 0] = 0.0
            linear_layers(m)[1].weight[1, 2] = 0.0
    lam, lr = 0.05, 0.5
    opt = optimizer_for(a, "sgd", TrainSettings(lr=lr, l1=lam))
    train_epoch(a, opt, x, y, 8, torch.Generator().manual_seed(0), False, lam)
    loss = F.cross_entropy(b(x), y) + lam * sum(lin.weight.abs().sum() for lin in linear_layers(b))
    loss.backward()
    with torch.no_grad():
        for p in b.parameters():
            new = p - lr * p.grad
            if p.dim() == 2:
                new[(new * p < 0) | ((p == 0) & (p.grad.abs() <= lam))] = 0.0
            p.copy_(new)
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        torch.testing.assert_close(pa, pb)


def test_strong_l1_drives_weights_to_exact_zero_and_names_them():
    data = make_dataset(DataConfig(name="sine", n_samples=200))
    t = Trainer(data, ModelConfig(hidden=(6, 6)), TrainSettings(l1=0.03), grid=10, map_grid=5)
    t.step(20)
    snap = t.snapshot()
    names = zero_weights(snap, ("x1", "x2"))
    assert len(names) == sum(int((w == 0).sum()) for w in snap.weights) >= 10
    assert all(" → " in n for n in names)
    assert weight_name(0, 1, 0, 3, ("x1", "x2"), "regression") == "x₁ → h1.2"
    assert weight_name(2, 0, 5, 3, ("x1", "x2"), "regression") == "h2.6 → ŷ"
    assert weight_name(1, 2, 0, 2, ("x1",), "classification") == "h1.1 → class 2"
    fig = network_figure(snap, ("x1", "x2"))
    zero_trace = [tr for tr in fig.data if tr.meta == "edges"][-1]
    assert zero_trace.line.dash == "dot" and zero_trace.line.width < 1
    assert np.isfinite(np.asarray(zero_trace.x, dtype=float)).sum() == 2 * len(names)


def test_trainer_records_mse_and_r2_and_the_figures_show_them():
    data = make_dataset(DataConfig(name="bump", n_samples=200))
    t = Trainer(data, ModelConfig(hidden=(8,)), TrainSettings(lr=0.03), grid=12, map_grid=5)
    t.step(3)
    snap = t.snapshot()
    assert snap.regression and snap.probs.shape == (12, 12, 1) and snap.confusion.size == 0
    model = t.model
    with torch.no_grad():
        pred = model(t._x_test)[:, 0].numpy()
    assert snap.history["test_acc"][-1] == pytest.approx(
        r2_score(data.y_test.numpy(), pred), abs=1e-5
    )
    assert snap.history["test_loss"][-1] == pytest.approx(
        mean_squared_error(data.y_test.numpy(), pred), rel=1e-5
    )
    fig = value_figure(snap, data)
    heat = fig.data[0]
    assert heat.showscale is not False and heat.zmin == -heat.zmax and "R²" in fig.layout.title.text
    assert fig.data[2].marker.color is not None  # train points coloured by target
    fit = update_fit_figure(fit_figure(data), snap)
    np.testing.assert_allclose(np.asarray(fit.data[1].y), pred, atol=1e-6)
    curves = curves_figure(snap.history, regression=True)
    assert "R²" in curves.layout.annotations[1].text
    assert network_figure(snap, ("x1", "x2")).data[-1].text[-1] == "output"


def test_a_diverging_regression_pauses_rolls_back_and_explains():
    data = make_dataset(DataConfig(name="plane", n_samples=200))
    cfg = ModelConfig(hidden=(8, 8), activation="relu", optimizer="sgd")
    t = Trainer(data, cfg, TrainSettings(lr=10.0, batch_size=1), grid=8, map_grid=4)
    t.step(3)
    assert t.status == "diverged" and "too large" in t.message
    assert all(np.isfinite(w).all() for w in t.snapshot().weights)  # rolled back
    assert t.recover(lr=0.01) == 0.01 and t.status == "paused"
    t.step(2)
    assert t.status == "paused" and np.isfinite(t.snapshot().history["train_loss"][-1])
