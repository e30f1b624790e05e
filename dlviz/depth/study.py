"""The depth study: one forward and one backward pass through a deep MLP, measured layer by layer.

``depth_study`` pushes a batch through the network of a ``DepthConfig`` (``dlviz.depth.network``)
and one cross-entropy backward pass. For every hidden layer it records the spread of the
activations (mean, std, a histogram on shared bins, the share of units sitting on a flat part of
the activation), and for every ``Linear`` layer the Frobenius norm of its weight gradient. The
``DepthStudy`` also says where the signal left float32's range: the first layer whose activations
overflowed to inf/NaN, and the first layer on the way back whose gradient underflowed to exactly 0
or overflowed (the words for them live in ``dlviz.depth.report``). ``compare_inits`` repeats it
under every initialization scheme. It is not a trainer: weights never change here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import torch
import torch.nn.functional as F

from dlviz.activations import ACTIVATIONS
from dlviz.depth.init import INITS
from dlviz.depth.network import DepthConfig, build_deep_mlp, random_batch

FLAT_FRACTION = 0.1
"""A unit is 'flat' when its activation slope f'(z) is below this share of the slope's peak."""
UNDERFLOW = float(torch.finfo(torch.float32).tiny)
"""float32's smallest normal number (about 1.2e-38): a float32 value that reads 0 fell below it."""


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
    return {name: depth_study(replace(cfg, init=name), x, y) for name in INITS}
