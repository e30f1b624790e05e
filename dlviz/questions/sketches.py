"""The small curves a ``curve`` question offers as choices: shapes, not measurements.

``sketch(name)`` gives (x, y) of a schematic curve (no units: a loss falling, stalling or flat; a
weight sliding to its minimum at 0 or jumping across it); the reveal draws the measured curve
next to the picked sketch.
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
        # signed, around 0: a weight overshooting its minimum to the other side at every step
        "zigzag-decay": lambda t: math.exp(-4 * t) * math.cos(math.pi * t * 19),
        "zigzag-grow": lambda t: 0.08 * math.exp(2.5 * t) * math.cos(math.pi * t * 19),
        "plateau": lambda t: 0.35 + 0.65 * math.exp(-8 * t) + 0.05 * math.sin(40 * t),
        "flat": lambda t: 0.9 + 0.04 * math.sin(37 * t) + 0.03 * math.cos(23 * t),
    }
    return xs, tuple(shapes[name](t) for t in xs)
