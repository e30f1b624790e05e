"""dlviz.plots.style: shared colours and guide lines, and the fast (unvalidated) figure builder
that relies on plotly internals: these tests fail loudly if a plotly upgrade changes them."""

from __future__ import annotations

import plotly.graph_objects as go

from dlviz.plots.style import INK, fast_figure, mix_white, rgba, vline


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
