"""Optimizer controls for the Gradient-descent page: the picker and one tab of settings each.

An optimizer's tab shows only the hyperparameters it reads (``OptimizerInfo.uses``), keyed ``gd_lr_<name>``,
``gd_mom_<name>``, ``gd_b1_<name>``, ``gd_b2_<name>``, ``gd_eps_<name>`` and ``gd_wd_<name>`` so
tests can drive them. Learning rates are picked from ``LR_OPTIONS`` (``nearest_lr`` snaps a value
to it); their defaults come from the surface.
"""

from __future__ import annotations

import math

import streamlit as st

from dlviz.descent.compare import OptimizerSpec
from dlviz.descent.surfaces import Surface
from dlviz.optimizers import LABELS, OPTIMIZERS

LR_OPTIONS: tuple[float, ...] = tuple(
    float(f"{m * 10.0**e:.6g}") for e in range(-5, 1) for m in (1, 1.5, 2, 3, 5, 7)
) + (1.0, 1.5, 2.0, 3.0)
EPS_OPTIONS: tuple[float, ...] = (1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 1e-1)
DEFAULT_OPTIMIZERS = ["sgd", "momentum", "adam"]


def nearest_lr(value: float) -> float:
    """The LR_OPTIONS entry closest to ``value`` on a log scale."""
    return min(LR_OPTIONS, key=lambda o: abs(math.log(o) - math.log(max(value, 1e-12))))


def optimizer_controls(surface: Surface) -> tuple[OptimizerSpec, ...]:
    """Optimizer picker and one tab of hyperparameters per chosen optimizer."""
    chosen = st.multiselect(
        "Optimizers (each gets its own colour)",
        list(OPTIMIZERS),
        DEFAULT_OPTIMIZERS,
        format_func=LABELS.__getitem__,
        key="gd_opts",
        max_selections=5,
    )
    if not chosen:
        return ()
    specs = []
    for name, tab in zip(chosen, st.tabs([LABELS[n] for n in chosen]), strict=True):
        with tab:
            specs.append(_hyper_controls(name, surface))
    return tuple(specs)


def _hyper_controls(name: str, surface: Surface) -> OptimizerSpec:
    """The hyperparameter widgets one optimizer reads (OptimizerInfo.uses), in a row."""
    uses = OPTIMIZERS[name].uses
    cols = iter(st.columns(5))
    lr = next(cols).select_slider(
        "Learning rate",
        LR_OPTIONS,
        nearest_lr(surface.default_lr(name)),
        key=f"gd_lr_{name}",
        help="Step size. The suggested value depends on the surface; try 3x larger and smaller.",
    )
    kw: dict[str, float] = {}
    if "momentum" in uses:
        default = 0.0 if name == "rmsprop" else 0.9
        kw["momentum"] = next(cols).slider(
            "Momentum",
            0.0,
            0.99,
            default,
            0.01,
            key=f"gd_mom_{name}",
            help="How much of the previous step carries over: b ← m·b + g.",
        )
    if "beta1" in uses:
        kw["beta1"] = next(cols).slider(
            "β₁ (first moment)",
            0.0,
            0.99,
            0.9,
            0.01,
            key=f"gd_b1_{name}",
            help="Momentum of Adam: m ← β₁m + (1−β₁)g.",
        )
    if "beta2" in uses:
        default = 0.99 if name == "rmsprop" else 0.999
        label = "α (squared-gradient decay)" if name == "rmsprop" else "β₂ (second moment)"
        kw["beta2"] = next(cols).select_slider(
            label,
            (0.9, 0.95, 0.99, 0.995, 0.999, 0.9999),
            default,
            key=f"gd_b2_{name}",
            help="Memory of the squared gradients: v ← β₂v + (1−β₂)g².",
        )
    if "eps" in uses:
        default = 1e-10 if name == "adagrad" else 1e-8
        kw["eps"] = next(cols).select_slider(
            "ε",
            EPS_OPTIONS,
            default,
            key=f"gd_eps_{name}",
            format_func=lambda v: f"{v:.0e}",
            help="Added to √v so tiny gradients do not explode.",
        )
    default_wd = 0.01 if name == "adamw" else 0.0
    kw["weight_decay"] = next(cols).select_slider(
        "Weight decay",
        (0.0, 0.001, 0.01, 0.1, 0.5),
        default_wd,
        key=f"gd_wd_{name}",
        help="Pulls the parameters towards (0, 0): the minimum of f + (wd/2)|θ|² moves."
        + (
            " AdamW decays the weights directly instead of adding wd·θ to the gradient."
            if name == "adamw"
            else ""
        ),
    )
    return OptimizerSpec(name, float(lr), **{k: float(v) for k, v in kw.items()})
