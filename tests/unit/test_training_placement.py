"""Keeping a run's images on the GPU when they fit (``dlviz.training.placement``), checked on the
CPU: the decision from (bytes needed, bytes free), and batches indexed from resident tensors equal
the streamed ones byte for byte, so a run trains on the same numbers either way."""

from __future__ import annotations

import pytest
import torch

import dlviz.training.loop as loop
from dlviz.training import TrainConfig, train
from dlviz.training.inference import batch_input
from dlviz.training.models import ModelSpec
from dlviz.training.placement import (
    MPS_FREE_BYTES,
    fits,
    free_bytes,
    keeps_resident,
    nbytes,
    place,
)

pytestmark = pytest.mark.usefixtures("one_torch_thread")
GiB = 2**30


def test_the_images_stay_on_the_device_only_when_they_fit_comfortably():
    assert fits(GiB, 4 * GiB) and fits(2 * GiB, 4 * GiB)  # half of what is free at most
    assert not fits(2 * GiB + 1, 4 * GiB) and not fits(1, None) and not fits(-1, GiB)
    cuda, mps, cpu = torch.device("cuda"), torch.device("mps"), torch.device("cpu")
    mnist = 70_000 * 28 * 28 + 70_000 * 8  # uint8 images and int64 labels: ~55 MB
    assert keeps_resident(cuda, mnist, 140 * GiB) and keeps_resident(cuda, mnist, 200 * 2**20)
    assert not keeps_resident(cuda, mnist, 100 * 2**20)  # a nearly full GPU: stream
    assert keeps_resident(mps, mnist, MPS_FREE_BYTES)
    assert not keeps_resident(mps, 2 * GiB, MPS_FREE_BYTES)  # MPS: 1 GiB at most
    assert not keeps_resident(cpu, 1, 10 * GiB) and free_bytes(cpu) is None


def test_resident_batches_equal_streamed_ones(data):
    cpu = torch.device("cpu")
    parts = ((data.train_x, data.train_y), (data.test_x[:10], data.test_y[:10]))
    parts = (parts[0], parts[1], (data.test_x, data.test_y))
    streamed, resident = place(cpu, *parts, resident=False), place(cpu, *parts, resident=True)
    assert place(cpu, *parts).resident is False  # the CPU never copies anything
    assert nbytes(data.train_x) == data.train_x.numel()
    order = torch.randperm(len(data.train_y), generator=torch.Generator().manual_seed(0))
    for idx in order.split(64):
        (xa, ya), (xb, yb) = streamed.batch(idx), resident.batch(idx)
        assert torch.equal(xa, xb) and torch.equal(ya, yb) and xa.dtype == xb.dtype == torch.uint8
        a, b = batch_input(xa, data.info, True, cpu), batch_input(xb, data.info, True, cpu)
        assert torch.equal(a, b)


def test_images_move_once_when_they_fit_and_augmented_runs_stream(data, monkeypatch):
    import dlviz.training.placement as placement

    monkeypatch.setattr(placement, "free_bytes", lambda device: 100 * GiB)
    meta = torch.device("meta")  # not the CPU: tensors move there without memory
    parts = ((data.train_x[:8], data.train_y[:8]),) * 3
    moved = place(meta, *parts)
    assert moved.resident and moved.train_x.device.type == "meta"
    assert moved.batch(torch.arange(4))[0].device.type == "meta"
    kept = place(meta, *parts, augment="shift")  # drawn and applied on the host, batch by batch
    assert not kept.resident and kept.train_x.device.type == "cpu"


def test_a_run_from_resident_images_equals_the_streamed_run(data, monkeypatch):
    cfg = TrainConfig(
        dataset="digits", model=ModelSpec(kind="cnn", channels=(4,), hidden=(8,)), epochs=2,
        batch_size=64, train_subset=400, eval_train=True,
    )  # fmt: skip
    streamed = train(cfg, data, device="cpu")
    real_place = loop.place
    monkeypatch.setattr(loop, "place", lambda *a, **k: real_place(*a, **k, resident=True))
    resident = train(cfg, data, device="cpu")
    assert [h.test_loss for h in resident.history] == [h.test_loss for h in streamed.history]
    assert [h.fit_acc for h in resident.history] == [h.fit_acc for h in streamed.history]
    for k, v in streamed.final_state.items():
        assert torch.equal(v, resident.final_state[k]), k
