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
from dlviz.plots.playground.network import network_figure, update_network_figure
from dlviz.plots.playground.regions import (
    confusion_figure,
    curves_figure,
    decision_figure,
    update_confusion_figure,
    update_curves_figure,
    update_decision_figure,
)
from dlviz.plots.playground.regression import (
    fit_figure,
    update_fit_figure,
    update_value_figure,
    value_figure,
)
from dlviz.plots.playground.slowmo import slow_motion_figure
from dlviz.runtime import configure_torch


def _figures(trainer: Trainer, features):
    snap, data = trainer.snapshot(), trainer.data
    if data.regression:
        return [value_figure(snap, data), network_figure(snap, features),
                curves_figure(snap.history, regression=True), fit_figure(data)]  # fmt: skip
    return [decision_figure(snap, data), network_figure(snap, features),
            curves_figure(snap.history), confusion_figure(snap.confusion)]  # fmt: skip


def _redraw(trainer: Trainer, figs) -> int:
    """What a poll does: snapshot, the four figures refreshed in place, serialised."""
    snap, data = trainer.snapshot(), trainer.data
    if data.regression:
        update_value_figure(figs[0], snap)
        update_fit_figure(figs[3], snap)
    else:
        update_decision_figure(figs[0], snap, data)
        update_confusion_figure(figs[3], snap.confusion)
    update_network_figure(figs[1], snap)
    update_curves_figure(figs[2], snap.history)
    return sum(len(pio.to_json(f.to_dict(), validate=False)) for f in figs)


def bench(hidden: tuple[int, ...], dataset: str) -> None:
    features = ("x1", "x2")
    data = make_dataset(DataConfig(name=dataset, n_samples=500))
    trainer = Trainer(data, ModelConfig(features, hidden, "tanh", "adam"), TrainSettings(l1=1e-3))
    trainer.step(3)
    figs = _figures(trainer, features)
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
