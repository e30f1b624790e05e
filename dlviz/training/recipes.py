"""How a model preset becomes the ``TrainConfig`` of a default run: the one home of those rules.

The Training page (its form's defaults and the cached default run it opens), the CLI, the
benchmarks and the Loss-landscape page's quick runs all start from ``preset_config``: the preset's
fast dlviz recipe, adjusted for the small Digits set and, where the dataset's size is known, kept
to ``DEFAULT_TRAIN_IMAGES`` training images. It builds configs only; it trains nothing.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dlviz.training.config import TrainConfig
from dlviz.training.models import PRESETS, ModelPreset, ModelSpec

DIGITS_RECIPE: dict[str, int] = {"batch_size": 32, "epochs": 10}
"""A default run on Digits (1,437 training images): small batches and more epochs, still seconds."""
DEFAULT_TRAIN_IMAGES = 10_000
"""The most training images of a default run when the dataset's size is given (the page: a run of
seconds to a minute on a small CPU). Without it (the CLI) a default run takes them all."""


def preset_config(
    model: str | ModelSpec,
    dataset: str | None = None,
    *,
    train_images: int | None = None,
    **overrides: Any,
) -> TrainConfig:
    """The default run of a preset (or of a custom ``ModelSpec``) on ``dataset``; overrides win.

    The one home of the default-run rules, for the page, the CLI and the benchmarks alike: the
    preset's fast dlviz recipe (optimizer, lr, batch size, epochs; a ``ModelSpec`` takes the
    ``ModelPreset`` defaults), ``DIGITS_RECIPE`` on Digits and, when ``train_images`` (the size
    of the dataset's training set) is given, at most ``DEFAULT_TRAIN_IMAGES`` of them; a
    ``train_subset`` that covers all ``train_images`` becomes None (all images).
    """
    preset = _preset_of(model)
    dataset = dataset or preset.reported_dataset or "digits"
    recipe = {
        "optimizer": preset.optimizer,
        "lr": preset.lr,
        "batch_size": preset.batch_size,
        "epochs": preset.epochs,
        **(DIGITS_RECIPE if dataset == "digits" else {}),
    }
    cfg = TrainConfig(dataset=dataset, model=model, **recipe)
    if train_images is not None:
        overrides = {"train_subset": min(DEFAULT_TRAIN_IMAGES, train_images), **overrides}
        subset = overrides["train_subset"]
        if isinstance(subset, int) and subset >= train_images:
            overrides["train_subset"] = None
    return replace(cfg, **overrides)


def _preset_of(model: str | ModelSpec) -> ModelPreset:
    """The preset of a name; a custom spec gets the ``ModelPreset`` defaults as its recipe."""
    if isinstance(model, ModelSpec):
        return ModelPreset("custom", "Your own layers.", None, None, "", spec=model)
    if model not in PRESETS:
        raise ValueError(f"Unknown model preset {model!r}; choose one of {', '.join(PRESETS)}.")
    return PRESETS[model]
