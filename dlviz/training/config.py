"""Training configuration and the records a run produces: dataclasses and their checks, no training here.

``TrainConfig`` is frozen, hence hashable, and ``TrainConfig.key()`` (sha256 of its sorted JSON
plus the dlviz version) names a run in the disk store (a preset's default config comes from
``dlviz.training.recipes.preset_config``). ``EpochStats`` is one row of a run's
history, ``Progress`` is what callbacks receive while a run is going, and ``TrainResult`` is what
``dlviz.training.train`` returns (history, weights, per-epoch test predictions).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any

import torch

from dlviz.training.models import PRESETS, ModelSpec

if TYPE_CHECKING:
    from torch import nn

    from dlviz.data import DatasetInfo

OPTIMIZER_CHOICES: tuple[str, ...] = ("sgd", "momentum", "adam", "adamw", "rmsprop")
"""sgd = plain SGD; momentum = SGD with ``TrainConfig.momentum``; rmsprop without momentum."""

PRECISIONS: tuple[str, ...] = ("auto", "fp32", "bf16")
"""fp32 = float32 throughout; bf16 = forward passes under bfloat16 autocast, with float32 weights,
loss and optimizer state (mixed precision); auto = bf16 for models with convolutions on a CPU with
native bf16 instructions (``dlviz.runtime.bf16_native``: AVX512-BF16 or AMX), where it makes a
CNN step about 1.5x faster at the same accuracy, and fp32 everywhere else. The precision a run
used is ``TrainResult.precision``."""


AUGMENTATIONS: tuple[str, ...] = ("none", "shift", "shift-rotate", "shift-rotate-flip")
"""Random changes to each training image, drawn anew every time it is used
(``dlviz.training.augment``): shifts by up to an eighth of the image, rotations by up to 10
degrees, horizontal flips (sensible for clothes, not for digits)."""

MAX_EPOCHS = 20
"""Most epochs one run may take, on the page and in the CLI: minutes on one or two shared cores."""
MAX_BATCH_SIZE = 512
"""Largest batch (the page's largest choice): a CIFAR-10 CNN's activations stay under a GB."""
MAX_SEED = 2**64 - 1
"""Seeds are 64-bit unsigned integers (what ``torch.manual_seed`` accepts)."""


@dataclass(frozen=True)
class TrainConfig:
    """Everything that determines a training run (hashable; ``key()`` names it in the store)."""

    dataset: str = "digits"
    model: str | ModelSpec = "seed-mlp"  # a preset name or a ModelSpec
    optimizer: str = "adam"  # "sgd" | "momentum" | "adam" | "adamw" | "rmsprop"
    lr: float = 1e-3
    momentum: float = 0.9  # used by "momentum"
    weight_decay: float = 0.0
    batch_size: int = 128
    epochs: int = 5
    train_subset: int | None = None  # None = all training images
    val_fraction: float = 0.1  # held out from the (subset of) training images
    seed: int = 0
    patience: int | None = None  # early stopping on validation loss
    precision: str = "auto"  # "auto" | "fp32" | "bf16" (see PRECISIONS)
    # Generalization experiments (left out of ``key()`` at their defaults, so the keys of runs
    # stored before these fields existed do not change):
    augment: str = "none"  # see AUGMENTATIONS; applied to training batches only
    shuffle_labels: bool = False  # the training images' labels randomly permuted (seeded)
    nested_split: bool = False  # validation first, from all images (see split_indices)
    eval_train: bool = False  # also score the training images in eval mode every epoch
    diverge_above: float | None = None  # a finite batch loss above this also counts as diverged

    def __post_init__(self) -> None:
        _validate(self)

    def key(self) -> str:
        """sha256 hex of the sorted JSON of ``asdict(self)`` and the dlviz version."""
        from dlviz import __version__

        config = self.to_dict()
        for name, default in EXPERIMENT_DEFAULTS.items():
            if config[name] == default:
                del config[name]
        payload = json.dumps({"config": config, "version": __version__}, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict (a ModelSpec becomes a dict)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TrainConfig:
        """Inverse of ``to_dict`` (unknown keys are ignored)."""
        names = {f.name for f in fields(cls)}
        kw = {k: v for k, v in d.items() if k in names}
        if isinstance(kw.get("model"), dict):
            spec_names = {f.name for f in fields(ModelSpec)}
            kw["model"] = ModelSpec(**{k: v for k, v in kw["model"].items() if k in spec_names})
        return cls(**kw)

    def model_name(self) -> str:
        """The preset name, or a short description of a custom spec."""
        if isinstance(self.model, str):
            return self.model
        s = self.model
        body = "-".join(map(str, s.channels)) + "/" if s.kind == "cnn" else ""
        return f"{s.kind}-{body}{'-'.join(map(str, s.hidden))}-{s.activation}"


EXPERIMENT_DEFAULTS: dict[str, Any] = {
    "augment": "none",
    "shuffle_labels": False,
    "nested_split": False,
    "eval_train": False,
    "diverge_above": None,
}
"""The generalization fields and their defaults (a config at these defaults keeps its old key)."""


def _validate(cfg: TrainConfig) -> None:
    """Raise ValueError with a clear sentence for a config that cannot run (the first problem)."""
    for checks in (_choice_checks, _optimizer_checks, _size_checks, _run_checks):
        for ok, message in checks(cfg):
            if not ok:
                raise ValueError(message)


Checks = Iterator[tuple[bool, str]]
"""(passes, what to say when it does not), evaluated one at a time: the first failure stops."""


def _choice_checks(cfg: TrainConfig) -> Checks:
    """The dataset, the model and the optimizer are ones dlviz knows."""
    from dlviz.data import DATASETS

    yield (
        cfg.dataset in DATASETS,
        f"Unknown dataset {cfg.dataset!r}; choose one of {', '.join(DATASETS)}.",
    )
    yield (
        isinstance(cfg.model, ModelSpec) or cfg.model in PRESETS,
        f"Unknown model {cfg.model!r}; choose one of {', '.join(PRESETS)} or pass a ModelSpec.",
    )
    yield (
        cfg.optimizer in OPTIMIZER_CHOICES,
        f"Unknown optimizer {cfg.optimizer!r}; choose one of {', '.join(OPTIMIZER_CHOICES)}.",
    )


def _optimizer_checks(cfg: TrainConfig) -> Checks:
    """Learning rate, momentum and weight decay are finite and in range."""
    yield _finite(cfg.lr) and cfg.lr > 0, f"Learning rate must be a positive number, got {cfg.lr}."
    yield (
        _finite(cfg.momentum) and 0 <= cfg.momentum < 1,
        f"Momentum must be in [0, 1), got {cfg.momentum}.",
    )
    yield (
        _finite(cfg.weight_decay) and cfg.weight_decay >= 0,
        f"Weight decay must be >= 0, got {cfg.weight_decay}.",
    )


def _size_checks(cfg: TrainConfig) -> Checks:
    """Batch size, epochs, training subset and validation fraction are within the bounds."""
    yield (
        _int(cfg.batch_size) and 1 <= cfg.batch_size <= MAX_BATCH_SIZE,
        f"Batch size must be a whole number from 1 to {MAX_BATCH_SIZE}, got {cfg.batch_size}.",
    )
    yield (
        _int(cfg.epochs) and 1 <= cfg.epochs <= MAX_EPOCHS,
        f"Epochs must be a whole number from 1 to {MAX_EPOCHS}, got {cfg.epochs}.",
    )
    yield (
        cfg.train_subset is None or (_int(cfg.train_subset) and cfg.train_subset >= 2),
        f"Training subset must be None or at least 2 images, got {cfg.train_subset}.",
    )
    yield (
        _finite(cfg.val_fraction) and 0 <= cfg.val_fraction <= 0.5,
        f"Validation fraction must be in [0, 0.5], got {cfg.val_fraction}.",
    )


def _run_checks(cfg: TrainConfig) -> Checks:
    """The seed fits in 64 bits, early stopping can watch a validation loss, the precision exists."""
    yield (
        _int(cfg.seed) and 0 <= cfg.seed <= MAX_SEED,
        f"Seed must be a whole number from 0 to 2**64 - 1 (it must fit in 64 bits), "
        f"got {cfg.seed!r}.",
    )
    yield (
        cfg.patience is None or (_int(cfg.patience) and cfg.patience >= 1),
        f"Patience must be None or a positive integer, got {cfg.patience}.",
    )
    yield (
        cfg.precision in PRECISIONS,
        f"Unknown precision {cfg.precision!r}; choose one of {', '.join(PRECISIONS)}.",
    )
    yield (
        cfg.patience is None or cfg.val_fraction > 0,
        "Early stopping watches the validation loss: set val_fraction > 0 or patience=None.",
    )
    yield (
        cfg.augment in AUGMENTATIONS,
        f"Unknown augmentation {cfg.augment!r}; choose one of {', '.join(AUGMENTATIONS)}.",
    )
    for name in ("shuffle_labels", "nested_split", "eval_train"):
        yield isinstance(getattr(cfg, name), bool), f"{name} must be True or False."
    yield (
        cfg.diverge_above is None or (_finite(cfg.diverge_above) and cfg.diverge_above > 0),
        "diverge_above must be a positive number of loss, or None.",
    )


def _finite(x: object) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _int(x: object) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


@dataclass(frozen=True)
class EpochStats:
    """One finished epoch: mean train loss/accuracy over its batches, validation and test scores."""

    epoch: int  # 1-based
    train_loss: float
    train_acc: float
    val_loss: float  # nan when val_fraction == 0
    val_acc: float
    test_loss: float
    test_acc: float
    seconds: float  # wall time of the epoch, evaluation included
    # The training images scored in eval mode after the epoch (no dropout, no augmentation,
    # the labels they were trained on); None unless ``TrainConfig.eval_train``.
    fit_loss: float | None = None
    fit_acc: float | None = None


@dataclass(frozen=True)
class Progress:
    """What callbacks receive: ``kind`` "step" (every few batches) or "epoch" (end of an epoch)."""

    kind: str
    epoch: int  # 1-based epoch in progress (or just finished)
    epochs: int
    step: int  # 1-based step within the epoch
    steps_per_epoch: int
    loss: float  # latest training batch loss
    history: tuple[EpochStats, ...]  # finished epochs so far

    @property
    def fraction(self) -> float:
        """Fraction of the whole run done, in [0, 1]."""
        done = (self.epoch - 1) * self.steps_per_epoch + self.step
        return min(1.0, done / max(1, self.epochs * self.steps_per_epoch))


Callback = Callable[[Progress], "bool | None"]
"""Called with each ``Progress``; return True to ask the run to stop."""


@dataclass
class TrainResult:
    """A finished (or stopped, or diverged) run: history, weights and per-epoch test predictions."""

    config: TrainConfig
    history: list[EpochStats]
    status: str  # "completed" | "stopped" | "early-stopped" | "diverged"
    message: str  # a human sentence saying how the run ended
    diverged_at: tuple[int, int] | None  # (epoch, step), 1-based
    initial_state: dict[str, torch.Tensor]  # state_dict before training (CPU, contiguous)
    final_state: dict[str, torch.Tensor]  # at the end (best-val if early-stopped; last finite
    # epoch if diverged)
    test_labels: torch.Tensor  # int64 [M]
    test_preds: list[torch.Tensor]  # per finished epoch: int64 [M]
    test_probs: list[torch.Tensor]  # per finished epoch: float16 [M, classes]
    train_seconds: float  # wall time of the whole run, evaluation included
    samples_per_second: float  # training images per second of optimisation steps
    parameters: int
    cached: bool = False  # True when loaded from the store
    best_epoch: int | None = None  # epoch whose weights are final_state (None: the last one)
    eval_seconds: float = 0.0  # part of train_seconds spent evaluating validation and test sets
    created: float = 0.0  # time.time() when the run finished
    precision: str = "fp32"  # what the run used: "fp32" or "bf16" (config "auto" resolved)
    device: str = "cpu"  # where it trained: "cpu", "cuda" or "mps"

    @property
    def test_acc(self) -> float:
        """Test accuracy of the last finished epoch (nan when none finished)."""
        return self.history[-1].test_acc if self.history else float("nan")

    @property
    def epochs_done(self) -> int:
        """Number of finished epochs."""
        return len(self.history)

    def model(self, info: DatasetInfo, weights: str = "final") -> nn.Module:
        """Rebuild the model for ``info`` and load the "final" or "initial" weights (eval mode)."""
        from dlviz.training.models import build_model

        model = build_model(self.config.model, info.shape, info.num_classes)
        model.load_state_dict(self.final_state if weights == "final" else self.initial_state)
        return model.eval()
