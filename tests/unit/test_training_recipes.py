"""A preset's default run: the one recipe the page, the CLI and the benchmarks start from."""

from __future__ import annotations

import pytest

from dlviz.training import DEFAULT_TRAIN_IMAGES, DIGITS_RECIPE, TrainConfig, preset_config
from dlviz.training.models import PRESETS, ModelPreset, ModelSpec


def test_preset_config_uses_the_preset_recipe():
    c = preset_config("seed-cnn", "fashion-mnist", epochs=1)
    p = PRESETS["seed-cnn"]
    assert (c.dataset, c.model, c.optimizer, c.lr, c.batch_size, c.epochs) == (
        "fashion-mnist",
        "seed-cnn",
        p.optimizer,
        p.lr,
        p.batch_size,
        1,
    )
    assert c.optimizer == "adam" and c.batch_size >= 128  # the fast recipe, not the textbook's


@pytest.mark.parametrize("model", list(PRESETS))
def test_on_digits_every_preset_takes_small_batches_and_more_epochs(model):
    c = preset_config(model, "digits")
    assert (c.batch_size, c.epochs) == (DIGITS_RECIPE["batch_size"], DIGITS_RECIPE["epochs"])
    assert (c.optimizer, c.lr) == (PRESETS[model].optimizer, PRESETS[model].lr)
    assert c.train_subset is None


def test_the_dataset_size_caps_a_default_run_and_all_images_is_none():
    assert preset_config("seed-cnn", "mnist", train_images=60_000).train_subset == 10_000
    assert DEFAULT_TRAIN_IMAGES == 10_000
    assert preset_config("seed-cnn", "mnist").train_subset is None  # the CLI: all images
    assert preset_config("seed-mlp", "digits", train_images=1437).train_subset is None
    small = preset_config("seed-mlp", "fashion-mnist", train_images=800)
    assert small.train_subset is None
    picked = preset_config("seed-mlp", "mnist", train_images=60_000, train_subset=500)
    assert picked.train_subset == 500
    assert preset_config("seed-mlp", "mnist", train_images=60_000, train_subset=60_000) == (
        preset_config("seed-mlp", "mnist")
    )


def test_overrides_win_over_the_recipe_and_the_digits_adjustment():
    c = preset_config("seed-mlp", "digits", epochs=10, batch_size=64, seed=3, precision="fp32")
    assert (c.epochs, c.batch_size, c.seed, c.precision) == (10, 64, 3, "fp32")
    assert c == TrainConfig(
        dataset="digits", model="seed-mlp", lr=PRESETS["seed-mlp"].lr, epochs=10, batch_size=64,
        seed=3, precision="fp32",
    )  # fmt: skip


def test_a_custom_network_takes_the_default_recipe():
    spec = ModelSpec(kind="cnn", channels=(8,), hidden=(16,))
    default = ModelPreset("x", "x", None, None, "x")
    c = preset_config(spec, "cifar10", train_images=50_000)
    assert c.model == spec and c.dataset == "cifar10" and c.train_subset == 10_000
    assert (c.optimizer, c.lr, c.batch_size, c.epochs) == (
        default.optimizer, default.lr, default.batch_size, default.epochs,
    )  # fmt: skip
    assert preset_config(spec).dataset == "digits"
    assert preset_config("seed-cifar-cnn").dataset == "cifar10"  # the notebook's dataset


def test_unknown_presets_and_bad_overrides_say_what_is_wrong():
    with pytest.raises(ValueError, match="Unknown model preset 'resnet'"):
        preset_config("resnet", "digits")
    with pytest.raises(ValueError, match="Epochs must be"):
        preset_config("seed-mlp", "digits", epochs=0)
