"""A live Playground training session: Play, Pause, Step, Reset, and snapshots to draw.

``Trainer`` owns one model and trains it epoch by epoch, either synchronously (``step``) or in a
background thread (``play`` until ``pause``). The thread never touches any UI: a caller polls
``snapshot()``, which copies everything a figure needs (a ``dlviz.playground.snapshot.Snapshot``)
under the same lock that guards training. A worker thread only exists while playing; it stops by
itself when training diverges (after rolling nothing back: ``recover`` does that on request), at
``max_epochs``, or when nobody has asked for a snapshot for ``idle_timeout`` seconds and the page
is gone (``watched``: it was closed). It draws nothing.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import torch

from dlviz.display import number
from dlviz.metrics import confusion_matrix
from dlviz.playground.data import PlaygroundData, feature_map, plane_grid
from dlviz.playground.hands import HandsOn
from dlviz.playground.model import (
    ModelConfig,
    TrainSettings,
    apply_settings,
    build_mlp,
    evaluate,
    layer_outputs,
    linear_layers,
    optimizer_for,
    params_finite,
    train_epoch,
)
from dlviz.playground.sharing import THREAD_NAME, cpu_share, pause_after_epoch, playing_now
from dlviz.playground.snapshot import (
    DIVERGED,
    HISTORY_KEYS,
    PAUSED,
    READY,
    RUNNING,
    Snapshot,
)
from dlviz.playground.threads import single_thread_math
from dlviz.runtime import name_os_thread


class Trainer(HandsOn):
    """One model, its optimizer and history, trained live by at most one worker thread."""

    def __init__(
        self,
        data: PlaygroundData,
        model_cfg: ModelConfig,
        settings: TrainSettings,
        *,
        grid: int = 80,
        map_grid: int = 24,
        max_epochs: int = 5000,
        idle_timeout: float = 30.0,
        diverge_factor: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
        cpu_clock: Callable[[], float] = time.thread_time,
        share: Callable[[], float] | None = None,
    ) -> None:
        self.data = data
        self.model_cfg = model_cfg
        self.max_epochs = max_epochs
        self.idle_timeout = idle_timeout
        self.watched: Callable[[], bool] | None = None
        """Whether the learner's page is still there (set by the page: Streamlit still has its
        session, connected or kept for a reconnect; None: unknown). A page that has not polled
        for ``idle_timeout`` but is still there is slow, not gone (a starved browser on a crowded
        machine), so its trainer plays on; only a page that is gone, or unknown, ends it."""
        self.diverge_factor = diverge_factor
        self._clock = clock
        self._cpu_clock = cpu_clock  # the worker thread's CPU seconds
        self._share = share or (lambda: cpu_share(playing_now()))
        self.epoch_cpu = 0.0  # CPU seconds of the last epoch played (0 until one has)
        self._lock = threading.RLock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._settings = settings
        self._status, self._message = READY, ""
        self._last_seen = clock()
        self._set_inputs(data)
        self._axis, grid_pts = plane_grid(data.limit, grid)
        self._grid_x = feature_map(grid_pts, model_cfg.features)
        self._map_axis, map_pts = plane_grid(data.limit, map_grid)
        self._map_x = feature_map(map_pts, model_cfg.features)
        self._input_maps = self._map_x.T.reshape(-1, map_grid, map_grid).numpy().copy()
        self.reset()

    def _set_inputs(self, data: PlaygroundData) -> None:
        self.data = data
        self._x_train = feature_map(data.x_train, self.model_cfg.features)
        self._x_test = feature_map(data.x_test, self.model_cfg.features)

    # ----- state changes -------------------------------------------------------------------
    def _refresh(self) -> None:
        """Recompute this epoch's losses and predictions in place (after new data or weights)."""
        with single_thread_math():
            values = self._evaluate_all()
        for key, value in zip(HISTORY_KEYS[1:], values[:4], strict=True):
            self._history[key][-1] = value
        self._train_pred, self._test_pred = values[4:]

    def reset(self) -> None:
        """Stop any worker and start again from the seeded initial weights (epoch 0)."""
        self.pause()
        with self._lock:
            cfg = self.model_cfg
            self.model = build_mlp(self._x_train.shape[1], self.data.n_classes, cfg)
            self.opt = optimizer_for(self.model, cfg.optimizer, self._settings)
            self._batch_gen = torch.Generator().manual_seed(int(cfg.seed) + 1)
            self.epoch = 0
            self._history: dict[str, list[float]] = {k: [] for k in HISTORY_KEYS}
            self._good_state = self._copy_state()
            self._status, self._message = READY, ""
            with single_thread_math():
                self._record()
            self._start_loss = self._history["train_loss"][0]

    def update_settings(self, settings: TrainSettings) -> None:
        """Apply a new learning rate, batch size, L2 strength or speed, even while playing."""
        with self._lock:
            self._settings = settings
            apply_settings(self.opt, settings)

    @property
    def settings(self) -> TrainSettings:
        """The learning rate, batch size, L2 strength and speed in use now."""
        return self._settings

    def step(self, epochs: int = 1) -> None:
        """Pause if playing, then train ``epochs`` epochs in the calling thread."""
        self.pause()
        with self._lock, single_thread_math():
            if self._status == DIVERGED:
                return
            for _ in range(epochs):
                if not self._epoch():
                    break
            if self._status == RUNNING or self._status == READY:
                self._status = PAUSED

    def play(self) -> None:
        """Start the worker thread (no-op while it already plays or after divergence)."""
        with self._lock:
            if self._status == DIVERGED or self.running:
                return
            if self.epoch >= self.max_epochs:
                self._message = (
                    f"Stopped at {self.max_epochs:,} epochs: press Reset to start again."
                )
                return
            self._join()
            self._stop = threading.Event()
            self._status, self._message = RUNNING, ""
            self._last_seen = self._clock()
            self._thread = threading.Thread(
                target=self._run, args=(self._stop,), name=THREAD_NAME, daemon=True
            )
            self._thread.start()

    def pause(self) -> None:
        """Ask the worker to stop after its current epoch and wait for it (a few ms)."""
        self._stop.set()
        self._join()
        with self._lock:
            if self._status == RUNNING:
                self._status = PAUSED

    stop = pause  # the page calls stop() when it throws a trainer away

    def recover(self, factor: float = 0.1, *, lr: float | None = None) -> float:
        """After divergence: roll back to the last finite weights, scale lr by ``factor`` (or set
        it to ``lr``), pause.

        The optimizer state (momentum, Adam's moments) is rebuilt from scratch because it blew up
        along with the weights. Returns the new learning rate.
        """
        self.pause()
        with self._lock:
            self.model.load_state_dict(self._good_state)
            new_lr = self._settings.lr * factor if lr is None else lr
            self._settings = replace(self._settings, lr=new_lr)
            self.opt = optimizer_for(self.model, self.model_cfg.optimizer, self._settings)
            self._status = PAUSED
            self._message = (
                f"Rolled back to epoch {self.epoch} and set the learning rate to "
                f"{number(self._settings.lr)}. Press Play to continue."
            )
            return self._settings.lr

    @property
    def running(self) -> bool:
        """Whether a worker thread is training (and has not been asked to stop)."""
        t = self._thread
        return t is not None and t.is_alive() and not self._stop.is_set()

    @property
    def status(self) -> str:
        """``ready``, ``running``, ``paused`` or ``diverged``."""
        return self._status

    @property
    def message(self) -> str:
        """What the trainer last had to say (divergence, idle stop, roll-back), or ""."""
        return self._message

    # ----- the work --------------------------------------------------------------------------
    def _join(self) -> None:
        t = self._thread
        if t is not None and t.is_alive() and t is not threading.current_thread():
            t.join(timeout=10)

    def _run(self, stop: threading.Event) -> None:
        """Worker body: one epoch per lap under the lock, paced to ``epochs_per_second``."""
        name_os_thread("dlviz-playgrnd")  # visible to ps -L / top -H and the tests
        with single_thread_math():
            self._loop(stop)
        with self._lock:
            if self._status == RUNNING:
                self._status = PAUSED

    def _loop(self, stop: threading.Event) -> None:
        while not stop.is_set():
            started, cpu_started = self._clock(), self._cpu_clock()
            with self._lock:
                if stop.is_set():
                    break
                if self._clock() - self._last_seen > self.idle_timeout and not self._watched():
                    self._status = PAUSED
                    self._message = "Paused: the page stopped watching. Press Play to go on."
                    break
                if not self._epoch():
                    break
                if self.epoch >= self.max_epochs:
                    self._status = PAUSED
                    self._message = f"Stopped at {self.max_epochs:,} epochs."
                    break
                rate = self._settings.epochs_per_second
            self.epoch_cpu = self._cpu_clock() - cpu_started
            elapsed = self._clock() - started
            stop.wait(pause_after_epoch(elapsed, self.epoch_cpu, rate, self._share()))

    def top_speed(self) -> float | None:
        """Epochs per second this trainer can play at its CPU share now, when that is below its
        speed setting (None otherwise, and before it has played an epoch)."""
        rate, share = self._settings.epochs_per_second, self._share()
        if self.epoch_cpu <= 0 or share >= 1.0:
            return None
        top = share / self.epoch_cpu
        return top if rate <= 0 or top < rate else None

    def _watched(self) -> bool:
        try:
            return bool(self.watched and self.watched())
        except Exception:  # noqa: BLE001 - a failing check must not kill training: say gone
            return False

    def _epoch(self) -> bool:
        """Train one epoch (lock held); on divergence roll back this epoch, flag it, return False.

        Divergence is a float overflow (NaN or infinity in the loss or the weights) or a training
        loss ``diverge_factor`` times above where it started: nothing here depends on the CPU.
        """
        self._good_state = self._copy_state()
        batch = max(1, int(self._settings.batch_size))
        data = self.data
        with np.errstate(all="ignore"):
            train_epoch(
                self.model,
                self.opt,
                self._x_train,
                data.y_train,
                batch,
                self._batch_gen,
                data.regression,
                self._settings.l1,
            )
        loss, _, _ = evaluate(self.model, self._x_train, data.y_train, data.regression)
        start = self._start_loss if math.isfinite(self._start_loss) else 0.1
        limit = self.diverge_factor * max(start, 0.1)
        if len(self._x_train) == 0:
            self.epoch += 1
            self._record()
            return True
        if not math.isfinite(loss):
            what = "the training loss became infinite or NaN"
        elif not params_finite(self.model):
            what = "some weights became infinite or NaN"
        elif loss > limit:
            what = f"the training loss jumped to {number(loss, 3)}"
        else:
            self.epoch += 1
            self._record()
            return True
        self.model.load_state_dict(self._good_state)
        self._status = DIVERGED
        self._message = (
            f"Training diverged in epoch {self.epoch + 1:,}: {what} (it started at "
            f"{number(self._start_loss, 3)}). The learning rate {number(self._settings.lr)} is "
            "too large for this network and optimizer."
        )
        return False

    def _evaluate_all(self) -> tuple:
        """(train loss, test loss, train score, test score, train and test predictions)."""
        reg = self.data.regression
        tr_loss, tr_acc, tr_pred = evaluate(self.model, self._x_train, self.data.y_train, reg)
        te_loss, te_acc, te_pred = evaluate(self.model, self._x_test, self.data.y_test, reg)
        return tr_loss, te_loss, tr_acc, te_acc, tr_pred, te_pred

    def _record(self) -> None:
        *values, self._train_pred, self._test_pred = self._evaluate_all()
        for key, value in zip(HISTORY_KEYS, (self.epoch, *values), strict=True):
            self._history[key].append(value)

    def _copy_state(self) -> dict[str, torch.Tensor]:
        return {k: v.detach().clone() for k, v in self.model.state_dict().items()}

    # ----- reading -----------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        """A consistent copy of the model's state and its outputs over the plane."""
        with self._lock, single_thread_math():
            self._last_seen = self._clock()
            g, m = len(self._axis), len(self._map_axis)
            reg = self.data.regression
            probs = layer_outputs(self.model, self._grid_x, reg)[-1].reshape(g, g, -1).numpy()
            outs = layer_outputs(self.model, self._map_x, reg)
            maps = [self._input_maps] + [o.T.reshape(-1, m, m).numpy().copy() for o in outs]
            lins = linear_layers(self.model)
            return Snapshot(
                epoch=self.epoch,
                status=self._status,
                message=self._message,
                lr=self._settings.lr,
                history={k: np.asarray(v, dtype=np.float64) for k, v in self._history.items()},
                axis=self._axis,
                probs=probs.copy(),
                map_axis=self._map_axis,
                maps=maps,
                weights=[lin.weight.detach().numpy().copy() for lin in lins],
                biases=[lin.bias.detach().numpy().copy() for lin in lins],
                train_pred=self._train_pred.numpy().copy(),
                test_pred=self._test_pred.numpy().copy(),
                confusion=self._confusion(),
                task=self.data.task,
            )

    def _confusion(self) -> np.ndarray:
        if self.data.regression:
            return np.zeros((0, 0), dtype=np.int64)
        return confusion_matrix(self.data.y_test, self._test_pred, self.data.n_classes)
