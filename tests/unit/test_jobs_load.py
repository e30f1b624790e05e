"""Threads per job from the load of the moment, simulated second by second on a fake host: a
2-core machine (idle, with another process busy, with the server drawing pages) and a 2-CPU
cgroup quota on a 16-CPU host like Streamlit Community Cloud; and the quota read from cpu.max."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest

import dlviz.jobs.load as load
import dlviz.runtime
from dlviz.jobs import Executor, choose_threads


class Host:
    """A fake clock, server CPU counter and kernel 1-minute load average (updated every 5 s)."""

    def __init__(self, cpus: int, busy: float) -> None:
        self.cpus, self.now, self.cpu = cpus, 1000.0, 0.0
        self.loadavg = busy  # the host has been this busy for a while already
        self.since_update = 0.0

    def step(self, runnable: float, server: float) -> None:
        """One second: ``runnable`` threads on the host in all, ``server`` cores for the server."""
        self.now += 1.0
        self.cpu += server
        self.since_update += 1.0
        if self.since_update >= 5.0:  # the kernel's calc_load: every 5 s, 1-minute decay
            keep = math.exp(-5.0 / 60.0)
            self.loadavg = keep * self.loadavg + (1 - keep) * runnable
            self.since_update = 0.0

    def patch(self, monkeypatch) -> None:
        fake_time = SimpleNamespace(monotonic=lambda: self.now, process_time=lambda: self.cpu)
        fake_os = SimpleNamespace(getloadavg=lambda: (self.loadavg, 0, 0), cpu_count=lambda: 16)
        monkeypatch.setattr(load, "time", fake_time)
        monkeypatch.setattr(load, "os", fake_os)


def simulate(monkeypatch, *, quota, cpus, other, server=0.0, seconds=300) -> list[int]:
    """A job running for ``seconds`` while ``other`` cores of the host (beside our server's
    ``server``) are busy; the thread count the executor's rule gives it, second by second."""
    host = Host(cpus, busy=other + server)
    host.patch(monkeypatch)
    meter = load.LoadMeter(quota, cpus)
    threads, seen = 1, []
    for _ in range(seconds):
        host.step(runnable=other + server + threads, server=server)
        threads = choose_threads(quota, quota, 0, meter.outside(threads))
        seen.append(threads)
    return seen


def test_an_idle_two_core_server_gives_a_job_both_cores_and_keeps_them(monkeypatch):
    seen = simulate(monkeypatch, quota=2, cpus=2, other=0.0)
    assert set(seen[2:]) == {2}  # its own load never makes it step down


def test_a_two_core_server_with_another_busy_process_gives_one_thread(monkeypatch):
    assert set(simulate(monkeypatch, quota=2, cpus=2, other=1.0)) == {1}


def test_a_server_drawing_pages_leaves_a_job_one_thread(monkeypatch):
    seen = simulate(monkeypatch, quota=2, cpus=2, other=0.0, server=0.5)
    assert set(seen[2:]) == {1}


@pytest.mark.parametrize(("other", "threads"), [(1.0, 2), (8.0, 1), (30.0, 1)])
def test_a_two_cpu_quota_on_a_big_host_counts_its_share_of_the_host_load(
    monkeypatch, other, threads
):
    """Community Cloud: 2 CPUs of quota on a 16-CPU host whose load average is everybody's."""
    seen = simulate(monkeypatch, quota=2, cpus=16, other=other)
    assert set(seen[2:]) == {threads}


def test_one_cpu_of_quota_always_trains_on_one_thread(monkeypatch):
    assert set(simulate(monkeypatch, quota=1, cpus=16, other=0.0)) == {1}


@pytest.mark.parametrize(
    ("cpu_max", "affinity", "quota"),
    [
        ("max 100000", 2, 2),  # no quota: the two cores
        ("200000 100000", 16, 2),  # Community Cloud's 2 CPUs on a 16-CPU host
        ("7800 100000", 16, 1),  # 0.078 of a CPU: one thread, never zero
        ("150000 100000", 16, 1),  # 1.5 CPUs: one full CPU
        ("400000 100000", 2, 2),  # a quota above the affinity: the affinity
    ],
)
def test_the_quota_comes_from_cpu_max_and_the_affinity(monkeypatch, cpu_max, affinity, quota):
    def read(path: str) -> str:
        if path == "/sys/fs/cgroup/cpu.max":
            return cpu_max + "\n"
        raise OSError(path)

    monkeypatch.setattr(dlviz.runtime, "_read", read)
    monkeypatch.setattr(dlviz.runtime.os, "sched_getaffinity", lambda pid: set(range(affinity)))
    assert dlviz.runtime.cpu_quota() == quota
    ex = Executor(quota=dlviz.runtime.cpu_quota())  # never started: sizing only
    assert ex.workers == 1 and ex.thread_cap == quota
