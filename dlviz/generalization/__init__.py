"""Generalization: overfitting and its remedies, sanity checks, the capacity x data sweep.

The experiments are ordinary ``dlviz.training`` configs (``experiments``), trained through the
run store by the job specs in ``jobs``; the short sanity checks (overfit one batch with planted
bugs, the learning-rate range test) live in ``sanity``. Streamlit-free; the figures are
``dlviz.plots.generalization`` and the page's side ``dlviz.ui.generalization``.
"""

from __future__ import annotations

from dlviz.generalization.experiments import (
    AUGMENT_CHOICES,
    DATASETS,
    MAX_TRAIN_IMAGES,
    MIN_TRAIN_IMAGES,
    VAL_FRACTION,
    WIDTHS,
    Gap,
    Remedies,
    RunCurves,
    Setup,
    SweepSetup,
    baseline_config,
    curves_of,
    gap_at,
    kept_epoch,
    model_spec,
    random_label_runs,
    remedy_runs,
    sweep_runs,
)

__all__ = [
    "AUGMENT_CHOICES",
    "DATASETS",
    "MAX_TRAIN_IMAGES",
    "MIN_TRAIN_IMAGES",
    "VAL_FRACTION",
    "WIDTHS",
    "Gap",
    "Remedies",
    "RunCurves",
    "Setup",
    "SweepSetup",
    "baseline_config",
    "curves_of",
    "gap_at",
    "kept_epoch",
    "model_spec",
    "random_label_runs",
    "remedy_runs",
    "sweep_runs",
]
