"""Look inside a trained PyTorch classifier: parameters per layer, first-layer weights, feature maps.

Works on any ``nn.Module`` built from Linear / Conv2d / normalisation / activation layers (the
models of ``dlviz.training.models`` among them). Read-only: it never changes weights or modes for good
(forward passes run in eval mode under ``torch.inference_mode`` and restore the previous mode).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn


@dataclass(frozen=True)
class LayerParams:
    """One layer that holds parameters: its name, type, parameter shapes and count."""

    name: str
    kind: str
    shapes: str
    parameters: int


@dataclass(frozen=True)
class FeatureMaps:
    """The output of one layer for one image: ``maps`` is float32 [channels, H, W]."""

    name: str
    kind: str
    maps: np.ndarray


def parameters_per_layer(model: nn.Module) -> list[LayerParams]:
    """Every module with its own parameters, in definition order; counts sum to the model's total."""
    rows = []
    for name, module in model.named_modules():
        own = list(module.named_parameters(recurse=False))
        if not own:
            continue
        shapes = ", ".join(f"{p_name} {tuple(p.shape)}" for p_name, p in own)
        count = sum(p.numel() for _, p in own)
        rows.append(LayerParams(name or "(model)", type(module).__name__, shapes, count))
    return rows


def first_weight_layer(model: nn.Module) -> tuple[str, nn.Module] | None:
    """The first Linear or Conv2d layer in definition order (what sees the raw pixels)."""
    for name, module in model.named_modules():
        if isinstance(module, (nn.Linear, nn.Conv2d)):
            return name, module
    return None


def first_layer_weights(model: nn.Module, input_shape: tuple[int, int, int]) -> np.ndarray | None:
    """First-layer weights as images, float32 [units, C, h, w].

    Conv2d: the filters [out, in, k, k]. Linear on flattened pixels: each unit's weight row
    reshaped to the input's (C, H, W), i.e. the picture that excites that unit most.
    None when the first layer cannot be shown as images.
    """
    found = first_weight_layer(model)
    if found is None:
        return None
    _, layer = found
    w = layer.weight.detach().cpu().float()
    if isinstance(layer, nn.Conv2d):
        return w.numpy()
    c, h, wd = input_shape
    if w.shape[1] != c * h * wd:
        return None
    return w.reshape(w.shape[0], c, h, wd).numpy()


_ACTIVATION_TYPES = (
    nn.ReLU, nn.LeakyReLU, nn.ELU, nn.GELU, nn.SiLU, nn.Tanh, nn.Sigmoid, nn.PReLU, nn.Softplus,
    nn.Mish, nn.SELU, nn.Hardtanh, nn.ReLU6, nn.CELU,
)  # fmt: skip


def _stage_kind(module: nn.Module) -> str:
    """A plain-words kind for a layer: conv, activation, pool, batch norm, or its class name."""
    if isinstance(module, nn.Conv2d):
        return "conv"
    if isinstance(module, _ACTIVATION_TYPES):
        return "activation"
    if isinstance(module, (nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d)):
        return "pool"
    if isinstance(module, nn.BatchNorm2d):
        return "batch norm"
    return type(module).__name__


def feature_maps(model: nn.Module, x: torch.Tensor) -> list[FeatureMaps]:
    """The 4-D outputs of every leaf layer (conv, batch norm, pooling, activation) for one input.

    ``x`` is one already-normalised image [C, H, W] or a batch of one [1, C, H, W]. Outputs are
    recorded with forward hooks, in the order the layers run.
    """
    if x.dim() == 3:
        x = x.unsqueeze(0)
    records: list[FeatureMaps] = []
    hooks = []
    for name, module in model.named_modules():
        if list(module.children()):
            continue
        kind = _stage_kind(module)

        def hook(_mod, _inp, out, name=name, kind=kind):
            if isinstance(out, torch.Tensor) and out.dim() == 4:
                records.append(FeatureMaps(name, kind, out[0].detach().float().cpu().numpy()))

        hooks.append(module.register_forward_hook(hook))
    was_training = model.training
    try:
        model.eval()
        with torch.inference_mode():
            model(x)
    finally:
        for h in hooks:
            h.remove()
        model.train(was_training)
    return records
