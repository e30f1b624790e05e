"""The optimizers dlviz offers: one table (label, torch class, hyperparameters it reads, defaults)
and one factory, ``make_optimizer(name, params, **hyper)``, used by every page and the CLI.

A page offers a subset of the table (the Playground four, Training five, Gradient descent all
seven); what an optimizer is called and which torch.optim class and arguments it means is said
here only. Hyperparameters left as ``None`` take torch.optim's defaults, except that "momentum"
and "nesterov" default to momentum 0.9 (that is what makes them momentum methods).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import torch


@dataclass(frozen=True)
class OptimizerInfo:
    """One optimizer: its label, torch.optim class, the hyperparameters it reads and their defaults."""

    label: str
    cls: type[torch.optim.Optimizer]
    uses: tuple[str, ...]  # of HYPERPARAMS; the others are accepted and ignored
    defaults: dict[str, float] = field(default_factory=dict)  # torch.optim's (momentum: ours)
    state_keys: tuple[str, ...] = ()  # optimizer state worth showing, as torch.optim stores it
    fusable: bool = False  # torch has a fused CPU kernel (fused=True)


HYPERPARAMS: tuple[str, ...] = ("lr", "momentum", "beta1", "beta2", "eps", "weight_decay")

_ADAM = {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
OPTIMIZERS: dict[str, OptimizerInfo] = {
    "sgd": OptimizerInfo(
        "SGD", torch.optim.SGD, ("lr", "weight_decay"), {"weight_decay": 0.0}, (), True
    ),
    "momentum": OptimizerInfo(
        "SGD + momentum",
        torch.optim.SGD,
        ("lr", "momentum", "weight_decay"),
        {"momentum": 0.9, "weight_decay": 0.0},
        ("momentum_buffer",),
        True,
    ),
    "nesterov": OptimizerInfo(
        "Nesterov momentum",
        torch.optim.SGD,
        ("lr", "momentum", "weight_decay"),
        {"momentum": 0.9, "weight_decay": 0.0},
        ("momentum_buffer",),
        True,
    ),
    "adagrad": OptimizerInfo(
        "Adagrad",
        torch.optim.Adagrad,
        ("lr", "eps", "weight_decay"),
        {"eps": 1e-10, "weight_decay": 0.0},
        ("sum",),
    ),
    "rmsprop": OptimizerInfo(
        "RMSprop",
        torch.optim.RMSprop,
        ("lr", "momentum", "beta2", "eps", "weight_decay"),
        {"momentum": 0.0, "beta2": 0.99, "eps": 1e-8, "weight_decay": 0.0},
        ("square_avg", "momentum_buffer"),
    ),
    "adam": OptimizerInfo(
        "Adam",
        torch.optim.Adam,
        ("lr", "beta1", "beta2", "eps", "weight_decay"),
        {**_ADAM, "weight_decay": 0.0},
        ("exp_avg", "exp_avg_sq"),
        True,
    ),
    "adamw": OptimizerInfo(
        "AdamW",
        torch.optim.AdamW,
        ("lr", "beta1", "beta2", "eps", "weight_decay"),
        {**_ADAM, "weight_decay": 0.01},
        ("exp_avg", "exp_avg_sq"),
        True,
    ),
}
OPTIMIZER_NAMES: tuple[str, ...] = tuple(OPTIMIZERS)
LABELS: dict[str, str] = {name: info.label for name, info in OPTIMIZERS.items()}
"""Optimizer name -> the label a learner reads."""


def optimizer_info(name: str) -> OptimizerInfo:
    """The table's entry for ``name``; a ValueError that lists the choices otherwise."""
    try:
        return OPTIMIZERS[name]
    except KeyError:
        raise ValueError(
            f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}."
        ) from None


def torch_arguments(name: str, **hyper: float | None) -> dict[str, Any]:
    """The keyword arguments of ``name``'s torch.optim class for dlviz's hyperparameter names.

    ``beta1``/``beta2`` become Adam's ``betas`` (``beta2`` is RMSprop's ``alpha``); ``None`` or
    a hyperparameter the optimizer does not read is left out, so torch's default applies.
    """
    info = optimizer_info(name)
    unknown = set(hyper) - set(HYPERPARAMS)
    if unknown:
        raise TypeError(f"unknown hyperparameters: {', '.join(sorted(unknown))}")
    h = {k: v for k, v in hyper.items() if v is not None and k in info.uses}
    kw: dict[str, Any] = {k: h[k] for k in ("lr", "weight_decay", "eps") if k in h}
    if name in ("momentum", "nesterov"):
        m = h.get("momentum", info.defaults["momentum"])
        kw["momentum"] = m
        kw["nesterov"] = name == "nesterov" and m > 0  # torch refuses Nesterov without momentum
    elif name == "rmsprop":
        kw["alpha"] = h.get("beta2", info.defaults["beta2"])
        kw["momentum"] = h.get("momentum", 0.0)
    elif name in ("adam", "adamw"):
        kw["betas"] = (
            h.get("beta1", info.defaults["beta1"]),
            h.get("beta2", info.defaults["beta2"]),
        )
    return kw


def make_optimizer(
    name: str,
    params: Iterable[torch.Tensor] | Iterable[dict[str, Any]],
    *,
    fused: bool = False,
    foreach: bool | None = None,
    **hyper: float | None,
) -> torch.optim.Optimizer:
    """The torch.optim optimizer ``name`` over ``params`` (tensors or parameter groups).

    ``fused=True`` asks for torch's fused CPU kernel where the optimizer has one (SGD, Adam,
    AdamW: one kernel per step), falling back to the ordinary one; ``foreach`` is passed on
    otherwise. Hyperparameters: see ``HYPERPARAMS`` and ``torch_arguments``.
    """
    info = optimizer_info(name)
    params = list(params)
    kw = torch_arguments(name, **hyper)
    if fused and info.fusable:
        try:
            return info.cls(params, fused=True, **kw)
        except (RuntimeError, TypeError, ValueError):
            pass  # no fused kernel for these tensors (dtype or device): the ordinary one
    if foreach is not None:
        kw["foreach"] = foreach
    return info.cls(params, **kw)
