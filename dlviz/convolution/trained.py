"""Inside a trained CNN: every stage's output for one image, the first layer's filters, the input
patch that excites a first-layer map most, and the test images that excite a map most.

Works on the ``nn.Sequential`` CNNs of ``dlviz.training.models`` (named layers ``conv1``,
``pool1``, ``act1``, ``fc1``, ``out`` ...). Read-only: forward passes run in eval mode under
``torch.inference_mode`` and the model's mode is restored.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


@dataclass(frozen=True, eq=False)
class Stage:
    """One layer's output for one image: ``values`` [C, H, W] (maps) or [units] (dense)."""

    name: str
    kind: str  # "Conv2d", "ReLU", "MaxPool2d", "BatchNorm2d", "Linear", ...
    values: torch.Tensor

    @property
    def is_map(self) -> bool:
        """True for a stack of feature maps, False for a vector of units."""
        return self.values.dim() == 3


def _leaves(model: nn.Module) -> list[tuple[str, nn.Module]]:
    return [(n, m) for n, m in model.named_modules() if n and not list(m.children())]


def stages(model: nn.Module, x: torch.Tensor) -> tuple[list[Stage], torch.Tensor]:
    """Every leaf layer's output for one normalised image ``x`` [C, H, W] (dropout and flatten
    left out), and the softmax probabilities."""
    records: list[Stage] = []
    hooks = []
    for name, module in _leaves(model):
        if isinstance(module, nn.Dropout) or "flatten" in name.lower():
            continue

        def hook(_m, _i, out, name=name, kind=type(module).__name__):
            records.append(Stage(name, kind, out[0].detach().float().clone()))

        hooks.append(module.register_forward_hook(hook))
    was_training = model.training
    try:
        model.eval()
        with torch.inference_mode():
            logits = model(x[None])
    finally:
        for h in hooks:
            h.remove()
        model.train(was_training)
    return records, torch.softmax(logits[0].float(), dim=0)


def first_conv(model: nn.Module) -> tuple[str, nn.Conv2d] | None:
    """The first ``Conv2d`` in definition order, with its name; None for a network without one."""
    for name, module in model.named_modules():
        if isinstance(module, nn.Conv2d):
            return name, module
    return None


def best_patch(conv: nn.Conv2d, image: torch.Tensor, maps: torch.Tensor, channel: int):
    """Where first-layer map ``channel`` is largest, and the input patch the kernel saw there.

    Returns ((row, col) in the map, patch [C, k, k] cut from the zero-padded input).
    """
    k, s, p = conv.kernel_size[0], conv.stride[0], conv.padding[0]
    flat = int(torch.argmax(maps[channel]))
    r, c = divmod(flat, maps.shape[-1])
    padded = torch.nn.functional.pad(image, (p, p, p, p))
    return (r, c), padded[:, r * s : r * s + k, c * s : c * s + k]


def top_images(
    model: nn.Module, layer: str, images: torch.Tensor, channel: int, count: int = 8
) -> tuple[torch.Tensor, torch.Tensor]:
    """The ``count`` images (normalised, [N, C, H, W]) whose map ``channel`` of ``layer`` reaches
    the highest value: (indices, those maxima), highest first."""
    module = dict(model.named_modules())[layer]
    best: list[torch.Tensor] = []

    def hook(_m, _i, out):
        best.append(out[:, channel].flatten(1).amax(dim=1).float())

    handle = module.register_forward_hook(hook)
    was_training = model.training
    try:
        model.eval()
        with torch.inference_mode():
            for start in range(0, len(images), 256):
                model(images[start : start + 256])
    finally:
        handle.remove()
        model.train(was_training)
    peaks = torch.cat(best)
    order = torch.argsort(peaks, descending=True)[:count]
    return order, peaks[order]


def receptive_box(
    model: nn.Module, layer: str, row: int, col: int, size: tuple[int, int]
) -> tuple[int, int, int, int]:
    """The input rows and columns (top, bottom, left, right; inclusive, clipped to ``size``)
    that output (row, col) of ``layer``'s maps can depend on.

    Walks the convs and pools up to ``layer``: jump j <- j·s, field r <- r + d(k - 1)·j, and the
    first window's top-left t <- t - p·j (padding shifts it outside the image).
    """
    jump, field, top = 1, 1, 0
    for name, module in _leaves(model):
        window = _geometry(module)
        if window is not None:
            k, s, p, d = window
            top -= p * jump
            field += d * (k - 1) * jump
            jump *= s
        if name == layer:
            break
    r0, c0 = top + row * jump, top + col * jump
    h, w = size
    return max(r0, 0), min(r0 + field - 1, h - 1), max(c0, 0), min(c0 + field - 1, w - 1)


def _geometry(module: nn.Module) -> tuple[int, int, int, int] | None:
    """(kernel, stride, padding, dilation) of a conv or pooling layer, else None."""

    def one(v) -> int:
        return int(v[0] if isinstance(v, tuple) else v)

    if isinstance(module, nn.Conv2d):
        return (
            one(module.kernel_size),
            one(module.stride),
            one(module.padding),
            one(module.dilation),
        )
    if isinstance(module, (nn.MaxPool2d, nn.AvgPool2d)):
        stride = module.stride or module.kernel_size
        return (
            one(module.kernel_size), one(stride), one(module.padding),
            one(getattr(module, "dilation", 1)),
        )  # fmt: skip
    return None
