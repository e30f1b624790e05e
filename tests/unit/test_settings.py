"""DLVIZ_* settings: the one place the environment is read, and where each setting takes effect."""

from __future__ import annotations

import pytest
import torch

import dlviz.runtime
from dlviz.settings import get_settings, parse_threads


@pytest.mark.parametrize(
    ("text", "expected", "problem"),
    [("3", 3, None), (" 1 ", 1, None), ("4", 4, None), ("", None, None),
     ("256", 4, "DLVIZ_THREADS=256 is more than the 4 CPUs this process may use; using 4."),
     ("0", None, "DLVIZ_THREADS=0 must be at least 1; using the 4 CPUs this process may use."),
     ("-1", None, "DLVIZ_THREADS=-1 must be at least 1"),
     ("abc", None, "DLVIZ_THREADS='abc' is not a whole number; using the 4 CPUs"),
     ("1.5", None, "DLVIZ_THREADS='1.5' is not a whole number")],
)  # fmt: skip
def test_parse_threads_caps_at_the_cpus_and_says_what_it_did(text, expected, problem):
    threads, said = parse_threads(text, limit=4)
    assert threads == expected
    if problem is None:
        assert said is None
    else:
        assert said is not None and said.startswith(problem)


@pytest.fixture
def fresh_warnings(monkeypatch):
    """Forget which settings warnings this process already gave, and allow 2 CPUs."""
    import dlviz.settings

    monkeypatch.setattr(dlviz.settings, "_warned", set())
    monkeypatch.setattr(dlviz.runtime, "cpu_quota", lambda default=None: 2)


@pytest.mark.parametrize("value", ["256", "abc", "0", "-1"])
def test_a_bad_dlviz_threads_warns_once_and_uses_at_most_the_cpus(
    value, monkeypatch, caplog, fresh_warnings
):
    monkeypatch.setenv("DLVIZ_THREADS", value)
    with caplog.at_level("WARNING", logger="dlviz"):
        first, second = get_settings(), get_settings()
    assert first.threads == second.threads == (2 if value == "256" else None)
    said = [r.getMessage() for r in caplog.records if r.name == "dlviz"]
    assert len(said) == 1 and said[0].startswith("DLVIZ_THREADS=")  # once, not every rerun


def test_the_cli_prints_the_dlviz_threads_warning_as_one_line(
    monkeypatch, tmp_path, fresh_warnings
):
    import io

    from dlviz.cli import main

    monkeypatch.setenv("DLVIZ_THREADS", "256")
    before = torch.get_num_threads()
    out, err = io.StringIO(), io.StringIO()
    argv = ["train", "--dataset", "digits", "--model", "seed-mlp", "--epochs", "1",
            "--subset", "100", "--no-cache", "--cache-dir", str(tmp_path)]  # fmt: skip
    try:
        assert main(argv, out, err) == 0
        assert torch.get_num_threads() == 2  # capped at the CPUs, not 256
    finally:
        torch.set_num_threads(before)
    warnings = [ln for ln in err.getvalue().splitlines() if ln.startswith("dlviz: warning:")]
    assert warnings == [
        "dlviz: warning: DLVIZ_THREADS=256 is more than the 2 CPUs this process may use; using 2."
    ]


def test_settings_read_every_dlviz_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("DLVIZ_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("DLVIZ_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("DLVIZ_OFFLINE", "0")
    monkeypatch.setenv("DLVIZ_THREADS", "1")
    monkeypatch.setenv("DLVIZ_RUN_LOG", str(tmp_path / "runs.jsonl"))
    s = get_settings()
    assert (s.data_dir, s.cache_dir) == (tmp_path / "d", tmp_path / "c")
    assert s.allow_download and s.threads == 1
    assert s.run_log == tmp_path / "runs.jsonl"
    monkeypatch.delenv("DLVIZ_THREADS")
    monkeypatch.delenv("DLVIZ_RUN_LOG")
    assert get_settings().threads is None  # the CPU quota decides
    assert get_settings().run_log is None  # no run log unless asked for


def test_dlviz_threads_reaches_torch_in_the_app_and_the_cli(monkeypatch, tmp_path, fresh_warnings):
    from dlviz.cli import main
    from dlviz.ui.warmup import configure_torch_for_the_app

    before = torch.get_num_threads()
    seen: list[int | None] = []
    real = dlviz.runtime.configure_torch

    def spy(threads=None, tune_malloc=True):
        seen.append(threads)
        return real(threads=threads, tune_malloc=tune_malloc)

    monkeypatch.setattr(dlviz.runtime, "configure_torch", spy)
    monkeypatch.setenv("DLVIZ_THREADS", "1")
    try:
        assert configure_torch_for_the_app() == 1 and torch.get_num_threads() == 1
        argv = ["train", "--dataset", "digits", "--model", "seed-mlp", "--epochs", "1",
                "--subset", "100", "--no-cache", "--cache-dir", str(tmp_path)]  # fmt: skip
        assert main(argv) == 0
        assert main([*argv, "--threads", "2"]) == 0  # the flag wins over the variable
    finally:
        torch.set_num_threads(before)
    assert [t for t in seen if t is not None] == [1, 1, 2]  # train() itself passes None: "keep"


def test_the_cache_dir_may_be_an_fsspec_url_and_joins_like_a_path(monkeypatch):
    from pathlib import Path

    from dlviz.settings import get_settings
    from dlviz.storage import URL, location

    monkeypatch.setenv("DLVIZ_CACHE_DIR", "s3://course-bucket/dlviz/")
    cache = get_settings().cache_dir
    assert isinstance(cache, URL) and cache / "runs" == "s3://course-bucket/dlviz/runs"
    monkeypatch.setenv("DLVIZ_CACHE_DIR", "/srv/cache")
    assert get_settings().cache_dir / "runs" == Path("/srv/cache/runs")
    assert location("file:///srv/cache") == Path("/srv/cache")
    assert location("memory://x") / "a" / "b" == "memory://x/a/b"
