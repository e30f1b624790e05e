"""The Generalization page's heavy work as job specs for the server's queue (``dlviz.jobs``).

``SeriesJob`` trains a few named configs one after another through the run store (a stored run
comes back at once), reporting the finished runs and the one in progress as ``RunCurves`` so the
page can draw every curve live; Stop ends the run in progress (its curves are kept) and skips the
rest. On a Ray cluster the runs are split across its CPUs (``dlviz.jobs.fanout``): the curves
then arrive run by run as each finishes. ``ProbeJob`` runs the short sanity checks of ``dlviz.generalization.sanity``. Both follow
``dlviz.jobs.kinds``: frozen and picklable, ``key()``, ``label()``, ``estimate_seconds()``,
``run(ctx)``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from dlviz.data import dataset_info
from dlviz.display import fixed
from dlviz.generalization.experiments import RunCurves, curves_of
from dlviz.jobs.context import Cancelled, JobContext, JobFailed, Outcome
from dlviz.jobs.kinds import TRAIN_IMAGES, TrainJob, load_data

if TYPE_CHECKING:
    from dlviz.data import Dataset
    from dlviz.generalization.sanity import Probe
    from dlviz.generalization.transfer import TransferStudy
    from dlviz.settings import Settings
    from dlviz.training import Progress, TrainConfig


def _key(*parts: object) -> str:
    return hashlib.sha256(json.dumps([str(p) for p in parts]).encode()).hexdigest()


def _load(settings: Settings, name: str):
    """The dataset for a job (kept by ``load_data`` for the worker's next job)."""
    return load_data(name, str(settings.data_dir), settings.allow_download)


PURPOSES = {"remedies": "overfitting runs", "random-labels": "random-label runs", "sweep": "sweep"}


@dataclass(frozen=True)
class SeriesJob:
    """Train ``runs`` (name, config) in order, each through the run store."""

    runs: tuple[tuple[str, TrainConfig], ...]
    settings: Settings
    purpose: str = "remedies"  # a PURPOSES key: also the job's kind (one waiting job of each)

    @property
    def kind(self) -> str:
        """The queue's kind: one waiting job of each purpose per learner."""
        return self.purpose

    def key(self) -> str:
        """Same runs, same data folder and cache: the same job."""
        s = self.settings
        keys = [(name, cfg.key()) for name, cfg in self.runs]
        return _key(self.kind, keys, s.data_dir, s.cache_dir)

    def label(self) -> str:
        """'5 overfitting runs on Digits (8x8)'."""
        data = dataset_info(self.runs[0][1].dataset).label if self.runs else ""
        return f"{len(self.runs)} {PURPOSES.get(self.purpose, 'runs')} on {data}"

    def estimate_seconds(self) -> float:
        """The training estimates, plus scoring the training images every epoch."""
        total = 0.0
        for _, cfg in self.runs:
            images = min(cfg.train_subset or math.inf, TRAIN_IMAGES[cfg.dataset])
            total += TrainJob(cfg, self.settings).estimate_seconds() - 1.0
            total += cfg.epochs * images * 1e-5
        return 1.0 + total

    def run(self, ctx: JobContext) -> Outcome:
        """Train each run through the store; Stop keeps the finished runs and the partial one."""
        from dlviz.data import DatasetUnavailable
        from dlviz.jobs.fanout import spread
        from dlviz.training import RunStore, train_cached

        mapper = spread(ctx)
        if mapper is not None and len(self.runs) > 1:
            return self._run_split(ctx, mapper)
        store = RunStore(self.settings.cache_dir / "runs")
        done: list[RunCurves] = []
        for i, (name, cfg) in enumerate(self.runs):
            try:
                data = _load(self.settings, cfg.dataset)
            except DatasetUnavailable as err:
                raise JobFailed(str(err)) from err
            report = _SeriesReport(ctx, tuple(done), name, cfg, i, len(self.runs))
            result = train_cached(cfg, data, store, callbacks=[report])
            done.append(curves_of(name, result))
            ctx.report((i + 1) / len(self.runs), f"{name}: done", history=tuple(done), force=True)
            if result.status == "stopped" or ctx.stop_requested:
                break
        return Outcome(tuple(done), store.last_error or "")

    def _run_split(self, ctx: JobContext, mapper) -> Outcome:
        """The runs as parts on a Ray cluster, reported (in order) as each finishes."""
        done: dict[int, tuple[RunCurves, str]] = {}

        def finished(i: int, result: tuple[RunCurves, str]) -> None:
            done[i] = result
            curves = tuple(done[k][0] for k in sorted(done))
            text = f"{len(done)} of {len(self.runs)} runs done ({result[0].name})"
            ctx.report(len(done) / len(self.runs), text, history=curves, force=True)

        with contextlib.suppress(Cancelled):  # Stop keeps what finished (and the actor's run)
            mapper.map(train_part, self.settings, self.runs, finished)
        notes = [done[k][1] for k in sorted(done) if done[k][1]]
        return Outcome(tuple(done[k][0] for k in sorted(done)), notes[0] if notes else "")


def train_part(settings: Settings, run: tuple[str, TrainConfig], tick) -> tuple[RunCurves, str]:
    """One run of a series, through the run store (a part for ``dlviz.jobs.fanout``): its curves
    and why the store could not keep it (or ""). ``tick`` raising ``Cancelled`` stops it."""
    from dlviz.data import DatasetUnavailable
    from dlviz.training import RunStore, train_cached

    name, cfg = run
    try:
        data = _load(settings, cfg.dataset)
    except DatasetUnavailable as err:
        raise JobFailed(str(err)) from err

    def stop_asked(_p: Progress) -> bool:
        try:
            tick()
        except Cancelled:
            return True
        return False

    store = RunStore(settings.cache_dir / "runs")
    result = train_cached(cfg, data, store, [stop_asked] if tick is not None else [])
    return curves_of(name, result), store.last_error or ""


@dataclass
class _SeriesReport:
    """A training callback: the whole series' progress and curves, and the stop order back."""

    ctx: JobContext
    done: tuple[RunCurves, ...]
    name: str
    config: TrainConfig
    index: int
    total: int

    def __call__(self, p: Progress) -> bool:
        fraction = (self.index + p.fraction) / self.total
        text = (
            f"run {self.index + 1} of {self.total} ({self.name}): epoch {p.epoch}/{p.epochs} · "
            f"batch loss {fixed(p.loss, 4)}"
        )
        partial = RunCurves(self.name, self.config, p.history, "running", "", None)
        return self.ctx.report(
            fraction, text, history=(*self.done, partial), force=p.kind == "epoch"
        )


@dataclass(frozen=True)
class ProbeJob:
    """A sanity check of ``dlviz.generalization.sanity`` (overfit one batch, LR range test)."""

    probe: Probe
    settings: Settings
    kind: str = "sanity"

    def key(self) -> str:
        """Same probe, same data: the same curves."""
        return _key(self.kind, repr(self.probe), self.settings.data_dir)

    def label(self) -> str:
        """The probe's own name."""
        return self.probe.label()

    def estimate_seconds(self) -> float:
        """A few hundred steps on one batch."""
        return 1.0 + self.probe.steps_total() * 2e-3

    def run(self, ctx: JobContext) -> Outcome:
        """Run the probe, reporting after each of its curves."""
        from dlviz.data import DatasetUnavailable

        try:
            data = _load(self.settings, self.probe.dataset)
        except DatasetUnavailable as err:
            raise JobFailed(str(err)) from err

        def progress(done: int, total: int, text: str) -> None:
            ctx.report(done / max(1, total), text)
            ctx.check()

        return Outcome(self.probe.run(data, progress))


@dataclass(frozen=True)
class CalibrationJob:
    """The calibration of a stored run (``dlviz.generalization.trust.calibrate``)."""

    run_key: str
    settings: Settings
    kind: str = "calibration"

    def key(self) -> str:
        """Same run, same data: the same calibration."""
        s = self.settings
        return _key(self.kind, self.run_key, s.data_dir, s.cache_dir)

    def label(self) -> str:
        """'Calibration of run 1a2b3c'."""
        return f"Calibration of run {self.run_key[:6]}"

    def estimate_seconds(self) -> float:
        """Two evaluation passes."""
        return 2.0

    def run(self, ctx: JobContext) -> Outcome:
        """Load the run and its data, fit the temperature, measure the test images."""
        from dlviz.data import DatasetUnavailable
        from dlviz.generalization.trust import NoValidation, calibrate
        from dlviz.training import RunStore

        ctx.check()
        run = RunStore(self.settings.cache_dir / "runs").load(self.run_key)
        if run is None:
            raise JobFailed("This run is no longer in the cache. Train it again, then measure.")
        try:
            data = _load(self.settings, run.config.dataset)
        except DatasetUnavailable as err:
            raise JobFailed(str(err)) from err
        try:
            return Outcome(calibrate(run, data))
        except NoValidation as err:
            raise JobFailed(str(err)) from err


@dataclass(frozen=True)
class TransferJob:
    """The transfer study: the source run (Fashion-MNIST or MNIST, from the store, else trained
    and stored; Fashion-MNIST when MNIST cannot be loaded, with a note), then every mode at every
    size on Digits."""

    study: TransferStudy
    settings: Settings
    kind: str = "transfer"

    def key(self) -> str:
        """Same study, same data and cache: the same result."""
        s = self.settings
        return _key(self.kind, repr(self.study), s.data_dir, s.cache_dir)

    def label(self) -> str:
        """The study's own name."""
        return self.study.label()

    def estimate_seconds(self) -> float:
        """The source run (when not stored) and the small Digits runs."""
        source = TrainJob(self.study.source_config(), self.settings).estimate_seconds()
        return source + 0.005 * self.study.steps * len(self.study.sizes) * 3

    def _source(self) -> tuple[TransferStudy, Dataset, str]:
        """(the study as run, its source data, a note): MNIST that cannot be loaded falls back to
        Fashion-MNIST, and the note says so."""
        from dlviz.data import DatasetUnavailable

        needs = "Transfer learning needs Fashion-MNIST (or MNIST) as the source dataset."
        try:
            return self.study, _load(self.settings, self.study.source), ""
        except DatasetUnavailable as err:
            if self.study.source == "fashion-mnist":
                raise JobFailed(f"{err} {needs}") from err
            note = f"{err} The study used Fashion-MNIST as the source instead."
        study = replace(self.study, source="fashion-mnist")
        try:
            return study, _load(self.settings, study.source), note
        except DatasetUnavailable as err:
            raise JobFailed(f"{err} {needs}") from err

    def run(self, ctx: JobContext) -> Outcome:
        """Source first (its progress is the first half of the bar), then the study."""
        from dlviz.training import RunStore, train_cached

        study, data, note = self._source()
        store = RunStore(self.settings.cache_dir / "runs")
        name = dataset_info(study.source).label

        def source_progress(p: Progress) -> bool:
            text = f"{name} source network: epoch {p.epoch}/{p.epochs}"
            return ctx.report(0.5 * p.fraction, text)

        source = train_cached(study.source_config(), data, store, [source_progress])
        if source.status == "stopped":
            raise Cancelled
        digits = _load(self.settings, "digits")

        def progress(done: int, total: int, text: str) -> None:
            ctx.report(0.5 + 0.5 * done / max(1, total), text)
            ctx.check()

        notes = " ".join(t for t in (note, store.last_error or "") if t)
        return Outcome(study.run(source, digits, progress), notes)
