"""The deep MLP of the depth study and the batches pushed through it.

``DepthConfig`` (frozen, hashable: a cache key) says how deep and wide the network is, which
activation and initialization it uses, whether batch norm sits between the layers, and the batch.
``build_deep_mlp`` stacks ``Linear -> [BatchNorm1d] -> activation`` blocks with the chosen
initialization (``dlviz.depth.init``); ``random_batch`` and ``image_batch`` give seeded inputs and
labels. Nothing is measured here (see ``dlviz.depth.study``), and weights are never trained.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn.utils import skip_init

from dlviz.activations import ACTIVATIONS, activation_module
from dlviz.data import DatasetInfo, normalize
from dlviz.depth.init import INITS, init_linear_

MIN_DEPTH, MAX_DEPTH = 2, 50
NUM_CLASSES = 10


@dataclass(frozen=True)
class DepthConfig:
    """A deep MLP and the batch pushed through it."""

    depth: int = 20  # hidden layers (Linear + activation), 2..50; one output Linear follows
    width: int = 128  # units per hidden layer
    activation: str = "tanh"  # a name from dlviz.activations.ACTIVATION_NAMES
    init: str = "default"  # a key of INITS
    sigma: float = 0.05  # std of the "normal" init
    batch_norm: bool = False  # BatchNorm1d (batch statistics) between Linear and activation
    input_dim: int = 64  # features of a random input (images bring their own)
    batch_size: int = 256  # random inputs per batch
    bins: int = 41  # histogram bins per layer
    seed: int = 0

    def __post_init__(self) -> None:
        if not MIN_DEPTH <= self.depth <= MAX_DEPTH:
            raise ValueError(
                f"depth must be between {MIN_DEPTH} and {MAX_DEPTH}, got {self.depth}."
            )
        if self.width < 1 or self.input_dim < 1 or self.batch_size < 2 or self.bins < 2:
            raise ValueError(
                "width, input_dim, batch_size (>= 2) and bins (>= 2) must be positive."
            )
        if self.init not in INITS:
            raise ValueError(f"Unknown init {self.init!r}; choose one of {', '.join(INITS)}.")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"Unknown activation {self.activation!r}.")
        if not self.sigma > 0:
            raise ValueError(f"sigma must be positive, got {self.sigma}.")


def build_deep_mlp(cfg: DepthConfig, input_dim: int | None = None) -> nn.Sequential:
    """``depth`` blocks ``Linear -> (BatchNorm1d) -> f``, then ``Linear(width, 10)``; cfg.init."""
    generator_state = torch.random.get_rng_state()
    torch.manual_seed(cfg.seed)
    try:
        blocks: list[nn.Module] = []
        fan_in = input_dim or cfg.input_dim
        for _ in range(cfg.depth):
            # skip_init: nn.Linear's own init would draw every weight twice (slow at 512 x 512)
            linear = skip_init(nn.Linear, fan_in, cfg.width)
            init_linear_(linear, cfg.init, cfg.sigma)
            norm = [nn.BatchNorm1d(cfg.width)] if cfg.batch_norm else []
            blocks.append(nn.Sequential(linear, *norm, activation_module(cfg.activation)))
            fan_in = cfg.width
        out = skip_init(nn.Linear, fan_in, NUM_CLASSES)
        init_linear_(out, cfg.init, cfg.sigma)
    finally:
        torch.random.set_rng_state(generator_state)
    return nn.Sequential(*blocks, out)


def image_batch(
    images: torch.Tensor, labels: torch.Tensor, info: DatasetInfo, batch_size: int, seed: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """A seeded random batch of ``batch_size`` images (uint8), normalized and flattened, + labels."""
    g = torch.Generator().manual_seed(seed)
    idx = torch.randperm(len(labels), generator=g)[:batch_size]
    return normalize(images[idx], info).flatten(1), labels[idx]


def random_batch(cfg: DepthConfig) -> tuple[torch.Tensor, torch.Tensor]:
    """Standard-normal inputs x ~ N(0, 1) of shape [batch_size, input_dim] and random labels."""
    g = torch.Generator().manual_seed(cfg.seed + 1)
    x = torch.randn(cfg.batch_size, cfg.input_dim, generator=g)
    y = torch.randint(0, NUM_CLASSES, (cfg.batch_size,), generator=g)
    return x, y
