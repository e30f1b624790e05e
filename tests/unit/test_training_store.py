"""The run store on a local folder and on S3 (moto's S3 server, through s3fs): round trips,
atomic writes, corrupt entries replaced, two writers of one key, size-bounded pruning. Every
test runs on both."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
import torch

import dlviz.training.store as store_mod
from dlviz.data import synthetic_dataset
from dlviz.training import RunStore, TrainConfig, train, train_cached
from dlviz.training.models import ModelSpec
from tests.s3 import fresh_prefix, s3_server

CFG = TrainConfig(dataset="digits", model=ModelSpec(hidden=(16,)), epochs=2, batch_size=64, lr=1e-2)


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def data():
    return synthetic_dataset("digits", n_train=200, n_test=50, seed=1)


@pytest.fixture(scope="module")
def result(data):
    return train(CFG, data)


@pytest.fixture(scope="module")
def s3():
    with s3_server() as endpoint:
        yield endpoint


@pytest.fixture(params=["local", "s3"])
def where(request, tmp_path):
    """An empty store location: a local folder, or a fresh prefix in the S3 test bucket."""
    if request.param == "local":
        return tmp_path / "runs"
    request.getfixturevalue("s3")
    return fresh_prefix() + "/runs"


def test_put_then_get_round_trips_everything(where, result):
    store = RunStore(where)
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
    assert got.device == result.device == "cpu"
    bf16 = replace(result, config=replace(CFG, precision="bf16"), precision="bf16")
    store.put(bf16)
    assert store.get(bf16.config).precision == "bf16"
    assert store.load(CFG.key()) is not None


def test_runs_lists_newest_first(where, result):
    store = RunStore(where)
    store.put(result)
    later = replace(result, config=replace(CFG, seed=5), created=result.created + 10)
    store.put(later)
    runs = store.runs()
    assert [r.key for r in runs] == [later.config.key(), CFG.key()]
    assert runs[1].config == CFG and runs[1].epochs_done == 2
    assert runs[1].test_acc == pytest.approx(result.test_acc)
    assert runs[1].status == "completed"


def test_corrupt_entry_is_ignored_and_replaced(where, data, result):
    store = RunStore(where)
    store.put(result)
    name = store.weights_name(CFG.key())
    whole = store.folder.read(name)
    store.folder.write(name, whole[: len(whole) // 2])  # a torn object
    assert store.get(CFG) is None
    assert store.folder.read(name) is None and store.manifest(CFG.key()) is None  # dropped
    assert store.runs() == []
    fresh = train_cached(CFG, data, store)
    assert not fresh.cached and store.manifest(CFG.key()) is not None
    assert train_cached(CFG, data, store).cached


def test_garbage_and_foreign_entries_are_ignored(where, result):
    store = RunStore(where)
    store.folder.write(f"{CFG.key()}.json", b"not json")
    assert store.get(CFG) is None and store.runs() == []
    store.put(result)
    other = TrainConfig(seed=99)
    manifest = store.folder.read(f"{CFG.key()}.json").replace(
        CFG.key().encode(), other.key().encode()
    )
    store.folder.write(f"{other.key()}.json", manifest)  # another key's manifest, this content
    assert store.get(other) is None


def test_entries_from_another_dlviz_version_are_not_used(where, result, monkeypatch):
    store = RunStore(where)
    store.put(result)
    monkeypatch.setattr(store_mod, "__version__", "0.0.0-other")
    assert store.load(CFG.key()) is None


def test_writes_are_atomic_and_a_failed_put_leaves_nothing(where, result, monkeypatch):
    store = RunStore(where)

    def exploding_save(obj, f):
        f.write(b"partial")
        raise RuntimeError("disk full")

    monkeypatch.setattr(store_mod.torch, "save", exploding_save)
    store.put(result)  # must not raise
    assert store.last_error and "disk full" in store.last_error
    assert store.folder.entries() == []  # neither a partial entry nor a temporary object


def test_unwritable_store_does_not_crash(where, tmp_path, data):
    if str(where).startswith("s3://"):
        where = "s3://no-such-bucket-for-dlviz/runs"  # PutObject fails: the bucket is missing
    else:
        blocker = tmp_path / "file"
        blocker.write_text("x")
        where = blocker / "runs"
    store = RunStore(where)
    result = train_cached(CFG, data, store)
    assert result.status == "completed" and store.last_error
    assert store.runs() == []


def test_two_writers_of_one_key_leave_one_complete_entry(where, result, monkeypatch):
    """B stores its whole entry between A's weights and A's manifest: the last manifest (A's)
    names A's own weights, so the entry is A's, whole; B's weights are pruned once stale."""
    store_a, store_b = RunStore(where), RunStore(where)
    a, b = replace(result, train_seconds=1.0), replace(result, train_seconds=2.0)
    real = store_a.folder.write

    def write(name, data):
        real(name, data)
        if name.endswith(".pt"):
            store_b.put(b)

    monkeypatch.setattr(store_a.folder, "write", write)
    store_a.put(a)
    reader = RunStore(where)
    got = reader.get(CFG)
    assert got.train_seconds == 1.0
    assert [r.train_seconds for r in reader.runs()] == [1.0]  # listing and weights agree
    weights = [e.name for e in reader.folder.entries() if e.name.endswith(".pt")]
    assert len(weights) == 2  # B's is an orphan, young enough to be a writer in progress
    later = time.time() + 2 * store_mod.STALE_TEMP_SECONDS
    monkeypatch.setattr(store_mod.time, "time", lambda: later)
    reader.prune()
    assert [e.name for e in reader.folder.entries() if e.name.endswith(".pt")] == [
        reader.weights_name(CFG.key())
    ]
    assert reader.get(CFG).train_seconds == 1.0


def test_prune_keeps_the_store_under_its_size_bound(where, result):
    store = RunStore(where, max_bytes=10**9)
    keys = []
    for seed in range(3):
        r = replace(result, config=replace(CFG, seed=seed))
        store.put(r)
        keys.append(r.config.key())
        if str(where).startswith("s3://"):
            time.sleep(1.05)  # S3 keeps times in whole seconds: the order must show
    entry = {e.name: e.size for e in store.folder.entries()}
    one = entry[store.weights_name(keys[0])] + entry[f"{keys[0]}.json"]
    store.max_bytes = int(one * 2.5)
    store.prune()
    assert store.size_bytes() <= store.max_bytes
    assert {r.key for r in store.runs()} == {keys[1], keys[2]}  # the least recently used went
    assert store.get(replace(CFG, seed=0)) is None
