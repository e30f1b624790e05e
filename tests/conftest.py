"""Shared test settings: keep every test offline and its caches inside a temp dir."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory, monkeypatch):
    """Point the run cache at a per-session temp dir and forbid downloads in tests."""
    root = tmp_path_factory.getbasetemp()
    monkeypatch.setenv("DLVIZ_CACHE_DIR", str(root / "dlviz-cache"))
    monkeypatch.setenv("DLVIZ_DATA_DIR", os.environ.get("DLVIZ_TEST_DATA_DIR", str(root / "data")))
    monkeypatch.setenv("DLVIZ_OFFLINE", "1")
    monkeypatch.delenv("DLVIZ_THREADS", raising=False)  # a developer's own setting stays out
    monkeypatch.delenv("DLVIZ_RUN_LOG", raising=False)


@pytest.fixture(autouse=True)
def _restore_denormals():
    """Training sets flush-denormal on its thread (for speed); give the next test IEEE floats back.

    hypothesis refuses to generate floats while subnormals are flushed to zero.
    """
    yield
    import torch

    torch.set_flush_denormal(False)


def job_workers_of(pid: int) -> list[int]:
    """Live ``python -m dlviz.jobs`` worker processes whose parent is ``pid`` (Linux; else [])."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            stat = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if int(stat[1]) == pid and stat[0] != "Z" and b"dlviz.jobs" in cmdline:
            found.append(int(proc.name))
    return found


@pytest.fixture(autouse=True, scope="session")
def _no_job_worker_left_behind():
    """Every executor a test started has ended its worker processes by the end of the session."""
    yield
    from tests.support import wait_until

    pid = os.getpid()
    if not wait_until(lambda: not job_workers_of(pid), timeout=10):
        pytest.fail(f"job worker processes left running: {job_workers_of(pid)}")
