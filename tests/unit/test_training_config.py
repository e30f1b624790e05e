"""dlviz.training.config: frozen, hashable, versioned keys; clear errors for bad settings; metrics."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace

import numpy as np
import pytest
import torch

from dlviz.metrics import confusion_matrix, per_class_accuracy
from dlviz.training import (
    TrainConfig,
    train,
)
from dlviz.training.models import ModelSpec

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_config_is_frozen_hashable_and_keyed():
    a = TrainConfig()
    with pytest.raises(FrozenInstanceError):
        a.lr = 0.1
    assert hash(a) == hash(TrainConfig())
    assert a.key() == TrainConfig().key() and len(a.key()) == 64
    assert a.key() != replace(a, lr=0.01).key()
    spec_cfg = TrainConfig(model=ModelSpec(kind="cnn", channels=(8,)))
    assert TrainConfig.from_dict(spec_cfg.to_dict()) == spec_cfg
    assert TrainConfig.from_dict(spec_cfg.to_dict()).key() == spec_cfg.key()


def test_key_depends_on_dlviz_version(monkeypatch):
    import dlviz

    before = TrainConfig().key()
    monkeypatch.setattr(dlviz, "__version__", "9.9.9")
    assert TrainConfig().key() != before


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"dataset": "imagenet"}, "dataset"),
        ({"model": "resnet"}, "model"),
        ({"optimizer": "lbfgs"}, "optimizer"),
        ({"lr": 0.0}, "Learning rate"),
        ({"lr": float("nan")}, "Learning rate"),
        ({"momentum": 1.0}, "Momentum"),
        ({"batch_size": 0}, "Batch size"),
        ({"epochs": 0}, "Epochs"),
        ({"train_subset": 1}, "subset"),
        ({"val_fraction": 0.9}, "Validation"),
        ({"patience": 0}, "Patience"),
        ({"patience": 2, "val_fraction": 0.0}, "validation"),
        ({"weight_decay": -1.0}, "Weight decay"),
        ({"precision": "fp16"}, "precision"),
        ({"diverge_above": 0.0}, "diverge_above"),
        ({"diverge_above": float("inf")}, "diverge_above"),
    ],
)
def test_bad_configs_raise_clear_errors(kw, match):
    with pytest.raises(ValueError, match=match):
        TrainConfig(**kw)


def test_config_and_data_must_agree(data):
    with pytest.raises(ValueError, match="mnist"):
        train(TrainConfig(dataset="mnist"), data)


def test_metrics_confusion_matrix():
    labels = torch.tensor([0, 0, 1, 2, 2, 2])
    preds = torch.tensor([0, 1, 1, 2, 0, 2])
    m = confusion_matrix(labels, preds, 3)
    assert m.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    np.testing.assert_allclose(per_class_accuracy(m), [0.5, 1.0, 2 / 3])
