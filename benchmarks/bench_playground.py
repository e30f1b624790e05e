"""Playground timing: one training epoch plus a redraw of every figure, against the 0.5 s poll.

For a 4 x 8 tanh network (Adam, batch 16) on 500 moons points (350 train), it times what one
fragment poll costs the server: the epoch the worker trains, ``Trainer.snapshot()``, the four
figure builders and plotly's JSON serialisation (what ``st.plotly_chart`` sends). Then it times a
full page rerun under AppTest after a Step click. Prints milliseconds; never asserts.

Run from the repo root: ``python -m benchmarks.bench_playground``.
"""

from __future__ import annotations

import os
import statistics
import time

import plotly.io as pio

from dlviz.playground.data import DataConfig, make_dataset
from dlviz.playground.model import ModelConfig, TrainSettings
from dlviz.playground.session import Trainer
from dlviz.plots.playground.live import build_live_figures, refresh_live_figures
from dlviz.runtime import configure_torch

POLL_MS = 500.0
REPEATS = 30


def _ms(fn, repeats: int = REPEATS) -> tuple[list[float], list[float]]:
    """Wall-clock and this thread's CPU milliseconds of each call (CPU time barely moves when
    other processes share the cores; wall time is what a learner waits)."""
    wall, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.thread_time()
        fn()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
    return wall, cpu


def line(label: str, times: tuple[list[float], list[float]]) -> tuple[float, float]:
    wall, cpu = times
    med = statistics.median(wall)
    print(
        f"{label:<48} wall median {med:7.1f} ms  max {max(wall):7.1f} ms   "
        f"CPU median {statistics.median(cpu):6.1f} ms",
        flush=True,
    )
    return med, statistics.median(cpu)


def main() -> None:
    threads = configure_torch()
    data = make_dataset(DataConfig(name="moons", n_samples=500, noise=0.2))
    features = ("x1", "x2")
    trainer = Trainer(data, ModelConfig(features, (8, 8, 8, 8), "tanh", "adam"), TrainSettings())
    trainer.step(3)  # warm-up
    print(f"torch threads: {threads}; 4x8 tanh MLP, Adam, batch 16, 350 train / 150 test points")
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")

    def build():
        return build_live_figures(trainer.snapshot(), data, features)

    figs = build()

    def refresh():
        refresh_live_figures(figs, trainer.snapshot(), data)

    def send():  # what st.plotly_chart does with each figure
        return sum(len(pio.to_json(f.to_dict(), validate=False)) for f in figs.values())

    epoch = line("one training epoch (22 Adam steps + eval)", _ms(lambda: trainer.step(1)))
    line("snapshot (80x80 grid + 24x24 neuron maps)", _ms(trainer.snapshot))
    line("build the four figures afresh (first draw)", _ms(build, 5))
    line("refresh the four figures in place (each poll)", _ms(refresh))
    line("serialise them as st.plotly_chart does", _ms(send))
    draw = line("poll: snapshot + refresh + serialise", _ms(lambda: (refresh(), send())))
    print(f"JSON sent per poll: {send() / 1024:.0f} KiB")
    wall, cpu = epoch[0] + draw[0], epoch[1] + draw[1]
    print(
        f"{'epoch + full redraw':<48} wall median {wall:7.1f} ms = {wall / POLL_MS:.0%} of the "
        f"{POLL_MS:.0f} ms poll; CPU {cpu:.1f} ms = {cpu / POLL_MS:.0%}"
    )

    from benchmarks.apptest_timer import report, time_reruns

    def step(at, i):
        at.button(key="pg_step").click()

    times = time_reruns("5_playground.py", step, repeats=10)
    report("full page rerun after Step (AppTest)", times)


if __name__ == "__main__":
    main()
