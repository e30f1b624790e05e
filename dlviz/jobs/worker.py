"""A job worker: a fresh Python process (``python -m dlviz.jobs FD``) that runs one job at a
time for the executor, or the same loop on a thread of the server (``serve``).

The process starts clean: nothing of the server's torch state, threads or Streamlit comes with
it, and it reads no settings (each job carries its own). It tells the kernel to pick it first
when memory runs out, so an out-of-memory kill ends a job, not the server. It talks over one
connection (``dlviz.jobs.context``): it receives ("job", id, spec, threads), ("stop",),
("threads", n) or ("quit",), and answers with ("progress", ...) messages and one of ("done",
Outcome), ("failed", sentence), ("cancelled",). A closed connection (the server is gone) ends it.
"""

from __future__ import annotations

import signal
import sys
import traceback
from multiprocessing.connection import Connection

from dlviz.jobs.context import (
    Cancelled,
    JobContext,
    JobFailed,
    describe_failure,
    receive,
    send,
)


def serve(conn: Connection, own_process: bool = True, on_ray: bool = False) -> None:
    """Run jobs from ``conn`` until told to quit or the server is gone.

    ``own_process``: this is a worker process, so it may set torch's (process-wide) threads as
    the executor says; on a thread of the server it leaves them alone. ``on_ray``: this is a Ray
    actor, so jobs may split their parts across the cluster (``dlviz.jobs.fanout``).
    """
    while True:
        try:
            message = receive(conn)
        except (EOFError, OSError):
            return
        if message[0] == "quit":
            return
        if message[0] == "job":
            _, _job_id, spec, threads = message
            try:
                _run(conn, spec, threads, own_process, on_ray)
            except (EOFError, OSError, BrokenPipeError):
                return  # the server is gone mid-job


def _run(conn: Connection, spec, threads: int | None, own_process: bool, on_ray: bool) -> None:
    set_threads = _set_torch_threads if own_process else None
    ctx = JobContext(conn, threads if own_process else None, set_threads, on_ray)
    try:
        outcome = spec.run(ctx)
    except Cancelled:
        send(conn, ("cancelled",))
        return
    except Exception as err:  # noqa: BLE001 - every failure becomes a message for the learner
        if not isinstance(err, (MemoryError, JobFailed)):
            traceback.print_exc(file=sys.stderr)  # the server log keeps the details
        send(conn, ("failed", describe_failure(err)))
        return
    send(conn, ("done", outcome))


def _set_torch_threads(n: int) -> None:
    from dlviz.runtime import configure_torch

    configure_torch(threads=n)


def _prefer_me_when_out_of_memory() -> None:
    """Raise this process's OOM score (allowed without privileges) so the kernel kills it first."""
    try:
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write("1000")
    except OSError:
        pass


def main(argv: list[str] | None = None) -> None:
    """``python -m dlviz.jobs FD``: serve the executor on the inherited socket ``FD``."""
    argv = sys.argv[1:] if argv is None else argv
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the server's; it tells us to quit
    _prefer_me_when_out_of_memory()
    serve(Connection(int(argv[0])))
