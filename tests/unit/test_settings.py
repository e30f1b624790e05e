"""DLVIZ_* settings: the one place the environment is read, and where each setting takes effect."""

from __future__ import annotations

import pytest
import torch

import dlviz.runtime
from dlviz.ui.settings import get_settings, parse_threads


@pytest.mark.parametrize(
    ("text", "expected"),
    [("3", 3), (" 1 ", 1), ("256", 256), ("", None), ("0", None), ("-2", None), ("257", None),
     ("two", None), ("1.5", None)],
)  # fmt: skip
def test_parse_threads_accepts_only_a_sane_positive_count(text, expected):
    assert parse_threads(text) == expected


def test_settings_read_every_dlviz_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("DLVIZ_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("DLVIZ_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("DLVIZ_OFFLINE", "0")
    monkeypatch.setenv("DLVIZ_THREADS", "1")
    s = get_settings()
    assert (s.data_dir, s.cache_dir) == (tmp_path / "d", tmp_path / "c")
    assert s.allow_download and s.threads == 1
    monkeypatch.delenv("DLVIZ_THREADS")
    assert get_settings().threads is None  # the CPU quota decides


def test_dlviz_threads_reaches_torch_in_the_app_and_the_cli(monkeypatch, tmp_path):
    from dlviz.cli import main
    from dlviz.ui.common import setup_torch

    before = torch.get_num_threads()
    seen: list[int | None] = []
    real = dlviz.runtime.configure_torch

    def spy(threads=None):
        seen.append(threads)
        return real(threads=threads)

    monkeypatch.setattr(dlviz.runtime, "configure_torch", spy)
    monkeypatch.setenv("DLVIZ_THREADS", "1")
    setup_torch.clear()  # st.cache_resource: once per process, so start from a clean cache
    try:
        assert setup_torch() == 1 and torch.get_num_threads() == 1
        argv = ["train", "--dataset", "digits", "--model", "seed-mlp", "--epochs", "1",
                "--subset", "100", "--no-cache", "--cache-dir", str(tmp_path)]  # fmt: skip
        assert main(argv) == 0
        assert main([*argv, "--threads", "2"]) == 0  # the flag wins over the variable
    finally:
        setup_torch.clear()
        torch.set_num_threads(before)
    assert [t for t in seen if t is not None] == [1, 1, 2]  # train() itself passes None: "keep"
