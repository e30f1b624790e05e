"""Figures for the Activations page: ``curves`` (one activation, overlays) and ``softmax``.

Every figure builder and the probe helpers the Loss figures share are importable from here.
"""

from __future__ import annotations

from dlviz.plots.activations.curves import (
    LABEL_BG,
    PROBE_MARKER,
    activation_figure,
    band,
    compare_figure,
    probe_points,
)
from dlviz.plots.activations.softmax import (
    softmax_bars_figure,
    softmax_jacobian_figure,
    softmax_sweep_figure,
)

__all__ = [
    "LABEL_BG",
    "PROBE_MARKER",
    "activation_figure",
    "band",
    "compare_figure",
    "probe_points",
    "softmax_bars_figure",
    "softmax_jacobian_figure",
    "softmax_sweep_figure",
]
