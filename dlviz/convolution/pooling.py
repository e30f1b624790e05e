"""Max and average pooling on one image, and where max pooling sends the gradient.

The forward pass is torch's (``F.max_pool2d`` / ``F.avg_pool2d``); the gradient map is built by
the rule the page teaches (each window passes its upstream gradient to its maximum only, windows
that overlap add up; average pooling shares it equally) and the unit tests check it against
autograd.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from dlviz.convolution.ops import output_size

POOL_KINDS: dict[str, str] = {"max": "Max pooling", "avg": "Average pooling"}


@dataclass(frozen=True)
class PoolSpec:
    """A pooling layer: kind ("max" or "avg"), square window and stride (no padding)."""

    kind: str = "max"
    window: int = 2
    stride: int = 2


@dataclass(frozen=True, eq=False)
class PoolResult:
    """``output`` [C, oh, ow]; ``argmax`` flat input index of each window's maximum (max only,
    else None); ``grad`` [C, H, W], the gradient reaching the input when every output cell sends
    back 1."""

    spec: PoolSpec
    image: torch.Tensor
    output: torch.Tensor
    argmax: torch.Tensor | None
    grad: torch.Tensor


def pool_problem(spec: PoolSpec, height: int, width: int) -> str | None:
    """Why this pooling cannot run on a ``height`` x ``width`` input, in words; None if it can."""
    if spec.kind not in POOL_KINDS:
        return f"Unknown pooling {spec.kind!r}; choose max or avg."
    try:
        for n in (height, width):
            output_size(n, spec.window, spec.stride)
    except ValueError as err:
        return str(err).replace("kernel", "pooling window")
    return None


def pool(image: torch.Tensor, spec: PoolSpec, upstream: torch.Tensor | None = None) -> PoolResult:
    """Pool ``image`` [C, H, W] and send ``upstream`` (default all ones) back to the input."""
    image = torch.as_tensor(image, dtype=torch.float32)
    if image.dim() == 2:
        image = image[None]
    problem = pool_problem(spec, *image.shape[-2:])
    if problem:
        raise ValueError(problem)
    c, h, w = image.shape
    if spec.kind == "max":
        output, argmax = F.max_pool2d(image[None], spec.window, spec.stride, return_indices=True)
        output, argmax = output[0], argmax[0]
    else:
        output, argmax = F.avg_pool2d(image[None], spec.window, spec.stride)[0], None
    up = torch.ones_like(output) if upstream is None else upstream.reshape(output.shape).float()
    if argmax is not None:
        # every window hands its gradient to its maximum; overlapping windows add up
        grad = torch.zeros(c, h * w).scatter_add_(1, argmax.flatten(1), up.flatten(1))
        grad = grad.reshape(c, h, w)
    else:
        share = up / (spec.window * spec.window)
        ones = torch.ones(c, 1, spec.window, spec.window)
        grad = F.conv_transpose2d(share[None], ones, stride=spec.stride, groups=c)[0]
        grad = F.pad(grad, (0, w - grad.shape[-1], 0, h - grad.shape[-2]))
    return PoolResult(spec, image, output, argmax, grad)
