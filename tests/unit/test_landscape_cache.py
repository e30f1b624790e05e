"""The landscape cache chain: an LRU in memory, then the disk store, else computed once and stored."""

from __future__ import annotations

import copy
import threading
from types import SimpleNamespace

import pytest
import torch
from torch import nn

from dlviz.data import DatasetUnavailable, synthetic_dataset
from dlviz.landscape import (
    LandscapeCache,
    LandscapeConfig,
    LandscapeStore,
    loss_landscape,
    run_landscape,
)
from dlviz.landscape.cache import RUN_GONE

DATA = synthetic_dataset("digits", n_train=8, n_test=30)


def small(seed: int = 0) -> LandscapeConfig:
    return LandscapeConfig(resolution=5, line_points=3, test_images=20, seed=seed)


def fake_run(model_error: Exception | None = None) -> SimpleNamespace:
    """What the cache needs of a stored run: its dataset's name, its model, two weight states."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 10))
    initial = copy.deepcopy(model.state_dict())
    with torch.no_grad():
        model[1].weight.mul_(1.5)

    def rebuild(info):
        if model_error is not None:
            raise model_error
        return copy.deepcopy(model)

    return SimpleNamespace(
        config=SimpleNamespace(dataset="digits"),
        model=rebuild,
        initial_state=initial,
        final_state=copy.deepcopy(model.state_dict()),
    )


class Runs:
    """A run store and a dataset loader that count how often the cache has to go to them."""

    def __init__(self, run=None, data_error: Exception | None = None):
        self.run = fake_run() if run is None else run
        self.data_error = data_error
        self.loads = 0

    def load_run(self, key: str):
        self.loads += 1
        return None if key == "gone" else self.run

    def load_data(self, name: str):
        if self.data_error is not None:
            raise self.data_error
        return DATA

    def lookup(self, cache: LandscapeCache, key: str, cfg: LandscapeConfig, **kwargs):
        return cache.lookup(key, cfg, load_run=self.load_run, load_data=self.load_data, **kwargs)


def test_a_landscape_is_computed_once_then_found_in_memory(tmp_path):
    cache, runs = LandscapeCache(LandscapeStore(tmp_path)), Runs()
    seen = []
    first = runs.lookup(cache, "run", small(), progress=lambda d, n: seen.append((d, n)))
    assert first.source == "computed" and first.landscape is not None and not first.disk_error
    assert seen[0] == (0, small().points) and seen[-1] == (small().points, small().points)
    again = runs.lookup(cache, "run", small())
    assert again.source == "memory" and again.landscape is first.landscape
    assert runs.loads == 1
    assert cache.get("run", small()) is first.landscape


def test_the_computed_landscape_is_the_runs_landscape_on_its_test_images(tmp_path):
    cache, runs = LandscapeCache(LandscapeStore(tmp_path)), Runs()
    land = runs.lookup(cache, "run", small()).landscape
    run = runs.run
    direct = run_landscape(run, run.model(DATA.info), DATA, small())
    assert torch.equal(land.plane_loss, direct.plane_loss) and land.images == 20
    x = (DATA.test_x[:20].float() / 255 - DATA.info.mean[0]) / DATA.info.std[0]
    model = run.model(DATA.info)
    by_hand = loss_landscape(
        model, run.initial_state, run.final_state, x, DATA.test_y[:20], small()
    )
    assert torch.allclose(land.plane_loss, by_hand.plane_loss, atol=1e-5)


def test_a_disk_hit_is_not_computed_and_is_kept_in_memory(tmp_path):
    computed = Runs().lookup(LandscapeCache(LandscapeStore(tmp_path)), "run", small()).landscape
    cache, runs = LandscapeCache(LandscapeStore(tmp_path)), Runs()  # a fresh process
    found = runs.lookup(cache, "run", small())
    assert found.source == "disk" and runs.loads == 0
    assert torch.equal(found.landscape.plane_loss, computed.plane_loss)
    assert cache.in_memory() == [("run", small())]
    assert runs.lookup(cache, "run", small()).source == "memory"


def test_the_memory_is_an_lru_bounded_by_its_size(tmp_path):
    cache, runs = LandscapeCache(LandscapeStore(tmp_path), size=2), Runs()
    for seed in (0, 1):
        runs.lookup(cache, "run", small(seed))
    assert cache.in_memory() == [("run", small(0)), ("run", small(1))]
    runs.lookup(cache, "run", small(0))  # used again: now the most recent
    assert cache.in_memory() == [("run", small(1)), ("run", small(0))]
    runs.lookup(cache, "run", small(2))  # evicts the least recently used
    assert cache.in_memory() == [("run", small(0)), ("run", small(2))]
    assert runs.lookup(cache, "run", small(1)).source == "disk"  # still on disk
    assert len(cache.in_memory()) == 2


def test_a_failing_disk_write_keeps_the_landscape_in_memory_and_says_why(tmp_path):
    class FullDisk(LandscapeStore):
        def put(self, run_key, landscape):
            raise OSError("No space left on device")

    cache, runs = LandscapeCache(FullDisk(tmp_path)), Runs()
    found = runs.lookup(cache, "run", small())
    assert found.landscape is not None and found.source == "computed"
    assert "No space left" in found.disk_error
    assert runs.lookup(cache, "run", small()).source == "memory" and runs.loads == 1
    assert not list(tmp_path.glob("*.pt"))


def test_a_taken_slot_computes_nothing_and_says_busy(tmp_path):
    cache, runs, slot = LandscapeCache(LandscapeStore(tmp_path)), Runs(), threading.Lock()
    slot.acquire()
    found = runs.lookup(cache, "run", small(), slot=slot)
    assert found.busy and found.landscape is None and not cache.in_memory()
    slot.release()
    assert runs.lookup(cache, "run", small(), slot=slot).source == "computed"
    assert slot.acquire(blocking=False)  # released again after computing


@pytest.mark.parametrize(
    ("runs", "key", "words"),
    [
        (Runs(), "gone", RUN_GONE),
        (Runs(data_error=DatasetUnavailable("no MNIST files")), "run", "not available: no MNIST"),
        (Runs(fake_run(RuntimeError("size mismatch"))), "run", "rebuild this run's model"),
    ],
)
def test_a_run_that_cannot_be_had_is_a_problem_in_words(tmp_path, runs, key, words):
    found = runs.lookup(LandscapeCache(LandscapeStore(tmp_path)), key, small())
    assert found.landscape is None and words in found.problem and not found.busy


def test_size_must_be_positive(tmp_path):
    with pytest.raises(ValueError):
        LandscapeCache(LandscapeStore(tmp_path), size=0)
