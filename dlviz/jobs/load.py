"""How many workers a server gets, and how many torch threads one job gets at this moment.

PyTorch's CPU threads wait for each other at the end of every operation, so a thread that has to
share its core with other work stalls all of them: measured here, a CNN on two threads trained
13x slower than on one while another process kept one of the two cores busy. So a job gets a
second (third, ...) thread only for a core nobody else is using: not by other jobs, not by the
server drawing pages, not by other processes on the host. ``choose_threads`` is that rule;
``LoadMeter`` measures the two outside loads it needs (the server's own CPU use, and the host's
load average less what our own jobs put there). ``default_workers`` sizes the pool.

Under a CPU quota smaller than the machine (a cgroup ``cpu.max`` as on Streamlit Community Cloud,
or an affinity mask), the load average still counts every CPU of the host, most of which are not
ours: the meter counts the share of it that falls on our ``quota`` CPUs, as if it were spread
evenly. The server's own CPU use is counted in full either way.
"""

from __future__ import annotations

import math
import os
import threading
import time

LOAD_TAU_S = 60.0
"""The kernel's 1-minute load average forgets with this time constant; so does our own share."""
SAMPLE_EVERY_S = 1.0


def default_workers(quota: int) -> int:
    """Worker processes for ``quota`` CPUs: one up to three CPUs (it may use two threads), then one
    per two CPUs, at most four."""
    return 1 if quota <= 3 else min(4, quota // 2)


def choose_threads(quota: int, cap: int, others: float, outside: float) -> int:
    """Threads for one job: the cores that other jobs (``others`` threads) and other work
    (``outside`` cores busy) leave free, counting a core as free when three quarters of it are;
    at least 1, at most ``cap``."""
    free = quota - others - outside
    return max(1, min(cap, int(math.floor(free + 0.25))))


class LoadMeter:
    """The load outside our jobs: the server process's CPU use and the rest of the host's on the
    ``quota`` CPUs we may use (of the machine's ``cpus``)."""

    def __init__(self, quota: int | None = None, cpus: int | None = None) -> None:
        cpus = cpus or os.cpu_count() or 1
        self.share = min(1.0, (quota or cpus) / cpus)  # the part of the host's load on our CPUs
        self._lock = threading.Lock()
        self._wall = time.monotonic()
        self._cpu = time.process_time()
        self._server = 0.0  # cores the server process used lately
        self._own = 0.0  # our share of the load average (jobs' threads + the server), decayed
        self._jobs = 0.0

    def outside(self, job_threads: float) -> float:
        """Cores busy with work other than our jobs; ``job_threads``: threads our jobs run now."""
        with self._lock:
            self._sample(job_threads)
            try:
                host = (os.getloadavg()[0] - self._own) * self.share
            except OSError:
                host = 0.0
            return max(self._server, host, 0.0)

    def _sample(self, job_threads: float) -> None:
        now = time.monotonic()
        dt = now - self._wall
        if dt < SAMPLE_EVERY_S:
            return
        cpu = time.process_time()
        used = (cpu - self._cpu) / dt
        self._server = 0.5 * self._server + 0.5 * used  # a few seconds of memory
        keep = math.exp(-dt / LOAD_TAU_S)
        self._own = keep * self._own + (1 - keep) * (self._jobs + used)
        self._jobs = job_threads
        self._wall, self._cpu = now, cpu
