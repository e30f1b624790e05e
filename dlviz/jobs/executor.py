"""The executor: a small pool of worker processes that run the queue's jobs, one each at a time.

``Executor.submit(spec, learner)`` queues a job (``dlviz.jobs.kinds``) on the ``Board`` and
returns what the learner sees (``JobView``); ``view``, ``cancel``, ``collect`` and
``learner_left`` are the rest of a page's side. A learner who left may be given a grace period
(a browser tab that lost its connection may come back): ``still_here()`` is asked when it ends,
and only then are their waiting jobs dropped. Each worker is a ``dlviz.jobs.slot.Slot``: a
thread here that takes the next job in fair order and runs it in its worker process, relaying
progress in and orders out: stop (a cancel), a new thread count (``choose_threads``, re-evaluated
on every report, so a job drops to one thread when another starts) and, past ``max_job_s``, a
stop for the time limit. A worker that dies (killed, out of memory, crashed) turns its job into a
failed job with a sentence, and the next job starts a fresh one; a worker idle for
``idle_exit_s`` (or once every learner has left) exits and gives its memory back, and its slot
thread ends with it (the next job starts both again).

``processes=False`` runs the same worker loop on a thread of this process instead (no isolation;
for hosts without memory for a second PyTorch process, ``DLVIZ_WORKERS=0``). ``ray=ADDRESS``
keeps each slot's worker on a Ray cluster instead (``dlviz.jobs.cluster``: one actor per slot, one
per CPU of the cluster by default); the queue and everything a page sees stay the same, and
``backend`` says which ("local" or "ray"). ``executor_for(settings)`` makes the one the settings
ask for. The executor starts its threads on the first job and stops them and the workers in
``shutdown()`` (also at exit).
"""

from __future__ import annotations

import atexit
import threading
import time
import uuid
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from dlviz.jobs.board import MAX_QUEUED, RESULT_TTL_S, Board, JobRecord, JobView
from dlviz.jobs.load import LoadMeter, choose_threads, default_workers
from dlviz.jobs.slot import POLL_S, Slot
from dlviz.settings import warn_once

if TYPE_CHECKING:
    from dlviz.settings import Settings

IDLE_EXIT_S = 45.0
"""A worker with nothing to do for this long exits (its memory goes back to the host)."""
MAX_JOB_S = 600.0
"""A job running longer is stopped (a training keeps what it learned); ten minutes."""


class Executor:
    """A fair job queue in front of ``workers`` worker processes (see the module docstring)."""

    def __init__(
        self,
        workers: int | None = None,
        *,
        processes: bool = True,
        quota: int | None = None,
        thread_cap: int | None = None,
        idle_exit_s: float = IDLE_EXIT_S,
        max_job_s: float = MAX_JOB_S,
        max_queued: int = MAX_QUEUED,
        result_ttl_s: float = RESULT_TTL_S,
        on_result: Callable[[Any, Any], None] | None = None,
        ray: str | None = None,
    ) -> None:
        from dlviz.runtime import cpu_quota

        self.quota = quota or cpu_quota()
        self.ray = None
        if ray is not None:  # raises RayUnavailable (a sentence) when it cannot be used
            from dlviz.jobs.cluster import RayWorkers

            self.ray = RayWorkers(ray)
            workers = workers or self.ray.capacity()
        self.processes = processes and workers != 0
        self.workers = max(1, default_workers(self.quota) if workers is None else workers)
        self.thread_cap = max(1, min(thread_cap or self.quota, self.quota))
        self.idle_exit_s, self.max_job_s = idle_exit_s, max_job_s
        self.on_result = on_result
        self._cond = threading.Condition()
        self._board = Board(max_queued, result_ttl_s)
        self._meter = LoadMeter(self.quota)
        self._factors: dict[str, float] = {}
        self._learners: set[str] = set()
        self._away: dict[str, tuple[float, float, Callable[[], bool] | None]] = {}
        self._slots = [Slot(self, i) for i in range(self.workers)]
        self._started = self._closed = self._paused = False

    @property
    def backend(self) -> str:
        """Where jobs run: "local" (processes or a thread here) or "ray" (a Ray cluster)."""
        return "local" if self.ray is None else "ray"

    # --- a page's side ----------------------------------------------------------------------

    def submit(self, spec: Any, learner: str) -> JobView:
        """Queue ``spec`` for ``learner`` (or join the identical job); raises ``JobRefused``."""
        estimate = spec.estimate_seconds() * self._factors.get(spec.kind, 1.0)
        with self._cond:
            if self._closed:
                raise RuntimeError("This executor has been shut down.")
            self._start()
            self._away.pop(learner, None)
            record = self._board.submit(spec, learner, estimate)
            self._learners.add(learner)
            self._cond.notify_all()
            return self._board.view(record.id, learner, self.workers)

    def view(self, job_id: str, learner: str) -> JobView | None:
        """The learner's view of their job; None when it is not theirs or no longer exists."""
        with self._cond:
            return self._board.view(job_id, learner, self.workers)

    def cancel(self, job_id: str, learner: str, keep: bool = True) -> str:
        """Cancel for this learner: "removed", "stopping", "detached" or "" (``Board.cancel``)."""
        with self._cond:
            outcome = self._board.cancel(job_id, learner, keep)
            self._cond.notify_all()
            return outcome

    def collect(self, job_id: str, learner: str) -> None:
        """The learner took the result of their finished job: forget it for them."""
        with self._cond:
            self._board.collect(job_id, learner)

    def learner_left(
        self, learner: str, grace_s: float = 0.0, still_here: Callable[[], bool] | None = None
    ) -> list[str]:
        """Detach a learner who left; returns the ids of the waiting jobs dropped with them.

        With ``grace_s``, nothing is dropped yet: after that long ``still_here()`` is asked (a
        reconnected tab says True: it is asked again a grace later), and when they are not, or
        it is not given, they are detached then. Any request of theirs meanwhile cancels it.
        """
        with self._cond:
            if grace_s > 0:
                self._away[learner] = (time.monotonic() + grace_s, grace_s, still_here)
                return []
            return self._drop(learner)

    def run(self, spec: Any, progress: Callable[[JobView], object] | None = None) -> JobView:
        """Run ``spec`` to its end for a learner of its own (the CLI's and the benchmarks' way:
        blocking) and return its last view; ``progress`` sees each view while it is active.
        Interrupted (Ctrl+C), the job is cancelled."""
        who = f"run-{uuid.uuid4().hex}"
        last = self.submit(spec, who)
        try:
            while (view := self.view(last.id, who)) is not None:
                last = view
                if not view.active:
                    break
                if progress is not None:
                    progress(view)
                time.sleep(POLL_S)
        finally:
            self.cancel(last.id, who, keep=False)  # "" when it has ended: nothing to do
            self.learner_left(who)
        return last

    def learner_back(self, learner: str) -> None:
        """A learner who was leaving is back (their tab reconnected): keep their jobs."""
        with self._cond:
            self._away.pop(learner, None)

    # --- control and monitoring -------------------------------------------------------------

    def pause(self) -> None:
        """Start no new job until ``resume()`` (jobs still queue; running ones go on)."""
        with self._cond:
            self._paused = True

    def resume(self) -> None:
        """Start jobs again."""
        with self._cond:
            self._paused = False
            self._cond.notify_all()

    def wait(self, timeout: float = 60.0) -> bool:
        """Block until no job runs and none waits to start; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._board.running() or (self._board.queued() and not self._paused):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, POLL_S))
            return True

    def counts(self) -> dict[str, int]:
        """How many jobs wait and run, how many workers there may be, and how many slot threads
        are alive now (for a status line, and to check that they end)."""
        with self._cond:
            queued, running = len(self._board.queued()), len(self._board.running())
        threads = sum(1 for s in self._slots if s.thread is not None and s.thread.is_alive())
        return {"queued": queued, "running": running, "workers": self.workers, "threads": threads}

    def worker_pids(self) -> list[int]:
        """Process ids of the live worker processes."""
        procs = [s.proc for s in self._slots]  # read once: a slot's thread may clear it meanwhile
        return [p.pid for p in procs if p is not None and p.poll() is None]

    def shutdown(self, timeout: float = 5.0) -> None:
        """Stop every worker and slot thread; running jobs are abandoned. Idempotent."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            self._cond.notify_all()
        for slot in self._slots:
            if slot.thread is not None:
                slot.thread.join(timeout)
            slot.stop_worker(kill=True)
        if self.ray is not None:
            self.ray.close()

    def _start(self) -> None:
        """Start the slot threads that are not running (lock held); at exit, end everything."""
        if not self._started:
            self._started = True
            ref = weakref.ref(self)
            atexit.register(lambda: (ex := ref()) and ex.shutdown(1.0))
        for slot in self._slots:
            if not slot.alive:
                slot.start()

    def _drop(self, learner: str) -> list[str]:
        """Detach ``learner`` from everything now (lock held)."""
        self._away.pop(learner, None)
        self._learners.discard(learner)
        dropped = self._board.learner_left(learner)
        self._cond.notify_all()
        return dropped

    def _check_away(self) -> None:
        """Drop the learners whose grace is over and who are not back (called without the lock:
        ``still_here`` is the caller's code)."""
        now = time.monotonic()
        with self._cond:
            due = [(who, away) for who, away in self._away.items() if away[0] <= now]
        for who, (deadline, grace, still_here) in due:
            try:
                here = still_here is not None and bool(still_here())
            except Exception:  # noqa: BLE001 - cannot tell: treat them as gone
                here = False
            with self._cond:
                if self._away.get(who, (None,))[0] != deadline:
                    continue  # back, or left again, meanwhile
                if here:
                    self._away[who] = (now + grace, grace, still_here)
                else:
                    self._drop(who)

    # --- for the slot threads (called with the lock held) ------------------------------------

    def _threads_for(self, record: JobRecord) -> int:
        if self.ray is not None:
            return self.ray.threads  # the CPUs its actor holds on the cluster
        running = self._board.running()
        others = sum(max(1, r.threads) for r in running if r is not record)
        outside = self._meter.outside(sum(r.threads for r in running))
        return choose_threads(self.quota, self.thread_cap, others, outside)

    def _learn(self, record: JobRecord, value: Any) -> None:
        """Scale this kind's estimates by how long the job really took (uncached work only)."""
        if getattr(value, "cached", False) or record.started is None or record.estimate <= 0:
            return
        took = time.monotonic() - record.started
        ratio = min(4.0, max(0.25, took / record.estimate))
        old = self._factors.get(record.kind, 1.0)
        self._factors[record.kind] = min(20.0, max(0.05, old * (0.7 + 0.3 * ratio)))


def executor_for(settings: Settings, **options: Any) -> Executor:
    """The executor ``settings`` ask for: on the Ray cluster of ``settings.ray_address`` (as many
    workers as ``settings.workers`` says, else one per CPU of the cluster), else local; a cluster
    that cannot be used is logged as a warning and the jobs run here."""
    if settings.ray_address:
        from dlviz.jobs.cluster import RayUnavailable

        try:
            return Executor(settings.workers or None, ray=settings.ray_address, **options)
        except RayUnavailable as err:
            warn_once(str(err))
    return Executor(settings.workers, thread_cap=settings.threads, **options)
