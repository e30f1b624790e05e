"""Structure of the Convolution figures: one frame per output position with only what changes,
grids as layout images, pooling maxima marked, and overviews of both seed CNNs."""

from __future__ import annotations

import json

import plotly.io as pio
import torch

from dlviz.convolution import ConvSpec, PoolSpec, convolve, kernel_preset, pool
from dlviz.convolution.trained import stages
from dlviz.plots.convolution import channels_figure, pooling_figure, window_figure
from dlviz.plots.convolution.trained import MAX_MAPS, detail_figure, overview_figure
from dlviz.training.models import build_model


def _spec(fig) -> dict:
    return json.loads(pio.to_json(fig, validate=False))


def test_window_figure_has_a_frame_per_position_and_the_sums_above():
    x = torch.arange(25.0).reshape(1, 5, 5) / 25
    result = convolve(x, kernel_preset("box"), 0.5, ConvSpec(3, 2, 1, "replicate", 1))
    fig = _spec(window_figure(result))
    assert len(fig["frames"]) == 9 and len(fig["layout"]["sliders"][0]["steps"]) == 9
    last = fig["frames"][-1]
    assert list(last["traces"]) == [2, 5]
    text = last["layout"]["annotations"][0]["text"]
    assert text.startswith("Output (2, 2)") and f"{float(result.output[0, 2, 2]):.4g}" in text
    assert len(last["data"][1]["text"]) == 9  # the nine products
    assert len(fig["layout"]["images"]) == 3  # input, kernel, output: nothing blanks on play
    cells = fig["data"][6]  # one clickable, hoverable marker per output cell, row-major
    assert cells["type"] == "scatter" and len(cells["x"]) == 9
    hover = cells["hovertext"][3]
    assert hover.startswith("output (1, 0)") and "patch:" in hover


def test_a_clicked_output_cell_opens_the_window_at_its_position():
    from dlviz.plots.convolution.window import at_position, clicked_position

    x = torch.arange(25.0).reshape(1, 5, 5) / 25
    result = convolve(x, kernel_preset("box"), 0.5, ConvSpec(3, 1, 1))
    figure = window_figure(result)
    event = {"selection": {"points": [{"curve_number": 6, "point_index": 7}]}}
    assert clicked_position(event) == 7
    assert clicked_position({"selection": {"points": []}}) is None
    assert (
        clicked_position({"selection": {"points": [{"curve_number": 1, "point_index": 2}]}}) is None
    )
    moved = _spec(at_position(figure, 7))
    frame = moved["frames"][7]
    assert moved["layout"]["sliders"][0]["active"] == 7
    assert moved["layout"]["annotations"][0]["text"] == frame["layout"]["annotations"][0]["text"]
    assert moved["data"][2]["x"] == frame["data"][0]["x"]  # the window's taps
    assert moved["data"][5]["text"] == frame["data"][1]["text"]  # the products
    shapes = moved["layout"]["shapes"]
    assert (shapes[0]["x0"], shapes[0]["y0"]) == (frame["layout"]["shapes"][0]["x0"],
                                                  frame["layout"]["shapes"][0]["y0"])  # fmt: skip
    assert shapes[0]["line"]["color"]  # the style stays
    assert len(moved["frames"]) == 25 and _spec(figure)["layout"]["sliders"][0]["active"] == 0
    assert at_position(figure, 0) is figure and at_position(figure, 99) is figure


def test_colour_window_and_channels_figure():
    x = torch.rand(3, 6, 6)
    result = convolve(x, torch.randn(2, 3, 3, 3), torch.zeros(2), ConvSpec(3, 1, 1))
    fig = _spec(window_figure(result, 1))
    assert len(fig["frames"]) == 36 and len(fig["frames"][0]["data"][1]["text"]) == 27
    assert len(channels_figure(result).data) == 10


def test_pooling_figure_marks_each_window_maximum():
    result = pool(torch.randn(1, 6, 6), PoolSpec("max", 2, 2))
    fig = pooling_figure(result)
    assert len(fig.data[3].x) == 9 and len(fig.layout.shapes) == 9


def test_overview_of_both_seed_cnns_and_a_detail():
    for preset, shape in (("seed-cnn", (1, 28, 28)), ("seed-cifar-cnn", (3, 32, 32))):
        model = build_model(preset, shape, 10).eval()
        x = torch.randn(shape)
        found, probs = stages(model, x)
        fig = overview_figure(x.clamp(0, 1), found, probs, [str(i) for i in range(10)], 3, "map")
        maps = [s for s in found if s.is_map]
        tiles = [t for t in fig.data if t.customdata is not None]
        assert len(tiles) == len(maps) and all(len(t.x) == MAX_MAPS for t in tiles)
        assert fig.data[-1].type == "bar" and abs(sum(fig.data[-1].x) - 1) < 1e-5
        assert len(fig.layout.images) == 1 + len(maps)
        detail = detail_figure(maps[0], 2, model.conv1.weight[2].detach(), None, (0, 0))
        assert len(detail.layout.images) == 2
