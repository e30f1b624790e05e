"""Helpers shared by the concept-page AppTests: decode plotly specs, find charts and metrics."""

from __future__ import annotations

import base64
import json

import numpy as np


def values(arr) -> np.ndarray:
    """A plotly JSON array: a plain list or plotly 6's typed ``{"dtype", "bdata"}`` form."""
    if isinstance(arr, dict):
        flat = np.frombuffer(base64.b64decode(arr["bdata"]), dtype=np.dtype(arr["dtype"]))
        shape = arr.get("shape")
        if shape:
            dims = [int(d) for d in (shape if isinstance(shape, list) else str(shape).split(","))]
            return flat.reshape(dims)
        return flat
    return np.asarray(arr, dtype=float)


def spec_by_key(at, key: str) -> dict:
    """The spec of the chart created with ``key=key`` (its element id ends in the key)."""
    for chart in at.get("plotly_chart"):
        if chart.proto.id.endswith(f"-{key}"):
            return json.loads(chart.proto.spec)
    raise AssertionError(f"no chart with key {key!r}")


def metric(at, label: str) -> str:
    """The displayed value of the metric with this label."""
    return next(m.value for m in at.metric if m.label == label)
