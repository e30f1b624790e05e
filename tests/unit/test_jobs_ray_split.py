"""One job split across a real local Ray instance (``dlviz.jobs.fanout``): a landscape's rows and
a sweep's runs become Ray tasks beside the job's own actor, and give the local executor's numbers
exactly; Stop cancels the outstanding tasks; a part that fails fails the job with its sentence.

The Ray instance has three CPUs: the executor's one actor holds one, two are left for the tasks.
Skipped when Ray is not installed (``requirements-scale.txt``).
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import replace

import pytest

from dlviz.generalization import SweepSetup, sweep_runs
from dlviz.generalization.jobs import SeriesJob
from dlviz.jobs import Executor, LandscapeJob
from dlviz.jobs.kinds import load_data
from dlviz.landscape import LandscapeConfig
from dlviz.training import RunStore, preset_config, train_cached
from tests.support import wait_until
from tests.unit.job_kinds import Parts
from tests.unit.ray_support import (
    RAY_MARKS,
    TIMEOUT,
    finished,
    learner,
    local_executor,
    local_ray,
    settings,
)

ray = pytest.importorskip("ray")

pytestmark = RAY_MARKS
CPUS = 3
NAP = 240.0  # seconds each part of the Stop test naps: far longer than cancelling takes


@ray.remote(num_cpus=1)
def _warm() -> int:
    import torch  # noqa: F401

    import dlviz.jobs.fanout  # noqa: F401

    return os.getpid()


@pytest.fixture(scope="module")
def cluster():
    """A local Ray instance (three CPUs) for the module."""
    yield from local_ray(CPUS)


@pytest.fixture(scope="module")
def on_ray(cluster):
    """An executor with one actor on the running Ray; task workers with torch imported."""
    ray.get([_warm.remote() for _ in range(CPUS - 1)])
    ex = Executor(1, ray="auto")
    yield ex
    ex.shutdown()


@pytest.fixture(scope="module")
def local():
    yield from local_executor()


def tasks_hold_no_cpu() -> bool:
    """Only the executor's actor holds a CPU: no part task is running or waiting to run."""
    return ray.available_resources().get("CPU", 0) == CPUS - 1


def test_a_split_job_runs_its_parts_in_tasks_and_in_its_actor_in_order(on_ray):
    a = learner()
    done = finished(on_ray, on_ray.submit(Parts(f"p-{a}", parts=8, seconds=1.5), a).id, a)
    assert done.status == "done", done.message
    assert [part for part, _ in done.value] == list(range(8))
    (actor,) = on_ray.worker_pids()
    pids = {pid for _, pid in done.value}
    assert actor in pids and len(pids) >= 2, pids  # the actor and at least one task
    assert wait_until(tasks_hold_no_cpu, TIMEOUT)


def test_stop_cancels_the_outstanding_tasks(on_ray):
    a = learner()
    job = on_ray.submit(Parts(f"s-{a}", parts=6, seconds=NAP), a)
    assert wait_until(lambda: ray.available_resources().get("CPU", 0) == 0, TIMEOUT)  # all busy
    busy = time.monotonic()
    assert on_ray.cancel(job.id, a) == "stopping"
    assert finished(on_ray, job.id, a).status == "cancelled"
    # CPUs back before the naps could have ended: they came back because the tasks were cancelled
    # (Ray's workers run at nice 15; on a busy machine cancelling takes them a while)
    assert wait_until(tasks_hold_no_cpu, NAP - 10 - (time.monotonic() - busy))


def test_a_split_landscape_equals_the_local_one(on_ray, local, tmp_path):
    config = preset_config("seed-mlp", "digits", epochs=2, train_subset=300, seed=3)
    here, there = settings(tmp_path, "local"), settings(tmp_path, "ray")
    train_cached(
        config, load_data("digits", str(here.data_dir), False), RunStore(here.cache_dir / "runs")
    )
    shutil.copytree(here.cache_dir / "runs", there.cache_dir / "runs")  # the same run, no landscape
    shape = LandscapeConfig(resolution=9, line_points=5, test_images=100)
    near = local.run(LandscapeJob(config.key(), shape, here))
    far = on_ray.run(LandscapeJob(config.key(), shape, there))
    assert near.status == far.status == "done", (near.message, far.message)
    a, b = near.value, far.value
    for field in ("line_t", "line_loss", "line_acc", "coords", "plane_loss", "plane_acc"):
        assert torch_equal(getattr(a, field), getattr(b, field)), field
    assert (a.trained_loss, a.trained_acc, a.images) == (b.trained_loss, b.trained_acc, b.images)


def torch_equal(x, y) -> bool:
    return x.dtype == y.dtype and x.shape == y.shape and x.tolist() == y.tolist()


def test_a_split_sweep_equals_the_local_one(on_ray, local, tmp_path):
    runs = tuple(sweep_runs(SweepSetup(widths=(16, 64), sizes=(50, 150), epochs=2)))
    here = local.run(SeriesJob(runs, settings(tmp_path, "local"), "sweep"))
    there = on_ray.run(SeriesJob(runs, settings(tmp_path, "ray"), "sweep"))
    assert here.status == there.status == "done", (here.message, there.message)

    def scores(view):
        return [
            (r.name, r.status, [(h.test_acc, h.test_loss, h.fit_acc) for h in r.history])
            for r in view.value
        ]

    assert len(there.value) == 4 and scores(there) == scores(here)
    assert len(RunStore(settings(tmp_path, "ray").cache_dir / "runs").runs()) == 4  # all stored


def test_stop_ends_a_split_series_with_the_runs_it_has(on_ray, tmp_path):
    long = preset_config("seed-cnn", "digits", epochs=20)  # tens of seconds each, on this machine
    runs = tuple((f"run {i}", replace(long, seed=i)) for i in range(4))
    a = learner()
    job = on_ray.submit(SeriesJob(runs, settings(tmp_path, "stop"), "remedies"), a)
    assert wait_until(lambda: ray.available_resources().get("CPU", 0) == 0, TIMEOUT)  # all busy
    assert on_ray.cancel(job.id, a) == "stopping"
    done = finished(on_ray, job.id, a)
    assert done.status == "done" and 0 < len(done.value) < 4, done
    assert "stopped" in [r.status for r in done.value]  # the actor's run, stopped mid-way
    assert wait_until(tasks_hold_no_cpu, 45)  # the tasks' runs were cancelled, not finished
