"""Playground timing for regression, a weight edit and slow motion (issue 18's budgets).

For the page's default network (2 hidden layers of 6 tanh, Adam, batch 16) and a 4 x 8 one,
on 500 points: one regression epoch plus a full redraw (snapshot, the four figures refreshed in
place, plotly's JSON); a weight edit (``Trainer.set_parameter``) plus the same redraw; one slow
motion step (``Trainer.slow_motion``, its stages, the animated figure and its JSON). Prints
milliseconds; never asserts.

Run from the repo root: ``python -m benchmarks.bench_playground_hands_on``.
"""

from __future__ import annotations

import os

import plotly.io as pio

from benchmarks.bench_playground import _ms, line
from dlviz.playground.data import DataConfig, make_dataset
from dlviz.playground.model import ModelConfig, TrainSettings
from dlviz.playground.session import Trainer
from dlviz.playground.stages import node_names, step_stages
from dlviz.plots.playground.live import build_live_figures, refresh_live_figures
from dlviz.plots.playground.slowmo import slow_motion_figure
from dlviz.runtime import configure_torch


def _redraw(trainer: Trainer, figs) -> int:
    """What a poll does: snapshot, the four figures refreshed in place, serialised."""
    refresh_live_figures(figs, trainer.snapshot(), trainer.data)
    return sum(len(pio.to_json(f.to_dict(), validate=False)) for f in figs.values())


def bench(hidden: tuple[int, ...], dataset: str) -> None:
    features = ("x1", "x2")
    data = make_dataset(DataConfig(name=dataset, n_samples=500))
    trainer = Trainer(data, ModelConfig(features, hidden, "tanh", "adam"), TrainSettings(l1=1e-3))
    trainer.step(3)
    figs = build_live_figures(trainer.snapshot(), trainer.data, features)
    tag = f"{dataset}, hidden {list(hidden)}"
    print(f"-- {tag} (L1 1e-3)")
    line("epoch + full redraw", _ms(lambda: (trainer.step(1), _redraw(trainer, figs))))
    line("weight edit + full redraw", _ms(lambda: (trainer.set_parameter(0, 1, 0, 0.5),
                                                    _redraw(trainer, figs))))  # fmt: skip
    x, t = data.x_train[0].numpy(), float(data.y_train[0])

    def slow():
        sm, change, _ = trainer.slow_motion(x, t)
        stages = step_stages(sm, features, change)
        fig = slow_motion_figure(stages, node_names(sm, features))
        return len(pio.to_json(fig.to_dict(), validate=False))

    line("slow motion: step, stages, figure, JSON", _ms(slow, 10))
    print(f"slow-motion figure JSON: {slow() / 1024:.0f} KiB")


def main() -> None:
    threads = configure_torch()
    print(f"torch threads: {threads}; load average at start: {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} CPUs")  # fmt: skip
    for hidden in ((6, 6), (8, 8, 8, 8)):
        for dataset in ("moons", "bump"):
            bench(hidden, dataset)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
