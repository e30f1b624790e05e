"""Model builders and seed presets: shapes, parameter counts, the notebooks' exact functions."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from dlviz.activations import ACTIVATION_NAMES
from dlviz.training.models import (
    MONOTONE_ACTIVATIONS,
    PRESETS,
    SUPPORTED_SHAPES,
    FlattenHWC,
    ModelSpec,
    build_model,
    count_parameters,
)


@pytest.mark.parametrize("shape", SUPPORTED_SHAPES)
@pytest.mark.parametrize("preset", list(PRESETS))
def test_every_preset_builds_for_every_supported_shape(preset, shape):
    model = build_model(preset, shape, 10)
    out = model(torch.randn(3, *shape))
    assert out.shape == (3, 10)


def test_preset_parameter_counts_match_the_notebooks():
    # seed-cnn: conv 1*32*9+32, fc 6272*128+128, out 128*10+10
    assert count_parameters(build_model("seed-cnn", (1, 28, 28), 10)) == 320 + 802_944 + 1_290
    # seed-mlp: 784*128+128 + 128*64+64 + 64*10+10
    assert count_parameters(build_model("seed-mlp", (1, 28, 28), 10)) == 100_480 + 8_256 + 650
    assert count_parameters(build_model("seed-lightning-mlp", (1, 28, 28), 10)) == 80_506
    assert count_parameters(build_model("seed-cifar-mlp", (3, 32, 32), 10)) == 308_310
    assert count_parameters(build_model("seed-cifar-cnn", (3, 32, 32), 10)) == 591_914


def test_mlp_presets_adapt_input_layer_to_the_dataset():
    assert build_model("seed-mlp", (1, 8, 8), 10).fc1.in_features == 64
    assert build_model("seed-mlp", (3, 32, 32), 10).fc1.in_features == 3072


def test_presets_carry_reported_accuracy():
    assert PRESETS["seed-cnn"].reported_accuracy == pytest.approx(0.9834)
    assert PRESETS["seed-cnn"].reported_dataset == "mnist"
    assert PRESETS["seed-cifar-mlp"].reported_accuracy == pytest.approx(0.4996)
    assert PRESETS["seed-cifar-cnn"].reported_accuracy == pytest.approx(0.7552)
    assert "0.0008" in PRESETS["seed-cnn"].recipe
    for p in PRESETS.values():
        assert p.description and p.recipe


class NotebookCNN(nn.Module):
    """Seed 002's network, written as the notebook does: pool(relu(conv(x)))."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, stride=1, padding=1)
        self.fc1 = nn.Linear(32 * 14 * 14, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        return self.fc2(F.relu(self.fc1(x.view(-1, 32 * 14 * 14))))


def test_seed_cnn_computes_the_notebook_function_with_pool_before_relu():
    ours = build_model("seed-cnn", (1, 28, 28), 10)
    names = [n for n, _ in ours.named_children()]
    assert names.index("pool1") < names.index("act1")  # the cheaper, equal order
    ref = NotebookCNN()
    ref.load_state_dict(
        {
            "conv1.weight": ours.conv1.weight,
            "conv1.bias": ours.conv1.bias,
            # dlviz flattens in (H, W, C) order: the same weights, columns re-ordered
            "fc1.weight": FlattenHWC.nchw_columns(ours.fc1.weight, (32, 14, 14)),
            "fc1.bias": ours.fc1.bias,
            "fc2.weight": ours.out.weight,
            "fc2.bias": ours.out.bias,
        }
    )
    x = torch.randn(5, 1, 28, 28)
    torch.testing.assert_close(ours(x), ref(x))
    xc = x.contiguous(memory_format=torch.channels_last)
    torch.testing.assert_close(ours.to(memory_format=torch.channels_last)(xc), ref(x))


class NotebookCifarCNN(nn.Module):
    """Seed 003's CIFAR CNN: four conv-BN-LeakyReLU blocks, fc 128 with BN and dropout."""

    def __init__(self):
        super().__init__()
        chans = [(3, 32, 1), (32, 32, 2), (32, 64, 1), (64, 64, 2)]
        self.blocks = nn.Sequential(
            *[
                m
                for a, b, s in chans
                for m in (nn.Conv2d(a, b, 3, s, 1), nn.BatchNorm2d(b), nn.LeakyReLU())
            ]
        )
        self.head = nn.Sequential(
            nn.Flatten(),
            nn.Linear(64 * 8 * 8, 128),
            nn.BatchNorm1d(128),
            nn.LeakyReLU(),
            nn.Dropout(0.5),
            nn.Linear(128, 10),
        )

    def forward(self, x):
        return self.head(self.blocks(x))


def test_seed_cifar_cnn_is_the_notebook_architecture():
    ours = build_model("seed-cifar-cnn", (3, 32, 32), 10)
    ref = NotebookCifarCNN()
    state = dict(zip(ref.state_dict(), ours.state_dict().values(), strict=True))
    state["head.1.weight"] = FlattenHWC.nchw_columns(ours.fc1.weight, (64, 8, 8))
    ref.load_state_dict(state)
    ours.eval(), ref.eval()
    x = torch.randn(4, 3, 32, 32)
    torch.testing.assert_close(ours(x), ref(x))
    assert ours.conv2.stride == (2, 2) and isinstance(ours.act1, nn.LeakyReLU)
    assert ours.drop1.p == 0.5


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_cnn_with_any_activation_equals_conv_act_pool(activation):
    spec = ModelSpec(kind="cnn", channels=(4,), hidden=(8,), activation=activation)
    model = build_model(spec, (1, 8, 8), 3)
    order = [n for n, _ in model.named_children()]
    if activation in MONOTONE_ACTIVATIONS:
        assert order.index("pool1") < order.index("act1")
    else:  # GELU and SiLU are not monotone: max-pool must come after them
        assert order.index("act1") < order.index("pool1")
    x = torch.randn(2, 1, 8, 8)
    h = F.max_pool2d(model.act1(model.conv1(x)), 2).permute(0, 2, 3, 1).flatten(1)
    expected = model.out(model.act_fc1(model.fc1(h)))
    torch.testing.assert_close(model(x), expected)


def test_flatten_hwc_is_a_view_of_channels_last_maps_and_nchw_columns_inverts_it():
    x = torch.randn(3, 4, 5, 6)
    xc = x.contiguous(memory_format=torch.channels_last)
    flat = FlattenHWC()(xc)
    assert flat.data_ptr() == xc.data_ptr() and flat.is_contiguous()  # no copy
    torch.testing.assert_close(FlattenHWC()(x), flat)
    w = torch.randn(7, 4 * 5 * 6)
    # a Linear on HWC-flattened maps equals one on NCHW-flattened maps with re-ordered columns
    torch.testing.assert_close(
        flat @ w.t(), x.flatten(1) @ FlattenHWC.nchw_columns(w, (4, 5, 6)).t()
    )


def test_mlp_spec_options_build_the_layers():
    spec = ModelSpec(kind="mlp", hidden=[32, 16], activation="tanh", dropout=0.2, batch_norm=True)
    assert spec.hidden == (32, 16) and hash(spec)  # lists become tuples; still hashable
    model = build_model(spec, (1, 8, 8), 4)
    kinds = [type(m).__name__ for m in model]
    assert kinds == [
        "Flatten",
        "Linear",
        "BatchNorm1d",
        "Tanh",
        "Dropout",
        "Linear",
        "BatchNorm1d",
        "Tanh",
        "Dropout",
        "Linear",
    ]


def test_cnn_pooling_stops_when_the_image_is_too_small():
    spec = ModelSpec(kind="cnn", channels=(4, 4, 4, 4), hidden=())
    model = build_model(spec, (1, 8, 8), 10)  # 8 -> 4 -> 2 -> 1, then no pool
    assert sum(isinstance(m, nn.MaxPool2d) for m in model) == 3
    assert model.out.in_features == 4
    assert model(torch.randn(2, 1, 8, 8)).shape == (2, 10)


@pytest.mark.parametrize(
    ("spec", "shape", "match"),
    [
        (ModelSpec(kind="cnn", kernel_size=9), (1, 8, 8), "does not fit"),
        (ModelSpec(kind="cnn", kernel_size=4), (1, 28, 28), "odd"),
        (ModelSpec(kind="cnn", channels=()), (1, 28, 28), "conv"),
        (ModelSpec(kind="cnn", channels=(8, 8), strides=(1,)), (1, 28, 28), "stride"),
        (ModelSpec(activation="swish2"), (1, 28, 28), "activation"),
        (ModelSpec(kind="rnn"), (1, 28, 28), "kind"),
        (ModelSpec(dropout=1.0), (1, 28, 28), "Dropout"),
        (ModelSpec(hidden=(0,)), (1, 28, 28), "positive"),
        (ModelSpec(), (28, 28), "shape"),
        (ModelSpec(kind="cnn"), (1, 2, 2), "does not fit"),
    ],
)
def test_models_that_do_not_fit_raise_clear_value_errors(spec, shape, match):
    with pytest.raises(ValueError, match=match):
        build_model(spec, shape, 10)


def test_unknown_preset_names_the_choices():
    with pytest.raises(ValueError, match="seed-cnn"):
        build_model("resnet50", (1, 28, 28), 10)


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """The shared test machine is oversubscribed; one thread avoids spin-wait stalls."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
