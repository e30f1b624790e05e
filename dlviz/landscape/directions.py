"""Random directions in weight space, filter-wise normalized after Li et al. (2018).

A direction is a state_dict-like mapping of tensors shaped like the weights it perturbs. Every
filter (row of a weight matrix, output channel of a convolution) of a Gaussian direction is
rescaled to the norm of the same filter of the weights, so a step along it means the same in every
layer; 1-D tensors (biases, batch-norm scales and shifts) get a zero direction. It does not
evaluate any loss: that is ``dlviz.landscape.evaluator`` and ``dlviz.landscape.compute``.
"""

from __future__ import annotations

from collections.abc import Mapping

import torch
from torch import nn

State = dict[str, torch.Tensor]


def perturbable(model: nn.Module) -> list[str]:
    """Names of the model's parameters (buffers such as BN running stats stay as trained)."""
    return [name for name, _ in model.named_parameters()]


def normalize_filterwise(
    direction: Mapping[str, torch.Tensor], weights: Mapping[str, torch.Tensor]
) -> State:
    """d_i <- d_i * ||theta_i|| / ||d_i|| per filter i (first dim) of every >=2-D tensor; 1-D -> 0.

    Biases and batch-norm scales/shifts get a zero direction, as in Li et al.'s default.
    """
    out: State = {}
    for name, d in direction.items():
        w = weights[name]
        if d.dim() <= 1:
            out[name] = torch.zeros_like(d)
            continue
        d_norm = d.flatten(1).norm(dim=1).clamp_min(1e-12)
        w_norm = w.flatten(1).norm(dim=1)
        scale = (w_norm / d_norm).view(-1, *([1] * (d.dim() - 1)))
        out[name] = d * scale
    return out


def random_direction(weights: Mapping[str, torch.Tensor], seed: int) -> State:
    """A Gaussian direction N(0, 1) shaped like ``weights``, filter-wise normalized to them."""
    g = torch.Generator().manual_seed(seed)
    raw = {
        name: torch.randn(w.shape, generator=g, dtype=torch.float32).to(w.dtype)
        for name, w in weights.items()
    }
    return normalize_filterwise(raw, weights)
