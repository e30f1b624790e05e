"""Toy 2-D datasets for the Playground (classification and regression), and the input features.

Every dataset lives in the square [-3, 3]^2 (a few noisy points spill over) so one plane and one
set of feature formulas fit them all. scikit-learn's generators are used where one exists (moons,
circles, blobs); XOR and the K-armed spiral are made here. Nothing here knows about models.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from sklearn.datasets import make_blobs, make_circles, make_moons
from sklearn.model_selection import train_test_split

DATASETS: dict[str, str] = {
    "moons": "Two moons",
    "circles": "Circles",
    "xor": "XOR (quadrants)",
    "blobs": "Gaussian blobs",
    "spiral": "Spiral",
}
"""Dataset name -> label shown to the learner."""

CLASS_RANGE: dict[str, tuple[int, int]] = {
    "moons": (2, 2),
    "circles": (2, 2),
    "xor": (2, 2),
    "blobs": (2, 5),
    "spiral": (2, 3),
}
"""Dataset name -> (fewest, most) classes it can have."""

REGRESSION_DATASETS: dict[str, str] = {
    "plane": "Plane (regression)",
    "bump": "Gaussian bump (regression)",
    "sine": "Sine wave (regression)",
}
"""Regression dataset name -> label: a real-valued target t(x1, x2) in [-1, 1] plus noise."""

ALL_DATASETS: dict[str, str] = {**DATASETS, **REGRESSION_DATASETS}
"""Every dataset the Playground offers, classification first."""

CLASSIFICATION, REGRESSION = "classification", "regression"


def task_of(name: str) -> str:
    """``"regression"`` for the regression datasets, else ``"classification"``."""
    return REGRESSION if name in REGRESSION_DATASETS else CLASSIFICATION


HALF_WIDTH = 3.0
"""The data fill roughly [-HALF_WIDTH, HALF_WIDTH]^2."""

FEATURES: dict[str, tuple[str, Callable[[torch.Tensor], torch.Tensor]]] = {
    "x1": ("x₁", lambda p: p[:, 0]),
    "x2": ("x₂", lambda p: p[:, 1]),
    "x1^2": ("x₁²", lambda p: p[:, 0] ** 2),
    "x2^2": ("x₂²", lambda p: p[:, 1] ** 2),
    "x1*x2": ("x₁x₂", lambda p: p[:, 0] * p[:, 1]),
    "sin x1": ("sin x₁", lambda p: torch.sin(p[:, 0])),
    "sin x2": ("sin x₂", lambda p: torch.sin(p[:, 1])),
}
"""Feature name -> (label, function of the (N, 2) points), as in TensorFlow Playground."""

FEATURE_NAMES: tuple[str, ...] = tuple(FEATURES)


@dataclass(frozen=True)
class DataConfig:
    """Which toy dataset to draw, how noisy, how many points, how they are split, and the seed."""

    name: str = "moons"
    n_classes: int = 2  # clipped to CLASS_RANGE[name]
    n_samples: int = 500  # train + test
    noise: float = 0.2  # jitter, as a fraction of the dataset's own scale
    test_fraction: float = 0.3
    seed: int = 0


@dataclass(frozen=True, eq=False)
class PlaygroundData:
    """Points (float32, shape (N, 2)) and their labels (int64) or targets (float32), split into
    train and test. ``n_classes`` is the number of network outputs: 1 for regression."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    n_classes: int
    limit: float  # the plotted plane is [-limit, limit]^2
    task: str = CLASSIFICATION

    @property
    def regression(self) -> bool:
        """Whether the targets are real values (a linear output and squared error)."""
        return self.task == REGRESSION


def _spiral(
    n: int, k: int, noise: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """k interleaved arms: radius r in (0, 1], angle 1.75 turns * r + 2 pi c / k, Gaussian jitter."""
    y = np.arange(n) % k
    r = rng.uniform(0.05, 1.0, n)
    theta = 1.75 * 2 * math.pi * r + 2 * math.pi * y / k
    x = np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1) * HALF_WIDTH
    return x + rng.normal(0.0, noise * 0.6, x.shape), y


def _xor(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Uniform points away from the axes; class 1 where x1 * x2 > 0 (before the jitter)."""
    mag = rng.uniform(0.3, HALF_WIDTH, (n, 2))
    sign = rng.choice([-1.0, 1.0], (n, 2))
    x = mag * sign
    y = (x[:, 0] * x[:, 1] > 0).astype(np.int64)
    return x + rng.normal(0.0, noise * HALF_WIDTH / 2, x.shape), y


TARGETS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "plane": lambda x: (x[:, 0] + x[:, 1]) / (2 * HALF_WIDTH),
    "bump": lambda x: 2 * np.exp(-(x[:, 0] ** 2 + x[:, 1] ** 2) / (2 * 1.2**2)) - 1,
    "sine": lambda x: np.sin(1.5 * x[:, 0]),
}
"""Regression dataset -> its noiseless target t(x) of the (N, 2) points, in [-1, 1]."""


def make_regression_points(cfg: DataConfig) -> tuple[np.ndarray, np.ndarray]:
    """Uniform points on the plane and their targets t(x) + N(0, noise^2), both float32."""
    rng = np.random.default_rng(int(cfg.seed))
    n, noise = int(cfg.n_samples), float(cfg.noise) + 0.0
    x = rng.uniform(-HALF_WIDTH, HALF_WIDTH, (n, 2))
    t = TARGETS[cfg.name](x) + rng.normal(0.0, noise, n)
    return x.astype(np.float32), t.astype(np.float32)


def make_points(cfg: DataConfig) -> tuple[np.ndarray, np.ndarray, int]:
    """All ``n_samples`` points (float32 (N, 2)), their labels and the number of classes."""
    if cfg.name not in DATASETS:
        raise ValueError(f"Unknown dataset {cfg.name!r}; choose one of {', '.join(ALL_DATASETS)}.")
    lo, hi = CLASS_RANGE[cfg.name]
    k = min(max(cfg.n_classes, lo), hi)
    # + 0.0 turns a -0.0 (a link's "?pg_noise=-0") into 0.0: numpy refuses a scale with its sign set
    n, noise, seed = int(cfg.n_samples), float(cfg.noise) + 0.0, int(cfg.seed)
    rng = np.random.default_rng(seed)
    if cfg.name == "moons":
        x, y = make_moons(n, noise=noise, random_state=seed)
        x = (x - [0.5, 0.25]) * 2.0
    elif cfg.name == "circles":
        x, y = make_circles(n, noise=noise / 2, factor=0.45, random_state=seed)
        x = x * 2.7
    elif cfg.name == "blobs":
        angles = 2 * math.pi * np.arange(k) / k + math.pi / 4
        centers = 1.9 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
        x, y = make_blobs(n, centers=centers, cluster_std=0.25 + 2.5 * noise, random_state=seed)
    elif cfg.name == "xor":
        x, y = _xor(n, noise, rng)
    else:
        x, y = _spiral(n, k, noise, rng)
    return x.astype(np.float32), y.astype(np.int64), k


def plane_limit(x: np.ndarray) -> float:
    """Half-width of the plotted plane: 4 unless points lie further out (at most 6)."""
    far = float(np.abs(x).max()) if len(x) else 0.0
    return min(max(4.0, math.ceil(far * 2) / 2), 2 * HALF_WIDTH)


def make_dataset(cfg: DataConfig) -> PlaygroundData:
    """Draw the points and split them (stratified by class) into train and test sets."""
    if cfg.name in REGRESSION_DATASETS:
        x, y = make_regression_points(cfg)
        k, stratify, task = 1, None, REGRESSION
    else:
        x, y, k = make_points(cfg)
        stratify, task = y, CLASSIFICATION
    x_tr, x_te, y_tr, y_te = train_test_split(
        x, y, test_size=cfg.test_fraction, random_state=cfg.seed, stratify=stratify
    )
    return PlaygroundData(
        torch.from_numpy(x_tr),
        torch.from_numpy(y_tr),
        torch.from_numpy(x_te),
        torch.from_numpy(y_te),
        k,
        plane_limit(x),  # one fixed plane unless heavy noise throws points further out
        task,
    )


def feature_map(points: torch.Tensor, features: tuple[str, ...]) -> torch.Tensor:
    """The network's input: the chosen features of each point as columns, shape (N, F)."""
    unknown = [f for f in features if f not in FEATURES]
    if unknown or not features:
        raise ValueError(f"Choose at least one feature from {', '.join(FEATURE_NAMES)}.")
    return torch.stack([FEATURES[f][1](points) for f in features], dim=1)


def plane_grid(limit: float, resolution: int) -> tuple[np.ndarray, torch.Tensor]:
    """Cell centres of a resolution x resolution grid over [-limit, limit]^2: (axis, points (R*R, 2)).

    Row i of the grid is x2 = axis[i], column j is x1 = axis[j] (so a reshape to (R, R) is image-like
    with x2 growing upwards when drawn with the origin at the bottom).
    """
    axis = np.linspace(-limit, limit, resolution, dtype=np.float32)
    gx, gy = np.meshgrid(axis, axis)
    pts = torch.from_numpy(np.stack([gx.ravel(), gy.ravel()], axis=1))
    return axis, pts
