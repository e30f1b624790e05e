"""The three real job kinds through a worker process: a training (and its Stop), the landscape of
the stored run, a convergence map, and what they say when they cannot run."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from dlviz.descent.compare import DescentConfig, OptimizerSpec, SurfaceSpec, build_surface
from dlviz.descent.convergence import map_settings
from dlviz.jobs import Executor, LandscapeJob, MapJob, TrainJob
from dlviz.landscape import LandscapeConfig, LandscapeStore
from dlviz.settings import Settings
from dlviz.training import RunStore, preset_config
from tests.support import wait_until

TIMEOUT = 180


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    root = tmp_path_factory.mktemp("jobs")
    return Settings(data_dir=root / "data", cache_dir=root / "cache", allow_download=False)


@pytest.fixture(scope="module")
def ex():
    executor = Executor(1, quota=1)
    yield executor
    executor.shutdown()


@contextmanager
def _executor():
    executor = Executor(1, quota=1)
    try:
        yield executor
    finally:
        executor.shutdown()


def run(ex: Executor, spec, who: str = "learner"):
    """Submit and wait for the end; the final view."""
    job = ex.submit(spec, who)
    return wait_until(lambda: (v := ex.view(job.id, who)) and not v.active and v, TIMEOUT)


def test_a_training_job_trains_in_the_worker_and_stores_the_run(ex, settings):
    cfg = preset_config("seed-mlp", "digits", epochs=2, train_subset=400, batch_size=64)
    done = run(ex, TrainJob(cfg, settings))
    assert done.status == "done" and done.note == ""
    result = done.value
    assert result.status == "completed" and len(result.history) == 2 and result.test_acc > 0.3
    assert RunStore(settings.cache_dir / "runs").get(cfg) is not None
    again = run(ex, TrainJob(cfg, settings), "another")
    assert again.value.cached  # the second learner gets it from the store


def test_a_worker_process_stores_runs_and_landscapes_on_s3(tmp_path):
    """A cache under s3:// (moto's S3 server): the worker process finds it through the same AWS
    variables (set before it starts, as on a server) and writes the run and its landscape there;
    a second ask comes from the bucket."""
    from dlviz.storage import location
    from tests.s3 import fresh_prefix, s3_server

    with s3_server(), _executor() as ex:
        remote = Settings(
            data_dir=tmp_path, cache_dir=location(fresh_prefix()), allow_download=False
        )
        cfg = preset_config("seed-mlp", "digits", epochs=1, train_subset=300, batch_size=64)
        done = run(ex, TrainJob(cfg, remote), "s3-learner")
        assert done.status == "done" and done.note == "", done.message
        assert RunStore(remote.cache_dir / "runs").get(cfg) is not None
        land = LandscapeConfig(resolution=5, test_images=50)
        mapped = run(ex, LandscapeJob(cfg.key(), land, remote), "s3-learner")
        assert mapped.status == "done", mapped.message
        assert LandscapeStore(remote.cache_dir / "landscapes").get(cfg.key(), land) is not None
        assert run(ex, TrainJob(cfg, remote), "another").value.cached


def test_stop_ends_a_training_after_its_batch_and_keeps_the_partial_run(ex, settings):
    cfg = preset_config("seed-cnn", "digits", epochs=20, batch_size=16, seed=7)
    job = ex.submit(TrainJob(cfg, settings), "stopper")
    live = wait_until(lambda: (v := ex.view(job.id, "stopper")) and v.points and v, timeout=TIMEOUT)
    assert live.status == "running" and "epoch 1/20" in live.text
    assert ex.cancel(job.id, "stopper") == "stopping"
    done = wait_until(lambda: (v := ex.view(job.id, "stopper")) and not v.active and v, TIMEOUT)
    assert done.status == "done" and done.value.status == "stopped"
    assert "Stopped by request" in done.value.message
    assert RunStore(settings.cache_dir / "runs").get(cfg) is None  # a partial run is not stored


def test_a_training_on_missing_data_fails_with_the_fix(ex, settings):
    cfg = preset_config("seed-mlp", "mnist", epochs=1)
    done = run(ex, TrainJob(cfg, settings))
    assert done.status == "failed" and "MNIST is not available" in done.message


def test_a_landscape_job_computes_the_stored_runs_landscape_into_the_disk_cache(ex, settings):
    cfg = preset_config("seed-mlp", "digits", epochs=1, train_subset=300, seed=3)
    trained = run(ex, TrainJob(cfg, settings)).value
    land_cfg = LandscapeConfig(resolution=5, test_images=50)
    done = run(ex, LandscapeJob(trained.config.key(), land_cfg, settings))
    assert done.status == "done" and done.value.plane_loss.shape == (5, 5)
    stored = LandscapeStore(settings.cache_dir / "landscapes").get(trained.config.key(), land_cfg)
    assert stored is not None and float(stored.trained_loss) == float(done.value.trained_loss)


def test_a_landscape_of_a_run_that_is_gone_fails_in_words(ex, settings):
    done = run(ex, LandscapeJob("0" * 64, LandscapeConfig(resolution=5), settings))
    assert done.status == "failed" and "no longer in the training cache" in done.message


def test_a_map_job_runs_the_convergence_map(ex):
    config = DescentConfig(SurfaceSpec("quadratic", kappa=50.0), (-2.6, -0.6), 60,
                           (OptimizerSpec("momentum", 0.02, momentum=0.9),))  # fmt: skip
    settings = map_settings(config, build_surface(config.surface), "momentum", 25)
    done = run(ex, MapJob(settings))
    assert done.status == "done" and done.value.steps_to_converge.shape == (25, 25)
    assert done.label == "25 × 25 convergence map"


def test_estimates_grow_with_the_work():
    s = Settings(data_dir="d", cache_dir="c", allow_download=False)
    small = TrainJob(preset_config("seed-mlp", "digits", epochs=1), s).estimate_seconds()
    big = TrainJob(preset_config("seed-cnn", "mnist", epochs=5), s).estimate_seconds()
    assert 0 < small < big
    lands = [
        LandscapeJob("k", LandscapeConfig(resolution=r), s).estimate_seconds() for r in (5, 51)
    ]
    assert lands[0] < lands[1]
