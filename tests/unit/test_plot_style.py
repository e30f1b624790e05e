"""dlviz.plots.style: shared colours and guide lines, and the fast (unvalidated) figure builder
that relies on plotly internals: these tests fail loudly if a plotly upgrade changes them."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dlviz.plots.style import BAD, GOOD, INK, fast_figure, mix_white, rgba, vline


def test_colour_helpers():
    assert rgba("#4F46E5", 0.12) == "rgba(79, 70, 229, 0.12)"
    assert rgba("#000000", 3.0) == "rgba(0, 0, 0, 1.00)"
    assert mix_white("#4F46E5", 0.0) == "#FFFFFF"
    assert mix_white("#4F46E5", 1.0) == "#4F46E5"
    assert mix_white("#000000", 0.5) == "#808080"


def test_vline_spans_the_subplot_height():
    line = vline(0.5, "x2", dash="dash")
    assert (line["x0"], line["x1"], line["xref"], line["yref"]) == (0.5, 0.5, "x2", "paper")
    assert line["line"] == {"color": INK, "width": 1.2, "dash": "dash"}


def test_fast_figure_equals_a_validated_figure_frames_included():
    data = [{"type": "scatter", "x": [0, 1], "y": [1, 0], "name": "a"}]
    layout = {"title": {"text": "t"}, "sliders": [{"steps": [{"label": "0"}]}]}
    frame = [{"type": "scatter"}]  # as dlviz writes them: typed, so validation adds nothing
    frames = [
        {"name": str(k), "data": [{**frame[0], "x": [k], "y": [k]}], "traces": [0]}
        for k in range(3)
    ]
    assert hasattr(go.Figure(), "_frame_objs"), "plotly no longer has Figure._frame_objs"
    fast = fast_figure(data, layout, frames)
    slow = go.Figure({"data": data, "layout": layout, "frames": frames})
    assert len(fast.frames) == 3
    assert fast.to_dict() == slow.to_dict()
    assert go.Figure(fast.to_dict()).to_dict() == slow.to_dict()  # valid for plotly as well


# Machado, Oliveira & Fernandes (2009), severity 1: linear-RGB simulation matrices
_SIMULATE = {
    "protanopia": np.array(
        [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
         [-0.003882, -0.048116, 1.051998]]
    ),
    "deuteranopia": np.array(
        [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
         [-0.011820, 0.042940, 0.968881]]
    ),
}  # fmt: skip


def _linear(hex_color: str) -> np.ndarray:
    c = np.array([int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear: np.ndarray) -> np.ndarray:
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    t = xyz @ np.clip(linear, 0, 1) / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > 0.008856, np.cbrt(t), 7.787 * t + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_right_and_wrong_colours_stay_apart_for_red_green_colour_blindness():
    """GOOD and BAD differ by ΔE > 30 (CIELAB) in simulated protanopia (36) and deuteranopia (51);
    the old pair #1B9E4B / #D62728 gave 26 and 20."""
    for name, matrix in _SIMULATE.items():
        good, bad = (_lab(matrix @ _linear(c)) for c in (GOOD, BAD))
        assert np.linalg.norm(good - bad) > 30, name
