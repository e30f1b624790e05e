"""Activation functions: the shared registry, curves with autograd derivatives, softmax.

The one place the activation set of dlviz lives (Activations page, model builders, Playground,
depth study): ``registry`` (the table and ``activation_module``), ``curves`` (f and f' on a grid,
flat regions, the probe) and ``softmax`` (stable log-softmax, Jacobian, sweep). Every public name is
importable from here. Maths only (torch, float64 for the pictures); figures live in dlviz.plots and
widgets in dlviz.ui. Derivatives always come from ``torch.autograd`` so a picture shows what the
framework computes; closed forms appear only as LaTeX and as the oracle in the unit tests.
"""

from __future__ import annotations

from dlviz.activations.curves import (
    FLAT_THRESHOLD,
    CurveConfig,
    CurveResult,
    Region,
    analyse,
    curve,
    flat_regions,
    region_at,
    value_and_derivative,
)
from dlviz.activations.registry import (
    ACTIVATION_NAMES,
    ACTIVATIONS,
    Activation,
    ParamSpec,
    activation_module,
    default_params,
    get_activation,
)
from dlviz.activations.softmax import (
    SOFTMAX_JACOBIAN_LATEX,
    SOFTMAX_LATEX,
    SOFTMAX_LSE_LATEX,
    SoftmaxResult,
    SoftmaxSweep,
    log_softmax,
    softmax,
    softmax_analysis,
    softmax_jacobian,
    softmax_sweep,
)

__all__ = [
    "ACTIVATIONS",
    "ACTIVATION_NAMES",
    "FLAT_THRESHOLD",
    "SOFTMAX_JACOBIAN_LATEX",
    "SOFTMAX_LATEX",
    "SOFTMAX_LSE_LATEX",
    "Activation",
    "CurveConfig",
    "CurveResult",
    "ParamSpec",
    "Region",
    "SoftmaxResult",
    "SoftmaxSweep",
    "activation_module",
    "analyse",
    "curve",
    "default_params",
    "flat_regions",
    "get_activation",
    "log_softmax",
    "region_at",
    "softmax",
    "softmax_analysis",
    "softmax_jacobian",
    "softmax_sweep",
    "value_and_derivative",
]
