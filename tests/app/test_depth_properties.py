"""Property test of the Depth-and-initialization page: every widget and preset, always clean.

Hypothesis sets every control of the page at once (depth, width, activation, initialization,
the normal init's sigma, batch norm, the inputs, compare-all) and sometimes presses a preset, on
one page shared by the examples (opening it costs more than a run; every example sets every
widget, so examples do not depend on each other). After each run the page must pass
``assert_clean``, and every point the depth profile leaves out must sit in a marked band.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlviz.activations import ACTIVATION_NAMES
from dlviz.depth import INITS, MAX_DEPTH, MIN_DEPTH
from dlviz.ui.depth import INPUTS, PRESETS, SIGMAS, WIDTHS
from tests.app.conftest import open_page
from tests.app.hardening import PAGE_SETTINGS, assert_clean
from tests.support import spec_by_key

PAGE = "6_depth_and_init.py"
DEPTHS = st.one_of(st.sampled_from([MIN_DEPTH, MAX_DEPTH]), st.integers(MIN_DEPTH, MAX_DEPTH))


@pytest.fixture
def at():
    return open_page(PAGE)


def assert_gaps_are_marked(at) -> None:
    """Each point of the profile is a positive number, or a gap inside a shaded band."""
    spec = spec_by_key(at, "depth_profile")
    main = [t for t in spec["data"] if "markers" in t["mode"]]
    assert len(main) == 2  # the current scheme's std and gradient curves
    shapes = spec["layout"].get("shapes", [])
    for trace in main:
        for layer, y in zip(trace["x"], trace["y"], strict=True):
            if y is None:
                assert any(
                    s["xref"] == trace.get("xaxis", "x") and s["x0"] < layer < s["x1"]
                    for s in shapes
                ), f"layer {layer} of {trace.get('xaxis', 'x')} left out without a mark"
            else:
                assert y > 0


def set_every_widget(data, at) -> str:
    """Draw a value for every control, set them all, run; the initialization drawn."""
    init = data.draw(st.sampled_from(tuple(INITS)), label="init")
    at.selectbox(key="depth_init").set_value(init)
    at.slider(key="depth_depth").set_value(data.draw(DEPTHS, label="depth"))
    at.select_slider(key="depth_width").set_value(data.draw(st.sampled_from(WIDTHS)))
    at.selectbox(key="depth_activation").set_value(data.draw(st.sampled_from(ACTIVATION_NAMES)))
    at.toggle(key="depth_batch_norm").set_value(data.draw(st.booleans(), label="batch norm"))
    at.selectbox(key="depth_inputs").set_value(data.draw(st.sampled_from(tuple(INPUTS))))
    at.toggle(key="depth_compare").set_value(data.draw(st.booleans(), label="compare"))
    at.run()
    return init


@PAGE_SETTINGS
@given(data=st.data())
def test_every_widget_and_preset_leaves_the_depth_page_clean(at, data):
    for _ in range(data.draw(st.integers(1, 3), label="rounds")):
        init = set_every_widget(data, at)
        assert_clean(at)
        assert_gaps_are_marked(at)
        if init == "normal":  # sigma is only enabled for normal(0, σ)
            sigma = data.draw(st.sampled_from(SIGMAS), label="sigma")
            at.select_slider(key="depth_sigma").set_value(sigma).run()
            assert_clean(at, f"after sigma {sigma}")
            assert_gaps_are_marked(at)
        if data.draw(st.booleans(), label="press a preset"):
            i = data.draw(st.integers(0, len(PRESETS) - 1), label="preset")
            at.button(key=f"depth_preset_{i}").click().run()
            assert_clean(at, f"after preset {i}")
            assert_gaps_are_marked(at)
