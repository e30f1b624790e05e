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
    probs: np.ndarray  # (G, G, K) softmax probabilities over the plane
    map_axis: np.ndarray  # (M,) coordinates of the small per-neuron maps
    maps: list[np.ndarray]  # per column (inputs, hidden layers..., softmax): (width, M, M)
    weights: list[np.ndarray]  # per Linear layer: (fan_out, fan_in)
    biases: list[np.ndarray]  # per Linear layer: (fan_out,)
    train_pred: np.ndarray
    test_pred: np.ndarray
    confusion: np.ndarray  # (K, K) on the test points
