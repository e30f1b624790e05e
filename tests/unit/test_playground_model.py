"""Playground MLP: softmax cross-entropy against torch, seeded init, optimizers, learning."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from dlviz.metrics import confusion_matrix
from dlviz.playground.data import DataConfig, feature_map, make_dataset
from dlviz.playground.model import (
    OPTIMIZER_CHOICES,
    ModelConfig,
    TrainSettings,
    apply_settings,
    build_mlp,
    cross_entropy,
    evaluate,
    layer_outputs,
    linear_layers,
    optimizer_for,
    train_epoch,
)


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(1, 20),
    k=st.integers(2, 6),
    scale=st.floats(0.1, 50.0),
    seed=st.integers(0, 10_000),
)
def test_cross_entropy_matches_torch(n, k, scale, seed):
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(n, k, generator=g, dtype=torch.float64) * scale
    y = torch.randint(0, k, (n,), generator=g)
    logits.requires_grad_(True)
    ours = cross_entropy(logits, y)
    (g_ours,) = torch.autograd.grad(ours, logits)
    ref = F.cross_entropy(logits, y)
    (g_ref,) = torch.autograd.grad(ref, logits)
    torch.testing.assert_close(ours, ref)
    torch.testing.assert_close(g_ours, g_ref)


def test_mlp_shape_activation_and_zero_biases():
    m = build_mlp(3, 4, ModelConfig(hidden=(5, 7), activation="relu"))
    lins = linear_layers(m)
    assert [tuple(lin.weight.shape) for lin in lins] == [(5, 3), (7, 5), (4, 7)]
    assert sum(isinstance(x, nn.ReLU) for x in m) == 2
    assert all(float(lin.bias.detach().abs().sum()) == 0 for lin in lins)
    assert m(torch.zeros(2, 3)).shape == (2, 4)


def test_no_hidden_layer_is_softmax_regression():
    m = build_mlp(2, 3, ModelConfig(hidden=()))
    assert len(m) == 1 and isinstance(m[0], nn.Linear)


def test_same_seed_gives_identical_weights_other_seed_differs():
    cfg = ModelConfig(hidden=(8, 8), seed=7)
    a, b = build_mlp(2, 2, cfg), build_mlp(2, 2, cfg)
    c = build_mlp(2, 2, ModelConfig(hidden=(8, 8), seed=8))
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        torch.testing.assert_close(pa, pb, rtol=0, atol=0)
    assert not torch.equal(linear_layers(a)[0].weight, linear_layers(c)[0].weight)


def test_seeded_weights_do_not_depend_on_the_global_random_state():
    torch.manual_seed(999)
    w1 = linear_layers(build_mlp(2, 2, ModelConfig(hidden=(4,))))[0].weight.clone()
    torch.manual_seed(5)
    w2 = linear_layers(build_mlp(2, 2, ModelConfig(hidden=(4,))))[0].weight
    assert torch.equal(w1, w2)


@pytest.mark.parametrize("name", list(OPTIMIZER_CHOICES))
def test_optimizers_build_and_settings_change_lr_and_l2_in_place(name):
    m = build_mlp(2, 2, ModelConfig(hidden=(4,)))
    opt = optimizer_for(m, name, TrainSettings(lr=0.1, l2=0.01))
    assert [g["weight_decay"] for g in opt.param_groups] == [0.01, 0.0]  # biases never decay
    apply_settings(opt, TrainSettings(lr=0.003, l2=0.1))
    assert all(g["lr"] == 0.003 for g in opt.param_groups)
    assert [g["weight_decay"] for g in opt.param_groups] == [0.1, 0.0]
    if name == "momentum":
        assert opt.param_groups[0]["momentum"] == 0.9


def test_l2_is_the_gradient_of_half_lambda_times_squared_weights():
    cfg = ModelConfig(hidden=(4,), optimizer="sgd")
    x, y = torch.randn(10, 2), torch.randint(0, 2, (10,))
    lam, lr = 0.3, 0.1
    a = build_mlp(2, 2, cfg)
    opt = optimizer_for(a, "sgd", TrainSettings(lr=lr, l2=lam))
    cross_entropy(a(x), y).backward()
    opt.step()
    b = build_mlp(2, 2, cfg)
    weights = [p for n, p in b.named_parameters() if n.endswith("weight")]
    loss = cross_entropy(b(x), y) + lam / 2 * sum((w**2).sum() for w in weights)
    loss.backward()
    with torch.no_grad():
        for p in b.parameters():
            p -= lr * p.grad
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        torch.testing.assert_close(pa, pb)


def test_layer_outputs_are_hidden_activations_then_probabilities():
    m = build_mlp(2, 3, ModelConfig(hidden=(5, 4), activation="sigmoid"))
    outs = layer_outputs(m, torch.randn(6, 2))
    assert [o.shape for o in outs] == [(6, 5), (6, 4), (6, 3)]
    assert float(outs[0].min()) >= 0 and float(outs[0].max()) <= 1
    torch.testing.assert_close(outs[-1].sum(1), torch.ones(6))


def test_confusion_matrix_counts_true_rows_and_predicted_columns():
    y = torch.tensor([0, 0, 1, 2, 2, 2])
    p = torch.tensor([0, 1, 1, 2, 0, 2])
    c = confusion_matrix(y, p, 3)
    assert c.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]


CASES = [
    # dataset, classes, features, hidden, activation, epochs, accuracy needed (chance = 1/K)
    ("moons", 2, ("x1", "x2"), (8, 8), "tanh", 30, 0.85),
    ("circles", 2, ("x1", "x2"), (8, 8), "relu", 30, 0.85),
    ("xor", 2, ("x1", "x2"), (8, 8), "tanh", 30, 0.85),
    ("blobs", 4, ("x1", "x2"), (8,), "tanh", 20, 0.75),
    ("spiral", 2, ("x1", "x2", "sin x1", "sin x2"), (8, 8, 8), "tanh", 60, 0.75),
    ("spiral", 3, ("x1", "x2", "sin x1", "sin x2"), (8, 8, 8), "tanh", 60, 0.6),
]


@pytest.mark.parametrize(("name", "k", "features", "hidden", "act", "epochs", "need"), CASES)
def test_a_small_mlp_learns_every_dataset_well_beyond_chance(
    name, k, features, hidden, act, epochs, need
):
    data = make_dataset(DataConfig(name=name, n_classes=k, n_samples=400, noise=0.1))
    cfg = ModelConfig(features=features, hidden=hidden, activation=act, optimizer="adam")
    x, x_test = feature_map(data.x_train, features), feature_map(data.x_test, features)
    model = build_mlp(x.shape[1], data.n_classes, cfg)
    opt = optimizer_for(model, "adam", TrainSettings(lr=0.03))
    g = torch.Generator().manual_seed(0)
    first, _, _ = evaluate(model, x, data.y_train)
    for _ in range(epochs):
        train_epoch(model, opt, x, data.y_train, 32, g)
    loss, _, _ = evaluate(model, x, data.y_train)
    _, test_acc, _ = evaluate(model, x_test, data.y_test)
    assert loss < first
    assert test_acc >= need, (name, k, test_acc)


def test_changing_only_the_optimizer_keeps_the_initial_weights():
    a = build_mlp(2, 3, ModelConfig(hidden=(6,), optimizer="sgd", seed=4))
    b = build_mlp(2, 3, ModelConfig(hidden=(6,), optimizer="adam", seed=4))
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(pa, pb)
