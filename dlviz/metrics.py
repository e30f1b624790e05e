"""Classification metrics on labels and predictions (numpy arrays or torch tensors): the one
confusion matrix, per-class accuracy and accuracy that the Training page, the Playground and the
CLI share. Plain numbers in, numpy out; no training and no drawing here.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def as_numpy(x: Any) -> np.ndarray:
    """A numpy view/copy of a tensor or array-like (float16 stays float16)."""
    if hasattr(x, "detach"):
        x = x.detach().cpu()
    return np.asarray(x)


def confusion_matrix(labels: Any, preds: Any, num_classes: int) -> np.ndarray:
    """Counts C[t, p] = #{i : y_i = t and yhat_i = p}; rows are true classes, columns predictions."""
    y = as_numpy(labels).astype(np.int64)
    p = as_numpy(preds).astype(np.int64)
    flat = np.bincount(y * num_classes + p, minlength=num_classes * num_classes)
    return flat[: num_classes * num_classes].reshape(num_classes, num_classes)


def per_class_accuracy(cm: np.ndarray) -> np.ndarray:
    """Recall of each class, C[t, t] / sum_p C[t, p]; NaN for a class with no test images."""
    totals = cm.sum(axis=1).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, np.diag(cm) / totals, np.nan)


def accuracy(labels: Any, preds: Any) -> float:
    """Fraction of predictions equal to the labels."""
    y, p = as_numpy(labels), as_numpy(preds)
    return float((y == p).mean()) if y.size else float("nan")
