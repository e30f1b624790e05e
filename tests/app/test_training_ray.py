"""The Training page with its jobs on a real local Ray instance (DLVIZ_RAY_ADDRESS): the live
curves, Stop and the finished run reach the page exactly as with the local executor.

Skipped when Ray is not installed (the app does not need it; ``requirements-scale.txt`` has it).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dlviz.ui.jobs import get_executor
from tests.app.conftest import finish_jobs
from tests.app.test_training_queue import TIMEOUT, press_train, wait_running
from tests.unit.ray_support import RAY_MARKS

ray = pytest.importorskip("ray")

pytestmark = RAY_MARKS
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module", autouse=True)
def _cluster():
    """A local Ray for the module; its workers import this checkout."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": {"PYTHONPATH": path}})  # fmt: skip
    yield
    ray.shutdown()


@pytest.fixture(autouse=True)
def _on_ray(monkeypatch):
    monkeypatch.setenv("DLVIZ_RAY_ADDRESS", "auto")


def test_a_run_trains_on_ray_and_opens_on_the_page():
    at = press_train("seed-mlp", epochs=2, seed=201)
    assert get_executor().backend == "ray"
    finish_jobs(at, timeout=TIMEOUT)
    assert at.success[0].value.startswith("Trained 2 epochs")
    assert at.session_state["train_result"].epochs_done == 2


def test_stop_reaches_the_ray_worker_and_the_page_keeps_what_was_learned():
    at = press_train("seed-cnn", epochs=20, batch=16, seed=202)
    wait_running(at, with_points=True)
    at.run()
    assert at.get("plotly_chart")  # the live learning curves, relayed from the actor
    at.button(key="train_stop").click().run()
    assert not at.exception
    finish_jobs(at, timeout=TIMEOUT)
    assert at.info and at.info[0].value.startswith("Stopped by request")
    assert at.session_state["train_result"].status == "stopped"
