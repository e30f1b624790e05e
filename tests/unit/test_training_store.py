"""The run store: round trips, atomic writes, corrupt entries replaced, size-bounded pruning."""

from __future__ import annotations

import json
import os
import time
from dataclasses import replace

import pytest
import torch

import dlviz.training.store as store_mod
from dlviz.data import synthetic_dataset
from dlviz.training import RunStore, TrainConfig, train, train_cached
from dlviz.training.models import ModelSpec

CFG = TrainConfig(dataset="digits", model=ModelSpec(hidden=(16,)), epochs=2, batch_size=64, lr=1e-2)


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def data():
    return synthetic_dataset("digits", n_train=200, n_test=50, seed=1)


@pytest.fixture(scope="module")
def result(data):
    return train(CFG, data)


def test_put_then_get_round_trips_everything(tmp_path, result):
    store = RunStore(tmp_path)
    assert store.get(CFG) is None
    store.put(result)
    got = store.get(CFG)
    assert got is not None and got.cached and not result.cached
    assert got.config == CFG and got.history == result.history
    assert (got.status, got.message, got.diverged_at) == (result.status, result.message, None)
    for k in result.final_state:
        assert torch.equal(got.final_state[k], result.final_state[k])
        assert torch.equal(got.initial_state[k], result.initial_state[k])
    assert torch.equal(got.test_labels, result.test_labels) and got.test_labels.dtype == torch.int64
    for a, b in zip(got.test_preds, result.test_preds, strict=True):
        assert a.dtype == torch.int64 and torch.equal(a, b)
    for a, b in zip(got.test_probs, result.test_probs, strict=True):
        assert a.dtype == torch.float16 and torch.equal(a, b)
    assert got.parameters == result.parameters
    assert got.train_seconds == result.train_seconds
    assert got.samples_per_second == result.samples_per_second
    assert got.precision == result.precision == "fp32"  # "auto" resolves to fp32 for an MLP
    bf16 = replace(result, config=replace(CFG, precision="bf16"), precision="bf16")
    store.put(bf16)
    assert store.get(bf16.config).precision == "bf16"
    assert store.load(CFG.key()) is not None


def test_runs_lists_newest_first(tmp_path, result):
    store = RunStore(tmp_path)
    store.put(result)
    later = replace(result, config=replace(CFG, seed=5), created=result.created + 10)
    store.put(later)
    runs = store.runs()
    assert [r.key for r in runs] == [later.config.key(), CFG.key()]
    assert runs[1].config == CFG and runs[1].epochs_done == 2
    assert runs[1].test_acc == pytest.approx(result.test_acc)
    assert runs[1].status == "completed"


def test_corrupt_entry_is_ignored_and_replaced(tmp_path, data, result):
    store = RunStore(tmp_path)
    store.put(result)
    path = store.path(CFG.key())
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])  # a torn write
    assert store.get(CFG) is None
    assert not path.exists()  # dropped
    assert store.runs() == []
    fresh = train_cached(CFG, data, store)
    assert not fresh.cached and path.exists()
    assert train_cached(CFG, data, store).cached


def test_garbage_and_foreign_entries_are_ignored(tmp_path, result):
    store = RunStore(tmp_path)
    store.path(CFG.key()).write_bytes(b"not a torch file")
    assert store.get(CFG) is None
    store.put(result)
    other = TrainConfig(seed=99)
    os.replace(store.path(CFG.key()), store.path(other.key()))  # wrong content under a key
    assert store.get(other) is None


def test_entries_from_another_dlviz_version_are_not_used(tmp_path, result, monkeypatch):
    store = RunStore(tmp_path)
    store.put(result)
    monkeypatch.setattr(store_mod, "__version__", "0.0.0-other")
    assert store.load(CFG.key()) is None


def test_writes_are_atomic_temp_then_rename(tmp_path, result, monkeypatch):
    store = RunStore(tmp_path)

    def exploding_save(obj, f):
        f.write(b"partial")
        raise RuntimeError("disk full")

    monkeypatch.setattr(store_mod.torch, "save", exploding_save)
    store.put(result)  # must not raise
    assert store.last_error and "disk full" in store.last_error
    assert list(tmp_path.iterdir()) == []  # neither a partial entry nor a temp file is left


def test_unwritable_store_does_not_crash(tmp_path, data):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    store = RunStore(blocker / "runs")
    result = train_cached(CFG, data, store)
    assert result.status == "completed" and store.last_error
    assert store.runs() == []


def test_prune_keeps_the_store_under_its_size_bound(tmp_path, result):
    store = RunStore(tmp_path, max_bytes=10**9)
    keys = []
    for seed in range(3):
        r = replace(result, config=replace(CFG, seed=seed))
        store.put(r)
        keys.append(r.config.key())
        past = time.time() - 100 + seed  # older runs were used longer ago
        os.utime(store.path(keys[-1]), (past, past))
    one = store.path(keys[0]).stat().st_size + (tmp_path / f"{keys[0]}.json").stat().st_size
    store.max_bytes = int(one * 2.5)
    store.prune()
    assert store.size_bytes() <= store.max_bytes
    assert {r.key for r in store.runs()} == {keys[1], keys[2]}  # the least recently used went
    assert store.get(replace(CFG, seed=0)) is None


def test_stale_temp_files_are_cleaned(tmp_path, result):
    store = RunStore(tmp_path)
    stale = tmp_path / ".abc.pt.xyz.tmp"
    stale.write_bytes(b"x")
    old = time.time() - 2 * store_mod.STALE_TEMP_SECONDS
    os.utime(stale, (old, old))
    fresh = tmp_path / ".def.pt.xyz.tmp"
    fresh.write_bytes(b"x")  # maybe another process writing right now
    store.put(result)
    assert not stale.exists() and fresh.exists()


def test_train_cached_trains_once(tmp_path, data, monkeypatch):
    store = RunStore(tmp_path)
    first = train_cached(CFG, data, store)
    assert not first.cached

    def no_training(*a, **k):
        raise AssertionError("trained twice")

    monkeypatch.setattr(store_mod, "train", no_training)
    second = train_cached(CFG, data, store)
    assert second.cached and second.history == first.history


def test_train_cached_without_store_and_stopped_runs_are_not_stored(tmp_path, data):
    assert not train_cached(CFG, data, None).cached
    store = RunStore(tmp_path)
    stopped = train_cached(CFG, data, store, [lambda p: True])
    assert stopped.status == "stopped"
    assert store.get(CFG) is None


def test_cached_run_for_other_data_is_not_reused(tmp_path, data):
    store = RunStore(tmp_path)
    train_cached(CFG, data, store)
    other = synthetic_dataset("digits", n_train=200, n_test=50, seed=2)
    assert not train_cached(CFG, other, store).cached


def test_find_answers_the_stored_run_of_a_config_for_this_data(tmp_path, data, result):
    store = RunStore(tmp_path)
    assert store.find(CFG, data) is None
    store.put(result)
    hit = store.find(CFG, data)
    assert hit is not None and hit.cached and hit.history == result.history
    other = synthetic_dataset("digits", n_train=200, n_test=50, seed=2)  # other test labels
    assert store.get(CFG) is not None and store.find(CFG, other) is None
    assert store.find(replace(CFG, seed=1), data) is None


def test_summary_json_is_plain(tmp_path, result):
    store = RunStore(tmp_path)
    store.put(result)
    d = json.loads((tmp_path / f"{CFG.key()}.json").read_text())
    assert d["key"] == CFG.key() and d["config"]["model"]["hidden"] == [16]
