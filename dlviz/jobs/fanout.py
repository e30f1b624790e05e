"""One running job split into parts across a Ray cluster: a landscape's rows, a sweep's runs.

A job that runs on a Ray actor (``dlviz.jobs.cluster``: its ``JobContext`` says ``on_ray``) may ask
``spread(ctx)`` for a ``Spread`` and hand it its parts: ``Spread.map(fn, shared, parts)`` returns
``[fn(shared, part, tick) for part in parts]``, in order, computed by Ray tasks (``num_cpus=1``, one
torch thread each) and by the job's own actor. Parts are handed out from one queue in the actor,
first come first served: each task asks the actor for the next part (``take_part``), so no part is
computed twice, and the actor takes parts from the same queue between its checks, so a job always
finishes even when no CPU of the cluster is free for a task (every CPU held by a worker actor).
Results are gathered with ``ray.wait`` as they finish (``on_done`` reports them); Stop
(``ctx.check`` raising ``Cancelled``), a failed part or a lost task cancels every outstanding task
(``ray.cancel``), so nothing keeps computing. ``fn`` must be a picklable module-level function whose
result depends only on its arguments (the same seeds on every worker give the same numbers);
``tick`` is None in a task and, in the actor, a call that reports progress and raises ``Cancelled``
on Stop.

Without Ray (the embedded default), ``spread`` returns None and the job computes as it always did,
in-process and in order; this module imports Ray only inside ``Spread``.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from dlviz.jobs.context import JobContext, JobFailed

WAIT_S = 0.2
"""How long the actor waits for a task's result before it checks for Stop again."""

_QUEUES: dict[str, PartQueue] = {}
_QUEUES_LOCK = threading.Lock()


class PartQueue:
    """The next part to compute (indices 0..n-1, each handed out once) until closed."""

    def __init__(self, n: int) -> None:
        self.id = uuid.uuid4().hex
        self._n, self._next, self._lock = n, 0, threading.Lock()

    def take(self) -> int | None:
        """The next part's index, or None when every part is taken or the queue is closed."""
        with self._lock:
            if self._next >= self._n:
                return None
            self._next += 1
            return self._next - 1

    def close(self) -> None:
        """Hand out nothing more (Stop, a failure, or all done)."""
        with self._lock:
            self._next = self._n


def take_part(queue_id: str) -> int | None:
    """The next part of the queue ``queue_id`` of this process (None: none left, or it ended)."""
    with _QUEUES_LOCK:
        queue = _QUEUES.get(queue_id)
    return None if queue is None else queue.take()


def spread(ctx: JobContext) -> Spread | None:
    """The job's ``Spread`` when it runs on a Ray actor, else None (compute in-process)."""
    return Spread(ctx) if getattr(ctx, "on_ray", False) else None


class Spread:
    """Maps a job's parts over Ray tasks and its own actor (see the module docstring)."""

    def __init__(self, ctx: JobContext) -> None:
        from dlviz.jobs.cluster import _ray

        self.ctx, self.ray = ctx, _ray()

    @property
    def cpus(self) -> int:
        """The cluster's CPUs (how many parts can run at once, the actor's included)."""
        return max(1, int(self.ray.cluster_resources().get("CPU", 1)))

    def map(
        self,
        fn: Callable[[Any, Any, Callable[[], None] | None], Any],
        shared: Any,
        parts: Sequence[Any],
        on_done: Callable[[int, Any], None] | None = None,
    ) -> list[Any]:
        """``[fn(shared, part, tick) for part in parts]``, computed across the cluster; raises
        ``Cancelled`` on Stop (after ``on_done`` saw every finished part) and ``JobFailed`` when a
        task's worker is lost; an exception a part raised is raised here as it was."""
        ray, n = self.ray, len(parts)
        queue = PartQueue(n)
        with _QUEUES_LOCK:
            _QUEUES[queue.id] = queue
        me = ray.get_runtime_context().current_actor
        shared_ref, parts_ref = ray.put(shared), ray.put(list(parts))
        task = _part_task()
        pending = [task.remote(me, queue.id, fn, shared_ref, parts_ref) for _ in range(n - 1)]
        results: dict[int, Any] = {}

        def finished(i: int, value: Any) -> None:
            results[i] = value
            if on_done is not None:
                on_done(i, value)

        try:
            while len(results) < n:
                i = queue.take()
                if i is not None:
                    finished(i, fn(shared, parts[i], self.ctx.check))
                pending = self._gather(pending, finished, 0.0 if i is not None else WAIT_S)
                self.ctx.check()
                if i is None and not pending and len(results) < n:
                    raise JobFailed("A part of this job was lost on the Ray cluster. Try again.")
        finally:
            queue.close()
            with _QUEUES_LOCK:
                _QUEUES.pop(queue.id, None)
            for ref in pending:  # not started: dropped; running: interrupted
                ray.cancel(ref, force=False)
        return [results[i] for i in range(n)]

    def _gather(self, pending: list, finished: Callable[[int, Any], None], wait: float) -> list:
        """Take every task result that is ready (waiting up to ``wait`` s for the first one)."""
        if not pending:
            return pending
        ray = self.ray
        ready, pending = ray.wait(pending, num_returns=1, timeout=wait)
        if ready:
            more, pending = ray.wait(pending, num_returns=len(pending), timeout=0)
            ready += more
        for ref in ready:
            try:
                got = ray.get(ref)
            except ray.exceptions.RayTaskError as err:
                raise (err.cause if isinstance(err.cause, Exception) else err) from None
            except ray.exceptions.RayError as err:
                raise JobFailed(
                    "A Ray worker computing part of this job stopped unexpectedly (its process "
                    f"ended or its node was lost: {type(err).__name__}). Try again."
                ) from err
            if got is not None:
                finished(*got)
        return pending


def _run_part(parent: Any, queue_id: str, fn: Callable, shared: Any, parts: list) -> Any:
    """A Ray task: take the next part from the job's actor and compute it (None: none left)."""
    import ray

    i = ray.get(parent.take_part.remote(queue_id))
    if i is None:
        return None
    from dlviz.runtime import configure_torch

    configure_torch(threads=1)
    return i, fn(shared, parts[i], None)


_TASK = None


def _part_task():
    global _TASK
    if _TASK is None:
        from dlviz.jobs.cluster import _ray

        _TASK = _ray().remote(num_cpus=1, max_retries=0)(_run_part)
    return _TASK
