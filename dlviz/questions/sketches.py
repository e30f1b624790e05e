"""The small curves a ``curve`` question offers as choices: shapes, not measurements.

``sketch(name)`` gives (x, y) of a schematic loss curve (no axes units, values in [0, 1] before a
blow-up); the reveal draws the measured curve next to the picked sketch.
"""

from __future__ import annotations

import math

from dlviz.questions.model import SKETCHES


def sketch(name: str, points: int = 40) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """(x, y) of the schematic curve ``name`` (one of ``SKETCHES``)."""
    if name not in SKETCHES:
        raise ValueError(f"Unknown sketch {name!r}; choose one of {', '.join(SKETCHES)}.")
    xs = tuple(k / (points - 1) for k in range(points))
    shapes = {
        "decay": lambda t: math.exp(-5 * t),
        "zigzag-decay": lambda t: math.exp(-3 * t) * (1 + 0.5 * math.cos(math.pi * t * 24)),
        "zigzag-grow": lambda t: 0.3 * math.exp(2.5 * t) * (1 + 0.5 * math.cos(math.pi * t * 24)),
        "plateau": lambda t: 0.35 + 0.65 * math.exp(-8 * t) + 0.05 * math.sin(40 * t),
        "flat": lambda t: 0.9 + 0.04 * math.sin(37 * t) + 0.03 * math.cos(23 * t),
    }
    return xs, tuple(shapes[name](t) for t in xs)
