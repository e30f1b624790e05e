"""Text alternatives of figures: what a chart plots and its key numbers, from the figure itself."""

from __future__ import annotations

import plotly.graph_objects as go

from dlviz.activations import CurveConfig, analyse
from dlviz.plots.activations import activation_figure
from dlviz.plots.describe import describe
from dlviz.plots.quiz import describe as describe_outcome
from dlviz.plots.quiz import sketch_svg
from dlviz.questions import Outcome


def test_a_line_chart_is_described_by_its_series_and_ranges():
    text = describe(activation_figure(analyse(CurveConfig()), "Sigmoid"))
    assert text.startswith("Chart.")
    assert "Sigmoid f(x): line of 1601 values from 0.0003354 to 0.9997" in text
    assert "f′(x) from torch.autograd: line of 1601 values" in text and "to 0.25." in text
    assert "<" not in text  # no HTML tags from plotly names


def test_heatmaps_titles_axes_and_long_legends():
    fig = go.Figure(go.Heatmap(z=[[1, 2], [3, 4]], name="loss"))
    fig.update_layout(title="Loss surface", xaxis_title="a", yaxis_title="b")
    assert (
        describe(fig) == "Chart: Loss surface. b against a. loss: 2 × 2 grid, values from 1 to 4."
    )
    many = go.Figure([go.Scatter(y=[0, i], name=f"s{i}") for i in range(6)])
    assert describe(many).endswith("and 2 more series.")
    assert describe(go.Figure()) == "Chart."


def test_the_quiz_curve_has_a_description_and_sketches_a_title():
    outcome = Outcome(1.0, "", ((0.0, 1.0, 2.0), (4.0, 2.0, 1.0)), "step", "loss")
    assert describe_outcome(outcome) == (
        "Chart: loss against step, 3 points, from 4 at 0 to 1 at 2 (smallest 1, largest 4)."
    )
    svg = sketch_svg("zigzag-grow", "C: across 0 & further")
    assert 'role="img"' in svg and "<title>C: across 0 &amp; further</title>" in svg


def test_hidden_carriers_are_skipped_and_panels_and_images_named():
    import torch

    from dlviz.convolution import ConvSpec, convolve, kernel_preset
    from dlviz.plots.convolution import window_figure
    from dlviz.plots.describe import describe

    result = convolve(torch.rand(1, 6, 6), kernel_preset("box"), 0.0, ConvSpec(3, 1, 1))
    text = describe(window_figure(result))
    assert "Panels: padded input (8×8), kernel, kernel × window, output (6×6)" in text
    assert "3 images drawn" in text
    assert "heatmap" not in text and "scatter" not in text  # hover and click carriers, labels


def test_the_playground_confusion_matrix_marks_right_answers():
    import numpy as np

    from dlviz.plots.playground.regions import confusion_figure

    fig = confusion_figure(np.array([[5, 1], [0, 4]]))
    assert [list(r) for r in fig.data[0].text] == [["✓ 5", "1"], ["0", "✓ 4"]]
