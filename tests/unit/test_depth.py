"""The depth study's per-layer statistics, checked against a direct computation in torch."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from dlviz.depth import (
    INITS,
    DepthConfig,
    build_deep_mlp,
    compare_inits,
    depth_study,
    init_linear_,
    random_batch,
    slope_peak,
)
from dlviz.depth.report import diagnose


def direct_stats(cfg: DepthConfig, x: torch.Tensor, y: torch.Tensor):
    """Per-layer std of h and ||dL/dW||_F computed with forward hooks, independently of dlviz."""
    model = build_deep_mlp(cfg, input_dim=x.shape[1]).train()
    outputs: list[torch.Tensor] = []
    acts = [m for m in model.modules() if type(m).__module__.endswith("activation")]
    for m in acts:
        m.register_forward_hook(lambda _m, _i, out: outputs.append(out))
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    stds = [float(o.detach().double().std()) for o in outputs]
    means = [float(o.detach().double().mean()) for o in outputs]
    norms = [float(torch.linalg.matrix_norm(m.weight.grad.double())) for m in linears]
    return float(loss.detach()), means, stds, norms


@pytest.mark.parametrize(
    ("activation", "init", "batch_norm"),
    [
        ("tanh", "default", False),
        ("relu", "kaiming", False),
        ("sigmoid", "xavier", True),
        ("gelu", "normal", False),
    ],
)
def test_layer_statistics_match_a_direct_computation(activation, init, batch_norm):
    cfg = DepthConfig(
        depth=6,
        width=24,
        activation=activation,
        init=init,
        batch_norm=batch_norm,
        sigma=0.3,
        input_dim=10,
        batch_size=64,
    )
    x, y = random_batch(cfg)
    study = depth_study(cfg)
    loss, means, stds, norms = direct_stats(cfg, x, y)
    assert len(study.layers) == cfg.depth == len(stds)
    assert study.loss == pytest.approx(loss, rel=1e-6)
    for layer, m, s, g in zip(study.layers, means, stds, norms, strict=False):
        assert layer.mean == pytest.approx(m, rel=1e-5, abs=1e-7)
        assert layer.std == pytest.approx(s, rel=1e-5)
        assert layer.grad_norm == pytest.approx(g, rel=1e-5)
        assert layer.nonfinite == 0
    assert study.output_grad_norm == pytest.approx(norms[-1], rel=1e-5)


def test_histograms_count_the_activations_on_shared_edges():
    cfg = DepthConfig(depth=4, width=32, activation="tanh", input_dim=8, batch_size=50, bins=20)
    study = depth_study(cfg)
    assert len(study.edges) == cfg.bins + 1
    assert all(b > a for a, b in zip(study.edges, study.edges[1:], strict=False))
    model = build_deep_mlp(cfg, input_dim=8).train()
    x, _ = random_batch(cfg)
    h = model[0](x.flatten(1))
    edges = torch.tensor(study.edges)
    inside = h[(h >= edges[0]) & (h <= edges[-1])].double()
    direct = torch.histc(inside, bins=cfg.bins, min=study.edges[0], max=study.edges[-1]) / h.numel()
    assert torch.allclose(torch.tensor(study.layers[0].counts, dtype=torch.float64), direct)
    for layer in study.layers:
        assert 0.95 <= sum(layer.counts) <= 1.0 + 1e-9


def test_flat_share_counts_saturated_and_dead_units():
    assert slope_peak("sigmoid") == pytest.approx(0.25, rel=1e-3)
    assert slope_peak("tanh") == pytest.approx(1.0, rel=1e-3)
    relu = depth_study(DepthConfig(depth=3, activation="relu", init="kaiming"))
    assert 0.3 < relu.layers[1].flat < 0.7  # about half the ReLUs are off
    big = depth_study(DepthConfig(depth=3, activation="tanh", init="normal", sigma=1.0))
    assert big.layers[2].flat > 0.8  # tanh saturated at +-1


def test_initializations_draw_the_documented_distributions():
    torch.manual_seed(0)
    layer = nn.Linear(400, 300)
    init_linear_(layer, "kaiming")
    assert float(layer.weight.detach().std()) == pytest.approx(math.sqrt(2 / 400), rel=0.02)
    assert float(layer.bias.detach().abs().max()) == 0
    init_linear_(layer, "xavier")
    assert float(layer.weight.detach().std()) == pytest.approx(math.sqrt(2 / 700), rel=0.02)
    init_linear_(layer, "uniform")
    assert float(layer.weight.detach().min()) >= 0 and float(layer.weight.detach().max()) <= 1
    init_linear_(layer, "normal", sigma=0.3)
    assert float(layer.weight.detach().std()) == pytest.approx(0.3, rel=0.02)
    init_linear_(layer, "default")
    assert float(layer.weight.detach().abs().max()) <= 1 / math.sqrt(400)


def test_the_stories_the_page_tells():
    deep = dict(depth=30, width=128)
    tanh = depth_study(DepthConfig(activation="tanh", init="default", **deep))
    assert tanh.grad_ratio < 1e-3  # vanishing: first layer's gradient is tiny
    kaiming = depth_study(DepthConfig(activation="relu", init="kaiming", **deep))
    assert 0.05 < kaiming.grad_ratio < 20
    bn = depth_study(DepthConfig(activation="sigmoid", init="default", batch_norm=True, **deep))
    assert 0.05 < bn.grad_ratio < 20
    uniform = depth_study(DepthConfig(activation="relu", init="uniform", **deep))
    stds = [layer.std for layer in uniform.layers if math.isfinite(layer.std)]
    assert stds[-1] > 1e6 * stds[0] or uniform.layers[-1].nonfinite > 0  # exploding


def test_non_finite_activations_are_reported_not_raised():
    study = depth_study(DepthConfig(depth=50, activation="relu", init="uniform", width=256))
    assert study.layers[-1].nonfinite > 0
    assert not math.isfinite(study.loss)


def test_images_as_inputs_and_the_global_rng_is_left_alone():
    x = torch.rand(40, 1, 8, 8)
    y = torch.arange(40) % 10
    state = torch.random.get_rng_state()
    study = depth_study(DepthConfig(depth=3), x, y, input_source="digits")
    assert torch.equal(state, torch.random.get_rng_state())
    assert study.input_source == "digits"
    direct_loss, *_ = direct_stats(DepthConfig(depth=3), x.flatten(1), y)
    assert study.loss == pytest.approx(direct_loss, rel=1e-6)


def test_compare_inits_covers_every_scheme():
    studies = compare_inits(DepthConfig(depth=3, width=16))
    assert set(studies) == set(INITS)


@pytest.mark.parametrize(
    "kwargs", [{"depth": 1}, {"depth": 51}, {"init": "zeros"}, {"activation": "nope"}, {"sigma": 0}]
)
def test_bad_configs_raise_clear_errors(kwargs):
    with pytest.raises(ValueError):
        DepthConfig(**kwargs)


def test_diagnose_names_each_story():
    def levels(**kw):
        return {v.severity for v in diagnose(depth_study(DepthConfig(depth=30, **kw)))}

    assert "warning" in levels(activation="sigmoid", init="default")
    assert levels(activation="relu", init="kaiming") == {"ok"}
    assert "problem" in levels(activation="relu", init="uniform")
    assert levels(activation="sigmoid", init="default", batch_norm=True) == {"ok"}
