"""Optimizer controls for the Gradient-descent page: the picker and one tab of settings each.

An optimizer's tab shows only the hyperparameters it reads (``OptimizerInfo.uses``), keyed
``gd_lr_<name>``, ``gd_mom_<name>``, ``gd_b1_<name>``, ``gd_b2_<name>``, ``gd_eps_<name>`` and
``gd_wd_<name>`` so tests can drive them. Learning rates are picked from ``LR_OPTIONS``
(``nearest_lr`` snaps a value to it) and start at the surface's suggestion; the other
hyperparameters start at the optimizer's defaults in ``dlviz.optimizers``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import streamlit as st

from dlviz.descent.compare import OptimizerSpec
from dlviz.descent.surfaces import Surface
from dlviz.optimizers import LABELS, OPTIMIZERS
from dlviz.ui.links import BIND

if TYPE_CHECKING:
    from streamlit.delta_generator import DeltaGenerator  # a column: st.columns' items

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
        bind=BIND,
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
    lr = _lr_slider(next(cols), name, surface)
    kw = {key: widget(next(cols), name) for key, widget in WIDGETS.items() if key in uses}
    kw["weight_decay"] = _weight_decay_slider(next(cols), name)
    return OptimizerSpec(name, float(lr), **{k: float(v) for k, v in kw.items()})


def _default(name: str, key: str) -> float:
    """The widget's starting value: the optimizer's default in dlviz.optimizers."""
    return OPTIMIZERS[name].defaults[key]


def _lr_slider(col: DeltaGenerator, name: str, surface: Surface) -> float:
    """Learning rate, starting at the surface's suggestion for this optimizer."""
    return col.select_slider(
        "Learning rate",
        LR_OPTIONS,
        nearest_lr(surface.default_lr(name)),
        key=f"gd_lr_{name}",
        bind=BIND,
        help="Step size. The suggested value depends on the surface; try 3x larger and smaller.",
    )


FRACTIONS: dict[str, tuple[str, str, str]] = {
    "momentum": ("Momentum", "mom", "How much of the previous step carries over: b ← m·b + g."),
    "beta1": ("β₁ (first moment)", "b1", "Momentum of Adam: m ← β₁m + (1−β₁)g."),
}
"""Label, key part and help of the 0 to 0.99 sliders."""


def _momentum_slider(col: DeltaGenerator, name: str) -> float:
    """Momentum of SGD, Nesterov and RMSprop."""
    return _fraction_slider(col, name, "momentum")


def _beta1_slider(col: DeltaGenerator, name: str) -> float:
    """Adam's first-moment decay."""
    return _fraction_slider(col, name, "beta1")


def _fraction_slider(col: DeltaGenerator, name: str, hyper: str) -> float:
    """A slider from 0 to 0.99 in steps of 0.01, keyed ``gd_<mom|b1>_<name>``."""
    label, short, help_text = FRACTIONS[hyper]
    value = _default(name, hyper)
    return col.slider(
        label, 0.0, 0.99, value, 0.01, key=f"gd_{short}_{name}", bind=BIND, help=help_text
    )


def _beta2_slider(col: DeltaGenerator, name: str) -> float:
    """Adam's second-moment decay, RMSprop's alpha."""
    label = "α (squared-gradient decay)" if name == "rmsprop" else "β₂ (second moment)"
    return col.select_slider(
        label,
        (0.9, 0.95, 0.99, 0.995, 0.999, 0.9999),
        _default(name, "beta2"),
        key=f"gd_b2_{name}",
        bind=BIND,
        help="Memory of the squared gradients: v ← β₂v + (1−β₂)g².",
    )


def _eps_slider(col: DeltaGenerator, name: str) -> float:
    """The epsilon added to the root of the squared-gradient average."""
    return col.select_slider(
        "ε",
        EPS_OPTIONS,
        _default(name, "eps"),
        key=f"gd_eps_{name}",
        bind=BIND,
        format_func=lambda v: f"{v:.0e}",
        help="Added to √v so tiny gradients do not explode.",
    )


def _weight_decay_slider(col: DeltaGenerator, name: str) -> float:
    """Weight decay (decoupled for AdamW)."""
    return col.select_slider(
        "Weight decay",
        (0.0, 0.001, 0.01, 0.1, 0.5),
        _default(name, "weight_decay"),
        key=f"gd_wd_{name}",
        bind=BIND,
        help="Pulls the parameters towards (0, 0): the minimum of f + (wd/2)|θ|² moves."
        + (
            " AdamW decays the weights directly instead of adding wd·θ to the gradient."
            if name == "adamw"
            else ""
        ),
    )


WIDGETS: dict[str, Callable[[DeltaGenerator, str], float]] = {
    "momentum": _momentum_slider,
    "beta1": _beta1_slider,
    "beta2": _beta2_slider,
    "eps": _eps_slider,
}
"""The optional hyperparameters' widgets, in the order their columns appear (after lr)."""
