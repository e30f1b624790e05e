"""A depth study in words: the page's headline numbers and its plain-language verdicts.

Plain data, no Streamlit: ``headline(study)`` gives the four metrics as label / value / help
strings, ``diagnose(study)`` gives verdicts whose severity is a dlviz notion (``"ok"``,
``"warning"``, ``"problem"``); dlviz.ui.depth maps severities to alerts. Numbers go through
dlviz.display, and a value that left float32's range is named in words together with the layer
where it happened ("exploded (overflow at layer 37)", "vanished (below 1.2e-38)"), never as
``nan`` or ``inf``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from dlviz.depth.study import UNDERFLOW, DepthStudy
from dlviz.display import number, percent

Severity = Literal["ok", "warning", "problem"]
SEVERITIES: tuple[Severity, ...] = ("ok", "warning", "problem")

VANISHED = f"vanished (below {number(UNDERFLOW, 2)})"
"""How a gradient that underflowed to exactly 0 reads: float32 has nothing smaller."""


@dataclass(frozen=True)
class Verdict:
    """One plain-words finding about a study and how serious it is."""

    severity: Severity
    sentence: str


@dataclass(frozen=True)
class Metric:
    """One headline number of the page, already written as text."""

    label: str
    value: str
    help: str = ""


def where(layer: int, depth: int) -> str:
    """``"layer 7"``, or ``"the output layer"`` for depth + 1 (the logits after the last block)."""
    return "the output layer" if layer > depth else f"layer {layer}"


def _layers_up_to(k: int) -> str:
    return "layer 1 gets" if k == 1 else f"layers 1 to {k} get"


def exploded(study: DepthStudy) -> str | None:
    """``"exploded (overflow at layer k)"`` for the first overflow forward or backward; else None."""
    depth = study.config.depth
    if study.overflow_layer is not None:
        return f"exploded (overflow at {where(study.overflow_layer, depth)})"
    if study.grad_overflow_layer is not None:
        return f"exploded (gradient overflow at layer {study.grad_overflow_layer})"
    return None


def loss_text(study: DepthStudy) -> str:
    """The batch loss, or where it overflowed."""
    if math.isfinite(study.loss):
        return number(study.loss, 3)
    return exploded(study) or "n/a"


def last_std_text(study: DepthStudy) -> str:
    """The last layer's activation std; words when it overflowed or collapsed to 0."""
    last = study.layers[-1]
    if last.nonfinite > 0 or not math.isfinite(last.std):
        return exploded(study) or "n/a"
    if last.std == 0:
        return f"0 (collapsed at layer {study.collapsed_layer})"
    return number(last.std, 3)


def grad_ratio_text(study: DepthStudy) -> str:
    """First over last layer's gradient norm as ``"3.2e-05×"``, or what happened instead."""
    blown = exploded(study)
    if blown:
        return blown
    if study.grad_vanished_layer is not None:
        return VANISHED
    ratio = study.grad_ratio
    return f"{number(ratio, 2)}×" if math.isfinite(ratio) else "n/a"


def headline(study: DepthStudy) -> tuple[Metric, ...]:
    """The page's four metrics: loss, last layer's std, gradient ratio, flat units."""
    return (
        Metric("Loss on the batch", loss_text(study)),
        Metric("Std of activations, last layer", last_std_text(study)),
        Metric(
            "Gradient norm, first / last layer",
            grad_ratio_text(study),
            "Below 1e-3: the first layers barely learn (vanishing). Far above 1: exploding. "
            f"'{VANISHED}': the first layer's gradient underflowed to exactly 0, the smallest "
            "float32 number being about 1.2e-38.",
        ),
        Metric(
            "Flat units, last layer",
            percent(study.layers[-1].flat, 0),
            "Units whose slope f'(z) is below a tenth of its peak: little gradient gets through.",
        ),
    )


def _signal_verdicts(study: DepthStudy) -> list[Verdict]:
    """What happened to the forward signal: overflow, explosion or collapse."""
    depth, over = study.config.depth, study.overflow_layer
    if over is not None:
        rest = (
            "The grey band marks the layers where nothing finite is left."
            if over <= depth
            else "The logits left float32's range, so the loss is not a number."
        )
        return [
            Verdict(
                "problem",
                f"Exploding activations: they overflowed to inf/NaN at {where(over, depth)}. "
                f"{rest}",
            )
        ]
    out = []
    if study.std_ratio > 100:
        out.append(
            Verdict(
                "problem",
                f"Exploding activations: their std grows {number(study.std_ratio, 2)} times "
                f"from layer 1 to layer {depth}, and the loss is {loss_text(study)}.",
            )
        )
    if study.collapsed_layer is not None:
        out.append(
            Verdict(
                "warning",
                f"From layer {study.collapsed_layer} on, every unit gives the same output "
                "(std 0): the signal about the input is gone.",
            )
        )
    return out


def _gradient_verdicts(study: DepthStudy) -> list[Verdict]:
    """What happened to the gradient on its way back: overflow, underflow to 0, or vanishing."""
    if study.overflow_layer is not None:
        return []  # the loss is not a number: every gradient is NaN, the signal verdict says why
    depth, ratio = study.config.depth, study.grad_ratio
    if study.grad_overflow_layer is not None:
        return [
            Verdict(
                "problem",
                "The gradients overflowed to inf/NaN on the way back, at layer "
                f"{study.grad_overflow_layer}: the backward signal exploded.",
            )
        ]
    vanished = study.grad_vanished_layer
    if vanished is not None:
        return [
            Verdict(
                "warning",
                "Vanishing gradients: on its way back the gradient underflowed to exactly 0 "
                f"(below {number(UNDERFLOW, 2)}, float32's smallest number); "
                f"{_layers_up_to(vanished)} nothing and cannot learn.",
            )
        ]
    if ratio < 1e-3:
        return [
            Verdict(
                "warning",
                f"Vanishing gradients: layer 1 gets a gradient "
                f"{number(1 / ratio, 2)} times smaller than layer {depth}.",
            )
        ]
    return []


def diagnose(study: DepthStudy) -> list[Verdict]:
    """Plain-words verdicts on a study: overflow, explosion, vanishing, saturation, or stable."""
    out = _signal_verdicts(study) + _gradient_verdicts(study)
    last = study.layers[-1]
    if last.flat > 0.9:
        out.append(
            Verdict(
                "warning",
                f"{percent(last.flat, 0)} of the last layer's units sit on a flat part of the "
                "activation (saturated or switched off).",
            )
        )
    depth = study.config.depth
    if not out and 0.01 <= study.grad_ratio <= 100 and 0.01 <= study.std_ratio <= 100:
        out.append(
            Verdict(
                "ok",
                f"Stable: activations and gradients keep their size through all {depth} layers.",
            )
        )
    return out
