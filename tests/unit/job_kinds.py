"""Small job specs for the queue's tests: they sleep, crash or fail in a real worker process.

Workers unpickle these by module path (``tests.unit.job_kinds``), so this module imports nothing
from pytest. Each value says which process ran it and when it started, so tests can check the
order jobs ran in and that a fresh worker took over.
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass

from dlviz.jobs import JobContext, JobFailed, Outcome


@dataclass(frozen=True)
class Sleep:
    """Reports every 20 ms for ``seconds``; a stop order ends it early with what it has."""

    name: str
    seconds: float = 0.2
    kind: str = "training"

    def key(self) -> str:
        return f"{self.kind}:{self.name}"

    def label(self) -> str:
        return self.name

    def estimate_seconds(self) -> float:
        return self.seconds

    def run(self, ctx: JobContext) -> Outcome:
        started, steps = time.time(), max(1, round(self.seconds / 0.02))
        for i in range(steps):
            if ctx.report((i + 1) / steps, f"step {i + 1}", point=(i, 1.0 / (i + 1))):
                return Outcome({"name": self.name, "stopped_at": i + 1, "pid": os.getpid()})
            time.sleep(0.02)
        return Outcome(
            {"name": self.name, "started": started, "pid": os.getpid(), "threads": ctx.threads,
             "token": uuid.uuid4().hex}
        )  # fmt: skip


@dataclass(frozen=True)
class Crash:
    """Ends its worker process mid-job, the way a segfault would (exit status 3)."""

    name: str = "crash"
    kind: str = "training"

    def key(self) -> str:
        return self.name

    def label(self) -> str:
        return self.name

    def estimate_seconds(self) -> float:
        return 0.1

    def run(self, ctx: JobContext) -> Outcome:
        ctx.report(0.5, "about to crash", force=True)
        os._exit(3)


@dataclass(frozen=True)
class Fail:
    """Raises: ``JobFailed`` (a sentence for the learner) or a plain bug."""

    name: str = "fail"
    sentence: str | None = "This cannot run here."
    kind: str = "landscape"

    def key(self) -> str:
        return self.name

    def label(self) -> str:
        return self.name

    def estimate_seconds(self) -> float:
        return 0.1

    def run(self, ctx: JobContext) -> Outcome:
        if self.sentence is not None:
            raise JobFailed(self.sentence)
        raise ZeroDivisionError("a bug")


def nap(seconds: float, part: int, tick) -> tuple[int, int]:
    """A part of ``Parts``: sleeps ``seconds`` (calling ``tick`` as it goes); (part, its pid)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if tick is not None:
            tick()
        time.sleep(0.02)
    return part, os.getpid()


@dataclass(frozen=True)
class Parts:
    """``parts`` naps of ``seconds``, split across the cluster on Ray (``dlviz.jobs.fanout``),
    in-process and in order otherwise; the value says which process computed each part."""

    name: str
    parts: int = 4
    seconds: float = 0.5
    kind: str = "landscape"

    def key(self) -> str:
        return f"{self.kind}:{self.name}"

    def label(self) -> str:
        return self.name

    def estimate_seconds(self) -> float:
        return self.parts * self.seconds

    def run(self, ctx: JobContext) -> Outcome:
        from dlviz.jobs.fanout import spread

        mapper = spread(ctx)
        if mapper is None:
            return Outcome([nap(self.seconds, i, ctx.check) for i in range(self.parts)])

        def done(i: int, _value) -> None:
            ctx.report((i + 1) / self.parts, f"part {i + 1}", force=True)

        return Outcome(mapper.map(nap, self.seconds, list(range(self.parts)), done))
