"""Activation functions: a registry of name -> torch function, module factory and formula.

This module is the single source of the activation set used across dlviz (Activations page,
model builders, Playground, depth study). It holds maths only; figures live in dlviz.plots.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn


@dataclass(frozen=True)
class Activation:
    """One activation: its torch function, an nn.Module factory and its LaTeX formula."""

    name: str
    label: str
    fn: Callable[..., torch.Tensor]
    module: Callable[..., nn.Module]
    latex: str
    params: dict[str, float] = field(default_factory=dict)


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation(
        "sigmoid", "Sigmoid", lambda x: torch.sigmoid(x), lambda: nn.Sigmoid(),
        r"\sigma(x) = \frac{1}{1 + e^{-x}}",
    ),
    "tanh": Activation(
        "tanh", "Tanh", lambda x: torch.tanh(x), lambda: nn.Tanh(),
        r"\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}",
    ),
    "relu": Activation(
        "relu", "ReLU", lambda x: F.relu(x), lambda: nn.ReLU(), r"\mathrm{ReLU}(x) = \max(0, x)"
    ),
    "leaky_relu": Activation(
        "leaky_relu", "Leaky ReLU",
        lambda x, slope=0.01: F.leaky_relu(x, negative_slope=slope),
        lambda slope=0.01: nn.LeakyReLU(negative_slope=slope),
        r"\mathrm{LeakyReLU}(x) = \begin{cases} x & x > 0 \\ a\,x & x \le 0 \end{cases}",
        {"slope": 0.01},
    ),
    "elu": Activation(
        "elu", "ELU",
        lambda x, alpha=1.0: F.elu(x, alpha=alpha),
        lambda alpha=1.0: nn.ELU(alpha=alpha),
        r"\mathrm{ELU}(x) = \begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 \end{cases}",
        {"alpha": 1.0},
    ),
    "gelu": Activation(
        "gelu", "GELU", lambda x: F.gelu(x), lambda: nn.GELU(),
        r"\mathrm{GELU}(x) = x\,\Phi(x) = \frac{x}{2}\left(1 + \mathrm{erf}\frac{x}{\sqrt{2}}\right)",
    ),
    "silu": Activation(
        "silu", "SiLU / Swish", lambda x: F.silu(x), lambda: nn.SiLU(),
        r"\mathrm{SiLU}(x) = x\,\sigma(x) = \frac{x}{1 + e^{-x}}",
    ),
    "softplus": Activation(
        "softplus", "Softplus", lambda x: F.softplus(x), lambda: nn.Softplus(),
        r"\mathrm{Softplus}(x) = \log\left(1 + e^{x}\right)",
    ),
}
"""Element-wise activations. Softmax is a vector function and lives in its own helpers."""

ACTIVATION_NAMES: tuple[str, ...] = tuple(ACTIVATIONS)


def activation_module(name: str, **params: float) -> nn.Module:
    """An ``nn.Module`` for the named activation (e.g. ``activation_module("elu", alpha=0.5)``)."""
    if name not in ACTIVATIONS:
        raise ValueError(f"Unknown activation {name!r}; choose one of {', '.join(ACTIVATION_NAMES)}.")
    return ACTIVATIONS[name].module(**params)
