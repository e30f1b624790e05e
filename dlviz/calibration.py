"""Can you trust a classifier's probabilities? Reliability bins, expected calibration error and
temperature scaling (Guo et al. 2017), on plain tensors of probabilities or logits.

A model is calibrated when, among the images it labels with confidence 0.8, 80 % are right.
``reliability`` groups predictions into equal-width bins of top-class probability and compares
each bin's mean confidence with its accuracy; ``expected_calibration_error`` is the bin-size-
weighted mean gap. ``fit_temperature`` finds the single T > 0 that, dividing every logit,
minimises the mean cross-entropy on held-out images: it changes confidence, never the predicted
class. Nothing here trains a network or draws.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F

T_RANGE = (0.05, 20.0)
"""Temperatures searched by ``fit_temperature`` (far beyond what a trained network needs)."""


def _tensor(x: Any, dtype: torch.dtype) -> torch.Tensor:
    return torch.as_tensor(x).to(dtype)


@dataclass(frozen=True)
class Reliability:
    """Equal-width confidence bins: edges, and per bin the count, mean confidence and accuracy
    (nan for an empty bin)."""

    edges: tuple[float, ...]
    counts: tuple[int, ...]
    confidence: tuple[float, ...]
    accuracy: tuple[float, ...]
    ece: float

    @property
    def total(self) -> int:
        """Number of predictions binned."""
        return sum(self.counts)


def reliability(probs: Any, labels: Any, n_bins: int = 15) -> Reliability:
    """Bin the top-class probability into ``n_bins`` equal bins ``(k/n, (k+1)/n]`` (the first one
    also holds 0) and compare confidence with accuracy in each."""
    p = _tensor(probs, torch.float64)
    y = _tensor(labels, torch.int64)
    conf, pred = p.max(dim=1)
    right = (pred == y).to(torch.float64)
    index = (torch.ceil(conf * n_bins) - 1).clamp(0, n_bins - 1).to(torch.int64)
    counts = torch.bincount(index, minlength=n_bins)
    conf_sum = torch.zeros(n_bins, dtype=torch.float64).index_add_(0, index, conf)
    right_sum = torch.zeros(n_bins, dtype=torch.float64).index_add_(0, index, right)
    safe = counts.clamp(min=1).to(torch.float64)
    mean_conf = torch.where(counts > 0, conf_sum / safe, torch.nan)
    acc = torch.where(counts > 0, right_sum / safe, torch.nan)
    n = max(1, len(y))
    ece = float(((conf_sum - right_sum).abs() / n).sum())
    edges = tuple(k / n_bins for k in range(n_bins + 1))
    return Reliability(
        edges, tuple(counts.tolist()), tuple(mean_conf.tolist()), tuple(acc.tolist()), ece
    )


def expected_calibration_error(probs: Any, labels: Any, n_bins: int = 15) -> float:
    """ECE = sum over bins b of (|b| / N) * |accuracy(b) - mean confidence(b)|, with equal-width
    bins over the top-class probability (probs: (N, C) rows summing to 1; labels: (N,) ints)."""
    return reliability(probs, labels, n_bins).ece


def mean_nll(logits: Any, labels: Any, temperature: float = 1.0) -> float:
    """Mean cross-entropy of ``logits / temperature`` against ``labels``."""
    z = _tensor(logits, torch.float64)
    return float(F.cross_entropy(z / temperature, _tensor(labels, torch.int64)))


def fit_temperature(logits: Any, labels: Any) -> float:
    """The T > 0 minimising the mean cross-entropy of ``logits / T`` (golden-section search on
    log T over ``T_RANGE``: the loss is convex in 1/T, so it has one minimum there)."""
    z = _tensor(logits, torch.float64)
    y = _tensor(labels, torch.int64)
    if len(y) == 0:
        return 1.0

    def loss(log_t: float) -> float:
        return float(F.cross_entropy(z / math.exp(log_t), y))

    lo, hi = math.log(T_RANGE[0]), math.log(T_RANGE[1])
    ratio = (math.sqrt(5) - 1) / 2
    a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    fa, fb = loss(a), loss(b)
    while hi - lo > 1e-7:
        if fa <= fb:
            hi, b, fb = b, a, fa
            a = hi - ratio * (hi - lo)
            fa = loss(a)
        else:
            lo, a, fa = a, b, fb
            b = lo + ratio * (hi - lo)
            fb = loss(b)
    return math.exp((lo + hi) / 2)


def softmax(logits: Any, temperature: float = 1.0) -> torch.Tensor:
    """Probabilities of ``logits / temperature`` (float64)."""
    return torch.softmax(_tensor(logits, torch.float64) / temperature, dim=1)
