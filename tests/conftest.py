"""Shared test settings: keep every test offline and its caches inside a temp dir."""

from __future__ import annotations

import os

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
