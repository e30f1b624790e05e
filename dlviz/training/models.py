"""Model builders (MLP and CNN from a ``ModelSpec``) and the ``ModelPreset``s of the seed notebooks.

Models are plain ``nn.Sequential`` stacks with named layers (``conv1``, ``bn1``, ``pool1``,
``act1``, ``fc1``, ``out`` ...), so pages can pick out a layer's weights by name. They take
normalised float images ``[N, C, H, W]`` and return logits. Where the activation is
non-decreasing, max-pooling is placed before it: ``act(maxpool(x)) == maxpool(act(x))`` exactly,
and the activation then touches four times fewer numbers. A CNN flattens its last feature maps in
(height, width, channel) order (``FlattenHWC``): the same network as the notebooks' NCHW
``view`` up to a fixed order of ``fc1``'s input columns, but free for the ``channels_last``
tensors training uses (an NCHW flatten copies them and mixes memory formats in the backward
pass, about 8 % of a seed-cnn step). A preset's recipe becomes a ``TrainConfig`` in
``dlviz.training.config.preset_config``; training lives in ``dlviz.training.loop``.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

import torch
from torch import nn

from dlviz.activations import ACTIVATION_NAMES, activation_module

MONOTONE_ACTIVATIONS = frozenset({"relu", "leaky_relu", "elu", "sigmoid", "tanh", "softplus"})
"""Non-decreasing activations: max-pool commutes with them (GELU and SiLU dip, so they do not)."""

SUPPORTED_SHAPES: tuple[tuple[int, int, int], ...] = ((1, 28, 28), (1, 8, 8), (3, 32, 32))


@dataclass(frozen=True)
class ModelSpec:
    """Architecture of an MLP or a CNN; ``strides`` (one per conv, default all 1) is optional."""

    kind: str = "mlp"  # "mlp" | "cnn"
    hidden: tuple[int, ...] = (128, 64)  # MLP hidden widths; CNN: fc widths after the convs
    activation: str = "relu"  # a name from dlviz.activations.ACTIVATION_NAMES
    dropout: float = 0.0  # after every hidden fully connected layer
    batch_norm: bool = False  # after every conv / hidden linear layer, before the activation
    channels: tuple[int, ...] = (32,)  # CNN conv channels, one conv block each
    kernel_size: int = 3  # odd; padding kernel_size // 2 keeps the size at stride 1
    pool: bool = True  # CNN: 2x2 max-pool after each conv block (when the size allows)
    strides: tuple[int, ...] | None = None  # CNN: stride of each conv (None: all 1)

    def __post_init__(self) -> None:
        # Accept lists (JSON, widgets) but store tuples so the spec stays hashable.
        for name in ("hidden", "channels", "strides"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(int(v) for v in value))


@dataclass(frozen=True)
class ModelPreset:
    """A seed notebook's model with the accuracy it reports and dlviz's fast default recipe.

    The recipe fields' defaults are also what a custom ``ModelSpec`` trains with.
    """

    name: str
    description: str
    reported_accuracy: float | None  # e.g. 0.9834, None when the notebook reports none
    reported_dataset: str | None  # "mnist" / "cifar10"
    recipe: str  # how the notebook trained it, in words
    spec: ModelSpec = field(default_factory=ModelSpec)
    optimizer: str = "adam"  # dlviz's default recipe for this preset (fast on a CPU)
    lr: float = 1e-3
    batch_size: int = 128
    epochs: int = 3


PRESETS: dict[str, ModelPreset] = {
    p.name: p
    for p in (
        ModelPreset(
            "seed-cnn",
            "Conv 1->32 (3x3, padding 1), ReLU, max-pool 2, fully connected 32*14*14 -> 128 -> 10.",
            0.9834,
            "mnist",
            "SGD lr 0.0008, momentum 0.9, batch 32, 10 epochs; inputs normalised to mean 0.5, std 0.5.",
            ModelSpec(kind="cnn", hidden=(128,), channels=(32,)),
            lr=2e-3,
            batch_size=256,
        ),
        ModelPreset(
            "seed-mlp",
            "Multilayer perceptron 784 -> 128 -> 64 -> 10 with ReLU.",
            None,
            "mnist",
            "SGD lr 0.01 (no momentum), batch 32, 5 epochs.",
            ModelSpec(kind="mlp", hidden=(128, 64)),
            lr=2e-3,
            batch_size=512,
        ),
        ModelPreset(
            "seed-lightning-mlp",
            "Multilayer perceptron 784 -> 96 -> 48 -> 10 with ReLU (the Lightning notebook's model).",
            None,
            "mnist",
            "Adam lr 1e-3, batch 64, up to 10 epochs with early stopping (patience 5) on "
            "validation loss.",
            ModelSpec(kind="mlp", hidden=(96, 48)),
            lr=2e-3,
            batch_size=256,
        ),
        ModelPreset(
            "seed-cifar-mlp",
            "Multilayer perceptron 3072 -> 100 -> 10 with ReLU on CIFAR-10 colour images.",
            0.4996,
            "cifar10",
            "Adam lr 1e-3, batch 100, 5 epochs; inputs normalised to mean 0.5, std 0.5.",
            ModelSpec(kind="mlp", hidden=(100,)),
            batch_size=256,
            epochs=5,
        ),
        ModelPreset(
            "seed-cifar-cnn",
            "Four 3x3 conv layers (32, 32 stride 2, 64, 64 stride 2) each with batch norm and "
            "Leaky ReLU, then fully connected 64*8*8 -> 128 (batch norm, Leaky ReLU, dropout "
            "0.5) -> 10.",
            0.7552,
            "cifar10",
            "Adam on CIFAR-10; the notebook reports test accuracy after training.",
            ModelSpec(
                kind="cnn",
                hidden=(128,),
                activation="leaky_relu",
                dropout=0.5,
                batch_norm=True,
                channels=(32, 32, 64, 64),
                pool=False,
                strides=(1, 2, 1, 2),
            ),
            batch_size=128,
            epochs=5,
        ),
    )
}
PRESET_NAMES: tuple[str, ...] = tuple(PRESETS)


class FlattenHWC(nn.Module):
    """``[N, C, H, W] -> [N, H*W*C]``, flattening in (height, width, channel) order.

    For a ``channels_last`` tensor this is a view (no copy). ``nchw_columns`` maps the columns to
    the order ``x.flatten(1)`` would give.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.permute(0, 2, 3, 1).flatten(1)

    @staticmethod
    def nchw_columns(weight: torch.Tensor, chw: tuple[int, int, int]) -> torch.Tensor:
        """A following Linear's ``weight`` re-ordered for an NCHW ``flatten(1)`` input."""
        c, h, w = chw
        return weight.reshape(-1, h, w, c).permute(0, 3, 1, 2).reshape(weight.shape[0], -1)


def resolve_spec(model: str | ModelSpec) -> ModelSpec:
    """The ``ModelSpec`` of a preset name, or the spec itself."""
    if isinstance(model, ModelSpec):
        return model
    if model not in PRESETS:
        raise ValueError(f"Unknown model preset {model!r}; choose one of {', '.join(PRESETS)}.")
    return PRESETS[model].spec


def build_model(
    model: str | ModelSpec, input_shape: tuple[int, int, int], num_classes: int
) -> nn.Module:
    """An MLP or CNN (``nn.Sequential``) for images of ``input_shape`` (C, H, W); logits out."""
    spec = resolve_spec(model)
    _check(spec, input_shape, num_classes)
    if spec.kind == "mlp":
        return _mlp(spec, input_shape, num_classes)
    return _cnn(spec, input_shape, num_classes)


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def _check(spec: ModelSpec, input_shape: tuple[int, int, int], num_classes: int) -> None:
    if len(tuple(input_shape)) != 3 or min(input_shape) < 1:
        raise ValueError(f"Input shape must be (channels, height, width), got {input_shape}.")
    if num_classes < 2:
        raise ValueError(f"A classifier needs at least 2 classes, got {num_classes}.")
    if spec.kind not in ("mlp", "cnn"):
        raise ValueError(f"Model kind must be 'mlp' or 'cnn', got {spec.kind!r}.")
    if spec.activation not in ACTIVATION_NAMES:
        raise ValueError(
            f"Unknown activation {spec.activation!r}; choose one of {', '.join(ACTIVATION_NAMES)}."
        )
    if not 0.0 <= spec.dropout < 1.0:
        raise ValueError(f"Dropout must be in [0, 1), got {spec.dropout}.")
    if any(h < 1 for h in spec.hidden):
        raise ValueError(f"Hidden widths must be positive, got {spec.hidden}.")
    if spec.kind == "cnn":
        _check_cnn(spec, input_shape)


def _check_cnn(spec: ModelSpec, input_shape: tuple[int, int, int]) -> None:
    _, h, w = input_shape
    if not spec.channels or any(c < 1 for c in spec.channels):
        raise ValueError(
            f"A CNN needs at least one conv layer with positive channels: {spec.channels}."
        )
    if spec.kernel_size < 1 or spec.kernel_size % 2 == 0:
        raise ValueError(f"Kernel size must be odd (1, 3, 5, ...), got {spec.kernel_size}.")
    if spec.kernel_size > min(h, w):
        raise ValueError(
            f"A {spec.kernel_size}x{spec.kernel_size} kernel does not fit {h}x{w} images; "
            "choose a smaller kernel."
        )
    strides = spec.strides or (1,) * len(spec.channels)
    if len(strides) != len(spec.channels) or min(strides) < 1:
        raise ValueError(f"Give one positive stride per conv layer, got {spec.strides}.")


def _act(spec: ModelSpec) -> nn.Module:
    return activation_module(spec.activation)


def _mlp(spec: ModelSpec, input_shape: tuple[int, int, int], num_classes: int) -> nn.Sequential:
    c, h, w = input_shape
    layers: OrderedDict[str, nn.Module] = OrderedDict(flatten=nn.Flatten())
    _dense_blocks(layers, spec, c * h * w, num_classes)
    return nn.Sequential(layers)


def _dense_blocks(layers: OrderedDict, spec: ModelSpec, width: int, num_classes: int) -> None:
    """Append ``fc_i [bn_i] act_i [drop_i]`` per hidden width, then the ``out`` layer."""
    for i, units in enumerate(spec.hidden, 1):
        layers[f"fc{i}"] = nn.Linear(width, units)
        if spec.batch_norm:
            layers[f"bn_fc{i}"] = nn.BatchNorm1d(units)
        layers[f"act_fc{i}"] = _act(spec)
        if spec.dropout > 0:
            layers[f"drop{i}"] = nn.Dropout(spec.dropout)
        width = units
    layers["out"] = nn.Linear(width, num_classes)


def _cnn(spec: ModelSpec, input_shape: tuple[int, int, int], num_classes: int) -> nn.Sequential:
    c, h, w = input_shape
    k = spec.kernel_size
    strides = spec.strides or (1,) * len(spec.channels)
    pool_first = spec.activation in MONOTONE_ACTIVATIONS
    layers: OrderedDict[str, nn.Module] = OrderedDict()
    for i, (out_c, stride) in enumerate(zip(spec.channels, strides, strict=True), 1):
        layers[f"conv{i}"] = nn.Conv2d(c, out_c, k, stride=stride, padding=k // 2)
        h, w, c = (h - 1) // stride + 1, (w - 1) // stride + 1, out_c
        if spec.batch_norm:
            layers[f"bn{i}"] = nn.BatchNorm2d(out_c)
        pool = spec.pool and h >= 2 and w >= 2
        if pool and pool_first:
            layers[f"pool{i}"] = nn.MaxPool2d(2)
        layers[f"act{i}"] = _act(spec)
        if pool and not pool_first:
            layers[f"pool{i}"] = nn.MaxPool2d(2)
        if pool:
            h, w = h // 2, w // 2
    layers["flatten"] = FlattenHWC()
    _dense_blocks(layers, spec, c * h * w, num_classes)
    return nn.Sequential(layers)
