"""Sanity checks a practitioner runs before trusting a training setup: overfit one batch, and the
learning-rate range test.

"Overfit one batch first": a network able to learn must drive the loss on one fixed batch to
about zero in a few dozen steps. ``OneBatch`` runs that check with the correct loop and with one
planted bug at a time (labels shuffled separately from the images, raw 0..255 inputs, a learning
rate 100x too high, no ``zero_grad``) and says what each curve points to. ``RangeTest`` (Smith
2017) trains once while the learning rate grows exponentially from tiny to huge, recording the
loss at each rate. Both are short (milliseconds a step on Digits) and seeded. Nothing here draws.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from dlviz.data import Dataset, normalize
from dlviz.generalization.experiments import model_spec
from dlviz.training.models import build_model

Progress = Callable[[int, int, str], None]
"""``progress(done, total, words)``: called between curves (may raise to cancel)."""

BUGS: dict[str, str] = {
    "none": "Correct loop",
    "shuffled-labels": "Labels shuffled apart from the images",
    "unnormalised": "Inputs not normalised (raw 0..255)",
    "lr-100x": "Learning rate 100x too high",
    "no-zero-grad": "Forgot optimizer.zero_grad()",
}
"""Each planted bug and its name on the page."""


@dataclass(frozen=True)
class BatchCurve:
    """One loop on the fixed batch: the loss and the batch accuracy after every step."""

    bug: str
    losses: tuple[float, ...]  # before each step (index 0: at initialisation); nan if diverged
    accuracies: tuple[float, ...]
    diagnosis: str


@dataclass(frozen=True)
class OneBatchResult:
    """Every loop of an ``OneBatch`` check, and the loss a uniform guess scores, ln(classes)."""

    curves: tuple[BatchCurve, ...]
    chance_loss: float


@dataclass(frozen=True)
class OneBatch:
    """Overfit one fixed batch of ``batch`` training images for ``steps`` Adam steps."""

    dataset: str = "digits"
    batch: int = 32
    steps: int = 60
    width: int = 128
    lr: float = 1e-3
    seed: int = 0
    bugs: tuple[str, ...] = tuple(BUGS)

    def label(self) -> str:
        """'Overfit one batch (5 loops)'."""
        return f"Overfit one batch ({len(self.bugs)} loops)"

    def steps_total(self) -> int:
        """Optimisation steps of the whole check."""
        return self.steps * len(self.bugs)

    def run(self, data: Dataset, progress: Progress | None = None) -> OneBatchResult:
        """Every loop in ``bugs`` on the same batch and the same initial weights."""
        g = torch.Generator().manual_seed(self.seed)
        idx = torch.randperm(len(data.train_y), generator=g)[: self.batch]
        x_raw, y = data.train_x[idx], data.train_y[idx]
        curves = []
        for i, bug in enumerate(self.bugs):
            curves.append(self._loop(data, x_raw, y, bug))
            if progress is not None:
                progress(i + 1, len(self.bugs), f"{BUGS[bug]}: done")
        return OneBatchResult(tuple(curves), math.log(data.info.num_classes))

    def _loop(self, data: Dataset, x_raw: torch.Tensor, y: torch.Tensor, bug: str) -> BatchCurve:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.seed)
            model = build_model(model_spec(self.width), data.info.shape, data.info.num_classes)
            x = x_raw.float() if bug == "unnormalised" else normalize(x_raw, data.info)
            lr = self.lr * (100 if bug == "lr-100x" else 1)
            opt = torch.optim.Adam(model.parameters(), lr=lr)
            losses, accs = [], []
            for step in range(self.steps + 1):
                labels = y[torch.randperm(len(y))] if bug == "shuffled-labels" else y
                logits = model(x)
                loss = F.cross_entropy(logits, labels)
                losses.append(loss.item())
                accs.append((logits.argmax(1) == labels).float().mean().item())
                if step == self.steps or not math.isfinite(losses[-1]):
                    break
                if bug != "no-zero-grad":
                    opt.zero_grad()
                loss.backward()
                opt.step()
        return BatchCurve(bug, tuple(losses), tuple(accs), diagnose(losses, math.log(10)))


def diagnose(losses: list[float] | tuple[float, ...], chance: float) -> str:
    """What a one-batch loss curve says, in one sentence (the symptom, then what it points to)."""
    if not all(math.isfinite(v) for v in losses):
        return "The loss became NaN or infinite: the steps are far too large (learning rate, "\
            "input scale)."  # fmt: skip
    first, last, low = losses[0], losses[-1], min(losses)
    tail = losses[-10:]
    jumpy = max(tail) - min(tail) > 0.5 * max(low, 0.05)
    if first > 3 * chance:
        start = f"It starts at {first:.3g}, far above ln(classes) = {chance:.2f}: the inputs or "\
            "the initial weights are on the wrong scale (check normalisation). "  # fmt: skip
    else:
        start = ""
    if last < 0.05:
        return start + "The loss reaches about 0: this loop can learn."
    if last > 0.7 * chance and low > 0.5 * chance:
        return start + "The loss stays near chance: the model cannot find a link between these "\
            "images and these labels (are labels and images still paired?)."  # fmt: skip
    if jumpy:
        return start + "The loss jumps around instead of settling: the steps are too large "\
            "(learning rate too high, or gradients piling up without zero_grad)."  # fmt: skip
    return (
        start + "The loss falls, then stalls well above 0: learning got stuck or slowed (too "
        "large steps can knock ReLU units dead; too small ones only crawl)."
    )


@dataclass(frozen=True)
class RangeCurve:
    """The range test: rates (log-spaced), raw and smoothed losses, and the suggested range."""

    lrs: tuple[float, ...]
    losses: tuple[float, ...]
    smoothed: tuple[float, ...]
    steepest: float  # the rate where the smoothed loss falls fastest (per log step)
    minimum: float  # the rate of the smallest smoothed loss
    suggested: tuple[float, float]  # a range to try: (steepest, minimum / 10)-ish, ordered


@dataclass(frozen=True)
class RangeTest:
    """Smith's learning-rate range test: ``steps`` steps from ``lr_min`` to ``lr_max``."""

    dataset: str = "digits"
    width: int = 128
    optimizer: str = "adam"
    lr_min: float = 1e-5
    lr_max: float = 10.0
    steps: int = 120
    batch_size: int = 64
    seed: int = 0
    stop_factor: float = 4.0  # stop once the smoothed loss is this many times its minimum
    smoothing: float = 0.9

    def label(self) -> str:
        """'Learning-rate range test (120 steps)'."""
        return f"Learning-rate range test ({self.steps} steps)"

    def steps_total(self) -> int:
        """Optimisation steps of the test."""
        return self.steps

    def rates(self) -> torch.Tensor:
        """The schedule: ``lr_i = lr_min * (lr_max / lr_min) ** (i / (steps - 1))``."""
        i = torch.arange(self.steps, dtype=torch.float64)
        return self.lr_min * (self.lr_max / self.lr_min) ** (i / max(1, self.steps - 1))

    def run(self, data: Dataset, progress: Progress | None = None) -> RangeCurve:
        """Train once with the growing rate; stop early once the loss has clearly blown up."""
        from dlviz.optimizers import make_optimizer

        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.seed)
            model = build_model(model_spec(self.width), data.info.shape, data.info.num_classes)
            opt = make_optimizer(self.optimizer, model.parameters(), lr=self.lr_min)
            lrs, losses = [], []
            n = len(data.train_y)
            for i, lr in enumerate(self.rates().tolist()):
                for group in opt.param_groups:
                    group["lr"] = lr
                idx = torch.randint(0, n, (self.batch_size,))
                loss = F.cross_entropy(model(normalize(data.train_x[idx], data.info)),
                                       data.train_y[idx])  # fmt: skip
                lrs.append(lr)
                losses.append(loss.item())
                if not math.isfinite(losses[-1]) or _blown_up(losses, self.smoothing,
                                                              self.stop_factor):  # fmt: skip
                    break
                opt.zero_grad()
                loss.backward()
                opt.step()
                if progress is not None and i % 20 == 19:
                    progress(i + 1, self.steps, f"step {i + 1} of {self.steps}")
        return range_curve(lrs, losses, self.smoothing)


def smooth(losses: list[float], beta: float) -> list[float]:
    """Bias-corrected exponential moving average: ``m_t = beta m_(t-1) + (1-beta) x_t``,
    reported as ``m_t / (1 - beta^t)`` (finite values only; a non-finite one ends the list)."""
    out, m = [], 0.0
    for t, x in enumerate(losses, 1):
        if not math.isfinite(x):
            break
        m = beta * m + (1 - beta) * x
        out.append(m / (1 - beta**t))
    return out


def _blown_up(losses: list[float], beta: float, factor: float) -> bool:
    s = smooth(losses, beta)
    return len(s) > 10 and s[-1] > factor * min(s)


def range_curve(lrs: list[float], losses: list[float], beta: float = 0.9) -> RangeCurve:
    """The smoothed curve and its marks: steepest descent and minimum of the smoothed loss."""
    s = smooth(losses, beta)
    n = len(s)
    lo = min(range(n), key=s.__getitem__)
    logs = [math.log10(v) for v in lrs[:n]]
    slopes = [(s[i + 1] - s[i]) / (logs[i + 1] - logs[i]) for i in range(max(0, lo))]
    steep = min(range(len(slopes)), key=slopes.__getitem__) if slopes else 0
    minimum, steepest = lrs[lo], lrs[steep]
    upper = max(steepest, minimum / 10)
    return RangeCurve(tuple(lrs), tuple(losses), tuple(s), steepest, minimum,
                      (min(steepest, upper), upper))  # fmt: skip


Probe = OneBatch | RangeTest
