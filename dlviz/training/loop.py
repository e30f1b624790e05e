"""The training loop: fast on a small CPU, deterministic for a seed, reporting through callbacks.

What makes it fast is measured in the project's performance notes: the dataset stays in memory as
uint8 and batches are drawn with ``torch.randperm`` and normalised one batch at a time (no
DataLoader, no per-sample transforms); CNNs run in ``channels_last``; optimizers are fused where
torch supports it; torch threads follow the CPU quota with denormals flushed and the allocator
tuned (``dlviz.runtime``); evaluation runs in large ``inference_mode`` batches
(``dlviz.training.inference``, which also decides the precision: bfloat16 autocast for forward
passes where ``resolve_precision`` says so, float32 weights, loss and optimizer always). The loop
never raises on a diverging loss: the run ends with status "diverged" and keeps the last finite
weights.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from dlviz.data import Dataset
from dlviz.display import number, percent
from dlviz.optimizers import make_optimizer
from dlviz.runtime import configure_torch, resolve_device
from dlviz.training.augment import augment_batch
from dlviz.training.config import Callback, EpochStats, Progress, TrainConfig, TrainResult
from dlviz.training.inference import (
    autocast,
    batch_input,
    evaluate,
    resolve_precision,
    uses_conv,
)
from dlviz.training.models import build_model, count_parameters
from dlviz.training.placement import place

STEP_EVENTS_PER_EPOCH = 20
"""About how many "step" progress events an epoch sends to callbacks."""
EVAL_BATCH_PIXELS = 1_000_000
"""Evaluation batches hold about this many input values (1,000 MNIST images, 325 CIFAR images):
large enough to be fast, small enough that a CIFAR CNN's activations stay in a few hundred MB."""


def train(
    cfg: TrainConfig,
    data: Dataset,
    callbacks: Sequence[Callback] = (),
    device: str | torch.device = "cpu",
) -> TrainResult:
    """Train ``cfg.model`` on ``data`` for ``cfg.epochs``; callbacks may stop the run.

    ``device`` (a ``torch.device`` or a ``dlviz.runtime.DEVICES`` name) is where the model and
    its batches live; the data stay in host memory and every result comes back on the CPU.
    """
    if data.info.name != cfg.dataset:
        raise ValueError(
            f"The config is for {cfg.dataset!r} but the data is {data.info.name!r}; "
            "make them match so cached runs stay correct."
        )
    configure_torch()
    # Seed a private copy of the global RNG (model init, dropout): callers' RNG is untouched.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(cfg.seed)
        where = device if isinstance(device, torch.device) else resolve_device(device)
        return _Run(cfg, data, callbacks, where).run()


def split_indices(
    n: int,
    train_subset: int | None,
    val_fraction: float,
    seed: int,
    nested: bool = False,
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(train_idx, val_idx)``: a seeded random subset of ``range(n)`` split into train/val.

    By default the subset of ``train_subset`` images is drawn first and ``val_fraction`` of it is
    held out. ``nested``: ``val_fraction`` of all ``n`` images is held out first, the same for
    every subset size, and the training images are the next ``train_subset`` of the same
    permutation, so a smaller training set lies inside every larger one (fair "more data" runs).
    """
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    if nested:
        n_val = min(round(n * val_fraction), n - 2) if val_fraction > 0 else 0
        n_val = max(n_val, 1 if val_fraction > 0 else 0)
        rest = perm[n_val:]
        if train_subset is not None:
            rest = rest[: min(train_subset, len(rest))]
        return rest.sort().values, perm[:n_val].sort().values
    if train_subset is not None:
        perm = perm[: min(train_subset, n)]
    n_val = round(len(perm) * val_fraction) if val_fraction > 0 else 0
    n_val = min(max(n_val, 1 if val_fraction > 0 else 0), len(perm) - 1)
    return perm[n_val:].sort().values, perm[:n_val].sort().values


def training_labels(labels: torch.Tensor, train_idx: torch.Tensor, seed: int) -> torch.Tensor:
    """A copy of ``labels`` whose training images' labels are randomly permuted among them
    (seeded; the class counts stay the same, every image-label link is broken at random)."""
    out = labels.clone()
    g = torch.Generator().manual_seed((seed + 2) % 2**64)
    out[train_idx] = labels[train_idx[torch.randperm(len(train_idx), generator=g)]]
    return out


def optimizer_for(cfg: TrainConfig, params: Iterable[nn.Parameter]) -> torch.optim.Optimizer:
    """The configured optimizer, fused on CPU where torch has a fused kernel (SGD, Adam, AdamW)."""
    momentum = cfg.momentum if cfg.optimizer == "momentum" else None
    return make_optimizer(
        cfg.optimizer,
        params,
        lr=cfg.lr,
        momentum=momentum,
        weight_decay=cfg.weight_decay,
        fused=True,
        foreach=True,
    )


def _state(model: nn.Module) -> dict[str, torch.Tensor]:
    """A detached, contiguous copy of the model's state_dict, on the CPU."""
    return {
        k: v.detach().clone(memory_format=torch.contiguous_format).cpu()
        for k, v in model.state_dict().items()
    }


class _Run:
    """One training run's state; ``run()`` drives the epochs."""

    def __init__(
        self, cfg: TrainConfig, data: Dataset, callbacks: Sequence[Callback], device: torch.device
    ):
        self.cfg, self.data, self.info, self.callbacks = cfg, data, data.info, tuple(callbacks)
        self.device = device
        self.model = build_model(cfg.model, data.info.shape, data.info.num_classes)
        self.initial_state = _state(self.model)
        self.model = self.model.to(device)
        self.channels_last = uses_conv(self.model)
        self.precision = resolve_precision(cfg.precision, self.model, device)
        if self.channels_last:
            self.model = self.model.to(memory_format=torch.channels_last)
        self.optimizer = optimizer_for(cfg, self.model.parameters())
        self.train_idx, val_idx = split_indices(
            len(data.train_y), cfg.train_subset, cfg.val_fraction, cfg.seed, cfg.nested_split
        )
        self.train_y = (
            training_labels(data.train_y, self.train_idx, cfg.seed)
            if cfg.shuffle_labels
            else data.train_y
        )
        val = (data.train_x[val_idx], data.train_y[val_idx])
        # on a GPU, the images stay there when they fit (dlviz.training.placement)
        self.placed = place(
            device, (data.train_x, self.train_y), val, (data.test_x, data.test_y), cfg.augment
        )
        c, h, w = data.info.shape
        self.eval_batch = max(32, min(1000, EVAL_BATCH_PIXELS // (c * h * w)))
        self.generator = torch.Generator().manual_seed((cfg.seed + 1) % 2**64)  # 64-bit seeds wrap
        n, bs = len(self.train_idx), cfg.batch_size
        # A lone last image would break batch norm's batch statistics: drop it.
        self.steps = max(1, n // bs if n % bs == 1 and n > 1 else math.ceil(n / bs))
        self.history: list[EpochStats] = []
        self.test_preds: list[torch.Tensor] = []
        self.test_probs: list[torch.Tensor] = []
        self.good_state = self.initial_state  # last weights known to be finite
        self.best: tuple[float, int, dict[str, torch.Tensor]] | None = None
        self.step_seconds = self.eval_seconds = 0.0
        self.samples = 0

    def _notify(self, progress: Progress) -> bool:
        stop = False
        for cb in self.callbacks:
            stop = bool(cb(progress)) or stop
        return stop

    def run(self) -> TrainResult:
        t0 = time.perf_counter()
        status, message, diverged_at = "completed", "", None
        for epoch in range(1, self.cfg.epochs + 1):
            outcome = self._epoch(epoch)
            if outcome[0] != "ok":
                status, message, diverged_at = outcome
                break
            if self._early_stop():
                status = "early-stopped"
                message = (
                    f"Stopped early after epoch {epoch}: validation loss has not improved for "
                    f"{self.cfg.patience} epochs; keeping the weights of epoch {self.best[1]}."
                )
                break
        final_state, best_epoch = self._final_state(status)
        if status == "completed":
            n = len(self.history)
            message = (
                f"Trained {n} epoch{'s' if n != 1 else ''}; "
                f"test accuracy {percent(self.history[-1].test_acc, 2)}."
            )
        return TrainResult(
            config=self.cfg,
            history=self.history,
            status=status,
            message=message,
            diverged_at=diverged_at,
            initial_state=self.initial_state,
            final_state=final_state,
            test_labels=self.data.test_y.clone(),
            test_preds=self.test_preds,
            test_probs=self.test_probs,
            train_seconds=time.perf_counter() - t0,
            samples_per_second=self.samples / self.step_seconds if self.step_seconds else 0.0,
            parameters=count_parameters(self.model),
            best_epoch=best_epoch,
            eval_seconds=self.eval_seconds,
            created=time.time(),
            precision=self.precision,
            device=self.device.type,
        )

    def _epoch(self, epoch: int) -> tuple[str, str, tuple[int, int] | None]:
        """Train one epoch, evaluate, notify; ``("ok", "", None)`` or how the run ended."""
        t0, cfg = time.perf_counter(), self.cfg
        self.model.train()
        order = self.train_idx[torch.randperm(len(self.train_idx), generator=self.generator)]
        every = max(1, self.steps // STEP_EVENTS_PER_EPOCH)
        correct = torch.zeros((), dtype=torch.int64, device=self.device)
        loss_sum, seen, value = 0.0, 0, 0.0
        for step in range(1, self.steps + 1):
            idx = order[(step - 1) * cfg.batch_size : step * cfg.batch_size]
            value, hits = self._step(idx)
            limit = cfg.diverge_above
            if not math.isfinite(value) or (limit is not None and value > limit):
                if math.isfinite(value):
                    kind = f"{number(value)}, above this run's divergence limit of {number(limit)}"
                else:
                    kind = "NaN" if math.isnan(value) else "infinite"
                kept = f"epoch {len(self.history)}" if self.history else "initialisation"
                message = (
                    f"Diverged at epoch {epoch}, step {step}: loss became {kind}. "
                    f"Try a smaller learning rate; keeping the weights from {kept}."
                )
                return "diverged", message, (epoch, step)
            correct += hits
            loss_sum += value * len(idx)
            seen += len(idx)
            if self.callbacks and (step % every == 0 or step == self.steps):
                progress = Progress(
                    "step", epoch, cfg.epochs, step, self.steps, value, tuple(self.history)
                )
                if self._notify(progress) and step < self.steps:
                    self._finish_epoch(epoch, loss_sum / seen, correct.item() / seen, t0)
                    message = (
                        f"Stopped by request during epoch {epoch} (step {step} of {self.steps})."
                    )
                    return "stopped", message, None
        self._finish_epoch(epoch, loss_sum / seen, correct.item() / seen, t0)
        progress = Progress(
            "epoch", epoch, cfg.epochs, self.steps, self.steps, value, tuple(self.history)
        )
        if self._notify(progress) and epoch < cfg.epochs:
            return "stopped", f"Stopped by request after epoch {epoch} of {cfg.epochs}.", None
        return "ok", "", None

    def _step(self, idx: torch.Tensor) -> tuple[float, torch.Tensor]:
        """One optimisation step on the images ``idx``: ``(loss, correct predictions)``.

        A non-finite loss (or one above ``diverge_above``) returns before ``backward``/``step``,
        so the weights stay as they were.
        """
        ts = time.perf_counter()
        images, labels = self.placed.batch(idx)
        images = augment_batch(images, self.cfg.augment)
        xb = batch_input(images, self.info, self.channels_last, self.device)
        yb = labels.to(self.device, non_blocking=True)
        with autocast(self.precision, self.device.type):
            logits = self.model(xb)
        loss = F.cross_entropy(logits.float(), yb)
        value = loss.item()
        limit = self.cfg.diverge_above
        if not math.isfinite(value) or (limit is not None and value > limit):
            return value, torch.zeros((), dtype=torch.int64, device=self.device)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        hits = (logits.detach().argmax(1) == yb).sum()
        self.step_seconds += time.perf_counter() - ts
        self.samples += len(idx)
        return value, hits

    def _finish_epoch(self, epoch: int, train_loss: float, train_acc: float, t0: float) -> None:
        """Evaluate on validation and test images and append the epoch's stats and predictions."""
        te = time.perf_counter()
        on = self.placed
        val_loss, val_acc, _ = evaluate(
            self.model, on.val_x, on.val_y, self.info, self.eval_batch, self.precision
        )
        test_loss, test_acc, probs = evaluate(
            self.model, on.test_x, on.test_y, self.info, self.eval_batch, self.precision
        )
        fit_loss = fit_acc = None
        if self.cfg.eval_train:
            x, y = on.batch(self.train_idx)
            fit_loss, fit_acc, _ = evaluate(
                self.model, x, y, self.info, self.eval_batch, self.precision
            )
        self.eval_seconds += time.perf_counter() - te
        self.test_preds.append(probs.argmax(1))
        self.test_probs.append(probs.to(torch.float16))
        self.history.append(
            EpochStats(
                epoch,
                train_loss,
                train_acc,
                val_loss,
                val_acc,
                test_loss,
                test_acc,
                time.perf_counter() - t0,
                fit_loss,
                fit_acc,
            )
        )
        state = _state(self.model)
        if all(torch.isfinite(v).all() for v in state.values() if v.is_floating_point()):
            self.good_state = state
        if not math.isnan(val_loss) and (self.best is None or val_loss < self.best[0]):
            self.best = (val_loss, epoch, state)

    def _early_stop(self) -> bool:
        p = self.cfg.patience
        return p is not None and self.best is not None and len(self.history) - self.best[1] >= p

    def _final_state(self, status: str) -> tuple[dict[str, torch.Tensor], int | None]:
        if status == "early-stopped" and self.best is not None:
            return self.best[2], self.best[1]
        if status == "diverged":
            return self.good_state, len(self.history) or None
        return _state(self.model), None
