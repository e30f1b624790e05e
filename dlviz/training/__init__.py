"""Training: configs, the fast CPU training loop and the on-disk run store.

``from dlviz.training import TrainConfig, train, TrainResult`` is the whole API a page needs;
``preset_config`` turns a model preset into the config of a default run, and ``train_cached``
adds the disk store so the same config is never trained twice. The models, reading a finished
run, looking inside a model and preparing a drawing live in the submodules ``models``,
``results``, ``inspect`` and ``drawing``.
"""

from __future__ import annotations

from dlviz.training.config import (
    MAX_BATCH_SIZE,
    MAX_EPOCHS,
    MAX_SEED,
    OPTIMIZER_CHOICES,
    PRECISIONS,
    Callback,
    EpochStats,
    Progress,
    TrainConfig,
    TrainResult,
)
from dlviz.training.inference import evaluate, predict_proba, resolve_precision
from dlviz.training.loop import optimizer_for, split_indices, train
from dlviz.training.recipes import DEFAULT_TRAIN_IMAGES, DIGITS_RECIPE, preset_config
from dlviz.training.store import RunStore, RunSummary, train_cached

__all__ = [
    "DEFAULT_TRAIN_IMAGES",
    "DIGITS_RECIPE",
    "MAX_BATCH_SIZE",
    "MAX_EPOCHS",
    "MAX_SEED",
    "OPTIMIZER_CHOICES",
    "PRECISIONS",
    "Callback",
    "EpochStats",
    "Progress",
    "RunStore",
    "RunSummary",
    "TrainConfig",
    "TrainResult",
    "evaluate",
    "optimizer_for",
    "predict_proba",
    "preset_config",
    "resolve_precision",
    "split_indices",
    "train",
    "train_cached",
]
