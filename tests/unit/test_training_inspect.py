"""Model inspector: parameter counts, first-layer weights as images, feature maps via hooks."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from dlviz.training.inspect import (
    feature_maps,
    first_layer_weights,
    first_weight_layer,
    parameters_per_layer,
)


def small_cnn() -> nn.Sequential:
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.BatchNorm2d(4),
        nn.MaxPool2d(2),
        nn.ReLU(),
        nn.Conv2d(4, 6, 3, padding=1),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(6 * 4 * 4, 10),
    )


def small_mlp() -> nn.Sequential:
    torch.manual_seed(0)
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 16), nn.ReLU(), nn.Linear(16, 10))


def test_parameter_counts_sum_to_the_model_total():
    for model in (small_cnn(), small_mlp()):
        rows = parameters_per_layer(model)
        assert sum(r.parameters for r in rows) == sum(p.numel() for p in model.parameters())
    rows = parameters_per_layer(small_mlp())
    assert [r.kind for r in rows] == ["Linear", "Linear"]
    assert rows[0].parameters == 64 * 16 + 16
    assert "weight (16, 64)" in rows[0].shapes


def test_first_layer_weights_of_an_mlp_are_input_shaped_maps():
    model = small_mlp()
    w = first_layer_weights(model, (1, 8, 8))
    assert w.shape == (16, 1, 8, 8)
    np.testing.assert_array_equal(w[3].ravel(), model[1].weight[3].detach().numpy())
    assert first_layer_weights(model, (1, 28, 28)) is None  # does not match the input


def test_first_layer_weights_of_a_cnn_are_its_filters():
    model = small_cnn()
    name, layer = first_weight_layer(model)
    assert name == "0" and isinstance(layer, nn.Conv2d)
    w = first_layer_weights(model, (1, 8, 8))
    np.testing.assert_array_equal(w, model[0].weight.detach().numpy())


def test_feature_maps_match_a_manual_forward_pass():
    model = small_cnn().eval()
    x = torch.randn(1, 8, 8)
    stages = feature_maps(model, x)
    assert [s.kind for s in stages] == [
        "conv",
        "batch norm",
        "pool",
        "activation",
        "conv",
        "activation",
    ]
    with torch.no_grad():
        h = model[0](x[None])
        np.testing.assert_allclose(stages[0].maps, h[0].numpy(), rtol=1e-5, atol=1e-6)
        h = model[3](model[2](model[1](h)))
        np.testing.assert_allclose(stages[3].maps, h[0].numpy(), rtol=1e-5, atol=1e-6)
    assert stages[-1].maps.shape == (6, 4, 4)


def test_feature_maps_restore_training_mode_and_remove_hooks():
    model = small_cnn().train()
    feature_maps(model, torch.randn(1, 1, 8, 8))
    assert model.training
    assert all(not m._forward_hooks for m in model.modules())
    assert feature_maps(small_mlp(), torch.randn(1, 8, 8)) == []  # no 4-D outputs in an MLP


def test_a_train_result_rebuilds_its_model_in_eval_mode():
    from dlviz.data import dataset_info
    from dlviz.training import TrainConfig, TrainResult
    from dlviz.training.models import build_model

    net = build_model("seed-mlp", (1, 8, 8), 10)
    state = {k: v.clone() for k, v in net.state_dict().items()}
    empty = dict.fromkeys(("history", "status", "message", "diverged_at", "test_labels"))
    result = TrainResult(
        TrainConfig("digits", "seed-mlp"),
        **empty,
        initial_state=state,
        final_state=state,
        test_preds=[],
        test_probs=[],
        train_seconds=0.0,
        samples_per_second=0.0,
        parameters=0,
    )
    again = result.model(dataset_info("digits"))
    assert not again.training
    x = torch.randn(2, 1, 8, 8)
    torch.testing.assert_close(again(x), net.eval()(x))
