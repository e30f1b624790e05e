"""The executor on a real local Ray instance (two CPUs): jobs run on Ray actors behind the same
queue; training, a sweep and a landscape give the local executor's numbers for the same seeds;
Stop stops; a killed or crashed worker fails only its job; the CLI says which executor ran.

Skipped when Ray is not installed (the app does not need it; ``requirements-scale.txt`` has it).
"""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import sys
from pathlib import Path

import pytest

from dlviz.cli import main as cli_main
from dlviz.generalization import SweepSetup, sweep_runs
from dlviz.generalization.jobs import SeriesJob
from dlviz.jobs import Executor, LandscapeJob, TrainJob, executor_for
from dlviz.landscape import LandscapeConfig
from dlviz.settings import Settings, get_settings, parse_ray_address
from dlviz.training import preset_config
from tests.support import wait_until
from tests.unit.job_kinds import Crash, Sleep
from tests.unit.ray_support import (
    RAY_MARKS,
    ROOT,
    TIMEOUT,
    finished,
    learner,
    local_executor,
    local_ray,
    settings,
)

ray = pytest.importorskip("ray")

pytestmark = RAY_MARKS
CONFIG = preset_config("seed-mlp", "digits", epochs=2, train_subset=300, seed=3)


@pytest.fixture(scope="module")
def cluster():
    """A local Ray instance (two CPUs) for the module."""
    yield from local_ray(2)


@pytest.fixture(scope="module")
def on_ray(cluster):
    """An executor with two Ray workers (it joins the running Ray: ``auto``)."""
    ex = Executor(2, ray="auto")
    yield ex
    ex.shutdown()


@pytest.fixture(scope="module")
def local():
    yield from local_executor()


def running(ex: Executor, job_id: str, who: str):
    return wait_until(
        lambda: (v := ex.view(job_id, who)) and v.status == "running" and v.fraction > 0 and v,
        timeout=TIMEOUT,
    )


def test_the_address_is_read_and_checked():
    assert parse_ray_address("") == (None, None)
    assert parse_ray_address(" AUTO ") == ("auto", None)
    assert parse_ray_address("ray://head:10001") == ("ray://head:10001", None)
    assert parse_ray_address("10.0.0.5:6379") == ("10.0.0.5:6379", None)
    address, problem = parse_ray_address("the cluster")
    assert address is None and "jobs run on this server" in problem


def test_without_the_variable_the_executor_is_local_and_ray_stays_out(tmp_path, monkeypatch):
    monkeypatch.delenv("DLVIZ_RAY_ADDRESS", raising=False)
    ex = executor_for(get_settings())
    assert ex.backend == "local" and ex.ray is None
    code = (
        "import sys, dlviz.jobs, dlviz.ui.jobs, dlviz.landscape.parts\n"
        "from dlviz.jobs import Executor\n"
        "from tests.unit.job_kinds import Parts\n"  # a job that splits itself where it can
        "ex = Executor(0, processes=False)\n"
        "view = ex.run(Parts('embedded', parts=3, seconds=0.05))\n"
        "ex.shutdown()\n"
        "assert [p for p, _ in view.value] == [0, 1, 2], view\n"
        "print('ray' in sys.modules)"
    )
    import subprocess

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "False", out.stderr


def test_an_unreachable_cluster_falls_back_to_the_local_executor_at_once(caplog):
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]  # nothing listens there once it is closed
    s = Settings(Path("data"), Path("cache"), False, ray_address=f"127.0.0.1:{port}")
    ex = executor_for(s)
    assert ex.backend == "local" and not ray.is_initialized()
    assert f"Could not join the Ray cluster at DLVIZ_RAY_ADDRESS=127.0.0.1:{port}" in caplog.text


def test_a_job_runs_on_a_ray_actor_and_reports_progress(on_ray):
    a = learner()
    job = on_ray.submit(Sleep(f"p-{a}", 0.8), a)
    assert on_ray.backend == "ray" and on_ray.workers == 2
    live = running(on_ray, job.id, a)
    assert live.text.startswith("step") and live.threads == 1
    done = finished(on_ray, job.id, a)
    assert done.status == "done" and done.fraction == 1.0 and done.value["threads"] == 1
    assert done.value["pid"] != os.getpid() and done.value["pid"] in on_ray.worker_pids()


def test_a_cancelled_job_stops_with_what_it_has(on_ray):
    a = learner()
    job = on_ray.submit(Sleep(f"c-{a}", 30.0), a)
    running(on_ray, job.id, a)
    assert on_ray.cancel(job.id, a) == "stopping"
    done = finished(on_ray, job.id, a)
    assert done.status == "done" and done.value["stopped_at"] < 1500  # 30 s = 1500 steps


def test_a_worker_killed_mid_job_fails_only_that_job_and_the_executor_keeps_serving(on_ray):
    a, b = learner(), learner()
    job = on_ray.submit(Sleep(f"k-{a}", 60.0), a)
    running(on_ray, job.id, a)
    victims = on_ray.worker_pids()  # the running one among them (an idle one is replaced)
    for pid in victims:
        os.kill(pid, signal.SIGKILL)
    dead = finished(on_ray, job.id, a)
    assert dead.status == "failed" and "Ray worker" in dead.message, dead.message
    crash = finished(on_ray, on_ray.submit(Crash(f"x-{b}"), b).id, b)
    assert crash.status == "failed" and "stopped unexpectedly" in crash.message
    after = finished(on_ray, on_ray.submit(Sleep(f"after-{a}", 0.1), a).id, a)
    assert after.status == "done" and after.value["pid"] not in victims


def test_training_gives_the_local_executors_test_accuracy(on_ray, local, tmp_path):
    here = local.run(TrainJob(CONFIG, settings(tmp_path, "local")))
    there = on_ray.run(TrainJob(CONFIG, settings(tmp_path, "ray")))
    assert here.status == there.status == "done", (here.message, there.message)
    assert not here.value.cached and not there.value.cached
    assert [h.test_acc for h in there.value.history] == [h.test_acc for h in here.value.history]
    assert [h.test_loss for h in there.value.history] == [h.test_loss for h in here.value.history]
    # the landscape of that run, from each executor's own store
    shape = LandscapeConfig(resolution=5, line_points=5, test_images=100)
    key = CONFIG.key()
    near = local.run(LandscapeJob(key, shape, settings(tmp_path, "local"))).value
    far = on_ray.run(LandscapeJob(key, shape, settings(tmp_path, "ray"))).value
    assert far.plane_loss.tolist() == near.plane_loss.tolist()
    assert far.line_acc.tolist() == near.line_acc.tolist()


def test_a_sweep_gives_the_same_results_on_both(on_ray, local, tmp_path):
    runs = tuple(sweep_runs(SweepSetup(widths=(16, 64), sizes=(50, 150), epochs=2)))
    here = local.run(SeriesJob(runs, settings(tmp_path, "local"), "sweep"))
    there = on_ray.run(SeriesJob(runs, settings(tmp_path, "ray"), "sweep"))
    assert here.status == there.status == "done", (here.message, there.message)

    def scores(view):
        return [(r.name, [(h.test_acc, h.fit_acc) for h in r.history]) for r in view.value]

    assert len(there.value) == 4 and scores(there) == scores(here)


def test_the_cli_trains_on_ray_and_says_so(on_ray, tmp_path, monkeypatch):
    on_ray.shutdown()  # its idle actors give their CPUs back (last test: the module's is done)
    monkeypatch.setenv("DLVIZ_RAY_ADDRESS", "auto")
    out, err = io.StringIO(), io.StringIO()
    args = ["train", "--dataset", "digits", "--model", "seed-mlp", "--epochs", "2", "--subset",
            "300", "--seed", "3", "--cache-dir", str(tmp_path / "cli"), "--json"]  # fmt: skip
    assert cli_main(args, out, err) == 0, err.getvalue()
    line = json.loads(out.getvalue().splitlines()[-1])
    assert line["executor"] == "ray" and line["status"] == "completed"
    assert "epoch 1/2:" in err.getvalue() and "epoch 2/2:" in err.getvalue()  # relayed progress
    monkeypatch.delenv("DLVIZ_RAY_ADDRESS")
    out = io.StringIO()
    assert cli_main([*args[:-2], str(tmp_path / "cli-local"), "--json"], out, err) == 0
    local_line = json.loads(out.getvalue().splitlines()[-1])
    assert local_line["executor"] == "local"
    assert local_line["test_accuracy"] == line["test_accuracy"]


def test_an_idle_worker_ends_and_gives_its_cpu_back(on_ray):
    on_ray.shutdown()  # the module's executor gives its CPUs back first
    assert wait_until(lambda: ray.available_resources().get("CPU") == 2, TIMEOUT)
    ex = Executor(1, ray="auto", idle_exit_s=0.5)
    try:
        a = learner()
        assert finished(ex, ex.submit(Sleep(f"i-{a}", 0.1), a).id, a).status == "done"
        assert wait_until(lambda: ex.counts()["threads"] == 0, TIMEOUT)
        assert wait_until(lambda: ray.available_resources().get("CPU") == 2, TIMEOUT)
    finally:
        ex.shutdown()
