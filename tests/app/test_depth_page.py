"""The Depth-and-initialization page: renders its charts, and its widgets drive the study."""

from __future__ import annotations

import math

import pytest

from dlviz.depth.report import VANISHED
from tests.app.conftest import open_page
from tests.app.hardening import assert_clean
from tests.support import metric, plotly_specs

PAGE = "6_depth_and_init.py"


def _profile(at) -> dict:
    return next(s for s in plotly_specs(at) if "weight-gradient" in str(s).lower())


def _main_grad_norms(at) -> list[float]:
    traces = [t for t in _profile(at)["data"] if t.get("xaxis") == "x2" and "markers" in t["mode"]]
    return [v for v in traces[0]["y"] if v is not None]


def test_first_load_shows_profile_and_ridgeline_with_log_axes():
    at = open_page(PAGE)
    assert "epth" in at.title[0].value
    specs = plotly_specs(at)
    assert len(specs) == 2
    layout = _profile(at)["layout"]
    assert layout["yaxis"]["type"] == "log" and layout["yaxis2"]["type"] == "log"
    # default: tanh + PyTorch init, 20 layers; comparing every init is one switch away
    assert len(_main_grad_norms(at)) == 20
    at.toggle(key="depth_compare").set_value(True).run()
    names = {t["name"] for t in _profile(at)["data"]}
    assert {"Kaiming / He", "PyTorch default"} <= names
    # tanh with uniform(0, 1) saturates and its gradient underflows: the legend says where
    assert "uniform(0, 1) (gradient 0 up to layer 20)" in names
    ridges = [t for t in specs[1]["data"] if t["fill"] == "toself"]
    assert len(ridges) == 20
    assert at.info, "the What-to-try box is missing"


def test_depth_slider_changes_the_number_of_layers():
    at = open_page(PAGE)
    at.slider(key="depth_depth").set_value(8).run()
    assert not at.exception
    assert len(_main_grad_norms(at)) == 8


def test_presets_tell_the_four_stories():
    at = open_page(PAGE)
    at.toggle(key="depth_compare").set_value(False).run()
    at.button(key="depth_preset_0").click().run()  # sigmoid, default init: vanishing
    grads = _main_grad_norms(at)
    assert grads[0] < 1e-3 * grads[-1]
    assert any("Vanishing" in w.value for w in at.warning)

    at.button(key="depth_preset_3").click().run()  # ReLU + Kaiming: stable
    assert at.session_state["depth_init"] == "kaiming"
    grads = _main_grad_norms(at)
    assert max(grads) / min(grads) < 50
    assert not at.warning and not at.error

    at.button(key="depth_preset_4").click().run()  # batch norm: stable
    grads = _main_grad_norms(at)
    assert max(grads) / min(grads) < 50

    at.button(key="depth_preset_2").click().run()  # uniform(0, 1) with ReLU: explodes
    assert at.error and "xplod" in at.error[0].value
    assert not at.exception


def test_normal_sigma_and_missing_dataset_fall_back_without_traceback():
    at = open_page(PAGE)
    at.selectbox(key="depth_init").set_value("normal").run()
    at.select_slider(key="depth_sigma").set_value(1.0).run()
    flat = at.metric[3].value
    assert flat.endswith("%") and int(flat[:-1]) > 50  # tanh saturates with a big sigma
    at.selectbox(key="depth_inputs").set_value("mnist").run()  # no MNIST files in tests
    assert not at.exception
    assert at.warning, "a missing dataset must say what happened"


def test_digits_images_as_inputs():
    at = open_page(PAGE)
    at.selectbox(key="depth_inputs").set_value("digits").run()
    assert not at.exception
    loss = at.metric[0].value
    assert math.isfinite(float(loss))
    assert "Digits" in at.caption[-1].value


@pytest.mark.parametrize(
    ("activation", "init", "width", "depth", "ratio"),
    [
        ("sigmoid", "default", 128, 50, VANISHED),  # ZeroDivisionError in 1 / grad_ratio
        ("tanh", "uniform", 16, 20, VANISHED),
        ("leaky_relu", "uniform", 128, 50, "exploded (overflow at layer"),  # torch.histc error
        ("elu", "uniform", 128, 50, "exploded (overflow at layer"),
        ("gelu", "uniform", 128, 50, "exploded (overflow at layer"),  # a metric read "nan"
        ("silu", "uniform", 128, 50, "exploded (overflow at layer"),
    ],
)
def test_the_settings_that_crashed_read_vanished_or_exploded(activation, init, width, depth, ratio):
    at = open_page(PAGE)
    at.selectbox(key="depth_activation").set_value(activation)
    at.selectbox(key="depth_init").set_value(init)
    at.select_slider(key="depth_width").set_value(width)
    at.slider(key="depth_depth").set_value(depth).run()
    assert_clean(at)
    assert metric(at, "Gradient norm, first / last layer").startswith(ratio)
    alerts = " ".join(a.value for a in (*at.warning, *at.error))
    assert "layer" in alerts and ("exactly 0" in alerts or "overflowed to inf/NaN" in alerts)


def test_a_rerun_with_the_same_settings_rebuilds_no_figure(monkeypatch):
    """The figures come from ui.depth_view's cache: only new settings build new ones."""
    import dlviz.ui.depth as ui

    built = []
    original = ui.ridgeline_figure
    monkeypatch.setattr(
        ui, "ridgeline_figure", lambda study: built.append(study) or original(study)
    )
    at = open_page(PAGE)
    assert len(built) == 1
    at.run()
    at.run()
    assert len(built) == 1 and len(plotly_specs(at)) == 2
    at.slider(key="depth_depth").set_value(8).run()
    assert len(built) == 2
