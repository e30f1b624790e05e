"""Time server-side reruns of a page with Streamlit's AppTest: a widget change, then a rerun.

Used by the per-page rerun benchmarks. Prints milliseconds; never asserts.
Run from the repo root, e.g. ``python -m benchmarks.rerun_concepts``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")

Action = Callable[[AppTest, int], None]
"""Changes one or more widgets on the AppTest before rerun i (e.g. sets a slider)."""


def time_reruns(page: str, action: Action, repeats: int = 15, timeout: float = 120) -> list[float]:
    """Open ``pages/<page>``, then time ``repeats`` reruns each preceded by ``action``; ms each."""
    at = AppTest.from_file(APP, default_timeout=timeout).run()
    at.switch_page(f"pages/{page}").run()
    if at.exception:
        raise RuntimeError(f"{page} raised: {[e.message for e in at.exception]}")
    action(at, 0)
    at.run()  # warm caches and imports once
    times = []
    for i in range(1, repeats + 1):
        action(at, i)
        t0 = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - t0) * 1000)
        if at.exception:
            raise RuntimeError(f"{page} raised: {[e.message for e in at.exception]}")
    return times


def report(label: str, times: Sequence[float]) -> str:
    """One line: label, median and max milliseconds."""
    line = f"{label:<48} median {statistics.median(times):7.1f} ms   max {max(times):7.1f} ms"
    print(line, flush=True)
    return line
