"""The live Trainer: seeded reruns, Step/Play/Pause/Reset, live lr, divergence, idle stop."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
import torch

from dlviz.playground.data import DataConfig, make_dataset
from dlviz.playground.model import ModelConfig, TrainSettings, linear_layers
from dlviz.playground.session import DIVERGED, PAUSED, READY, RUNNING, Trainer


@pytest.fixture(scope="module")
def data():
    return make_dataset(DataConfig(name="moons", n_samples=200, noise=0.1))


def small(data, **kw) -> Trainer:
    model = ModelConfig(hidden=(6, 6), **kw.pop("model", {}))
    settings = TrainSettings(**kw.pop("settings", {}))
    return Trainer(data, model, settings, grid=30, map_grid=10, **kw)


def wait_until(cond, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.02)
    return False


def test_new_trainer_is_ready_at_epoch_zero_with_a_snapshot(data):
    t = small(data)
    s = t.snapshot()
    assert (t.status, s.epoch) == (READY, 0)
    assert s.probs.shape == (30, 30, 2)
    np.testing.assert_allclose(s.probs.sum(-1), 1, atol=1e-5)
    assert [m.shape for m in s.maps] == [(2, 10, 10), (6, 10, 10), (6, 10, 10), (2, 10, 10)]
    assert [w.shape for w in s.weights] == [(6, 2), (6, 6), (2, 6)]
    assert len(s.history["epoch"]) == 1 and s.confusion.sum() == len(data.x_test)


def test_step_trains_one_epoch_and_lowers_the_loss(data):
    t = small(data)
    t.step()
    assert (t.epoch, t.status) == (1, PAUSED)
    t.step(9)
    h = t.snapshot().history
    assert h["epoch"].tolist() == list(range(11))
    assert h["train_loss"][-1] < h["train_loss"][0]


def test_same_seed_same_start_and_same_run(data):
    a, b = small(data), small(data)
    for pa, pb in zip(a.model.parameters(), b.model.parameters(), strict=True):
        assert torch.equal(pa, pb)
    a.step(3)
    b.step(3)
    np.testing.assert_array_equal(
        a.snapshot().history["train_loss"], b.snapshot().history["train_loss"]
    )
    c = small(data, model={"seed": 1})
    assert not torch.equal(linear_layers(a.model)[0].weight, linear_layers(c.model)[0].weight)


def test_reset_goes_back_to_the_initial_weights(data):
    t = small(data)
    w0 = linear_layers(t.model)[0].weight.detach().clone()
    t.step(3)
    assert not torch.equal(linear_layers(t.model)[0].weight, w0)
    t.reset()
    assert t.epoch == 0 and t.status == READY
    assert torch.equal(linear_layers(t.model)[0].weight, w0)


def test_play_trains_in_one_background_thread_until_paused(data):
    t = small(data, settings={"epochs_per_second": 0})
    t.play()
    t.play()  # a second Play must not start a second worker
    workers = [th for th in threading.enumerate() if th.name == "dlviz-playground"]
    assert t.running and t.status == RUNNING and len(workers) == 1
    assert wait_until(lambda: t.snapshot().epoch >= 3)
    t.pause()
    assert not t.running and t.status == PAUSED
    frozen = t.epoch
    time.sleep(0.2)
    assert t.epoch == frozen
    assert not any(th.name == "dlviz-playground" and th.is_alive() for th in threading.enumerate())


def test_learning_rate_changes_while_it_runs(data):
    t = small(data, settings={"epochs_per_second": 0})
    t.play()
    t.update_settings(TrainSettings(lr=0.001, epochs_per_second=0))
    assert all(g["lr"] == 0.001 for g in t.opt.param_groups)
    assert wait_until(lambda: t.snapshot().epoch >= 2)
    assert t.snapshot().lr == 0.001
    t.pause()


def test_step_while_playing_pauses_first(data):
    t = small(data, settings={"epochs_per_second": 0})
    t.play()
    assert wait_until(lambda: t.snapshot().epoch >= 1)
    t.step()
    assert not t.running and t.status == PAUSED


def test_divergence_pauses_keeps_finite_weights_and_recover_divides_lr(data):
    t = small(data, model={"optimizer": "sgd"}, settings={"lr": 10.0, "epochs_per_second": 0})
    t.play()
    assert wait_until(lambda: not t.running)
    s = t.snapshot()
    assert t.status == DIVERGED and "diverged" in s.message and "10" in s.message
    assert all(np.isfinite(w).all() for w in s.weights)
    assert all(np.isfinite(v).all() for v in s.history.values())
    t.play()  # refused while diverged
    assert not t.running
    new_lr = t.recover()
    assert new_lr == pytest.approx(1.0)
    assert t.status == PAUSED and "Rolled back" in t.snapshot().message
    t.step(3)
    assert t.status == PAUSED and t.epoch == s.epoch + 3


def test_worker_stops_when_nobody_watches(data):
    now = [0.0]
    t = small(data, idle_timeout=5.0, clock=lambda: now[0])
    t.update_settings(TrainSettings(epochs_per_second=0))
    t.play()
    assert wait_until(lambda: t.epoch >= 1)
    now[0] = 100.0  # no snapshot for 100 "seconds"
    assert wait_until(lambda: not t.running)
    assert t.status == PAUSED and "stopped watching" in t.snapshot().message


def test_worker_stops_at_max_epochs(data):
    t = small(data, max_epochs=4, settings={"epochs_per_second": 0})
    t.play()
    assert wait_until(lambda: not t.running)
    assert t.epoch == 4 and "4 epochs" in t.snapshot().message
    t.play()
    assert not t.running


def test_snapshot_is_a_copy_the_worker_cannot_change(data):
    t = small(data)
    s = t.snapshot()
    w = s.weights[0].copy()
    t.step(2)
    np.testing.assert_array_equal(s.weights[0], w)
