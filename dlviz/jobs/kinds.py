"""The heavy work the pages ask for, as frozen, picklable job specs: training, landscape, map.

A spec says what to compute and where the data and caches live (a ``dlviz.settings.Settings``,
so the worker loads the dataset itself from the same folder instead of receiving it pickled). It
offers ``key()`` (identical requests share one job), ``label()`` and ``estimate_seconds()`` (a
rough guess the queue scales by what it measures), and ``run(ctx)``, which executes in a worker:
imports happen there, and the results go to the same disk caches the pages read
(``RunStore``, ``LandscapeStore``) before they come back as an ``Outcome``.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, ClassVar

from dlviz.data import dataset_info
from dlviz.display import fixed
from dlviz.jobs.context import Cancelled, JobContext, JobFailed, Outcome

if TYPE_CHECKING:
    from dlviz.data import Dataset
    from dlviz.descent.convergence import MapSettings
    from dlviz.landscape import LandscapeConfig
    from dlviz.settings import Settings
    from dlviz.training import Progress, TrainConfig

TRAIN_IMAGES = {"digits": 1437, "mnist": 60_000, "fashion-mnist": 60_000, "cifar10": 50_000}
"""Training images per dataset, for estimates only (nothing is loaded to know them)."""
TEST_IMAGES = {"digits": 360, "mnist": 10_000, "fashion-mnist": 10_000, "cifar10": 10_000}


def _key(*parts: object) -> str:
    return hashlib.sha256(json.dumps([str(p) for p in parts]).encode()).hexdigest()


@functools.lru_cache(maxsize=2)
def load_data(name: str, data_dir: str, allow_download: bool) -> Dataset:
    """A dataset for jobs, kept for the next job of this worker (two at most)."""
    from dlviz.data import load_dataset

    return load_dataset(name, root=data_dir, download=allow_download)


def _data_loader(settings: Settings):
    return lambda name: load_data(name, str(settings.data_dir), settings.allow_download)


@dataclass(frozen=True)
class TrainJob:
    """Train ``config`` (or find it in the run store) and store the finished run."""

    config: TrainConfig
    settings: Settings
    cache: bool = True  # False: neither read nor write the run store (the CLI's --no-cache)
    device: str = "auto"  # where the worker trains (dlviz.runtime.DEVICES): auto picks its best
    kind: ClassVar[str] = "training"

    def key(self) -> str:
        """Same config, same data folder and cache: the same run."""
        s = self.settings
        return _key(self.kind, self.config.key(), s.data_dir, s.cache_dir, self.cache)

    def label(self) -> str:
        """'seed-cnn on Digits (8x8)'."""
        return f"{self.config.model_name()} on {dataset_info(self.config.dataset).label}"

    def estimate_seconds(self) -> float:
        """Steps times a per-step cost (convolutions cost more) plus evaluating every epoch."""
        cfg = self.config
        c, h, w = dataset_info(cfg.dataset).shape
        images = min(cfg.train_subset or math.inf, TRAIN_IMAGES[cfg.dataset])
        steps = cfg.epochs * math.ceil(images * (1 - cfg.val_fraction) / cfg.batch_size)
        conv = _is_cnn(cfg.model)
        per_image = (2e-4 if conv else 1e-5) * c * h * w / 784
        per_step = 0.012 if conv else 0.0015
        evaluated = cfg.epochs * (TEST_IMAGES[cfg.dataset] + images * cfg.val_fraction) / 3
        return 1.0 + steps * (per_step + cfg.batch_size * per_image) + evaluated * per_image

    def run(self, ctx: JobContext) -> Outcome:
        """Load the data, train through the store, report every few batches; stop when asked."""
        from dlviz.data import DatasetUnavailable
        from dlviz.training import RunStore, train_cached

        try:
            data = _data_loader(self.settings)(self.config.dataset)
        except DatasetUnavailable as err:
            raise JobFailed(str(err)) from err
        store = RunStore(self.settings.cache_dir / "runs") if self.cache else None
        try:
            result = train_cached(
                self.config, data, store, callbacks=[_TrainingReport(ctx)], device=self.device
            )
        except ValueError as err:  # e.g. a model that does not fit these images
            raise JobFailed(
                f"{err} Change the model or the dataset and press Train again."
            ) from err
        stored = store is not None and result.status != "stopped" and not result.cached
        return Outcome(result, (store.last_error or "") if stored else "")


def _is_cnn(model: object) -> bool:
    from dlviz.training.models import PRESETS

    spec = PRESETS[model].spec if isinstance(model, str) else model
    return getattr(spec, "kind", "mlp") == "cnn"


@dataclass
class _TrainingReport:
    """The training callback: progress to the server, its stop order back to the loop."""

    ctx: JobContext

    def __call__(self, p: Progress) -> bool:
        x = p.epoch - 1 + p.step / max(1, p.steps_per_epoch)
        text = (
            f"epoch {p.epoch}/{p.epochs}, step {p.step}/{p.steps_per_epoch} · "
            f"batch loss {fixed(p.loss, 4)}"
        )
        return self.ctx.report(
            p.fraction, text, history=p.history, point=(x, p.loss), force=p.kind == "epoch"
        )


@dataclass(frozen=True)
class LandscapeJob:
    """The loss landscape of a stored run (from the landscape disk cache when it is there)."""

    run_key: str
    config: LandscapeConfig
    settings: Settings
    kind: ClassVar[str] = "landscape"

    def key(self) -> str:
        """Same run, same settings, same cache: the same landscape."""
        return _key(self.kind, self.run_key, self.config.key(), self.settings.cache_dir)

    def label(self) -> str:
        """'21 × 21 loss landscape'."""
        r = self.config.resolution
        return f"{r} × {r} loss landscape"

    def estimate_seconds(self) -> float:
        """Forward passes: one per weight setting over the test images."""
        return 1.0 + self.config.points * self.config.test_images * 4e-6

    def run(self, ctx: JobContext) -> Outcome:
        """Compute (or read) the landscape; a stop order cancels it between weight settings. On
        Ray the grid is split across the cluster (``dlviz.jobs.fanout``)."""
        from dlviz.jobs.fanout import spread
        from dlviz.landscape import LandscapeCache, LandscapeStore
        from dlviz.training import RunStore

        def progress(done: int, total: int) -> None:
            ctx.report(done / max(1, total), f"{done}/{total} weight settings")
            ctx.check()

        cache = LandscapeCache(LandscapeStore(self.settings.cache_dir / "landscapes"), size=1)
        runs = RunStore(self.settings.cache_dir / "runs")
        found = cache.lookup(
            self.run_key,
            self.config,
            load_run=runs.load,
            load_data=_data_loader(self.settings),
            progress=progress,
            mapper=spread(ctx),  # on a Ray cluster: rows of the grid across its CPUs
        )
        if found.problem:
            raise JobFailed(found.problem)
        note = found.disk_error and f"Could not cache the landscape on disk ({found.disk_error})."
        return Outcome(found.landscape, note)


@dataclass(frozen=True)
class MapJob:
    """A convergence map of the Gradient-descent page (every lr x momentum at once)."""

    settings: MapSettings
    kind: ClassVar[str] = "map"

    def key(self) -> str:
        """Same settings, same map."""
        return _key(self.kind, json.dumps(asdict(self.settings), sort_keys=True, default=str))

    def label(self) -> str:
        """'40 × 40 convergence map'."""
        return f"{self.settings.n} × {self.settings.n} convergence map"

    def estimate_seconds(self) -> float:
        """Runs times steps, batched."""
        return 0.3 + self.settings.n**2 * self.settings.steps * 2e-6

    def run(self, ctx: JobContext) -> Outcome:
        """Build the surface and run the map (under a second: it cannot be stopped half-way)."""
        from dlviz.descent.compare import build_surface
        from dlviz.descent.convergence import run_map
        from dlviz.expression import ExpressionError

        ctx.check()
        try:
            surface = build_surface(self.settings.surface)
        except ExpressionError as err:
            raise JobFailed(str(err)) from err
        return Outcome(run_map(self.settings, surface))


__all__ = ["Cancelled", "LandscapeJob", "MapJob", "TrainJob", "load_data"]
