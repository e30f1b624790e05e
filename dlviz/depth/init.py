"""Weight initialization of the depth study: the schemes a learner can pick, and how each sets W.

``INITS`` names the schemes (PyTorch's default, uniform(0, 1), Xavier / Glorot, Kaiming / He,
normal(0, σ)), ``INIT_LATEX`` gives each one's weight distribution, and ``init_linear_`` applies
one to an ``nn.Linear`` in place (biases 0 for the named schemes). It builds no network and runs
nothing; see ``dlviz.depth.network`` and ``dlviz.depth.study``.
"""

from __future__ import annotations

import torch
from torch import nn

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
