"""Finished landscapes looked up in memory, then on disk, else computed once and stored in both.

``LandscapeCache`` is the chain behind the Loss-landscape page: a bounded in-memory LRU of the
most recently used landscapes, then a ``LandscapeStore`` on disk (keyed by run key + settings),
else the landscape is computed from the stored run, with a progress callback, and kept in both.
A computation may first take a lock (passed in): when another holds it, the lookup says "busy"
instead of waiting. The app computes landscapes in job worker processes (``dlviz.jobs``), each
with its own cache in front of the shared disk; ``keep`` hands their result to the server's.
Failures come back as words in a ``LandscapeLookup``, never as exceptions: a run that is gone,
data that cannot be loaded, a model that cannot be rebuilt, a disk write that failed (the
landscape then stays in memory). It knows nothing of Streamlit; what to train, and how, is
``dlviz.training``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from dlviz.data import Dataset, DatasetUnavailable
from dlviz.landscape.compute import Landscape, LandscapeConfig, PointsDone
from dlviz.landscape.runs import run_landscape
from dlviz.landscape.store import LandscapeStore

if TYPE_CHECKING:
    from torch import nn

    from dlviz.landscape.parts import PartsMap
    from dlviz.training import TrainResult

MEMORY_SIZE = 16
"""Landscapes kept in memory by default (a 51 x 51 plane is ~40 kB; the disk keeps the rest)."""

RUN_GONE = "This run is no longer in the training cache. Pick another or train a new one."


class Slot(Protocol):
    """What a lock offers: ``threading.Lock`` or ``BoundedSemaphore`` (one computation at once)."""

    def acquire(self, blocking: bool = ...) -> bool:
        """Take the slot; with ``blocking=False``, False at once when another holds it."""

    def release(self) -> None:
        """Give the slot back."""


@dataclass(frozen=True)
class LandscapeLookup:
    """What ``LandscapeCache.lookup`` found: the landscape and where from, or why there is none."""

    landscape: Landscape | None
    source: str = ""  # "memory", "disk" or "computed"; "" when there is no landscape
    problem: str = ""  # why there is none: the run or its data or model cannot be had
    busy: bool = False  # the slot was taken by another computation: nothing was computed
    disk_error: str = ""  # computed and kept in memory, but the disk write failed (why)


class LandscapeCache:
    """Landscapes by (run key, settings): a bounded LRU in memory in front of a disk store."""

    def __init__(self, store: LandscapeStore, size: int = MEMORY_SIZE) -> None:
        if size < 1:
            raise ValueError(f"size must be at least 1, got {size}.")
        self.store = store
        self.size = size
        self._memory: OrderedDict[tuple[str, LandscapeConfig], Landscape] = OrderedDict()
        self._lock = threading.Lock()  # sessions run in threads: guard the LRU's bookkeeping

    def in_memory(self) -> list[tuple[str, LandscapeConfig]]:
        """The keys held in memory, least recently used first."""
        with self._lock:
            return list(self._memory)

    def keep(self, run_key: str, cfg: LandscapeConfig, land: Landscape) -> None:
        """Hold a landscape computed elsewhere (a worker process stored it on disk) in memory."""
        self._remember((run_key, cfg), land)

    def get(self, run_key: str, cfg: LandscapeConfig) -> Landscape | None:
        """The landscape from memory, else from disk (then remembered), else None; never computes."""
        return self._recall(run_key, cfg)[0]

    def lookup(
        self,
        run_key: str,
        cfg: LandscapeConfig,
        *,
        load_run: Callable[[str], TrainResult | None],
        load_data: Callable[[str], Dataset],
        slot: Slot | None = None,
        progress: PointsDone | None = None,
        mapper: PartsMap | None = None,
    ) -> LandscapeLookup:
        """The landscape of a stored run: memory, then disk, else computed (once) and stored.

        ``load_run`` gives the stored run of a key (None when gone), ``load_data`` its dataset by
        name (may raise ``DatasetUnavailable``). The computation runs while holding ``slot``, and
        calls ``progress(0, cfg.points)`` when it starts, then ``progress(done, cfg.points)``;
        a ``mapper`` computes it in parts (``dlviz.landscape.parts``), to the same numbers.
        """
        land, source = self._recall(run_key, cfg)
        if land is not None:
            return LandscapeLookup(land, source)
        opened = open_run(run_key, load_run, load_data)
        if isinstance(opened, str):
            return LandscapeLookup(None, problem=opened)
        run, model, data = opened
        if slot is not None and not slot.acquire(blocking=False):
            return LandscapeLookup(None, busy=True)
        try:
            land, source = self._recall(run_key, cfg)  # another session may have just made it
            if land is not None:
                return LandscapeLookup(land, source)
            if progress is not None:
                progress(0, cfg.points)
            land = run_landscape(run, model, data, cfg, progress, mapper)
        finally:
            if slot is not None:
                slot.release()
        return LandscapeLookup(land, "computed", disk_error=self._store(run_key, cfg, land))

    def _recall(self, run_key: str, cfg: LandscapeConfig) -> tuple[Landscape | None, str]:
        key = (run_key, cfg)
        with self._lock:
            if key in self._memory:
                self._memory.move_to_end(key)
                return self._memory[key], "memory"
        land = self.store.get(run_key, cfg)
        if land is None:
            return None, ""
        self._remember(key, land)
        return land, "disk"

    def _store(self, run_key: str, cfg: LandscapeConfig, land: Landscape) -> str:
        """Write ``land`` to disk and keep it in memory; why the disk write failed, or ""."""
        try:
            self.store.put(run_key, land)
            problem = ""
        except OSError as err:
            problem = str(err)
        self._remember((run_key, cfg), land)
        return problem

    def _remember(self, key: tuple[str, LandscapeConfig], land: Landscape) -> None:
        with self._lock:
            self._memory[key] = land
            self._memory.move_to_end(key)
            while len(self._memory) > self.size:
                self._memory.popitem(last=False)


def open_run(
    run_key: str,
    load_run: Callable[[str], TrainResult | None],
    load_data: Callable[[str], Dataset],
) -> tuple[TrainResult, nn.Module, Dataset] | str:
    """The stored run, its rebuilt model and its dataset; or, in words, why they cannot be had."""
    run = load_run(run_key)
    if run is None:
        return RUN_GONE
    try:
        data = load_data(run.config.dataset)
        model = run.model(data.info)
    except DatasetUnavailable as err:
        return f"The test images of this run are not available: {err}"
    except (ValueError, RuntimeError) as err:
        return f"Could not rebuild this run's model: {err}"
    return run, model, data
