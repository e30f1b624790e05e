"""A landscape computed in parts (``dlviz.landscape.parts``, what a Ray cluster computes) equals the
whole one bit for bit, whichever way the parts are cut and in whichever order they finish."""

from __future__ import annotations

import pickle

import pytest
import torch

from dlviz.landscape import LandscapeConfig, loss_landscape
from dlviz.landscape.parts import landscape_part, part_points, parts_of, plan, split_landscape
from tests.unit.test_landscape import images, tiny_cnn, tiny_mlp, trained_pair


class InProcess:
    """A ``PartsMap`` that computes the parts here, last part first (results come back in order)."""

    def __init__(self, cpus: int) -> None:
        self.cpus = cpus
        self.finished: list[int] = []

    def map(self, fn, shared, parts, on_done=None):
        shared = pickle.loads(pickle.dumps(shared))  # what a task receives
        results = {}
        for i in reversed(range(len(parts))):
            results[i] = fn(shared, parts[i], None)
            self.finished.append(i)
            if on_done is not None:
                on_done(i, results[i])
        return [results[i] for i in range(len(parts))]


FIELDS = ("line_t", "line_loss", "line_acc", "coords", "plane_loss", "plane_acc")


@pytest.mark.parametrize("make", [tiny_cnn, tiny_mlp])
@pytest.mark.parametrize("cpus", [1, 2, 5])
def test_the_parts_give_the_whole_landscape_exactly(make, cpus):
    model = make()
    x, y = images()
    initial, final = trained_pair(model, x, y)
    cfg = LandscapeConfig(resolution=7, line_points=9, test_images=50, span=0.5)
    whole = loss_landscape(model, initial, final, x, y, cfg)
    seen = []
    parts = split_landscape(
        model, initial, final, x, y, cfg, InProcess(cpus), lambda d, n: seen.append((d, n))
    )
    for field in FIELDS:
        a, b = getattr(whole, field), getattr(parts, field)
        assert a.dtype == b.dtype and a.shape == b.shape and torch.equal(a, b), field
    assert (parts.trained_loss, parts.trained_acc) == (whole.trained_loss, whole.trained_acc)
    assert parts.images == whole.images == 50
    assert seen[-1] == (cfg.points, cfg.points) and [d for d, _ in seen] == sorted(
        d for d, _ in seen
    )


@pytest.mark.parametrize("resolution, cpus", [(5, 1), (7, 2), (41, 2), (41, 16), (51, 32)])
def test_the_parts_cover_every_weight_setting_once(resolution, cpus):
    cfg = LandscapeConfig(resolution=resolution)
    parts = parts_of(cfg, cpus)
    rows = [r for kind, r0, r1 in parts if kind == "plane" for r in range(r0, r1)]
    assert rows == list(range(resolution))
    assert all(r1 - r0 >= 2 for kind, r0, r1 in parts[1:-1])  # a few rows each (the last: rest)
    assert sum(part_points(cfg, p) for p in parts) == cfg.points


def test_a_part_calls_tick_after_every_weight_setting():
    model = tiny_mlp()
    x, y = images()
    initial, final = trained_pair(model, x, y)
    cfg = LandscapeConfig(resolution=5, line_points=5, test_images=20)
    p = plan(model, initial, final, x, y, cfg)
    ticks = []
    landscape_part(p, ("plane", 1, 3), lambda: ticks.append(1))
    assert len(ticks) == 10
