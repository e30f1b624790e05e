"""What the two real-Ray test modules share (``test_jobs_ray``, ``test_jobs_ray_split``): a local
Ray instance whose workers import this checkout, the local executor to compare with, and waits on
a job. Imported only where Ray is installed (those modules skip without it)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from dlviz.jobs import Executor
from dlviz.settings import Settings
from tests.support import wait_until

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 180  # a fresh Ray worker imports torch; the machine may be busy
# every module that starts a local Ray: slow, and all on one xdist worker (``--dist loadgroup``),
# so two Ray instances never share the two cores
RAY_MARKS = [pytest.mark.slow, pytest.mark.xdist_group("ray")]


def local_ray(cpus: int) -> Iterator[None]:
    """``ray.init`` with ``cpus`` CPUs, workers importing this checkout; shut down after."""
    import ray

    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    ray.init(
        num_cpus=cpus,
        include_dashboard=False,
        log_to_driver=False,
        runtime_env={"env_vars": {"PYTHONPATH": path}},
    )
    try:
        yield
    finally:
        ray.shutdown()


def local_executor() -> Iterator[Executor]:
    """The local executor, one worker process on one thread (as each Ray task or actor has)."""
    ex = Executor(1, quota=1)
    yield ex
    ex.shutdown()


def settings(tmp_path: Path, name: str) -> Settings:
    """Each executor its own run cache: the second must train, not read the first one's run."""
    return Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / name, allow_download=False)


def learner() -> str:
    return uuid.uuid4().hex


def finished(ex: Executor, job_id: str, who: str):
    """The job's view once it has ended (done, failed or cancelled)."""
    return wait_until(lambda: (v := ex.view(job_id, who)) and not v.active and v, TIMEOUT)
