"""The activation registry: every element-wise activation dlviz knows, once, with its formulas.

The single source of the activation set used across dlviz (Activations page, model builders,
Playground, depth study): the torch function, an ``nn.Module`` factory, the LaTeX of f and f', the
names of its flat regions and its tunable parameters with their slider bounds. Curves and flat
regions are in ``dlviz.activations.curves``, softmax (a vector function) in
``dlviz.activations.softmax``; figures live in dlviz.plots and widgets in dlviz.ui.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn


@dataclass(frozen=True)
class ParamSpec:
    """A tunable activation parameter and the bounds of its slider."""

    name: str
    label: str
    min: float
    max: float
    default: float
    step: float
    help: str = ""

    @property
    def decimals(self) -> int:
        """Decimals a slider needs to show every value it can reach (3 for a step of 0.005)."""
        digits = f"{self.step:.10f}".rstrip("0").split(".")[1]
        return max(1, len(digits))


@dataclass(frozen=True)
class Activation:
    """One activation: its torch function, an nn.Module factory, its formula and derivative."""

    name: str
    label: str
    fn: Callable[..., torch.Tensor]
    module: Callable[..., nn.Module]
    latex: str
    params: dict[str, float] = field(default_factory=dict)
    derivative_latex: str = ""
    flat_names: tuple[str, str] = ("low-gradient tail", "low-gradient tail")
    """Names of a flat region touching the left and the right end of the plotted range."""
    specs: tuple[ParamSpec, ...] = ()


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation(
        "sigmoid",
        "Sigmoid",
        lambda x: torch.sigmoid(x),
        lambda: nn.Sigmoid(),
        r"\sigma(x) = \frac{1}{1 + e^{-x}}",
        derivative_latex=r"\sigma'(x) = \sigma(x)\,\bigl(1 - \sigma(x)\bigr) \le \tfrac14",
        flat_names=("saturation: σ → 0", "saturation: σ → 1"),
    ),
    "tanh": Activation(
        "tanh",
        "Tanh",
        lambda x: torch.tanh(x),
        lambda: nn.Tanh(),
        r"\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}",
        derivative_latex=r"\tanh'(x) = 1 - \tanh^2(x) \le 1",
        flat_names=("saturation: tanh → −1", "saturation: tanh → +1"),
    ),
    "relu": Activation(
        "relu",
        "ReLU",
        lambda x: F.relu(x),
        lambda: nn.ReLU(),
        r"\mathrm{ReLU}(x) = \max(0, x)",
        derivative_latex=(
            r"\mathrm{ReLU}'(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}"
            r"\quad(\text{PyTorch uses } 0 \text{ at } x = 0)"
        ),
        flat_names=("dead side: f′ = 0", "low-gradient tail"),
    ),
    "leaky_relu": Activation(
        "leaky_relu",
        "Leaky ReLU",
        lambda x, slope=0.01: F.leaky_relu(x, negative_slope=slope),
        lambda slope=0.01: nn.LeakyReLU(negative_slope=slope),
        r"\mathrm{LeakyReLU}(x) = \begin{cases} x & x > 0 \\ a\,x & x \le 0 \end{cases}",
        {"slope": 0.01},
        derivative_latex=r"\mathrm{LeakyReLU}'(x) = \begin{cases} 1 & x > 0 \\ a & x \le 0 \end{cases}",
        flat_names=("nearly dead side: slope a < 0.01", "low-gradient tail"),
        specs=(
            ParamSpec(
                "slope",
                "negative slope a",
                0.0,
                0.5,
                0.01,
                0.005,
                "Slope for x ≤ 0. PyTorch's default is 0.01; 0 turns it back into ReLU.",
            ),
        ),
    ),
    "elu": Activation(
        "elu",
        "ELU",
        lambda x, alpha=1.0: F.elu(x, alpha=alpha),
        lambda alpha=1.0: nn.ELU(alpha=alpha),
        r"\mathrm{ELU}(x) = \begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 \end{cases}",
        {"alpha": 1.0},
        derivative_latex=(
            r"\mathrm{ELU}'(x) = \begin{cases} 1 & x > 0 \\ \alpha\,e^{x} & x \le 0 \end{cases}"
        ),
        flat_names=("saturation: ELU → −α", "low-gradient tail"),
        specs=(
            ParamSpec(
                "alpha",
                "α (negative saturation level)",
                0.1,
                3.0,
                1.0,
                0.05,
                "ELU tends to −α for very negative x. PyTorch's default is 1.0.",
            ),
        ),
    ),
    "gelu": Activation(
        "gelu",
        "GELU",
        lambda x: F.gelu(x),
        lambda: nn.GELU(),
        r"\mathrm{GELU}(x) = x\,\Phi(x) = \frac{x}{2}\left(1 + \mathrm{erf}\frac{x}{\sqrt{2}}\right)",
        derivative_latex=(
            r"\mathrm{GELU}'(x) = \Phi(x) + x\,\varphi(x),"
            r"\quad \varphi(x) = \tfrac{1}{\sqrt{2\pi}}e^{-x^2/2}"
        ),
        flat_names=("flat tail: GELU → 0", "low-gradient tail"),
    ),
    "silu": Activation(
        "silu",
        "SiLU / Swish",
        lambda x: F.silu(x),
        lambda: nn.SiLU(),
        r"\mathrm{SiLU}(x) = x\,\sigma(x) = \frac{x}{1 + e^{-x}}",
        derivative_latex=r"\mathrm{SiLU}'(x) = \sigma(x)\,\bigl(1 + x\,(1 - \sigma(x))\bigr)",
        flat_names=("flat tail: SiLU → 0", "low-gradient tail"),
    ),
    "softplus": Activation(
        "softplus",
        "Softplus",
        lambda x: F.softplus(x),
        lambda: nn.Softplus(),
        r"\mathrm{Softplus}(x) = \log\left(1 + e^{x}\right)",
        derivative_latex=r"\mathrm{Softplus}'(x) = \sigma(x) = \frac{1}{1 + e^{-x}}",
        flat_names=("flat tail: softplus → 0", "low-gradient tail"),
    ),
}
"""Element-wise activations. Softmax is a vector function: see ``dlviz.activations.softmax``."""

ACTIVATION_NAMES: tuple[str, ...] = tuple(ACTIVATIONS)


def get_activation(name: str) -> Activation:
    """The registry entry of ``name``; a ValueError listing the known names if there is none."""
    if name not in ACTIVATIONS:
        raise ValueError(
            f"Unknown activation {name!r}; choose one of {', '.join(ACTIVATION_NAMES)}."
        )
    return ACTIVATIONS[name]


def activation_module(name: str, **params: float) -> nn.Module:
    """An ``nn.Module`` for the named activation (e.g. ``activation_module("elu", alpha=0.5)``)."""
    return get_activation(name).module(**params)


def default_params(name: str) -> dict[str, float]:
    """The PyTorch default value of each tunable parameter of ``name`` (empty when none)."""
    return {s.name: s.default for s in get_activation(name).specs}
