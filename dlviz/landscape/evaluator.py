"""Fast evaluation of one architecture's loss and accuracy on fixed images, for any weights.

``Evaluator`` runs the real model through ``torch.func.functional_call`` with the weights it is
given (eval mode, ``inference_mode``, image chunks). ``ConvHead`` is its CPU fast path: a leading
``Conv2d`` (and a ``MaxPool2d`` right after it) as matmuls over input patches unfolded once. Every
speed-up leaves the result unchanged. It knows nothing of directions, grids or the disk cache.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call


class Evaluator:
    """Mean cross-entropy and accuracy of one architecture on fixed images, for any weights.

    Built once per (model, images); calling it with a state_dict evaluates the model with those
    weights (``functional_call``, eval mode, ``inference_mode``, chunks of images). CPU speed-ups
    that do not change the result: every convolution output is kept channels_last (max-pooling is
    ~10x faster there), and when the model is a ``Sequential`` starting with a ``Conv2d`` the
    input patches of that layer are unfolded once (``ConvHead``), fused with a following
    ``MaxPool2d`` when there is one.
    """

    def __init__(self, model: nn.Module, x: torch.Tensor, y: torch.Tensor, chunk: int = 250):
        self.model = copy.deepcopy(model).eval()
        for m in self.model.modules():
            if isinstance(m, nn.Conv2d):
                m.register_forward_hook(_channels_last_output)
        self.y = [y[i : i + chunk] for i in range(0, len(y), chunk)]
        self.n = len(y)
        self.head = ConvHead.build(self.model, x)
        self.rest = self.model[self.head.layers :] if self.head else self.model
        chunks = [x[i : i + chunk] for i in range(0, len(y), chunk)]
        self.inputs = [self.head.prepare(c) for c in chunks] if self.head else chunks

    def __call__(self, state: Mapping[str, torch.Tensor]) -> tuple[float, float]:
        """``(mean cross-entropy, accuracy)`` of the model with the weights ``state``."""
        loss_sum, correct = 0.0, 0
        rest = self.head.rest_state(state) if self.head else dict(state)
        with torch.inference_mode():
            for inputs, y in zip(self.inputs, self.y, strict=True):
                h = self.head(state, inputs) if self.head else inputs
                logits = functional_call(self.rest, rest, (h,)).float()
                loss_sum += float(F.cross_entropy(logits, y, reduction="sum"))
                correct += int((logits.argmax(1) == y).sum())
        return loss_sum / self.n, correct / self.n


@dataclass(frozen=True)
class ConvHead:
    """A model's first ``Conv2d`` (and a ``MaxPool2d(k, stride=k)`` right after it) as matmuls.

    The input never changes between weight settings, so its patches are unfolded once (im2col).
    conv(x; W, b) at every output pixel is then ``patches @ W^T + b``; a following k x k max-pool
    is ``max`` over the k*k offsets of the products (+ b after the max, since b is per channel).
    """

    name: str  # the conv's name in the Sequential
    conv: nn.Conv2d
    pool: int  # fused pooling window k (1 = no pooling fused)
    layers: int  # how many leading modules the head replaces (1 or 2)
    out_hw: tuple[int, int]  # spatial size of the head's output (after the fused pooling)

    @classmethod
    def build(
        cls, model: nn.Module, x: torch.Tensor, max_bytes: int = 256 * 2**20
    ) -> ConvHead | None:
        """The head of ``model`` for inputs like ``x``, or None when the fast path does not apply."""
        if not isinstance(model, nn.Sequential) or len(model) < 2 or x.dim() != 4:
            return None
        (name, conv), (_, nxt) = list(model.named_children())[:2]
        if not isinstance(conv, nn.Conv2d) or conv.groups != 1 or conv.padding_mode != "zeros":
            return None
        if isinstance(conv.padding, str):
            return None
        h, w = _conv_out_hw(conv, x.shape[-2:])
        if len(x) * h * w * conv.in_channels * math.prod(conv.kernel_size) * 4 > max_bytes:
            return None
        k = _plain_pool(nxt)
        if k > 1 and min(h, w) >= k:
            return cls(name, conv, k, 2, (h // k, w // k))
        return cls(name, conv, 1, 1, (h, w))

    def prepare(self, x: torch.Tensor) -> torch.Tensor:
        """Patches ``[k*k, N * H' * W', C_in*kh*kw]``: one slab per offset in the pooling window."""
        c = self.conv
        cols = F.unfold(x.float(), c.kernel_size, c.dilation, c.padding, c.stride)  # [N, K, L]
        h, w = _conv_out_hw(c, x.shape[-2:])
        grid = cols.transpose(1, 2).reshape(len(x), h, w, -1)
        k, (hp, wp) = self.pool, self.out_hw
        slabs = [grid[:, i : hp * k : k, j : wp * k : k] for i in range(k) for j in range(k)]
        return torch.stack(slabs).reshape(k * k, -1, grid.shape[-1]).contiguous()

    def __call__(self, state: Mapping[str, torch.Tensor], patches: torch.Tensor) -> torch.Tensor:
        """The head's output for the weights in ``state``: [N, C_out, H', W'] (channels_last)."""
        w = state[f"{self.name}.weight"]
        wt = w.reshape(w.shape[0], -1).t().contiguous()  # a strided W^T makes mm ~3x slower
        out = patches[0] @ wt
        for slab in patches[1:]:
            torch.maximum(out, slab @ wt, out=out)
        b = state.get(f"{self.name}.bias")
        if b is not None:
            out += b
        hp, wp = self.out_hw
        return out.view(-1, hp, wp, w.shape[0]).permute(0, 3, 1, 2)

    def rest_state(self, state: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """The entries of ``state`` that belong to the modules after the head."""
        return {k: v for k, v in state.items() if not k.startswith(f"{self.name}.")}


def _plain_pool(m: nn.Module) -> int:
    """k for a ``MaxPool2d(k)`` with stride k, no padding/dilation/ceil mode; else 1."""
    if not isinstance(m, nn.MaxPool2d) or m.return_indices or m.ceil_mode:
        return 1
    k, s, p, d = (
        v if isinstance(v, int) else (v[0] if len(set(v)) == 1 else -1)
        for v in (m.kernel_size, m.stride or m.kernel_size, m.padding, m.dilation)
    )
    return k if k > 1 and k == s and p == 0 and d == 1 else 1


def _channels_last_output(_module: nn.Module, _inputs, out: torch.Tensor) -> torch.Tensor:
    return out.contiguous(memory_format=torch.channels_last) if out.dim() == 4 else out


def _conv_out_hw(m: nn.Conv2d, hw) -> tuple[int, int]:
    return tuple(
        (hw[i] + 2 * m.padding[i] - m.dilation[i] * (m.kernel_size[i] - 1) - 1) // m.stride[i] + 1
        for i in range(2)
    )
