"""The Generalization page's jobs in a real worker: a series trains through the run store, Stop
keeps what it has, and a probe runs."""

from __future__ import annotations

import pytest

from dlviz.generalization import Setup, SweepSetup, random_label_runs, sweep_runs
from dlviz.generalization.jobs import ProbeJob, SeriesJob
from dlviz.generalization.sanity import OneBatch
from dlviz.jobs import Executor
from dlviz.settings import Settings
from dlviz.training import RunStore
from tests.support import wait_until

TIMEOUT = 180


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    root = tmp_path_factory.mktemp("genjobs")
    return Settings(data_dir=root / "data", cache_dir=root / "cache", allow_download=False)


@pytest.fixture(scope="module")
def ex():
    executor = Executor(1, quota=1)
    yield executor
    executor.shutdown()


def finish(ex: Executor, job, who: str):
    return wait_until(lambda: (v := ex.view(job.id, who)) and not v.active and v, TIMEOUT)


def test_a_series_trains_every_run_into_the_store_and_comes_back_cached(ex, settings):
    runs = tuple(random_label_runs(Setup("digits", 60, 32, 3, 2e-3, 16)))
    spec = SeriesJob(runs, settings, "random-labels")
    assert spec.kind == "random-labels" and "2 random-label runs on Digits" in spec.label()
    done = finish(ex, ex.submit(spec, "a"), "a")
    assert done.status == "done", done.message
    assert [r.name for r in done.value] == ["True labels", "Random labels"]
    assert all(len(r.history) == 3 and r.history[-1].fit_acc is not None for r in done.value)
    store = RunStore(settings.cache_dir / "runs")
    assert all(store.get(cfg) is not None for _, cfg in runs)
    again = finish(ex, ex.submit(spec, "b"), "b")
    assert all(r.cached for r in again.value)


def test_stop_keeps_the_finished_runs_and_the_partial_one(ex, settings):
    runs = tuple(sweep_runs(SweepSetup(widths=(1024,), sizes=(1150, 1000), epochs=20,
                                       batch_size=8)))  # fmt: skip
    job = ex.submit(SeriesJob(runs, settings, "sweep"), "s")
    live = wait_until(lambda: (v := ex.view(job.id, "s")) and v.history and v, timeout=TIMEOUT)
    assert live.status == "running" and "run 1 of 2" in live.text
    ex.cancel(job.id, "s")
    done = finish(ex, job, "s")
    assert done.status == "done" and len(done.value) == 1
    assert done.value[0].status == "stopped"


def test_a_probe_job_runs_the_one_batch_check(ex, settings):
    done = finish(ex, ex.submit(ProbeJob(OneBatch("digits", steps=20), settings), "p"), "p")
    assert done.status == "done" and len(done.value.curves) == 5


def test_the_transfer_job_without_fashion_mnist_says_what_it_needs(monkeypatch, tmp_path):
    import dlviz.data
    from dlviz.generalization.jobs import TransferJob
    from dlviz.generalization.transfer import TransferStudy
    from dlviz.jobs import JobFailed
    from dlviz.jobs.kinds import load_data

    monkeypatch.setattr(dlviz.data, "SYSTEM_DIRS", {})
    load_data.cache_clear()
    empty = Settings(data_dir=tmp_path, cache_dir=tmp_path / "cache", allow_download=False)
    with pytest.raises(JobFailed, match="needs Fashion-MNIST"):
        TransferJob(TransferStudy(), empty).run(ctx=None)
    load_data.cache_clear()


class _Ctx:
    """A job context that records progress and never cancels."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def report(self, fraction: float, text: str = "") -> bool:
        self.texts.append(text)
        return False  # True would mean "stop"

    def check(self) -> None:
        return None


def test_an_mnist_source_that_cannot_load_falls_back_to_fashion_mnist_and_says_so(
    monkeypatch, tmp_path
):
    import dlviz.generalization.jobs as gjobs
    from dlviz.data import DatasetUnavailable, synthetic_dataset
    from dlviz.generalization.transfer import TransferStudy

    def load(_settings, name):
        if name == "mnist":
            raise DatasetUnavailable("MNIST is not on this server.")
        return synthetic_dataset(name, n_train=200, n_test=40)

    monkeypatch.setattr(gjobs, "_load", load)
    here = Settings(data_dir=tmp_path, cache_dir=tmp_path / "cache", allow_download=False)
    study = TransferStudy(sizes=(10,), steps=3, source_images=200, source="mnist")
    ctx = _Ctx()
    outcome = gjobs.TransferJob(study, here).run(ctx)
    assert outcome.value.source == "fashion-mnist" and outcome.value.sizes == (10,)
    assert "MNIST is not on this server." in outcome.note
    assert "used Fashion-MNIST as the source instead" in outcome.note
    assert any(t.startswith("Fashion-MNIST source network") for t in ctx.texts)
    assert any("Fine-tuned from Fashion-MNIST, 10 labelled images" in t for t in ctx.texts)


def test_an_mnist_source_trains_on_mnist_and_normalises_with_its_statistics(monkeypatch, tmp_path):
    import dlviz.generalization.jobs as gjobs
    from dlviz.data import synthetic_dataset
    from dlviz.generalization.transfer import TransferStudy

    asked = []

    def load(_settings, name):
        asked.append(name)
        return synthetic_dataset(name, n_train=200, n_test=40)

    monkeypatch.setattr(gjobs, "_load", load)
    here = Settings(data_dir=tmp_path, cache_dir=tmp_path / "cache", allow_download=False)
    study = TransferStudy(sizes=(10, 20), steps=3, source_images=200, source="mnist")
    assert study.source_config().dataset == "mnist"
    outcome = gjobs.TransferJob(study, here).run(_Ctx())
    assert asked == ["mnist", "digits"] and outcome.note == ""
    assert outcome.value.source == "mnist" and outcome.value.sizes == (10, 20)
