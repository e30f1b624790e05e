"""Jobs on a Ray cluster: the executor's worker slots backed by Ray actors instead of processes.

With ``DLVIZ_RAY_ADDRESS`` set, each slot of ``dlviz.jobs.Executor`` keeps a Ray actor
(``WorkerActor``, one CPU of the cluster) as its worker. The actor runs the very loop a local
worker process runs (``dlviz.jobs.worker.serve``) on a ``Mailbox``, and the slot thread ferries
the same pickled messages with two small actor calls instead of a pipe: ``push`` (an order: the
job, stop, a thread count, quit) and ``exchange`` (wait up to a quarter second for progress, and
take it). So the queue (``Board``: fair order, shared identical jobs, cancel, views), progress,
Stop, the time limit and the failure sentences are the executor's own, unchanged; only the
transport differs. An actor that dies (its process killed, its node lost, Ray's memory monitor)
fails its job with a sentence, and the next job starts a fresh actor.

Ray is imported here only, and only when an executor is made for Ray (``RayWorkers``): the app
runs without it installed. The actors see the server's ``dlviz`` (the same code that pickled the
job) and start in the server's working directory when their node has it, so relative data and
cache folders mean the same there; on other nodes, give absolute folders on a shared filesystem
(or a shared run store URL).
"""

from __future__ import annotations

import contextlib
import functools
import os
import queue
import socket
import subprocess
from collections import deque
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).resolve().parents[1]  # the dlviz package the actors import
CALL_SLACK_S = 5.0
"""How much longer than its own wait an actor call may take before the slot stops waiting."""
START_TIMEOUT_S = 300.0
"""How long a new actor may take to start (a free CPU on the cluster, imports) before its job
fails with a sentence."""


class RayUnavailable(Exception):
    """Ray is not installed, or the cluster cannot be reached; the message says which."""


class Mailbox:
    """The actor's side of the connection: what ``serve`` and ``JobContext`` use of a
    ``multiprocessing.connection.Connection`` (``poll``, ``recv_bytes``, ``send_bytes``)."""

    def __init__(self) -> None:
        self.inbox: queue.Queue[bytes] = queue.Queue()
        self.outbox: queue.Queue[bytes] = queue.Queue()

    def poll(self, timeout: float = 0.0) -> bool:
        """Whether an order waits (the job's side asks between two reports)."""
        return not self.inbox.empty()

    def recv_bytes(self) -> bytes:
        """The next order (blocks)."""
        return self.inbox.get()

    def send_bytes(self, data: bytes) -> None:
        """A message for the server: progress, or how the job ended."""
        self.outbox.put(data)


class WorkerActor:
    """One job worker on the cluster (made a Ray actor by ``_actor_class``): ``serve`` runs the
    worker loop on one of its threads while ``push`` and ``exchange`` carry messages."""

    def __init__(self, cwd: str) -> None:
        if os.path.isdir(cwd):
            os.chdir(cwd)  # relative data and cache folders mean what they mean on the server
        self.mailbox = Mailbox()

    def pid(self) -> int:
        """This actor's process id (on its node)."""
        return os.getpid()

    def serve(self) -> None:
        """The worker loop until "quit" (``dlviz.jobs.worker.serve``)."""
        from dlviz.jobs.worker import serve

        serve(self.mailbox, own_process=True, on_ray=True)

    def take_part(self, queue_id: str) -> int | None:
        """The next part of a split job for a Ray task (``dlviz.jobs.fanout``)."""
        from dlviz.jobs.fanout import take_part

        return take_part(queue_id)

    def push(self, data: bytes) -> None:
        """An order from the server."""
        self.mailbox.inbox.put(data)

    def exchange(self, timeout: float) -> list[bytes]:
        """The messages for the server: waits up to ``timeout`` s for the first one."""
        try:
            out = [self.mailbox.outbox.get(block=timeout > 0, timeout=timeout or None)]
        except queue.Empty:
            return []
        while not self.mailbox.outbox.empty():
            out.append(self.mailbox.outbox.get_nowait())
        return out


@functools.cache
def _ray():
    try:
        import ray
    except ImportError as err:
        raise RayUnavailable(
            "DLVIZ_RAY_ADDRESS is set but Ray is not installed (pip install -r "
            "requirements-scale.txt); jobs run on this server."
        ) from err
    return ray


@functools.cache
def _actor_class(cpus: float):
    ray = _ray()
    # serve, push, exchange and the parts' take_part calls at once: a threaded actor
    return ray.remote(num_cpus=cpus, max_concurrency=8, max_restarts=0)(WorkerActor)


def connect(address: str) -> bool:
    """Join the Ray cluster at ``address`` ("local": start one here); True when this call
    started Ray in this process (so ``RayWorkers.close`` ends it). An already initialised Ray
    (a notebook's, a test's) is used as it is."""
    ray = _ray()
    if ray.is_initialized():
        return False
    if address == "local":
        path = os.pathsep.join(p for p in (str(PACKAGE.parent), os.environ.get("PYTHONPATH")) if p)
        from dlviz.runtime import cpu_quota

        ray.init(
            num_cpus=cpu_quota(),
            include_dashboard=False,
            runtime_env={"env_vars": {"PYTHONPATH": path}},
        )
        return True
    _reachable(address)
    try:
        ray.init(
            address=address,
            runtime_env={"py_modules": [str(PACKAGE)], "excludes": ["__pycache__"]},
        )
    except Exception as err:  # noqa: BLE001 - ConnectionError, a version mismatch, a bad address
        raise RayUnavailable(
            f"Could not join the Ray cluster at DLVIZ_RAY_ADDRESS={address} ({err}); jobs run on "
            "this server. (A cluster with token authentication, the default of `ray start` since "
            "Ray 2.59, needs RAY_AUTH_MODE=token and its token on this server too.)"
        ) from err
    return True


def _reachable(address: str, timeout: float = 5.0) -> None:
    """Fail fast (``RayUnavailable``) when nothing listens at ``host:port``: Ray itself retries an
    unreachable address for minutes, and the first page that needs the queue would wait."""
    host, sep, port = address.removeprefix("ray://").rpartition(":")
    if not sep or not port.isdigit():
        return  # "auto": Ray finds the address itself
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as err:
        raise RayUnavailable(
            f"Could not join the Ray cluster at DLVIZ_RAY_ADDRESS={address} ({err}); jobs run on "
            "this server."
        ) from err


class RayWorkers:
    """The executor's link to a Ray cluster: starts one actor per slot (``start``)."""

    backend = "ray"

    def __init__(self, address: str, cpus_per_worker: int = 1) -> None:
        self.address = address
        self.threads = cpus_per_worker  # each job's torch threads: the CPUs its actor holds
        self._started = connect(address)

    def capacity(self, cap: int = 32) -> int:
        """How many actors the cluster's CPUs hold at once (at most ``cap``)."""
        cpus = _ray().cluster_resources().get("CPU", 1)
        return max(1, min(cap, int(cpus // self.threads)))

    def start(self, index: int) -> tuple[RayProcess, RayConnection]:
        """A fresh actor, its worker loop running: (process-like handle, connection)."""
        ray = _ray()
        actor = _actor_class(self.threads).remote(os.getcwd())
        try:
            pid = ray.get(actor.pid.remote(), timeout=START_TIMEOUT_S)
        except ray.exceptions.GetTimeoutError as err:
            ray.kill(actor)
            raise RuntimeError(
                f"no CPU of the Ray cluster became free for a worker within "
                f"{START_TIMEOUT_S / 60:g} minutes. Try again later."
            ) from err
        return RayProcess(actor, actor.serve.remote(), pid), RayConnection(actor)

    def close(self) -> None:
        """End Ray in this process when this executor started it."""
        if self._started:
            _ray().shutdown()
            self._started = False


class RayConnection:
    """The slot's side: a ``Connection`` whose other end is an actor's ``Mailbox``."""

    def __init__(self, actor: Any) -> None:
        self.actor = actor
        self._in: deque[bytes] = deque()
        self._pending = None  # an exchange call in flight (its messages must not be lost)

    def send_bytes(self, data: bytes) -> None:
        """Deliver an order (in order: each waits for the last); OSError when the actor is gone."""
        ray = _ray()
        try:
            ray.get(self.actor.push.remote(data), timeout=CALL_SLACK_S)
        except ray.exceptions.RayError as err:
            raise OSError(f"the Ray worker is gone: {type(err).__name__}") from err

    def poll(self, timeout: float | None = 0.0) -> bool:
        """Whether a message arrived within ``timeout`` s; EOFError when the actor is gone."""
        if self._in:
            return True
        ray = _ray()
        wait = timeout or 0.0
        if self._pending is None:
            self._pending = self.actor.exchange.remote(wait)
        ready, _ = ray.wait([self._pending], timeout=wait + CALL_SLACK_S)
        if not ready:
            return False  # slow: the call stays in flight, and the next poll takes its answer
        ref, self._pending = self._pending, None
        try:
            self._in.extend(ray.get(ref))
        except ray.exceptions.RayError as err:
            raise EOFError(f"the Ray worker is gone: {type(err).__name__}") from err
        return bool(self._in)

    def recv_bytes(self) -> bytes:
        """The next message (after ``poll`` said there is one)."""
        if not self._in and not self.poll(CALL_SLACK_S):
            raise EOFError("no message from the Ray worker")
        return self._in.popleft()

    def close(self) -> None:
        """The slot is done with this worker: end its actor (a retired one has quit its loop,
        but the actor would hold its CPU on the cluster until killed)."""
        self._in.clear()
        with contextlib.suppress(Exception):  # gone already, or the cluster is
            _ray().kill(self.actor, no_restart=True)


class RayProcess:
    """The slot's handle on its actor, shaped like the ``subprocess.Popen`` of a local worker:
    ``poll``, ``wait``, ``kill``, ``pid``, ``returncode``; and ``died_message``."""

    def __init__(self, actor: Any, loop: Any, pid: int) -> None:
        self.actor, self.loop, self.pid = actor, loop, pid
        self.returncode: int | None = None
        self.error: Exception | None = None

    def poll(self) -> int | None:
        """None while the worker loop runs; else 0 (it quit) or -1 (the actor died)."""
        if self.returncode is None and _ray().wait([self.loop], timeout=0)[0]:
            self._settle()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the worker loop to end (``subprocess.TimeoutExpired`` after ``timeout``)."""
        if self.returncode is None:
            limit = START_TIMEOUT_S if timeout is None else timeout
            if not _ray().wait([self.loop], timeout=limit)[0]:
                if timeout is not None:
                    raise subprocess.TimeoutExpired(f"ray actor {self.pid}", timeout)
                self.returncode = -1  # never answered: count it as dead
                return self.returncode
            self._settle()
        return self.returncode

    def kill(self) -> None:
        """End the actor (and its CPU reservation on the cluster)."""
        with contextlib.suppress(Exception):  # gone already, or the cluster is
            _ray().kill(self.actor, no_restart=True)

    def _settle(self) -> None:
        ray = _ray()
        try:
            ray.get(self.loop)
            self.returncode = 0
        except ray.exceptions.RayError as err:
            self.returncode, self.error = -1, err

    def died_message(self) -> str:
        """Why the actor ended mid-job, for the learner."""
        fresh = " A fresh worker takes the next job."
        ray = _ray()
        if isinstance(self.error, ray.exceptions.OutOfMemoryError):
            return (
                "The Ray worker running this job was stopped because its node ran out of memory. "
                "Try fewer training images, a smaller batch or a smaller model." + fresh
            )
        if self.error is not None and "ray.kill" in str(self.error):
            return "The Ray worker running this job was stopped on the cluster." + fresh
        return (
            "The Ray worker running this job stopped unexpectedly (its process ended or its node "
            "was lost; the Ray logs of that node say why)." + fresh
        )
