"""The queue's bookkeeping: who asked for what, in which order jobs start, what each learner sees.

``Board`` holds every job that is queued, running or finished-but-not-yet-collected, and applies
the per-learner rules; it starts no process (that is ``dlviz.jobs.executor``). The rules:

- **Fair order.** A job's rank is how many jobs its learner already had waiting or running when
  they asked for it; lower ranks start first, and among equals, first come, first served. So
  each learner's first job goes before anyone's second, and a first job never loses its place.
- **One waiting job of each kind per learner** (training, landscape, convergence map). Asking
  again replaces the waiting one: the new job takes its place in line, and the old one ends as
  "cancelled" with a sentence saying so (a page that still holds it can tell the learner).
- **Identical requests share one job** (same ``key()``): the job has several owners; a cancel
  only detaches the learner who pressed it while others still wait for it. A job that was asked
  to stop is never joined: the next identical request gets a job of its own.
- **A learner who leaves** is detached from everything: their waiting jobs that nobody else
  wants are dropped; a running job goes on and finishes into the disk cache.
- **A bounded queue**: past ``MAX_QUEUED`` waiting jobs a request is refused with a sentence.

Learners are opaque strings; a learner only ever sees the jobs they own (``view``). It is not
thread-safe on its own: the executor calls it under one lock.
"""

from __future__ import annotations

import heapq
import itertools
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

MAX_QUEUED = 40
"""Most jobs waiting at once on a server; the next request is refused (thirty learners fit)."""
RESULT_TTL_S = 900.0
"""A finished job's result waits this long for its learner to come back for it."""
ACTIVE = ("queued", "running")
KIND_WORDS = {"map": "convergence map"}
"""How a job kind is named in a sentence, where it is not the kind itself."""


class JobRefused(Exception):
    """The request breaks a limit; the message says which, for the learner."""


@dataclass
class JobRecord:
    """One job's state, owned by the board (mutable; learners get ``JobView`` copies)."""

    id: str
    spec: Any
    key: str
    kind: str
    label: str
    estimate: float  # seconds, scaled by what the executor measured
    seq: int  # place in line (first come, first served among equals)
    rank: int  # the learner's jobs waiting or running when they asked (fewer go first)
    owners: list[str]
    status: str = "queued"  # queued | running | done | failed | cancelled
    started: float | None = None  # time.monotonic()
    finished: float | None = None
    fraction: float = 0.0
    text: str = ""
    history: tuple = ()
    points: list[tuple[float, float]] = field(default_factory=list)
    value: Any = None
    note: str = ""
    message: str = ""
    stop_requested: bool = False
    threads: int = 0

    def remaining(self, now: float) -> float:
        """Seconds this running job still needs: measured pace once it has some, else the guess."""
        elapsed = now - (self.started or now)
        total = elapsed / self.fraction if self.fraction > 0.05 else max(self.estimate, elapsed)
        return max(0.0, total - elapsed)


@dataclass(frozen=True)
class JobView:
    """What a learner sees of one of their jobs: plain data, safe to keep in session state."""

    id: str
    kind: str
    label: str
    status: str  # queued | running | done | failed | cancelled
    position: int = 0  # 1 = next to start; 0 when not waiting
    wait_s: float | None = None  # about how long until it starts (waiting jobs)
    remaining_s: float | None = None  # about how long until it ends (waiting or running)
    fraction: float = 0.0
    text: str = ""
    history: tuple = ()
    points: tuple[tuple[float, float], ...] = ()
    value: Any = None  # the result, once done
    note: str = ""  # something to say about a finished job (its run could not be stored, ...)
    message: str = ""  # why it failed, was cancelled, or ended early
    shared: int = 1  # how many learners wait for this job
    threads: int = 0  # torch threads it runs on

    @property
    def active(self) -> bool:
        """Still waiting or running."""
        return self.status in ACTIVE


class Board:
    """Jobs by id, the fair order, per-learner limits, and views (see the module docstring)."""

    def __init__(self, max_queued: int = MAX_QUEUED, result_ttl_s: float = RESULT_TTL_S) -> None:
        self.max_queued = max_queued
        self.result_ttl_s = result_ttl_s
        self.jobs: dict[str, JobRecord] = {}
        self._seq = itertools.count()

    # --- requests ---------------------------------------------------------------------------

    def submit(self, spec: Any, learner: str, estimate: float) -> JobRecord:
        """Queue ``spec`` for ``learner`` (or join the identical job); raises ``JobRefused``."""
        key = spec.key()
        same = next(
            (r for r in self.jobs.values()
             if r.key == key and r.status in ACTIVE and not r.stop_requested),
            None,
        )  # fmt: skip
        mine = self._waiting(learner, spec.kind)
        if same is not None:
            if mine is not None and mine is not same:
                self._replace(mine, learner, same.label)
            if learner not in same.owners:
                same.owners.append(learner)
            return same
        seq = rank = None
        if mine is not None:
            if mine.owners == [learner]:  # a replacement keeps its place
                seq, rank = mine.seq, mine.rank
            self._replace(mine, learner, spec.label())
        if seq is None and len(self.queued()) >= self.max_queued:
            raise JobRefused(
                f"The server's queue is full ({self.max_queued} jobs are waiting). Try again in a "
                "minute; runs already in the cache still open at once."
            )
        record = JobRecord(
            id=uuid.uuid4().hex,
            spec=spec,
            key=key,
            kind=spec.kind,
            label=spec.label(),
            estimate=estimate,
            seq=next(self._seq) if seq is None else seq,
            rank=self._active(learner) if rank is None else rank,
            owners=[learner],
        )
        self.jobs[record.id] = record
        return record

    def cancel(self, job_id: str, learner: str, keep: bool = True) -> str:
        """Cancel for ``learner``: "removed" (was waiting), "stopping" (running and theirs alone:
        it stops at its next report, and with ``keep`` they get what it has), "detached" (others
        still want it), or "" (not theirs, or already over)."""
        r = self.jobs.get(job_id)
        if r is None or learner not in r.owners or r.status not in ACTIVE:
            return ""
        if len(r.owners) > 1:
            r.owners.remove(learner)
            return "detached"
        if r.status == "queued":
            self._detach(r, learner)
            return "removed"
        r.stop_requested = True
        if not keep:
            self._detach(r, learner)
        return "stopping"

    def learner_left(self, learner: str) -> list[str]:
        """Detach a learner who left from every job; the ids of waiting jobs dropped with them."""
        dropped = []
        for r in list(self.jobs.values()):
            if learner in r.owners:
                if r.status == "queued" and r.owners == [learner]:
                    dropped.append(r.id)
                self._detach(r, learner)
        return dropped

    def collect(self, job_id: str, learner: str) -> None:
        """The learner has what a finished job gave; forget it for them."""
        r = self.jobs.get(job_id)
        if r is not None and r.status not in ACTIVE and learner in r.owners:
            self._detach(r, learner)

    def _replace(self, r: JobRecord, learner: str, label: str) -> None:
        """A newer request of ``learner`` replaces their waiting job ``r``: it ends as cancelled
        for them (others who wanted it keep waiting for it)."""
        if r.owners != [learner]:
            self._detach(r, learner)
            return
        r.status, r.finished = "cancelled", time.monotonic()
        noun = KIND_WORDS.get(r.kind, r.kind)
        r.message = f"Replaced by your newer request ({label}): one waiting {noun} per learner."

    def _detach(self, r: JobRecord, learner: str) -> None:
        if learner in r.owners:
            r.owners.remove(learner)
        if not r.owners and r.status != "running":
            del self.jobs[r.id]  # a running job finishes into the cache, then goes

    def _active(self, learner: str) -> int:
        return sum(1 for r in self.jobs.values() if r.status in ACTIVE and learner in r.owners)

    def _waiting(self, learner: str, kind: str) -> JobRecord | None:
        return next(
            (r for r in self.queued() if r.kind == kind and learner in r.owners),
            None,
        )

    # --- the workers' side ------------------------------------------------------------------

    def queued(self) -> list[JobRecord]:
        """Waiting jobs, in submission order."""
        return sorted((r for r in self.jobs.values() if r.status == "queued"), key=lambda r: r.seq)

    def running(self) -> list[JobRecord]:
        """Jobs that a worker is running."""
        return [r for r in self.jobs.values() if r.status == "running"]

    def order(self) -> list[JobRecord]:
        """Waiting jobs in the order they will start (see "Fair order")."""
        return sorted(self.queued(), key=lambda r: (r.rank, r.seq))

    def take(self) -> JobRecord | None:
        """The next job to run, now marked running; None when nothing waits."""
        line = self.order()
        if not line:
            return None
        r = line[0]
        r.status, r.started = "running", time.monotonic()
        return r

    def finish(self, r: JobRecord, status: str, value: Any = None, note: str = "",
               message: str = "") -> None:  # fmt: skip
        """Record how a job ended; forgotten at once when nobody owns it any more."""
        r.status, r.finished = status, time.monotonic()
        r.value, r.note, r.message = value, note, message
        if status == "done":
            r.fraction = 1.0
        if not r.owners:
            self.jobs.pop(r.id, None)

    def expire(self, now: float) -> None:
        """Forget finished jobs whose learners did not come back for them in time."""
        for r in list(self.jobs.values()):
            if r.finished is not None and now - r.finished > self.result_ttl_s:
                del self.jobs[r.id]

    # --- what learners see -------------------------------------------------------------------

    def waits(self, workers: int, now: float) -> dict[str, float]:
        """Job id -> about how many seconds until each waiting job starts on ``workers`` workers."""
        free = sorted(r.remaining(now) for r in self.running())[:workers]
        free += [0.0] * (max(1, workers) - len(free))
        heapq.heapify(free)
        out = {}
        for r in self.order():
            start = heapq.heappop(free)
            out[r.id] = start
            heapq.heappush(free, start + r.estimate)
        return out

    def view(self, job_id: str, learner: str, workers: int) -> JobView | None:
        """The learner's view of one of their jobs (None when it is not theirs, or gone)."""
        r = self.jobs.get(job_id)
        if r is None or learner not in r.owners:
            return None
        now = time.monotonic()
        position, wait, remaining = 0, None, None
        if r.status == "queued":
            line = self.order()
            position = line.index(r) + 1
            wait = self.waits(workers, now)[r.id]
            remaining = wait + r.estimate
        elif r.status == "running":
            remaining = r.remaining(now)
        return JobView(
            id=r.id, kind=r.kind, label=r.label, status=r.status, position=position,
            wait_s=wait, remaining_s=remaining, fraction=r.fraction, text=r.text,
            history=r.history, points=tuple(r.points), value=r.value, note=r.note,
            message=r.message, shared=len(r.owners), threads=r.threads,
        )  # fmt: skip
