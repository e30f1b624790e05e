"""Time the Depth-and-initialization page: one depth study, and server-side reruns in AppTest.

Prints milliseconds; never asserts. Run from the repo root: ``python -m benchmarks.bench_depth``.
"""

from __future__ import annotations

import statistics
import time

from benchmarks.apptest_timer import report, time_reruns
from dlviz.depth import DepthConfig, compare_inits, depth_study
from dlviz.runtime import configure_torch


def _study_ms(cfg: DepthConfig, repeats: int = 7) -> list[float]:
    depth_study(cfg)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        depth_study(cfg)
        times.append((time.perf_counter() - t0) * 1000)
    return times


def main() -> None:
    threads = configure_torch()
    print(f"torch threads: {threads}")
    for depth, width in ((20, 128), (50, 128), (50, 512)):
        report(
            f"depth_study depth {depth} width {width} batch 256",
            _study_ms(DepthConfig(depth=depth, width=width)),
        )
    t0 = time.perf_counter()
    compare_inits(DepthConfig(depth=50))
    print(f"compare_inits depth 50 (5 studies): {(time.perf_counter() - t0) * 1000:.0f} ms")

    depths = [10, 20, 30, 40, 50, 15, 25, 35, 45, 12, 22, 32, 42, 8, 18, 28]

    def new_depth(at, i: int) -> None:  # every rerun is a new config: one uncached study
        at.slider(key="depth_depth").set_value(depths[i % len(depths)])

    report(
        "page rerun, depth slider moved (compare off, the default)",
        time_reruns("6_depth_and_init.py", new_depth),
    )

    def same(at, i: int) -> None:  # study and figures cached (ui.depth_view): rendering alone
        at.slider(key="depth_depth").set_value(20)

    times = time_reruns("6_depth_and_init.py", same)
    report("page rerun, cached study and figures", times)
    print(f"(median of cached reruns {statistics.median(times):.0f} ms)")


if __name__ == "__main__":
    main()
