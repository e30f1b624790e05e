"""Kernel presets (identity, blurs, sharpen, Sobel, Laplacian) at any size, and a grid parser.

Presets at size 3 are the textbook matrices; other sizes follow the same recipe (binomial rows
for the Gaussian and Sobel smoothing, the 3x3 stencil in the middle for sharpen and Laplacian).
``parse_grid`` reads the learner's typed numbers and says in plain words what is wrong with them.
"""

from __future__ import annotations

import math
import re

import torch

KERNEL_NAMES: dict[str, str] = {
    "identity": "Identity (copies the input)",
    "box": "Box blur (average)",
    "gaussian": "Gaussian blur",
    "sharpen": "Sharpen",
    "sobel_x": "Sobel x (vertical edges)",
    "sobel_y": "Sobel y (horizontal edges)",
    "laplacian": "Laplacian (edges in every direction)",
}
MAX_ABS = 1000.0
"""The largest value a typed grid may hold (bigger numbers are a typo, not a kernel)."""

_SHARPEN3 = [[0.0, -1.0, 0.0], [-1.0, 5.0, -1.0], [0.0, -1.0, 0.0]]
_LAPLACIAN3 = [[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]]


def _binomial(n: int) -> torch.Tensor:
    """Row n of Pascal's triangle as floats: 1, 2, 1 for n = 3."""
    return torch.tensor([math.comb(n - 1, i) for i in range(n)], dtype=torch.float32)


def _derivative(n: int) -> torch.Tensor:
    """A central difference of length n: -1, 0, 1 for n = 3; -1, -2, 0, 2, 1 for n = 5."""
    if n < 2:
        return torch.zeros(1)
    smooth = _binomial(n - 1)
    return torch.cat([smooth, torch.zeros(1)]) * -1 + torch.cat([torch.zeros(1), smooth])


def _centred(stencil: list[list[float]], k: int) -> torch.Tensor:
    """The 3x3 ``stencil`` in the middle of a k x k kernel of zeros (k < 3: its centre part)."""
    out = torch.zeros(k, k)
    s = torch.tensor(stencil)
    c = (k - 1) // 2
    for i in range(3):
        for j in range(3):
            r, q = c + i - 1, c + j - 1
            if 0 <= r < k and 0 <= q < k:
                out[r, q] = s[i, j]
    return out


def kernel_preset(name: str, k: int = 3) -> torch.Tensor:
    """The preset ``name`` (a key of ``KERNEL_NAMES``) as a k x k float tensor."""
    if name not in KERNEL_NAMES:
        raise ValueError(f"Unknown kernel {name!r}; choose one of {', '.join(KERNEL_NAMES)}.")
    if k < 1:
        raise ValueError(f"A kernel is at least 1x1, got {k}.")
    if name == "identity":
        return _centred([[0, 0, 0], [0, 1, 0], [0, 0, 0]], k)
    if name == "box":
        return torch.full((k, k), 1.0 / (k * k))
    if name == "gaussian":
        row = _binomial(k)
        return torch.outer(row, row) / row.sum() ** 2
    if name == "sharpen":
        return _centred(_SHARPEN3, k) if k >= 3 else _centred([[0, 0, 0], [0, 1, 0], [0, 0, 0]], k)
    if name == "laplacian":
        return _centred(_LAPLACIAN3, k) if k >= 3 else torch.zeros(k, k)
    derivative, smooth = _derivative(k), _binomial(k)
    if k < 2:
        return torch.zeros(1, 1)
    if name == "sobel_x":
        return torch.outer(smooth, derivative)
    return torch.outer(derivative, smooth)


def format_grid(values: torch.Tensor) -> str:
    """A 2-D tensor as editable text: one row per line, numbers separated by spaces."""
    rows = []
    for row in values.tolist():
        rows.append(" ".join(_short(v) for v in row))
    return "\n".join(rows)


def _short(v: float) -> str:
    text = f"{v:.4g}"
    return "0" if text in ("-0", "0") else text


_SPLIT = re.compile(r"[\s,;]+")


def parse_grid(text: str, rows: int | None = None, cols: int | None = None) -> torch.Tensor:
    """Typed numbers (one row per line, separated by spaces or commas) as a float tensor.

    Raises ``ValueError`` with a plain message for a word that is not a number, NaN or infinity,
    a value beyond ±``MAX_ABS``, rows of different lengths, or the wrong number of rows/columns.
    """
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    if not lines:
        raise ValueError("The grid is empty: type one row of numbers per line.")
    grid: list[list[float]] = []
    for i, line in enumerate(lines, 1):
        row = []
        for word in _SPLIT.split(line.strip().strip("[](),;")):
            word = word.strip("[]()")
            if not word:
                continue
            try:
                value = float(word)
            except ValueError:
                raise ValueError(f"{word[:20]!r} in row {i} is not a number.") from None
            if math.isnan(value):
                raise ValueError(f"{word[:20]!r} in row {i} is not a number.")
            if abs(value) > MAX_ABS:
                raise ValueError(
                    f"{word[:20]!r} in row {i} is too large: keep every value between "
                    f"-{MAX_ABS:g} and {MAX_ABS:g}."
                )
            row.append(value)
        grid.append(row)
    widths = {len(r) for r in grid}
    if len(widths) != 1:
        raise ValueError("The rows have different lengths: give every row the same count.")
    got_cols = widths.pop()
    if (rows is not None and len(grid) != rows) or (cols is not None and got_cols != cols):
        raise ValueError(
            f"The grid is {len(grid)}x{got_cols} but {rows}x{cols} is needed: "
            f"type {rows} rows of {cols} numbers."
        )
    return torch.tensor(grid, dtype=torch.float32)
