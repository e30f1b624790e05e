"""The depth study: one forward and one backward pass through a deep MLP, measured layer by layer.

A plain stack of ``Linear -> [BatchNorm1d] -> activation`` blocks (depth 2 to 50) with a chosen
weight initialization is pushed a batch of inputs and one cross-entropy backward pass. For every
hidden layer it records the spread of the activations (mean, std, a histogram on shared bins,
the share of units sitting on a flat part of the activation), and for every ``Linear`` layer the
Frobenius norm of its weight gradient. The study also says where the signal left float32's range:
the first layer whose activations overflowed to inf/NaN, and the first layer on the way back whose
gradient underflowed to exactly 0 or overflowed (the words for them live in dlviz.depth.report).
It is not a trainer: weights never change here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils import skip_init

from dlviz.activations import ACTIVATIONS, activation_module
from dlviz.data import DatasetInfo, normalize

INITS: dict[str, str] = {
    "default": "PyTorch default",
    "uniform": "uniform(0, 1)",
    "xavier": "Xavier / Glorot",
    "kaiming": "Kaiming / He",
    "normal": "normal(0, σ)",
}
"""Initialization schemes: name -> label shown to the learner."""

INIT_LATEX: dict[str, str] = {
    "default": r"W_{ij} \sim \mathcal{U}\!\left(-\tfrac{1}{\sqrt{n_\text{in}}},\ \tfrac{1}{\sqrt{n_\text{in}}}\right)",
    "uniform": r"W_{ij} \sim \mathcal{U}(0,\ 1)",
    "xavier": r"W_{ij} \sim \mathcal{N}\!\left(0,\ \tfrac{2}{n_\text{in} + n_\text{out}}\right)",
    "kaiming": r"W_{ij} \sim \mathcal{N}\!\left(0,\ \tfrac{2}{n_\text{in}}\right)",
    "normal": r"W_{ij} \sim \mathcal{N}(0,\ \sigma^2)",
}
"""The weight distribution of each scheme, in LaTeX."""

MIN_DEPTH, MAX_DEPTH = 2, 50
NUM_CLASSES = 10
FLAT_FRACTION = 0.1
"""A unit is 'flat' when its activation slope f'(z) is below this share of the slope's peak."""
UNDERFLOW = float(torch.finfo(torch.float32).tiny)
"""float32's smallest normal number (about 1.2e-38): a float32 value that reads 0 fell below it."""


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


@dataclass(frozen=True)
class LayerStats:
    """What one hidden layer's activations h = f(z) and its weight gradient look like."""

    index: int  # 1-based hidden-layer number
    mean: float  # mean of h over the batch and units (finite values)
    std: float  # standard deviation of h (finite values, unbiased)
    flat: float  # share of units with f'(z) < FLAT_FRACTION * max f'
    nonfinite: float  # share of inf/NaN entries in h
    grad_norm: float  # ||dL/dW||_F of the Linear layer feeding this one
    act_grad_std: float  # std of dL/dh (the gradient arriving at this layer's output)
    counts: tuple[float, ...]  # histogram of h on the shared bin edges, as a fraction of entries


@dataclass(frozen=True)
class DepthStudy:
    """The result of one forward + backward pass: per-layer statistics and the loss."""

    config: DepthConfig
    layers: tuple[LayerStats, ...]
    output_grad_norm: float  # ||dL/dW||_F of the final (output) Linear
    loss: float
    edges: tuple[float, ...]  # shared histogram bin edges (len = bins + 1)
    input_source: str  # "random" or a dataset name

    @property
    def overflow_layer(self) -> int | None:
        """First layer whose activations hold inf/NaN (depth + 1: only the output's logits did)."""
        bad = [layer.index for layer in self.layers if layer.nonfinite > 0]
        if bad:
            return bad[0]
        return None if math.isfinite(self.loss) else self.config.depth + 1

    @property
    def collapsed_layer(self) -> int | None:
        """First layer whose activations have std exactly 0: every unit gives the same output."""
        return next((layer.index for layer in self.layers if layer.std == 0), None)

    @property
    def grad_overflow_layer(self) -> int | None:
        """First layer on the way back (deepest) whose weight gradient is inf/NaN."""
        bad = [layer.index for layer in self.layers if not math.isfinite(layer.grad_norm)]
        return bad[-1] if bad else None

    @property
    def grad_vanished_layer(self) -> int | None:
        """The deepest k with layers 1..k all getting a weight gradient of exactly 0 (underflow)."""
        k = 0
        while k < len(self.layers) and self.layers[k].grad_norm == 0:
            k += 1
        return k or None

    @property
    def grad_ratio(self) -> float:
        """First-layer over last-hidden-layer gradient norm: << 1 vanishing, >> 1 exploding.

        0 when the first layer's gradient underflowed to 0; NaN when it is undefined (a gradient
        is not finite, or the last layer's is 0).
        """
        first, last = self.layers[0].grad_norm, self.layers[-1].grad_norm
        if not (math.isfinite(first) and math.isfinite(last)) or last == 0:
            return float("nan")
        return first / last

    @property
    def std_ratio(self) -> float:
        """Last-layer over first-layer activation std: >> 1 exploding, << 1 shrinking signal."""
        first, last = self.layers[0].std, self.layers[-1].std
        if not (math.isfinite(first) and math.isfinite(last)) or first == 0:
            return float("nan")
        return last / first


def init_linear_(layer: nn.Linear, init: str, sigma: float = 0.05) -> None:
    """Initialize one Linear in place; the named schemes set W as in INIT_LATEX and b = 0."""
    if init == "default":
        layer.reset_parameters()
        return
    with torch.no_grad():
        if init == "uniform":
            nn.init.uniform_(layer.weight, 0.0, 1.0)
        elif init == "xavier":
            nn.init.xavier_normal_(layer.weight)
        elif init == "kaiming":
            nn.init.kaiming_normal_(layer.weight, mode="fan_in", nonlinearity="relu")
        elif init == "normal":
            nn.init.normal_(layer.weight, 0.0, sigma)
        else:
            raise ValueError(f"Unknown init {init!r}; choose one of {', '.join(INITS)}.")
        if layer.bias is not None:
            layer.bias.zero_()


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


def slope_peak(activation: str) -> float:
    """max f'(z) over z in [-8, 8] for the named activation (0.25 for sigmoid, 1 for tanh/ReLU)."""
    z = torch.linspace(-8, 8, 3201, requires_grad=True)
    (slope,) = torch.autograd.grad(ACTIVATIONS[activation].fn(z).sum(), z)
    return float(slope.max())


def shared_edges(tensors: list[torch.Tensor], bins: int, quantile: float = 0.995) -> torch.Tensor:
    """Shared bin edges on [-m, m] ([0, m] if all h >= 0), m = max over layers of |h|'s quantile."""
    m, lo = 0.0, 0.0
    for t in tensors:
        values = t.detach().flatten()
        values = values[torch.isfinite(values)]
        if values.numel() == 0:
            continue
        sample = values[:: max(1, values.numel() // 20_000)].double()
        m = max(m, float(torch.quantile(sample.abs(), quantile)))
        lo = min(lo, float(values.min()))
    m = m if m > 0 else 1.0
    # float64: 2 m / bins overflows float32 once m nears float32's largest value (~3.4e38)
    return torch.linspace(0.0 if lo >= 0 else -m, m, bins + 1, dtype=torch.float64)


def slopes(activation: str, zs: list[torch.Tensor]) -> list[torch.Tensor]:
    """f'(z) of every layer's pre-activations, from one torch.autograd call over all of them."""
    flat = torch.cat([z.detach().flatten() for z in zs]).requires_grad_(True)
    (slope,) = torch.autograd.grad(ACTIVATIONS[activation].fn(flat).sum(), flat)
    return list(slope.split([z.numel() for z in zs]))


def layer_stats(
    index: int,
    h: torch.Tensor,
    h_grad: torch.Tensor,
    weight_grad: torch.Tensor,
    edges: torch.Tensor,
    slope: torch.Tensor,
    peak: float,
) -> LayerStats:
    """Statistics of one layer: mean/std of finite h, flat share, ||dL/dW||_F, histogram of h."""
    h = h.detach()
    finite = torch.isfinite(h)
    hf = h[finite].double()
    # values outside the shared edges are left out (histc ignores them)
    counts = torch.histc(hf, bins=len(edges) - 1, min=float(edges[0]), max=float(edges[-1]))
    return LayerStats(
        index=index,
        mean=float(hf.mean()) if hf.numel() else float("nan"),
        std=float(hf.std()) if hf.numel() > 1 else float("nan"),
        flat=float((slope.abs() < FLAT_FRACTION * peak).double().mean()),
        nonfinite=float(1 - finite.double().mean()),
        grad_norm=float(weight_grad.double().norm()),
        act_grad_std=float(h_grad.double().std()),
        counts=tuple(float(c) for c in counts / h.numel()),
    )


def depth_study(
    cfg: DepthConfig,
    x: torch.Tensor | None = None,
    y: torch.Tensor | None = None,
    input_source: str = "random",
) -> DepthStudy:
    """One forward pass and one backward pass of L = CE(net(x), y), measured per hidden layer.

    ``x`` (float, [N, features], already normalized) and ``y`` default to ``random_batch(cfg)``.
    The network is in training mode, so batch norm uses the batch's own statistics.
    """
    if x is None or y is None:
        x, y = random_batch(cfg)
        input_source = "random"
    x = x.flatten(1).float()
    model = build_deep_mlp(cfg, input_dim=x.shape[1]).train()
    zs, hs = [], []
    h = x
    for block in model[:-1]:
        zs.append(block[:-1](h))  # pre-activation z = W h + b (batch-normalized when on)
        h = block[-1](zs[-1])
        h.retain_grad()
        hs.append(h)
    loss = F.cross_entropy(model[-1](h), y)
    loss.backward()
    edges = shared_edges(hs, cfg.bins)
    peak = slope_peak(cfg.activation)
    layer_slopes = slopes(cfg.activation, zs)
    stats = tuple(
        layer_stats(i + 1, hs[i], hs[i].grad, model[i][0].weight.grad, edges, layer_slopes[i], peak)
        for i in range(cfg.depth)
    )
    return DepthStudy(
        config=cfg,
        layers=stats,
        output_grad_norm=float(model[-1].weight.grad.double().norm()),
        loss=float(loss.detach()),
        edges=tuple(float(e) for e in edges),
        input_source=input_source,
    )


def compare_inits(
    cfg: DepthConfig, x: torch.Tensor | None = None, y: torch.Tensor | None = None
) -> dict[str, DepthStudy]:
    """The same network and batch under every initialization scheme, keyed by INITS name."""
    from dataclasses import replace

    return {name: depth_study(replace(cfg, init=name), x, y) for name in INITS}
