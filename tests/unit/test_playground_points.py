"""The learner's own data: adding, removing and clearing points, and the CSV validator."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlviz.playground.data import DataConfig, make_dataset
from dlviz.playground.model import ModelConfig, TrainSettings
from dlviz.playground.points import (
    MAX_ROWS,
    add_point,
    from_table,
    parse_csv,
    remove_nearest,
    without_points,
)
from dlviz.playground.session import Trainer


def csv_bytes(header: str, rows: list[tuple]) -> bytes:
    return (header + "\n" + "\n".join(",".join(str(v) for v in r) for r in rows)).encode()


def test_add_remove_and_clear_points():
    d = make_dataset(DataConfig(n_samples=100))
    more = add_point(d, (1.5, -2.0), 1)
    assert len(more.x_train) == len(d.x_train) + 1 and len(d.x_train) == 70  # d is unchanged
    assert more.x_train[-1].tolist() == [1.5, -2.0] and int(more.y_train[-1]) == 1
    assert more.y_train.dtype == torch.int64
    assert int(add_point(d, (0, 0), 7).y_train[-1]) == 1  # clipped to the classes there are
    fewer = remove_nearest(more, (1.52, -1.98))
    assert fewer is not None and len(fewer.x_train) == 70
    assert remove_nearest(d, (50.0, 50.0)) is None  # nothing near
    t0 = d.x_test[3]
    gone = remove_nearest(d, (float(t0[0]), float(t0[1])))
    assert len(gone.x_test) == 29 and len(gone.x_train) == 70  # a test point can go too
    blank = without_points(d)
    assert len(blank.x_train) == len(blank.x_test) == 0 and blank.n_classes == d.n_classes
    reg = make_dataset(DataConfig(name="sine", n_samples=100))
    assert add_point(reg, (0.0, 0.0), 0.75).y_train[-1].item() == pytest.approx(0.75)


def test_a_trainer_keeps_its_weights_across_new_points_and_survives_no_points():
    d = make_dataset(DataConfig(n_samples=100))
    t = Trainer(d, ModelConfig(hidden=(4,)), TrainSettings(), grid=8, map_grid=4)
    t.step(2)
    w = t.snapshot().weights[0].copy()
    t.set_data(add_point(d, (0.0, 3.0), 0))
    snap = t.snapshot()
    np.testing.assert_array_equal(snap.weights[0], w)
    assert len(snap.train_pred) == 71 and t.epoch == 2
    t.set_data(without_points(d))
    t.step(1)
    snap = t.snapshot()
    assert np.isnan(snap.history["train_loss"][-1]) and t.status != "diverged"
    with pytest.raises(ValueError):
        t.set_data(make_dataset(DataConfig(name="sine", n_samples=100)))


def test_set_parameter_changes_one_weight_and_the_outputs_at_once():
    d = make_dataset(DataConfig(n_samples=100))
    t = Trainer(d, ModelConfig(hidden=(4,)), TrainSettings(), grid=8, map_grid=4)
    before = t.snapshot()
    t.set_parameter(0, 2, 1, 3.5)
    t.set_parameter(1, 0, None, -1.25)
    after = t.snapshot()
    assert after.weights[0][2, 1] == 3.5 and after.biases[1][0] == -1.25
    changed = after.weights[0] != before.weights[0]
    assert changed.sum() == 1
    assert not np.array_equal(after.probs, before.probs)
    assert after.history["train_loss"][-1] != before.history["train_loss"][-1]


def test_a_good_csv_becomes_data():
    rng = np.random.default_rng(0)
    rows = [(float(a), float(b), int(a > 0)) for a, b in rng.uniform(-3, 3, (40, 2))]
    x, y, task = parse_csv(csv_bytes(" X1 , x2,label", rows))
    assert task == "classification" and x.shape == (40, 2) and y.dtype == np.int64
    data = from_table(x, y, task, 0.25, 1)
    assert len(data.x_train) == 30 and data.n_classes == 2 and data.limit == 4.0
    rows = [(float(a), float(b), float(a * b)) for a, b in rng.uniform(-5, 5, (20, 2))]
    x, y, task = parse_csv(csv_bytes("x1,x2,target,comment", [(*r, "hi") for r in rows]))
    data = from_table(x, y, task)
    assert task == "regression" and data.regression and data.limit == 5.0
    assert data.y_train.dtype == torch.float32


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"", "empty"),
        (b"a,b,c\n1,2,3", "first row must name"),
        (csv_bytes("x1,x2,colour", [(1, 2, 0)] * 20), "label"),
        (csv_bytes("x1,x2,label", [(1, 2, 0)] * 5), "at least 10"),
        (csv_bytes("x1,x2,label", [(1, 2, 0), (1, 2, 1)] * (MAX_ROWS // 2 + 1)), "limit is 5,000"),
        (csv_bytes("x1,x2,label", [(1, 2, 0)] * 9 + [(1, "abc", 1)]), "Row 11: x2 is 'abc'"),
        (csv_bytes("x1,x2,label", [(1, 2, 0)] * 9 + [(1, "nan", 1)]), "finite"),
        (csv_bytes("x1,x2,label", [(1, 2, 0)] * 9 + [(1, 9, 1)]), "between -6 and 6"),
        (csv_bytes("x1,x2,label", [(1, 2, 0)] * 9 + [(1, 2, 1.5)]), "whole number"),
        (csv_bytes("x1,x2,label", [(1, 2, 0)] * 9 + [(1, 2, 5)]), "whole number"),
        (csv_bytes("x1,x2,label", [(1, 2, 0)] * 10), "two classes"),
        (csv_bytes("x1,x2,target", [(1, 2, 0)] * 9 + [(1, 2, 1e6)]), "Targets must"),
        (csv_bytes("x1,x2,label", [(1, 2, 0)] * 9 + [(1,)]), "Row 11 has 1 values"),
        (b"\xff\xfe\x00bad", "not a text"),
        (b"x1,x2,label\n" + b"1,2,0\n" * 200_000, "limit is 1 MB"),
    ],
)
def test_bad_csv_files_get_a_plain_message(raw, words):
    with pytest.raises(ValueError, match=None) as err:
        parse_csv(raw)
    assert words in str(err.value)
