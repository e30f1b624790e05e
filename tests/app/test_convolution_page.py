"""The Convolution page: the operation with its numbers, the kernel editor, refusals in words,
skipped pixels, the typed grid, colour, pooling and the layer table."""

from __future__ import annotations

import pytest

from tests.app.conftest import open_page
from tests.app.hardening import assert_clean
from tests.support import plotly_specs, spec_by_key

PAGE = "7_convolution.py"


@pytest.fixture
def at():
    return open_page(PAGE)


def _select(at, key: str, point: dict) -> None:
    """What a click on one point of the chart ``key`` leaves in session state."""
    index = point.get("point_index", 0)
    at.session_state[key] = {
        "selection": {"points": [point], "point_indices": [index], "box": [], "lasso": []}
    }


def _window(at) -> dict:
    return spec_by_key(at, "conv_window")


def _output_numbers(at) -> list[str]:
    return _window(at)["data"][7]["text"]


def _messages(at, kind: str) -> str:
    return " ".join(e.value for e in at.get(kind))


def test_first_load_animates_a_digit_with_sobel_x(at):
    assert at.title[0].value == "Convolution"
    spec = _window(at)
    assert len(spec["frames"]) == 64  # 8x8 digit, 3x3 kernel, padding 1: 8x8 positions
    assert len(spec["layout"]["sliders"][0]["steps"]) == 64
    labels = [b["label"] for b in spec["layout"]["updatemenus"][0]["buttons"]]
    assert labels == ["▶ Play", "▶▶ Fast", "❚❚ Pause"]
    frame = spec["frames"][9]  # output (1, 1): the window at padded rows 1-3, columns 1-3
    assert "Output (1, 1)" in frame["layout"]["annotations"][0]["text"]
    assert len(frame["data"][1]["text"]) == 9  # the nine products
    assert any("= 8" in e.value for e in at.latex)
    assert "conv2d" in _messages(at, "caption")
    assert at.info  # What to try
    options = at.selectbox(key="conv_source").options
    assert "Fashion-MNIST test image (28×28)" in options
    assert "MNIST test image (28×28)" not in options  # its files are not on disk: no download
    assert_clean(at)


def test_output_hover_shows_the_patch(at):
    hover = _window(at)["data"][6]["hovertext"][2 * 8 + 3]  # row-major over the 8 x 8 output
    assert hover.startswith("output (2, 3)") and "patch:" in hover
    assert hover.count("<br>") >= 5  # value, window, 'patch:', three rows


def test_a_typed_kernel_drives_the_numbers(at):
    at.text_area(key="conv_kernel_text").set_value("0 0 0\n0 0 0\n0 0 0").run()
    at.number_input(key="conv_bias").set_value(0.5).run()
    assert set(_output_numbers(at)) == {"0.5"}
    assert_clean(at)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("1 2 3\n4 x 6\n7 8 9", "not a number"),
        ("1 2\n3 4", "3x3 is needed"),
        ("1 1 1\n1 1e9 1\n1 1 1", "too large"),
    ],
)
def test_a_bad_kernel_is_named_and_the_preset_stands_in(at, text, words):
    at.text_area(key="conv_kernel_text").set_value(text).run()
    assert words in _messages(at, "warning")
    assert _window(at)["frames"]  # still drawn, with the preset
    assert_clean(at)


def test_preset_and_size_rewrite_the_kernel_text(at):
    at.selectbox(key="conv_kernel").set_value("box").run()
    at.select_slider(key="conv_k").set_value(5).run()
    lines = at.text_area(key="conv_kernel_text").value.splitlines()
    assert len(lines) == 5 and lines[0].split() == ["0.04"] * 5


def test_a_window_that_does_not_fit_is_refused_in_words(at):
    at.slider(key="conv_padding").set_value(0).run()
    at.select_slider(key="conv_k").set_value(7).run()
    at.slider(key="conv_dilation").set_value(3).run()
    text = _messages(at, "error")
    assert "PyTorch would refuse" in text and "does not fit" in text
    assert not plotly_specs(at)
    assert_clean(at)


def test_reflect_padding_wider_than_the_grid_is_refused(at):
    at.selectbox(key="conv_source").set_value("grid").run()
    at.text_area(key="conv_grid_text").set_value("1 0\n0 1").run()
    at.select_slider(key="conv_k").set_value(1).run()
    at.slider(key="conv_padding").set_value(3).run()
    at.selectbox(key="conv_mode").set_value("reflect").run()
    assert "Reflect padding" in _messages(at, "error")
    assert_clean(at)


def test_a_stride_that_skips_pixels_names_them(at):
    at.slider(key="conv_stride").set_value(4).run()
    text = _messages(at, "warning")
    assert "No window ever reads input rows 2, 6, 7" in text
    assert len(_window(at)["frames"]) == 4
    assert_clean(at)


@pytest.mark.parametrize(
    ("grid", "words"),
    [("1 2\n3 oops", "not a number"), ("1", "1×1"), ("\n".join(["0 " * 17] * 3), "3×17")],
)
def test_a_bad_grid_is_named(at, grid, words):
    at.selectbox(key="conv_source").set_value("grid").run()
    at.text_area(key="conv_grid_text").set_value(grid).run()
    assert words in _messages(at, "error")
    assert_clean(at)


def test_the_typed_grid_is_convolved(at):
    at.selectbox(key="conv_source").set_value("grid").run()
    at.selectbox(key="conv_kernel").set_value("identity").run()
    assert len(_window(at)["frames"]) == 49  # the 7x7 'X'
    assert _output_numbers(at)[:7] == ["1", "0", "0", "0", "0", "0", "1"]


def test_pooling_tab_matches_autograd(at):
    at.session_state["conv_tab"] = "Pooling"
    at.run()
    assert "largest difference 0" in _messages(at, "caption")
    spec = spec_by_key(at, "conv_pool_figure")
    assert spec["data"][3]["name"] == "window maximum" and len(spec["data"][3]["x"]) == 16
    at.selectbox(key="conv_pool").set_value("avg").run()
    at.slider(key="conv_pool_window").set_value(3).run()
    assert "largest difference 0" in _messages(at, "caption")
    assert_clean(at)


def test_colour_tab_shows_three_channels_and_four_outputs(at):
    at.session_state["conv_tab"] = "Colour channels"
    at.run()
    channels = spec_by_key(at, "conv_channels")
    assert len(channels["data"]) == 10  # 3 rows x (channel, slice, contribution) + the sum
    assert len(spec_by_key(at, "conv_outputs")["data"]) == 4
    at.toggle(key="conv_colour_animate").set_value(True).run()
    assert spec_by_key(at, "conv_colour_window")["frames"]
    assert_clean(at)


def test_network_tab_lists_seed_cnn_and_refuses_a_bad_custom_cnn(at):
    at.session_state["conv_tab"] = "Through a network"
    at.run()
    table = at.dataframe[0].value
    assert list(table.layer[:3]) == ["conv1", "pool1", "act1"]
    assert "804,554 parameters" in _messages(at, "caption")
    at.selectbox(key="conv_net").set_value("custom").run()
    at.text_input(key="conv_net_channels").set_value("a, b").run()
    assert "whole numbers" in _messages(at, "error")
    at.text_input(key="conv_net_channels").set_value("8, 16, 32").run()
    assert list(at.dataframe[0].value.layer[:2]) == ["conv1", "pool1"]
    assert_clean(at)


def test_trained_cnn_tab_trains_a_quick_cnn_opens_a_map_and_sends_its_filter():
    from tests.app.conftest import finish_jobs

    at = open_page(PAGE, timeout=300)
    at.session_state["conv_tab"] = "Your trained CNN"
    at.run()
    at.button(key="conv_quick").click().run(timeout=300)
    finish_jobs(at, timeout=300)
    assert at.selectbox(key="conv_run").value  # the quick run is picked
    overview = spec_by_key(at, "conv_overview")
    tiles = [t for t in overview["data"] if t.get("customdata")]
    assert len(tiles) == 3  # conv1, pool1, act1 of seed-cnn
    assert overview["data"][-1]["type"] == "bar" and len(overview["data"][-1]["x"]) == 10
    _select(at, "conv_overview", {"customdata": [1, 5]})
    at.run()
    assert "conv1, map 5" in _messages(at, "markdown")
    assert spec_by_key(at, "conv_top")["data"]  # the test images that excite it most
    assert len(spec_by_key(at, "conv_detail")["layout"]["images"]) == 3  # map, kernel, patch
    _select(at, "conv_overview", {"customdata": [3, 1]})
    at.run()
    assert "act1, map 1" in _messages(at, "markdown")  # after pooling: map and what it sees
    assert len(spec_by_key(at, "conv_detail")["layout"]["images"]) == 2
    assert not [b for b in at.button if b.key == "conv_use_filter"]
    _select(at, "conv_overview", {"customdata": [1, 5]})
    at.run()
    at.button(key="conv_use_filter").click().run()
    assert len(at.text_area(key="conv_kernel_text").value.splitlines()) == 3
    assert at.session_state["conv_tab"] == "Sliding window"
    assert_clean(at)


def test_a_drawn_digit_is_convolved_at_14_by_14(at):
    from tests.app.test_training_page import canvas_drawing

    at.selectbox(key="conv_source").set_value("draw").run()
    assert "Draw a digit on the black square" in _messages(at, "info")
    assert not at.get("plotly_chart")
    at.session_state["conv_canvas"] = canvas_drawing()
    at.run()
    assert len(_window(at)["frames"]) == 14 * 14  # 3x3 kernel, padding 1 keeps 14x14
    assert "your 14×14 drawing" in _messages(at, "markdown")
    assert_clean(at)


def test_a_feature_map_opens_from_the_pickers_without_a_click():
    """The keyboard path: the layer and map pickers open any map, also those not drawn."""
    from tests.app.conftest import finish_jobs

    at = open_page(PAGE, timeout=300)
    at.session_state["conv_tab"] = "Your trained CNN"
    at.run()
    at.button(key="conv_quick").click().run(timeout=300)
    finish_jobs(at, timeout=300)
    assert "conv1, map 0" in _messages(at, "markdown")
    assert at.selectbox(key="conv_open_stage").options == [
        "conv1 (Conv2d)",
        "pool1 (MaxPool2d)",
        "act1 (ReLU)",
    ]
    at.selectbox(key="conv_open_map").set_value(20).run()  # beyond the 8 tiles drawn per layer
    assert "conv1, map 20" in _messages(at, "markdown")
    at.selectbox(key="conv_open_stage").set_value(2).run()
    assert "act1, map 20" in _messages(at, "markdown")  # 32 maps after ReLU too: the map stays
    assert_clean(at)


def test_a_click_on_an_output_cell_opens_the_window_there(at):
    _select(at, "conv_window", {"curve_number": 6, "point_index": 10})
    at.run()
    window = _window(at)
    assert window["layout"]["sliders"][0]["active"] == 10
    assert window["layout"]["annotations"][0]["text"].startswith("Output (1, 2)")
    assert_clean(at)
