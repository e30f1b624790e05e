"""Classification metrics on label tensors: confusion matrix and per-class accuracy (no plotting)."""

from __future__ import annotations

import torch


def confusion_matrix(labels: torch.Tensor, preds: torch.Tensor, num_classes: int) -> torch.Tensor:
    """Counts ``M[i, j]`` = number of images of true class i predicted as class j (int64 [C, C])."""
    flat = labels.to(torch.int64) * num_classes + preds.to(torch.int64)
    return torch.bincount(flat, minlength=num_classes * num_classes).view(num_classes, num_classes)


def per_class_accuracy(labels: torch.Tensor, preds: torch.Tensor, num_classes: int) -> torch.Tensor:
    """Recall per class ``M[i, i] / sum_j M[i, j]`` (float64 [C]; nan for an absent class)."""
    m = confusion_matrix(labels, preds, num_classes).to(torch.float64)
    return m.diagonal() / m.sum(1)
