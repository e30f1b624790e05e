"""A short text alternative for any plotly figure: what it plots and its key numbers.

``describe(fig)`` reads the figure itself (title, axis titles, each trace's name, kind, size and
value range), so a screen reader gets the gist of a chart without anyone writing it by hand:
"Chart: Sigmoid. f(x) against x. Sigmoid f(x): line of 1601 points, y from 0.0003 to 0.9997."
Plain Python over the figure's data; the ui layer puts it next to the chart.
"""

from __future__ import annotations

import re

import numpy as np
import plotly.graph_objects as go

from dlviz.display import number

MAX_TRACES = 4


def _values(v) -> np.ndarray:
    """A trace array as finite floats (plotly may hold lists, tuples or numpy arrays)."""
    try:
        a = np.asarray(v, dtype=float).ravel()
    except (TypeError, ValueError):
        return np.array([])
    return a[np.isfinite(a)]


def _axis_title(axis) -> str:
    title = getattr(axis, "title", None)
    return (getattr(title, "text", None) or "").strip()


def _hidden(t) -> bool:
    """Traces a learner does not see: invisible hover or click carriers, and text labels (the
    numbers they print are read out with the chart's other text)."""
    mode = getattr(t, "mode", None) or ""
    marker = getattr(t, "marker", None)
    return (
        t.visible is False
        or getattr(t, "opacity", None) == 0
        or getattr(marker, "opacity", None) == 0
        or mode == "text"
        or (getattr(t, "hoverinfo", None) == "skip" and not (getattr(t, "name", None) or ""))
    )


def _trace(t) -> str | None:
    name = (getattr(t, "name", None) or "").strip()
    kind = t.type
    if _hidden(t):
        return None
    if kind in ("heatmap", "contour", "surface"):
        z = _values(t.z)
        if not len(z):
            return None
        shape = np.shape(t.z)
        size = f"{shape[0]} × {shape[1]} grid" if len(shape) == 2 else f"{len(z)} values"
        return f"{name or kind}: {size}, values from {number(z.min())} to {number(z.max())}"
    if kind == "image":
        return f"{name or 'an image'}"
    y = _values(getattr(t, "y", None))
    if not len(y) or (not name and len(y) < 2):  # an unnamed marker (a probe): its label says it
        return None
    if len(y) == 1:
        return f"{name}: {number(y[0])}"
    mode = getattr(t, "mode", None) or ("lines" if len(y) > 20 else "markers")
    what = "bars" if kind == "bar" else "line" if "lines" in mode else "points"
    return f"{name or kind}: {what} of {len(y)} values from {number(y.min())} to {number(y.max())}"


def describe(fig: go.Figure) -> str:
    """'Chart: <title>. <y> against <x>. <trace>: <kind> of n values from a to b; ...'."""
    layout = fig.layout
    title = (layout.title.text or "").strip() if layout.title else ""
    parts = ["Chart" + (f": {title}" if title else "")]
    x, y = _axis_title(layout.xaxis), _axis_title(layout.yaxis)
    if x and y:
        parts.append(f"{y} against {x}")
    panels = [_axis_title(layout[name]) for name in layout.to_plotly_json()
              if name.startswith("xaxis") and name != "xaxis" and _axis_title(layout[name])]  # fmt: skip
    if panels:
        parts.append("Panels: " + ", ".join([x, *panels] if x else panels))
    if layout.images:
        parts.append(f"{len(layout.images)} image{'s' if len(layout.images) != 1 else ''} drawn")
    traces = [d for d in (_trace(t) for t in fig.data) if d]
    parts.extend(traces[:MAX_TRACES])
    if len(traces) > MAX_TRACES:
        parts.append(f"and {len(traces) - MAX_TRACES} more series")
    text = ". ".join(parts) + "."
    text = re.sub(r"<br\s*/?>", " ", text)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text)).strip()


__all__ = ["describe"]
