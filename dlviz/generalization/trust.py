"""Can you trust a stored run's probabilities? Its calibration before and after temperature
scaling, and every test image's cross-entropy.

``calibrate`` rebuilds a finished run's model (its kept weights), computes logits for the
run's own validation images (the split its config defines) and for the test images, fits the
temperature on validation (``dlviz.calibration.fit_temperature``) and measures the test set's
reliability and ECE with and without it. The result is small and picklable: it crosses from a
worker to the page. Nothing here draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from dlviz.calibration import Reliability, fit_temperature, reliability, softmax
from dlviz.data import Dataset, normalize
from dlviz.training import TrainResult, split_indices
from dlviz.training.inference import uses_conv

N_BINS = 15


class NoValidation(ValueError):
    """The run held out no validation images, so no temperature can be fitted honestly."""


@dataclass(frozen=True)
class Calibration:
    """A run's test-set calibration, before and after dividing its logits by ``temperature``."""

    run_key: str
    dataset: str
    temperature: float
    val_images: int
    before: Reliability
    after: Reliability
    nll_before: float  # mean test cross-entropy
    nll_after: float
    accuracy: float
    labels: torch.Tensor  # int64 [M] test labels
    probs: torch.Tensor  # float32 [M, C] test probabilities at T = 1


def logits_of(model: torch.nn.Module, images: torch.Tensor, data: Dataset) -> torch.Tensor:
    """Float32 logits of uint8 images in eval mode, batches of 1,000."""
    model.eval()
    cl = uses_conv(model)
    out = []
    with torch.inference_mode():
        for i in range(0, len(images), 1000):
            x = normalize(images[i : i + 1000], data.info)
            if cl:
                x = x.contiguous(memory_format=torch.channels_last)
            out.append(model(x).float())
    return torch.cat(out) if out else torch.empty(0, data.info.num_classes)


def calibrate(run: TrainResult, data: Dataset) -> Calibration:
    """Fit T on the run's validation images; measure the test images with T = 1 and with T."""
    cfg = run.config
    _, val_idx = split_indices(
        len(data.train_y), cfg.train_subset, cfg.val_fraction, cfg.seed, cfg.nested_split
    )
    if len(val_idx) == 0:
        raise NoValidation(
            "This run held out no validation images (validation fraction 0), so a temperature "
            "cannot be fitted without peeking at the test set. Pick another run."
        )
    model = run.model(data.info)
    val_logits = logits_of(model, data.train_x[val_idx], data)
    t = fit_temperature(val_logits, data.train_y[val_idx])
    test_logits = logits_of(model, data.test_x, data)
    y = data.test_y
    probs = softmax(test_logits)
    return Calibration(
        run_key=cfg.key(),
        dataset=cfg.dataset,
        temperature=t,
        val_images=len(val_idx),
        before=reliability(probs, y, N_BINS),
        after=reliability(softmax(test_logits, t), y, N_BINS),
        nll_before=float(F.cross_entropy(test_logits.double(), y)),
        nll_after=float(F.cross_entropy(test_logits.double() / t, y)),
        accuracy=float((probs.argmax(1) == y).double().mean()),
        labels=y.clone(),
        probs=probs.float(),
    )


def true_class_loss(probs: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per image: p(true class) and its cross-entropy -log p(true class) (float64)."""
    p = probs.double().gather(1, labels.view(-1, 1)).squeeze(1)
    return p, -torch.log(p.clamp_min(1e-12))
