"""What a job sees while it runs in a worker: ``JobContext.report``, and two ways to end early.

A job reports its progress through ``report(fraction, text, ...)``; each call also reads the
server's orders that arrived meanwhile (stop, a new thread count) and returns True once the job
was asked to stop, the way a ``dlviz.training`` callback asks the loop to stop. Jobs that cannot
stop half-way (a landscape, a convergence map) raise ``Cancelled`` instead; a job that cannot
run raises ``JobFailed`` with a sentence for the learner. Messages travel as plain pickles
(``send``/``receive``) over a ``multiprocessing.connection.Connection``: plain on purpose, so that
tensors are copied as bytes rather than shared through torch's shared-memory reductions, which
would tie the result to the life of the worker that made it.
"""

from __future__ import annotations

import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

SEND_EVERY_S = 0.2
"""Progress messages are sent at most this often (and on every ``force``d report)."""


class Cancelled(Exception):
    """The job was asked to stop and has nothing worth keeping."""


class JobFailed(Exception):
    """The job cannot run; the message is a sentence for the learner (it names the fix)."""


def send(conn: Connection, message: tuple) -> None:
    """Send one message (a tuple whose first item names it) as a plain pickle."""
    conn.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))


def receive(conn: Connection) -> tuple:
    """The next message; raises EOFError when the other end is gone."""
    return pickle.loads(conn.recv_bytes())


class JobContext:
    """The worker's side of one running job: progress out, stop and thread orders in."""

    def __init__(
        self,
        conn: Connection,
        threads: int | None,
        set_threads: Callable[[int], object] | None = None,
        on_ray: bool = False,
    ) -> None:
        self.conn = conn
        self.on_ray = on_ray  # in a Ray actor: the job may split its parts (dlviz.jobs.fanout)
        self.threads = threads
        self.stop_requested = False
        self._set_threads = set_threads
        self._last_sent = 0.0
        self._points: list[tuple[float, float]] = []
        if threads and set_threads is not None:
            set_threads(threads)

    def report(
        self,
        fraction: float,
        text: str = "",
        *,
        history: tuple = (),
        point: tuple[float, float] | None = None,
        force: bool = False,
    ) -> bool:
        """How far the job is (0..1, words, the epochs so far, a new loss point); True = stop."""
        if point is not None:
            self._points.append(point)
        self._read_orders()
        now = time.monotonic()
        if force or now - self._last_sent >= SEND_EVERY_S:
            points, self._points = tuple(self._points), []
            send(self.conn, ("progress", min(1.0, max(0.0, fraction)), text, history, points))
            self._last_sent = now
        return self.stop_requested

    def check(self) -> None:
        """Raise ``Cancelled`` when the job was asked to stop (for jobs with nothing to keep)."""
        self._read_orders()
        if self.stop_requested:
            raise Cancelled

    def _read_orders(self) -> None:
        """Apply every order that arrived: "stop", ("threads", n); EOF (server gone) stops."""
        try:
            while self.conn.poll(0):
                order = receive(self.conn)
                if order[0] == "stop":
                    self.stop_requested = True
                elif order[0] == "threads" and order[1] != self.threads:
                    self.threads = order[1]
                    if self._set_threads is not None:
                        self._set_threads(order[1])
        except (EOFError, OSError):
            self.stop_requested = True  # the server is gone: nobody will read the result


def describe_failure(err: BaseException) -> str:
    """A learner-facing sentence for an exception a job raised."""
    if isinstance(err, JobFailed):
        return str(err)
    if isinstance(err, MemoryError):
        return (
            "The job ran out of memory. Try fewer training images, a smaller batch or a smaller "
            "model."
        )
    return f"The job failed: {type(err).__name__}: {err}"


@dataclass(frozen=True)
class Outcome:
    """What a finished job gives back: its value, and a sentence for the learner when something
    around it went wrong (the run could not be written to the cache, say)."""

    value: Any
    note: str = ""
