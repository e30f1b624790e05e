"""The live Trainer: seeded reruns, Step/Play/Pause/Reset, live lr, divergence, idle stop."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import torch

from dlviz.playground.data import DataConfig, make_dataset
from dlviz.playground.model import (
    ModelConfig,
    TrainSettings,
    build_mlp,
    cross_entropy,
    linear_layers,
)
from dlviz.playground.session import DIVERGED, PAUSED, READY, RUNNING, Trainer
from dlviz.playground.sharing import cpu_share, pause_after_epoch, playing_now, redraw_seconds
from tests.support import playground_workers, wait_until


@pytest.fixture(scope="module")
def data():
    return make_dataset(DataConfig(name="moons", n_samples=200, noise=0.1))


def small(data, **kw) -> Trainer:
    model = ModelConfig(hidden=(6, 6), **kw.pop("model", {}))
    settings = TrainSettings(**kw.pop("settings", {}))
    return Trainer(data, model, settings, grid=30, map_grid=10, **kw)


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
    assert wait_until(lambda: not playground_workers())  # the worker has ended: nothing trains
    frozen = t.epoch
    assert t.snapshot().epoch == frozen == t.epoch


def test_playing_trainers_are_counted_and_a_busy_class_redraws_less_often(data):
    trainers = [small(data, settings={"epochs_per_second": 5}) for _ in range(3)]
    before = playing_now()
    for t in trainers:
        t.play()
    assert playing_now() == before + 3
    trainers[0].pause()
    assert wait_until(lambda: playing_now() == before + 2)
    for t in trainers:
        t.pause()
    assert wait_until(lambda: playing_now() == before)
    # one or two learners: every half second; ten: every 2.5 s; never slower than 3 s
    assert redraw_seconds(0) == redraw_seconds(2) == 0.5
    assert redraw_seconds(10) == 2.5 and redraw_seconds(100) == 3.0
    steps = [redraw_seconds(n) for n in range(40)]
    assert steps == sorted(steps)
    # the total redraws a class asks for stays bounded: at most ~4 per second from 2 learners on
    assert max(n / redraw_seconds(n) for n in range(1, 13)) <= 4.0


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


# A setting that overflows for certain: SGD, lr 10, batch size 1, leaky ReLU. Leaky ReLU neither
# saturates nor switches off, so (test below) the gradients grow with the weights: a step that is
# several times the weights makes the next gradient larger in proportion, the growth feeds itself,
# and float32 overflows (NaN / infinity) within 48 of the 140 single-point steps of the first epoch
# here (32 of 350 on the page's default data), for every one of 40 weight seeds. No threshold is
# involved, so no rounding difference between CPUs can change the verdict. tanh caps every hidden
# output at ±1, so its gradients and steps stay bounded: at lr 10 its loss only bounces around, and
# when a bounce first crosses 10x the start depends on the last bits of every float operation
# (epoch 29 on this Intel CPU, 6 with ATen's scalar kernels; the page test used to rely on it).
EXPLODES = {
    "model": {"optimizer": "sgd", "activation": "leaky_relu"},
    "settings": {"lr": 10.0, "batch_size": 1, "epochs_per_second": 0},
}


def _last_layer_grad(data, activation: str, scale: float) -> float:
    """|dL/dW_out| on a misclassified point after scaling every weight by ``scale``."""
    model = build_mlp(2, 2, ModelConfig(hidden=(6, 6), activation=activation, seed=3))
    with torch.no_grad():
        for lin in linear_layers(model):
            lin.weight.mul_(scale)  # biases start at zero: the net is positively homogeneous
    x, y = data.x_train, data.y_train
    i = int((model(x).argmax(1) != y).nonzero()[0])
    cross_entropy(model(x[i : i + 1]), y[i : i + 1]).backward()
    return float(linear_layers(model)[-1].weight.grad.norm())


def test_leaky_relu_gradients_grow_with_the_weights_and_tanh_gradients_are_bounded(data):
    """Why one setting must overflow and the other cannot: dL/dW_out = (p - y) h^T.

    tanh: |p - y| <= sqrt(2) and |h| <= sqrt(width), whatever the weights. Leaky ReLU with zero
    biases: h(c W) = c^2 h(W) for two hidden layers, so the gradient grows with the weights.
    """
    bound = math.sqrt(2) * math.sqrt(6)
    for scale in (1.0, 10.0, 1000.0):
        assert _last_layer_grad(data, "tanh", scale) <= bound
    small_w, large_w = (_last_layer_grad(data, "leaky_relu", c) for c in (1.0, 10.0))
    assert large_w >= 10.0 * small_w  # at least linear; c^2 times while p - y stays put


def test_divergence_pauses_keeps_finite_weights_and_recover_divides_lr(data):
    t = small(data, **EXPLODES)
    w0 = [w.copy() for w in t.snapshot().weights]
    t.play()
    assert wait_until(lambda: not t.running)
    s = t.snapshot()
    assert t.status == DIVERGED and s.epoch == 0
    assert "diverged in epoch 1" in s.message and "infinite or NaN" in s.message
    assert "learning rate 10 " in s.message
    for w, before in zip(s.weights, w0, strict=True):  # rolled back to the last finite weights
        np.testing.assert_array_equal(w, before)
    assert all(np.isfinite(v).all() for v in s.history.values())
    t.play()  # refused while diverged
    assert not t.running
    new_lr = t.recover()
    assert new_lr == pytest.approx(1.0) and t.settings.lr == pytest.approx(1.0)
    assert t.status == PAUSED and "Rolled back" in t.snapshot().message
    t.update_settings(TrainSettings(lr=0.01, batch_size=16))
    t.step(3)
    assert t.status == PAUSED and t.epoch == s.epoch + 3


@pytest.mark.parametrize(
    ("blow_up", "words"),
    [
        (lambda p: p.mul_(float("nan")), "training loss became infinite or NaN"),
        (lambda p: p.mul_(1e38), "training loss became infinite or NaN"),  # logits overflow
        (lambda p: p.mul_(1e3), "training loss jumped to"),  # finite, far above the start
    ],
)
def test_a_blow_up_in_any_form_is_caught_and_rolled_back(data, monkeypatch, blow_up, words):
    """The detector alone: an epoch that ends with the weights scaled up must be flagged."""
    t = small(data)
    t.step(1)
    good = [w.copy() for w in t.snapshot().weights]

    def exploding_epoch(model, *args):
        with torch.no_grad():
            for p in model.parameters():
                blow_up(p)
        return 0.0

    monkeypatch.setattr("dlviz.playground.session.train_epoch", exploding_epoch)
    t.step(1)
    s = t.snapshot()
    assert t.status == DIVERGED and s.epoch == 1 and words in s.message
    for w, before in zip(s.weights, good, strict=True):
        np.testing.assert_array_equal(w, before)
    assert t.recover(lr=0.003) == 0.003 and t.settings.lr == 0.003  # exactly the page's option
    assert "learning rate to 0.003." in t.message


def test_inf_weights_with_a_finite_loss_still_count_as_divergence(data, monkeypatch):
    t = small(data)

    def one_infinite_weight(model, *args):
        with torch.no_grad():
            linear_layers(model)[0].bias[0] = float("inf")  # a neuron tanh saturates: loss finite
        return 0.0

    monkeypatch.setattr("dlviz.playground.session.train_epoch", one_infinite_weight)
    t.step(1)
    assert t.status == DIVERGED and "some weights became infinite" in t.message


KERNEL_PATHS = r"""
import json
from dlviz.playground.data import DataConfig, make_dataset
from dlviz.playground.model import ModelConfig, TrainSettings
from dlviz.playground.session import Trainer
data = make_dataset(DataConfig(name="moons", n_samples=200, noise=0.1))
out = []
for seed in range(5):
    model = ModelConfig(hidden=(6, 6), activation="leaky_relu", optimizer="sgd", seed=seed)
    t = Trainer(data, model, TrainSettings(lr=10.0, batch_size=1), grid=10, map_grid=5)
    t.step(1)
    out.append([t.status, t.message])
print(json.dumps(out))
"""


def test_divergence_does_not_depend_on_the_cpu_kernels():
    """The same verdict, epoch and words without SIMD kernels: ATen's scalar code and MKL's
    conditional-reproducibility path round differently from this CPU's AVX-512 kernels (each
    alone moves the tanh setting's first 10x bounce from epoch 29 to epoch 6, or 2)."""
    env = {"ATEN_CPU_CAPABILITY": "default", "MKL_CBWR": "COMPATIBLE"}
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", KERNEL_PATHS],
        cwd=root,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    for status, message in json.loads(out.stdout.strip().splitlines()[-1]):
        assert status == DIVERGED and "epoch 1: the training loss became infinite" in message


def test_worker_stops_when_nobody_watches(data):
    now = [0.0]
    t = small(data, idle_timeout=5.0, clock=lambda: now[0])
    t.update_settings(TrainSettings(epochs_per_second=0))
    t.play()
    assert wait_until(lambda: t.epoch >= 1)
    now[0] = 100.0  # no snapshot for 100 "seconds"
    assert wait_until(lambda: not t.running)
    assert t.status == PAUSED and "stopped watching" in t.snapshot().message


def test_a_connected_page_that_stops_polling_keeps_its_trainer_playing(data):
    """A starved browser polls late but is still there; only a page that is gone ends it."""
    now = [0.0]
    connected = [True]
    t = small(data, idle_timeout=5.0, clock=lambda: now[0])
    t.watched = lambda: connected[0]
    t.update_settings(TrainSettings(epochs_per_second=0))
    t.play()
    assert wait_until(lambda: t.epoch >= 1)
    now[0] = 100.0  # no snapshot for 100 "seconds", but the page is connected
    seen = t.epoch
    assert wait_until(lambda: t.epoch >= seen + 3) and t.running
    connected[0] = False  # the tab closed
    assert wait_until(lambda: not t.running)
    assert t.status == PAUSED


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


def test_each_trainer_gets_half_the_servers_cpus_split_between_the_trainers_playing():
    assert cpu_share(1, cpus=2) == 1.0  # one learner on two cores: never held back
    assert cpu_share(2, cpus=1) == 0.25
    assert cpu_share(10, cpus=1) == pytest.approx(0.05)  # ten on one core: half of it together
    assert cpu_share(0, cpus=1) == 0.5


def test_the_pause_after_an_epoch_honours_the_speed_and_the_cpu_share():
    # 20 epochs/s, an epoch of 10 ms (all CPU): the speed asks for 40 ms more
    assert pause_after_epoch(0.010, 0.010, 20.0, 1.0) == pytest.approx(0.040)
    # a share of 0.05: 10 ms of CPU allows one epoch per 200 ms, whatever the speed setting
    assert pause_after_epoch(0.010, 0.010, 20.0, 0.05) == pytest.approx(0.190)
    assert pause_after_epoch(0.010, 0.010, 0.0, 0.05) == pytest.approx(0.190)  # "max" too
    # an epoch that waited on the lock (wall time, not CPU) already paid part of its share
    assert pause_after_epoch(0.150, 0.010, 0.0, 0.05) == pytest.approx(0.050)
    assert pause_after_epoch(0.5, 0.010, 20.0, 0.05) == 0.001  # late already: just yield


def test_a_trainer_on_a_crowded_server_plays_slower_and_says_how_fast(data):
    """Each epoch "costs" 0.1 s of CPU (a fake CPU clock) and the share is 0.1 of a core: at
    most one epoch a second, even at speed "max"; ``top_speed`` tells the page so."""
    cpu = [0.0]

    def cpu_clock() -> float:
        cpu[0] += 0.1  # read before and after each epoch: 0.1 s per epoch
        return cpu[0]

    t = small(data, cpu_clock=cpu_clock, share=lambda: 0.1, settings={"epochs_per_second": 0})
    t.play()
    assert wait_until(lambda: t.epoch >= 1)
    start = t.epoch
    threading.Event().wait(1.5)
    t.pause()
    assert t.epoch - start <= 2  # unpaced it would play hundreds in 1.5 s
    assert t.top_speed() == pytest.approx(1.0)
    free = small(data, cpu_clock=cpu_clock, share=lambda: 1.0, settings={"epochs_per_second": 0})
    free.step(1)
    assert free.top_speed() is None  # a whole core: nothing to say


def test_the_page_says_what_sharing_the_server_holds_back():
    from dlviz.ui.playground.live import sharing_note

    assert sharing_note(1, 0.5, None) is None  # alone, full speed: nothing to say
    assert sharing_note(3, 0.75, None) == (
        "3 learners are training on this server right now, so the figures redraw every 0.75 s "
        "to share it; training keeps its speed."
    )
    assert sharing_note(10, 2.5, 4.04) == (
        "10 learners are training on this server right now, so each trains at up to 4 epochs "
        "per second and the figures redraw every 2.5 s to share it."
    )
    assert sharing_note(1, 0.5, 33.3).startswith("1 learner is training")
