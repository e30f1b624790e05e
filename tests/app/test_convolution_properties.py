"""Property test of the Convolution page: every reachable widget setting, typed kernel and grid
(numbers, words, huge values, wrong sizes), and every tab leaves the page clean: no traceback,
no NaN, inf or -0 where a number belongs. Settings torch refuses must be named, never drawn."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlviz.convolution import KERNEL_NAMES, PADDING_MODES
from dlviz.ui.convolution.controls import KERNEL_SIZES, MAX_DILATION, MAX_PADDING, MAX_STRIDE
from dlviz.ui.convolution.sections import TABS
from tests.app.conftest import open_page
from tests.app.hardening import PAGE_SETTINGS, assert_clean
from tests.app.test_training_page import canvas_drawing

NUMBER = st.one_of(
    st.sampled_from(["0", "1", "-1", "0.5", "-0", "1e3", "1e9", "nan", "inf", "x", "1,5"]),
    st.floats(-5, 5, allow_nan=False).map(lambda v: f"{v:.3g}"),
)


def grid_text(rows: int, cols: int):
    return st.lists(
        st.lists(NUMBER, min_size=cols, max_size=cols).map(" ".join), min_size=rows, max_size=rows
    ).map("\n".join)


@pytest.fixture
def at():
    return open_page("7_convolution.py")


@PAGE_SETTINGS
@given(data=st.data())
def test_every_setting_leaves_the_convolution_page_clean(at, data):
    at.session_state["conv_tab"] = TABS[0]
    source = data.draw(st.sampled_from(["digits", "grid", "draw"]), label="source")
    at.selectbox(key="conv_source").set_value(source)
    at.run()
    if source == "grid":
        size = data.draw(st.tuples(st.integers(1, 9), st.integers(1, 9)), label="grid size")
        at.text_area(key="conv_grid_text").set_value(data.draw(grid_text(*size), label="grid"))
    elif source == "draw":
        if data.draw(st.booleans(), label="draw a stroke"):
            at.session_state["conv_canvas"] = canvas_drawing()
    else:
        at.number_input(key="conv_index").set_value(data.draw(st.integers(0, 9999)))
    at.selectbox(key="conv_kernel").set_value(data.draw(st.sampled_from(list(KERNEL_NAMES))))
    k = data.draw(st.sampled_from(KERNEL_SIZES), label="k")
    at.select_slider(key="conv_k").set_value(k)
    at.slider(key="conv_stride").set_value(data.draw(st.integers(1, MAX_STRIDE)))
    at.slider(key="conv_padding").set_value(data.draw(st.integers(0, MAX_PADDING)))
    at.selectbox(key="conv_mode").set_value(data.draw(st.sampled_from(list(PADDING_MODES))))
    at.slider(key="conv_dilation").set_value(data.draw(st.integers(1, MAX_DILATION)))
    at.number_input(key="conv_bias").set_value(data.draw(st.floats(-10, 10), label="bias"))
    at.run()
    assert_clean(at, "after the settings")
    if data.draw(st.booleans(), label="type a kernel"):
        size = data.draw(st.sampled_from([k, k, 2, 3]), label="typed size")
        at.text_area(key="conv_kernel_text").set_value(data.draw(grid_text(size, size)))
        at.run()
        assert_clean(at, "after typing a kernel")
    if any("PyTorch would refuse" in e.value for e in at.error):
        assert not at.get("plotly_chart"), "a refused setting was drawn"
    at.session_state["conv_tab"] = data.draw(st.sampled_from(TABS), label="tab")
    at.run()
    assert_clean(at, "after switching tabs")
