"""Every benchmark script still imports: they are run by hand, not in CI, so a helper renamed
elsewhere broke ``bench_browser`` unnoticed for a session (it imported ``server_env``, gone)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import benchmarks

MODULES = sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__))


def test_there_are_benchmarks():
    assert {"bench_browser", "bench_classroom", "lesson", "learner"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_a_benchmark_module_imports(name):
    module = importlib.import_module(f"benchmarks.{name}")
    assert module.__doc__, f"benchmarks/{name}.py says what it measures"
