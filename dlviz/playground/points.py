"""The learner's own data: points added and removed by clicking, and CSV files, validated.

Every change returns a new ``PlaygroundData`` (they are immutable, so an undo stack is a list of
them). Added points join the training set; a removed point may be a training or a test point.
``parse_csv`` reads a small CSV with columns x1, x2 and label (classification) or target
(regression) and says in plain words what is wrong with anything else.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import replace

import numpy as np
import torch
from sklearn.model_selection import train_test_split

from dlviz.playground.data import CLASSIFICATION, REGRESSION, PlaygroundData, plane_limit

MAX_ROWS = 5000
"""Most rows a CSV may have."""
MAX_BYTES = 1_000_000
"""Largest CSV file accepted (bytes)."""
MIN_ROWS = 10
"""Fewest rows: enough for a training and a test set."""
MAX_COORD = 6.0
"""x1 and x2 must lie within +-MAX_COORD: the widest plane the Playground draws."""
MAX_TARGET = 100.0
"""Regression targets must lie within +-MAX_TARGET."""
MAX_CLASSES = 5


def add_point(data: PlaygroundData, xy: tuple[float, float], label: float) -> PlaygroundData:
    """``data`` with one more training point at ``xy`` of class (or target) ``label``."""
    p = torch.tensor([[float(xy[0]), float(xy[1])]], dtype=torch.float32)
    y = torch.tensor([label], dtype=data.y_train.dtype)
    if not data.regression:
        y = y.clamp(0, data.n_classes - 1)
    return replace(data, x_train=torch.cat([data.x_train, p]), y_train=torch.cat([data.y_train, y]))


def remove_nearest(
    data: PlaygroundData, xy: tuple[float, float], radius: float = 0.3
) -> PlaygroundData | None:
    """``data`` without the point (training or test) nearest to ``xy``, or None when no point
    lies within ``radius``."""
    p = torch.tensor([float(xy[0]), float(xy[1])])
    best = None
    for split in ("train", "test"):
        x = getattr(data, f"x_{split}")
        if len(x):
            d = (x - p).norm(dim=1)
            i = int(d.argmin())
            if float(d[i]) <= radius and (best is None or float(d[i]) < best[0]):
                best = (float(d[i]), split, i)
    if best is None:
        return None
    _, split, i = best
    x, y = getattr(data, f"x_{split}"), getattr(data, f"y_{split}")
    keep = torch.arange(len(x)) != i
    return replace(data, **{f"x_{split}": x[keep], f"y_{split}": y[keep]})


def without_points(data: PlaygroundData) -> PlaygroundData:
    """``data`` with no points at all (the same task, classes and plane): a blank canvas."""
    x = torch.zeros(0, 2)
    y = data.y_train[:0]
    return replace(data, x_train=x, y_train=y, x_test=x.clone(), y_test=y.clone())


def _header(row: list[str]) -> tuple[int, int, int, str]:
    names = [c.strip().lower() for c in row]
    if "x1" not in names or "x2" not in names:
        raise ValueError(
            "The first row must name the columns: x1, x2 and label (classes 0 to 4) or target "
            f"(a number). This file's first row is: {', '.join(row[:6]) or '(empty)'}."
        )
    if "label" in names:
        task, col = CLASSIFICATION, names.index("label")
    elif "target" in names:
        task, col = REGRESSION, names.index("target")
    else:
        raise ValueError("Add a column named label (classes 0 to 4) or target (a number).")
    return names.index("x1"), names.index("x2"), col, task


def _number(text: str, row: int, column: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise ValueError(f"Row {row}: {column} is {text.strip()[:20]!r}, not a number.") from None
    if not math.isfinite(v):
        raise ValueError(f"Row {row}: {column} is {text.strip()!r}; use finite numbers only.")
    return v


def _check_values(x: np.ndarray, y: np.ndarray, task: str) -> None:
    far = np.abs(x).max(axis=1) > MAX_COORD
    if far.any():
        row = int(np.argmax(far)) + 2
        raise ValueError(
            f"Row {row}: x1 and x2 must lie between -{MAX_COORD:g} and {MAX_COORD:g} (the "
            "plane the Playground draws); rescale your points."
        )
    if task == REGRESSION:
        if np.abs(y).max() > MAX_TARGET:
            raise ValueError(f"Targets must lie between -{MAX_TARGET:g} and {MAX_TARGET:g}.")
        return
    bad = (y != np.round(y)) | (y < 0) | (y >= MAX_CLASSES)
    if bad.any():
        row = int(np.argmax(bad)) + 2
        raise ValueError(f"Row {row}: label must be a whole number from 0 to {MAX_CLASSES - 1}.")
    if len(np.unique(y)) < 2:
        raise ValueError("Every label is the same: a classifier needs at least two classes.")


def parse_csv(raw: bytes) -> tuple[np.ndarray, np.ndarray, str]:
    """(points float32 (N, 2), labels int64 or targets float32, task) from a CSV file's bytes.

    Raises ``ValueError`` with a message for the learner for anything it cannot use.
    """
    if len(raw) > MAX_BYTES:
        raise ValueError(f"The file is {len(raw) / 1e6:.1f} MB; the limit is 1 MB.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("This is not a text (UTF-8) CSV file.") from None
    rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    if not rows:
        raise ValueError("The file is empty.")
    ix, iy, it, task = _header(rows[0])
    body = rows[1:]
    if len(body) > MAX_ROWS:
        raise ValueError(f"The file has {len(body):,} rows; the limit is {MAX_ROWS:,}.")
    if len(body) < MIN_ROWS:
        raise ValueError(f"The file has {len(body)} rows; use at least {MIN_ROWS}.")
    width = max(ix, iy, it) + 1
    values = []
    for n, r in enumerate(body, start=2):
        if len(r) < width:
            raise ValueError(f"Row {n} has {len(r)} values; it needs x1, x2 and the {task} column.")
        name = "label" if task == CLASSIFICATION else "target"
        values.append([_number(r[ix], n, "x1"), _number(r[iy], n, "x2"), _number(r[it], n, name)])
    table = np.asarray(values, dtype=np.float64)
    x, y = table[:, :2], table[:, 2]
    _check_values(x, y, task)
    if task == CLASSIFICATION:
        return x.astype(np.float32), y.astype(np.int64), task
    return x.astype(np.float32), y.astype(np.float32), task


def from_table(
    x: np.ndarray, y: np.ndarray, task: str, test_fraction: float = 0.3, seed: int = 0
) -> PlaygroundData:
    """Split the learner's points into training and test sets (stratified when every class has
    at least two points)."""
    k = 1 if task == REGRESSION else int(y.max()) + 1
    counts = np.bincount(y, minlength=k) if task == CLASSIFICATION else np.array([])
    stratify = y if task == CLASSIFICATION and counts.min() >= 2 else None
    x_tr, x_te, y_tr, y_te = train_test_split(
        x, y, test_size=test_fraction, random_state=seed, stratify=stratify
    )
    return PlaygroundData(
        torch.from_numpy(x_tr),
        torch.from_numpy(y_tr),
        torch.from_numpy(x_te),
        torch.from_numpy(y_te),
        max(k, 2) if task == CLASSIFICATION else 1,
        plane_limit(x),
        task,
    )
