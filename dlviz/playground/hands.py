"""What a learner does to a Playground trainer besides training it: new points, one weight or
bias set by hand, one step in slow motion, and that step applied.

``HandsOn`` is a mixin of ``dlviz.playground.session.Trainer``: every method takes the trainer's
lock, so it is safe while the worker thread plays, and refreshes the current epoch's losses and
predictions (``_refresh``) so the next snapshot shows the change at once.
"""

from __future__ import annotations

import threading

import numpy as np
import torch
from torch import nn

from dlviz.playground.data import PlaygroundData, feature_map
from dlviz.playground.model import ModelConfig, TrainSettings, layer_outputs, linear_layers
from dlviz.playground.slowmo import SlowMotion, model_with, slow_motion
from dlviz.playground.threads import single_thread_math


class HandsOn:
    """Set data, parameters, and preview one example's step, on a ``Trainer``."""

    _lock: threading.RLock
    _settings: TrainSettings
    _grid_x: torch.Tensor
    _axis: np.ndarray
    data: PlaygroundData
    model: nn.Sequential
    model_cfg: ModelConfig

    # and the trainer's _set_inputs, _refresh and _copy_state

    def set_data(self, data: PlaygroundData) -> None:
        """Train on other points from now on (the learner's clicks), keeping the weights, the
        optimizer and the history; even while playing. Same task and number of outputs only."""
        if (data.task, data.n_classes) != (self.data.task, self.data.n_classes):
            raise ValueError("set_data keeps the task and the number of classes; make a Trainer.")
        with self._lock:
            self._set_inputs(data)
            self._refresh()

    def set_parameter(self, layer: int, row: int, col: int | None, value: float) -> None:
        """Set one weight (``col`` its input) or, with ``col=None``, one bias of Linear layer
        ``layer`` to ``value``; the optimizer state is kept. Pauses nothing."""
        with self._lock, torch.no_grad():
            lin = linear_layers(self.model)[layer]
            if col is None:
                lin.bias[row] = float(value)
            else:
                lin.weight[row, col] = float(value)
            self._good_state = self._copy_state()
            self._refresh()

    def parameters(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Copies of every layer's weights (fan_out, fan_in) and biases, input side first."""
        with self._lock:
            lins = linear_layers(self.model)
            return (
                [lin.weight.detach().numpy().copy() for lin in lins],
                [lin.bias.detach().numpy().copy() for lin in lins],
            )

    def set_parameters(self, weights: list[np.ndarray], biases: list[np.ndarray]) -> None:
        """Replace every weight and bias (slow motion's "apply this step"), keeping the rest."""
        with self._lock, torch.no_grad():
            for lin, w, b in zip(linear_layers(self.model), weights, biases, strict=True):
                lin.weight.copy_(torch.as_tensor(w))
                lin.bias.copy_(torch.as_tensor(b))
            self._good_state = self._copy_state()
            self._refresh()

    def slow_motion(self, point: np.ndarray, target: float) -> tuple[SlowMotion, float, np.ndarray]:
        """One example's step on the current weights (not applied), and what it changes over the
        plane: the share of grid cells whose class flips (regression: the mean |change| of the
        prediction), and on the (G, G) grid the change of the example's class probability (of
        the prediction)."""
        with self._lock, single_thread_math():
            s, reg = self._settings, self.data.regression
            p = torch.as_tensor(np.asarray(point, dtype=np.float32)[None])
            x = feature_map(p, self.model_cfg.features)[0]
            sm = slow_motion(self.model, x, target, regression=reg, lr=s.lr, l2=s.l2, l1=s.l1)
            twin = model_with(self.model, sm.new_weights, sm.new_biases)
            before = layer_outputs(self.model, self._grid_x, reg)[-1]
            after = layer_outputs(twin, self._grid_x, reg)[-1]
        g = len(self._axis)
        k = 0 if reg else int(target)
        delta = (after[:, k] - before[:, k]).reshape(g, g).numpy().copy()
        if reg:
            return sm, float((after - before).abs().mean()), delta
        return sm, float((after.argmax(1) != before.argmax(1)).float().mean()), delta
