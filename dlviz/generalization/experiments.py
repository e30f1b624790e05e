"""Generalization experiments as ordinary training configs: overfitting, remedies, random labels,
the capacity x data sweep.

Everything here builds ``dlviz.training.TrainConfig``s and reads finished histories; the
training itself is ``dlviz.training.train_cached`` (so every run lands in the same run store as
the Training page's). All runs of one experiment share the seed and the layer sizes, hence the
same initial weights (dropout adds no weights), and use the nested split
(``dlviz.training.split_indices``): the same validation images whatever the training-set size,
and a smaller training set inside every larger one. Training images are scored in eval mode
every epoch (``eval_train``), so the gap compares like with like: no dropout, no augmentation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from dlviz.data import dataset_info
from dlviz.training import EpochStats, TrainConfig, TrainResult
from dlviz.training.models import ModelSpec

DATASETS: tuple[str, ...] = ("digits", "fashion-mnist")
VAL_FRACTION = {"digits": 0.2, "fashion-mnist": 0.05}
"""Held out from all training images before any subset: 287 Digits, 3,000 Fashion-MNIST images."""
MAX_TRAIN_IMAGES = {"digits": 1150, "fashion-mnist": 8000}
"""The largest training set offered: all of Digits' remaining images; Fashion-MNIST is capped so
that one run stays within seconds."""
MIN_TRAIN_IMAGES = 20
WIDTHS: tuple[int, ...] = (16, 32, 64, 128, 256, 512, 1024)
"""Units in each of the two hidden layers of the experiment's MLP."""
AUGMENT_CHOICES = {"digits": ("shift", "shift-rotate"), "fashion-mnist": ("shift", "shift-rotate",
                   "shift-rotate-flip")}  # fmt: skip
"""Digits are not flipped (a mirrored 2 is not a 2); clothes may be."""


@dataclass(frozen=True)
class Setup:
    """The overfitting experiment's common ground: data, a deliberately large model, the recipe."""

    dataset: str = "digits"
    train_images: int = 100
    width: int = 512
    epochs: int = 20
    lr: float = 2e-3
    batch_size: int = 16
    seed: int = 0


@dataclass(frozen=True)
class Remedies:
    """Which remedies are switched on, each with its setting (None = off)."""

    dropout: float | None = None  # rate after each hidden layer
    weight_decay: float | None = None  # AdamW's decoupled decay
    patience: int | None = None  # early stopping on validation loss
    augment: str | None = None  # an AUGMENT_CHOICES name
    more_data: int | None = None  # training images instead of Setup.train_images

    def any(self) -> bool:
        """True when at least one remedy is on."""
        return any(v is not None for v in vars(self).values())


@dataclass(frozen=True)
class RunCurves:
    """What the page draws of one run: its name, config, epochs and how it ended (small)."""

    name: str
    config: TrainConfig
    history: tuple[EpochStats, ...]
    status: str
    message: str
    best_epoch: int | None
    cached: bool = False
    seconds: float = 0.0


def curves_of(name: str, result: TrainResult) -> RunCurves:
    """The drawable part of a finished (or stopped) run."""
    return RunCurves(
        name,
        result.config,
        tuple(result.history),
        result.status,
        result.message,
        result.best_epoch,
        result.cached,
        result.train_seconds,
    )


def model_spec(width: int, dropout: float = 0.0) -> ModelSpec:
    """The experiment's MLP: two hidden ReLU layers of ``width`` units, dropout after each."""
    return ModelSpec(kind="mlp", hidden=(width, width), dropout=dropout)


BLOW_UP = 20.0
"""A batch loss above this many times what guessing costs (ln of the class count) ends a run
as diverged: AdamW keeps a far too large learning rate's numbers finite, so without a limit the
run would go on for every epoch at a loss in the millions and learn nothing."""


def baseline_config(setup: Setup) -> TrainConfig:
    """The unregularised run: AdamW without decay, every epoch, training images scored too."""
    return TrainConfig(
        dataset=setup.dataset,
        model=model_spec(setup.width),
        optimizer="adamw",
        lr=setup.lr,
        weight_decay=0.0,
        batch_size=setup.batch_size,
        epochs=setup.epochs,
        train_subset=setup.train_images,
        val_fraction=VAL_FRACTION[setup.dataset],
        seed=setup.seed,
        precision="fp32",
        nested_split=True,
        eval_train=True,
        diverge_above=BLOW_UP * math.log(dataset_info(setup.dataset).num_classes),
    )


def remedy_runs(setup: Setup, remedies: Remedies) -> list[tuple[str, TrainConfig]]:
    """``(name, config)``: the baseline, then one run per switched-on remedy (everything else as
    the baseline), then all of them together when more than one is on."""
    base = baseline_config(setup)
    single = _single_remedies(base, setup, remedies)
    runs = [("No remedy", base), *single]
    if len(single) > 1:
        together = base
        for _, cfg in single:
            together = _merge(together, cfg, base)
        runs.append(("All together", together))
    return runs


def _single_remedies(base: TrainConfig, setup: Setup, r: Remedies) -> list[tuple[str, TrainConfig]]:
    out = []
    if r.dropout is not None:
        out.append(
            (f"Dropout {r.dropout:g}", replace(base, model=model_spec(setup.width, r.dropout)))
        )
    if r.weight_decay is not None:
        out.append((f"Weight decay {r.weight_decay:g}", replace(base, weight_decay=r.weight_decay)))
    if r.patience is not None:
        out.append((f"Early stopping (patience {r.patience})", replace(base, patience=r.patience)))
    if r.augment is not None:
        out.append((f"Augmentation ({r.augment})", replace(base, augment=r.augment)))
    if r.more_data is not None and r.more_data != setup.train_images:
        out.append((f"{r.more_data:,} training images", replace(base, train_subset=r.more_data)))
    return out


def _merge(acc: TrainConfig, cfg: TrainConfig, base: TrainConfig) -> TrainConfig:
    """``acc`` with every field where ``cfg`` differs from ``base`` taken from ``cfg``."""
    changes = {
        name: getattr(cfg, name)
        for name in ("model", "weight_decay", "patience", "augment", "train_subset")
        if getattr(cfg, name) != getattr(base, name)
    }
    return replace(acc, **changes)


def random_label_runs(setup: Setup) -> list[tuple[str, TrainConfig]]:
    """Zhang et al. (2017): the same network on true labels and on randomly permuted ones."""
    base = baseline_config(setup)
    return [("True labels", base), ("Random labels", replace(base, shuffle_labels=True))]


@dataclass(frozen=True)
class SweepSetup:
    """The capacity x data grid: widths (rows) x training-set sizes (columns)."""

    dataset: str = "digits"
    widths: tuple[int, ...] = (16, 64, 256, 1024)
    sizes: tuple[int, ...] = (50, 150, 400, 1150)
    epochs: int = 15
    lr: float = 2e-3
    batch_size: int = 32
    seed: int = 0


def sweep_runs(sweep: SweepSetup) -> list[tuple[str, TrainConfig]]:
    """One config per cell, row by row (width), column by column (training images)."""
    out = []
    for width in sweep.widths:
        for size in sweep.sizes:
            setup = Setup(sweep.dataset, size, width, sweep.epochs, sweep.lr, sweep.batch_size,
                          sweep.seed)  # fmt: skip
            out.append((f"width {width}, {size:,} images", baseline_config(setup)))
    return out


@dataclass(frozen=True)
class Gap:
    """The generalization gap at one epoch: training minus validation accuracy, and validation
    minus training loss (both positive when the model does better on what it trained on)."""

    epoch: int
    train_acc: float
    val_acc: float
    accuracy_gap: float
    loss_gap: float


def gap_at(history: Sequence[EpochStats], epoch: int | None = None) -> Gap | None:
    """The gap after ``epoch`` (1-based; None: the last finished one), or None without it."""
    if not history:
        return None
    e = history[(epoch or len(history)) - 1]
    if e.fit_acc is None or e.fit_loss is None:
        return None
    return Gap(e.epoch, e.fit_acc, e.val_acc, e.fit_acc - e.val_acc, e.val_loss - e.fit_loss)


def kept_epoch(run: RunCurves) -> int | None:
    """The epoch whose weights the run keeps: the best validation epoch of an early-stopped run,
    else the last finished one (None when none finished)."""
    if run.best_epoch is not None and run.status == "early-stopped":
        return run.best_epoch
    return len(run.history) or None
