"""What the Playground's figures draw: a ``Snapshot`` of a live session, and its status words.

A snapshot is a consistent copy, as plain numpy arrays, of one moment of a training session
(``dlviz.playground.session.Trainer.snapshot``): the history, the class probabilities over the
plane, every neuron's output map, the weights and biases, the predictions. It computes nothing
and knows no trainer, thread or figure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HISTORY_KEYS = ("epoch", "train_loss", "test_loss", "train_acc", "test_acc")
"""Recorded once per epoch; for regression the ``_acc`` entries hold R^2 and the losses the MSE."""

READY, RUNNING, PAUSED, DIVERGED = "ready", "running", "paused", "diverged"


@dataclass(frozen=True, eq=False)
class Snapshot:
    """Everything the figures need at one moment, as plain numpy arrays (safe to keep)."""

    epoch: int
    status: str  # ready | running | paused | diverged
    message: str
    lr: float
    history: dict[str, np.ndarray]  # HISTORY_KEYS -> one value per recorded epoch
    axis: np.ndarray  # (G,) coordinates of the decision grid along x1 and x2
    probs: np.ndarray  # (G, G, K) softmax probabilities (regression: (G, G, 1) predicted value)
    map_axis: np.ndarray  # (M,) coordinates of the small per-neuron maps
    maps: list[np.ndarray]  # per column (inputs, hidden layers..., softmax): (width, M, M)
    weights: list[np.ndarray]  # per Linear layer: (fan_out, fan_in)
    biases: list[np.ndarray]  # per Linear layer: (fan_out,)
    train_pred: np.ndarray
    test_pred: np.ndarray
    confusion: np.ndarray  # (K, K) on the test points; (0, 0) for regression
    task: str = "classification"

    @property
    def regression(self) -> bool:
        """Whether the network predicts a value (linear output, squared error)."""
        return self.task == "regression"


def neuron_name(column: int, j: int, n_columns: int, features: tuple[str, ...], task: str) -> str:
    """A neuron's short name: the input feature's label, ``h2.3`` (hidden layer 2, neuron 3),
    ``class 1`` or ``ŷ`` for the output."""
    from dlviz.playground.data import FEATURES  # data imports nothing from here

    if column == 0:
        return FEATURES[features[j]][0]
    if column == n_columns - 1:
        return "ŷ" if task == "regression" else f"class {j}"
    return f"h{column}.{j + 1}"


def weight_name(layer: int, j: int, i: int, n_layers: int, features: tuple[str, ...], task: str):
    """``"x₁ → h1.2"``: the weight of Linear layer ``layer`` from input ``i`` to neuron ``j``."""
    cols = n_layers + 1
    return (
        f"{neuron_name(layer, i, cols, features, task)} → "
        f"{neuron_name(layer + 1, j, cols, features, task)}"
    )


def zero_weights(snap: Snapshot, features: tuple[str, ...]) -> list[str]:
    """Names of the weights that are exactly zero (what L1 does), input side first."""
    n = len(snap.weights)
    return [
        weight_name(layer, int(j), int(i), n, features, snap.task)
        for layer, w in enumerate(snap.weights)
        for j, i in zip(*np.nonzero(w == 0), strict=True)
    ]
