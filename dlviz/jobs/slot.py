"""One worker of the executor: its slot thread in the server, and its process (or thread).

The slot thread takes the next job from the executor's board, starts the worker process when
there is none (``python -m dlviz.jobs``: a fresh interpreter, so torch state and threads start
clean; ``dlviz.jobs.worker`` is its loop), sends the job, and relays progress in and orders out
until the job ends: stop (a cancel, or the time limit), and a new thread count whenever the load
changes. A worker that dies mid-job fails that job with a sentence (``died_message``) and is
replaced by the next job's fresh one; an idle one is retired, and then the slot thread ends too
(when nothing waits and no learner is on their way out); the executor starts it again for the
next job. It reads and writes the executor's board only under the executor's lock.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from multiprocessing import Pipe
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dlviz.jobs.context import receive, send
from dlviz.jobs.worker import serve

if TYPE_CHECKING:
    from dlviz.jobs.board import JobRecord
    from dlviz.jobs.executor import Executor

log = logging.getLogger("dlviz")
ROOT = Path(__file__).resolve().parents[2]  # the folder holding the dlviz package
KILL_AFTER_S = 60.0
"""A job that has not stopped this long after its time limit is killed with its worker."""
POLL_S = 0.25


class Slot:
    """One worker: its slot thread in the server and its process (or thread), started lazily."""

    def __init__(self, executor: Executor, index: int) -> None:
        self.ex, self.index = executor, index
        self.thread: threading.Thread | None = None
        self.proc: subprocess.Popen | None = None
        self.conn = None
        self.idle_since = time.monotonic()
        self.alive = False  # a slot thread runs (or is about to); changed under the lock

    def start(self) -> None:
        """Start the slot thread (called under the executor's lock)."""
        self.alive = True
        self.idle_since = time.monotonic()
        self.thread = threading.Thread(
            target=self._loop, name=f"dlviz-jobs-{self.index}", daemon=True
        )
        self.thread.start()

    def _loop(self) -> None:
        from dlviz.runtime import name_os_thread

        name_os_thread(f"dlviz-jobs-{self.index}")  # as ps -L and the benchmarks show it
        while True:
            record = self._next_job()
            if record is None:
                return
            try:
                if self.conn is None or (self.proc is not None and self.proc.poll() is not None):
                    self.stop_worker(kill=True)  # gone while idle (killed): start a fresh one
                    self._start_worker()
                self._run(record)
            except Exception as err:  # noqa: BLE001 - a slot must outlive any one job
                log.exception("dlviz job %s failed in its slot", record.id)
                self.stop_worker(kill=True)
                self._finish(record, "failed", message=f"The job could not run: {err}")
            self.idle_since = time.monotonic()

    def _next_job(self) -> JobRecord | None:
        """Wait for the next job; retire an idle worker meanwhile. None once the executor is
        closed, or when this slot has nothing left to do (no worker, nothing waiting)."""
        ex = self.ex
        while True:
            ex._check_away()
            with ex._cond:
                ex._board.expire(time.monotonic())
                record = None if ex._paused or ex._closed else ex._board.take()
                if record is not None:
                    record.threads = ex._threads_for(record) if ex.processes else 0
                    return record
                idle = time.monotonic() - self.idle_since > ex.idle_exit_s or not ex._learners
                if ex._closed or (idle and self.conn is None and not self._needed()):
                    self.alive = False
                    return None
                if not (idle and self.conn is not None):
                    ex._cond.wait(POLL_S * 4)
                    continue
            self.stop_worker()  # retire it, outside the lock: it may wait for the process

    def _needed(self) -> bool:
        """Something may still come this slot's way (lock held): jobs wait, or learners are on
        their way out (their grace is checked on this thread's ticks)."""
        return bool(self.ex._board.queued() or self.ex._away)

    def _start_worker(self) -> None:
        if self.ex.ray is not None:  # an actor on the cluster (dlviz.jobs.cluster)
            self.proc, self.conn = self.ex.ray.start(self.index)
            return
        parent, child = Pipe(duplex=True)
        if self.ex.processes:
            env = dict(os.environ)
            env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "dlviz.jobs", str(child.fileno())],
                pass_fds=(child.fileno(),),
                env=env,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl+C goes to the server, which ends its workers
            )
            child.close()
        else:
            threading.Thread(
                target=serve, args=(child, False), name="dlviz-job-worker", daemon=True
            ).start()
        self.conn = parent

    def stop_worker(self, kill: bool = False) -> None:
        """Tell the worker to quit (kill it when ``kill`` or when it does not), and forget it."""
        conn, proc, self.conn, self.proc = self.conn, self.proc, None, None
        if conn is not None and not kill:
            with contextlib.suppress(OSError, ValueError):
                send(conn, ("quit",))
        if proc is not None:
            if kill:
                proc.kill()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if conn is not None:
            conn.close()

    def _run(self, record: JobRecord) -> None:
        """Send the job, relay progress and orders until it ends (or the worker dies)."""
        sent_stop, over_time = False, False
        try:
            send(self.conn, ("job", record.id, record.spec, record.threads or None))
        except (OSError, ValueError):  # it died while idle, just now
            self._end(record, ("died",), over_time)
            return
        while True:
            try:
                end = self._pump(record)
            except (EOFError, OSError):
                end = ("died",)
            if end is not None:
                break
            self.ex._check_away()
            with self.ex._cond:
                if self.ex._closed:
                    end = ("cancelled",)
                    break
                elapsed = time.monotonic() - (record.started or 0.0)
                over_time = over_time or elapsed > self.ex.max_job_s
                stop = record.stop_requested or over_time
                threads = self.ex._threads_for(record) if self.ex.processes else 0
            try:
                if stop and not sent_stop:
                    send(self.conn, ("stop",))
                    sent_stop = True
                if threads != record.threads:
                    send(self.conn, ("threads", threads))
                    record.threads = threads
            except (OSError, ValueError):  # the worker died between two reports
                end = ("died",)
                break
            if over_time and elapsed > self.ex.max_job_s + KILL_AFTER_S:
                self.stop_worker(kill=True)
                end = ("failed", "It ran past the time limit per job and was ended.")
                break
        self._end(record, end, over_time)

    def _pump(self, record: JobRecord) -> tuple | None:
        """Take in the messages that arrived within ``POLL_S``; the final one when the job ended."""
        if not self.conn.poll(POLL_S):
            if self.proc is not None and self.proc.poll() is not None:
                return ("died",)
            return None
        while self.conn.poll(0):
            message = receive(self.conn)
            if message[0] != "progress":
                return message
            _, fraction, text, history, points = message
            with self.ex._cond:
                record.fraction, record.text = fraction, text
                record.history = history or record.history
                record.points.extend(points)
        return None

    def _end(self, record: JobRecord, end: tuple, over_time: bool) -> None:
        if end[0] == "done":
            outcome = end[1]
            limit = f"{self.ex.max_job_s / 60:g}-minute"
            message = f"It was stopped at the {limit} limit per job." if over_time else ""
            with self.ex._cond:
                self.ex._learn(record, outcome.value)
            self._finish(record, "done", outcome.value, outcome.note, message)
            if self.ex.on_result is not None:
                try:
                    self.ex.on_result(record.spec, outcome.value)
                except Exception:  # noqa: BLE001 - a cache problem must not stop the queue
                    log.exception("dlviz: storing the result of job %s failed", record.id)
        elif end[0] == "died":
            self._finish(record, "failed", message=self._reap())
        elif end[0] == "failed":
            self._finish(record, "failed", message=end[1])
        else:
            self._finish(record, "cancelled", message="Cancelled.")

    def _reap(self) -> str:
        """Why a worker died, for the learner (it is forgotten: the next job starts a new one)."""
        proc = self.proc
        if proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=2)
        self.stop_worker(kill=True)
        if hasattr(proc, "died_message"):  # a Ray actor (dlviz.jobs.cluster.RayProcess)
            return proc.died_message()
        return died_message(None if proc is None else proc.returncode)

    def _finish(self, record: JobRecord, status: str, value: Any = None, note: str = "",
                message: str = "") -> None:  # fmt: skip
        with self.ex._cond:
            self.ex._board.finish(record, status, value, note, message)
            self.ex._cond.notify_all()


def died_message(code: int | None) -> str:
    """Why a worker process ended mid-job, for the learner (``code``: its exit status)."""
    fresh = " A fresh worker takes the next job."
    if code == -signal.SIGKILL:
        return (
            "The worker running this job was killed, most likely because the server ran out of "
            "memory. Try fewer training images, a smaller batch or a smaller model." + fresh
        )
    if code is not None and code < 0:
        name = signal.Signals(-code).name
        return f"The worker running this job was stopped by signal {name}." + fresh
    return f"The worker running this job stopped unexpectedly (exit status {code})." + fresh
