"""Activations page under AppTest: every widget drives the figures, bad input never raises."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dlviz.activations import ACTIVATION_NAMES
from tests.app.conftest import open_page, open_tab
from tests.app.hardening import assert_clean
from tests.support import metric, plotly_specs, spec_by_key, values

PAGE = "1_activations.py"


@pytest.fixture
def at():
    return open_page(PAGE)


@pytest.fixture
def compare(at):
    return open_tab(at, "act_tab", "Compare")


@pytest.fixture
def softmax(at):
    return open_tab(at, "act_tab", "Softmax")


def test_first_load_shows_title_charts_formulas_and_try_box(at):
    assert "Activation" in at.title[0].value
    assert len(plotly_specs(at)) == 1 and spec_by_key(at, "act_chart")  # only the open tab runs
    assert any("sigma" in latex.value for latex in at.latex)
    assert any("What to try" in info.value for info in at.info)
    open_tab(at, "act_tab", "Compare")
    assert len(plotly_specs(at)) == 1 and spec_by_key(at, "act_compare_chart")
    open_tab(at, "act_tab", "Softmax")
    assert len(plotly_specs(at)) == 3  # softmax bars, sweep, Jacobian


def test_sigmoid_curve_shades_and_names_both_saturation_regions(at):
    spec = spec_by_key(at, "act_chart")
    names = [t.get("name", "") for t in spec["data"]]
    assert any("f′(x)" in n for n in names)
    rects = [s for s in spec["layout"]["shapes"] if s["type"] == "rect"]
    assert len(rects) == 2
    texts = " ".join(a["text"] for a in spec["layout"]["annotations"])
    assert "saturation: σ → 0" in texts and "saturation: σ → 1" in texts
    deriv = values(spec["data"][1]["y"])
    assert deriv.max() == pytest.approx(0.25, abs=1e-4)


def test_probe_moves_marker_and_prints_exact_values(at):
    at.slider(key="act_x").set_value(6.0).run()
    assert not at.exception
    s = 1 / (1 + math.exp(-6))
    assert metric(at, "f(x)") == f"{s:.6g}"
    assert metric(at, "f′(x) from autograd") == f"{s * (1 - s):.6g}"
    assert any("saturation: σ → 1" in w.value for w in at.warning)
    spec = spec_by_key(at, "act_chart")
    probe = [t for t in spec["data"] if t.get("mode") == "markers"]
    assert values(probe[0]["x"])[0] == 6.0
    at.slider(key="act_x").set_value(0.0).run()
    assert not at.warning and at.success


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_every_activation_renders(at, name):
    at.selectbox(key="act_name").set_value(name).run()
    assert not at.exception
    spec = spec_by_key(at, "act_chart")
    assert len(spec["data"]) == 4 and np.isfinite(values(spec["data"][1]["y"])).all()


def test_relu_shows_its_dead_side_and_leaky_relu_slope_controls_it(at):
    at.selectbox(key="act_name").set_value("relu").run()
    at.slider(key="act_x").set_value(-2.0).run()
    assert any("dead side" in w.value for w in at.warning)
    at.selectbox(key="act_name").set_value("leaky_relu").run()
    assert not at.warning  # slope 0.01 keeps the left side alive
    at.slider(key="act_slope").set_value(0.005).run()
    assert any("nearly dead" in w.value for w in at.warning)
    at.slider(key="act_slope").set_value(0.0).run()
    assert any("dead side: f′ = 0" in w.value for w in at.warning)


def test_elu_alpha_slider_moves_the_saturation_edge(at):
    at.selectbox(key="act_name").set_value("elu").run()
    at.slider(key="act_alpha").set_value(3.0).run()
    assert not at.exception
    rect = next(s for s in spec_by_key(at, "act_chart")["layout"]["shapes"] if s["type"] == "rect")
    assert rect["x1"] == pytest.approx(math.log(0.01 / 3.0), abs=0.01)


def test_compare_mode_overlays_functions_or_derivatives(compare):
    at = compare
    assert len(spec_by_key(at, "act_compare_chart")["data"]) == 4
    at.button_group(key="act_compare").set_value(["sigmoid", "elu", "softplus"]).run()
    at.button_group(key="act_compare_view").set_value("f′(x)").run()
    spec = spec_by_key(at, "act_compare_chart")
    assert [t["name"] for t in spec["data"]] == ["Sigmoid", "ELU", "Softplus"]
    assert spec["layout"]["yaxis"]["title"]["text"] == "f′(x)"
    at.button_group(key="act_compare").set_value([]).run()
    assert not at.exception
    assert any("at least one" in i.value for i in at.info)


def test_softmax_bars_sum_to_one_and_logit_inputs_are_bounded(softmax):
    at = softmax
    spec = spec_by_key(at, "act_softmax_bars")
    probs = values(spec["data"][0]["y"])
    assert probs.sum() == pytest.approx(1.0) and len(probs) == 4
    box = at.number_input(key="act_logit_0")
    assert box.proto.min == -1000 and box.proto.max == 1000
    at.slider(key="act_k").set_value(8).run()
    assert len([n for n in at.number_input if n.key.startswith("act_logit_")]) == 8


def test_extreme_logits_stay_finite_at_every_temperature(softmax):
    at = softmax
    at.button(key="act_extreme").click().run()
    assert at.number_input(key="act_logit_0").value == 1000.0
    assert at.number_input(key="act_logit_1").value == -1000.0
    for temperature in (0.05, 1.0, 10.0):
        at.select_slider(key="act_temp").set_value(temperature).run()
        assert not at.exception
        for key in ("act_softmax_bars", "act_sweep_chart"):
            for trace in spec_by_key(at, key)["data"]:
                assert np.isfinite(values(trace["y"])).all()
        jac = values(spec_by_key(at, "act_jacobian")["data"][0]["z"])
        assert np.isfinite(jac).all()
        probs = values(spec_by_key(at, "act_softmax_bars")["data"][0]["y"])
        assert probs.sum() == pytest.approx(1.0)


def test_temperature_sharpens_and_flattens(softmax):
    at = softmax
    at.select_slider(key="act_temp").set_value(0.1).run()
    sharp = values(spec_by_key(at, "act_softmax_bars")["data"][0]["y"])
    at.select_slider(key="act_temp").set_value(10.0).run()
    flat = values(spec_by_key(at, "act_softmax_bars")["data"][0]["y"])
    assert sharp.max() > 0.99 and flat.max() < 0.35


def test_sweep_selector_and_shrinking_the_class_count_never_raise(softmax):
    at = softmax
    at.selectbox(key="act_sweep").set_value(3).run()
    at.slider(key="act_k").set_value(2).run()
    assert not at.exception
    at.button(key="act_reset").click().run()
    assert at.number_input(key="act_logit_0").value == 2.0


def test_leaky_relu_with_slope_zero_reads_zero_not_minus_zero(at):
    at.selectbox(key="act_name").set_value("leaky_relu").run()
    at.slider(key="act_slope").set_value(0.0).run()
    at.slider(key="act_x").set_value(-2.0).run()
    assert metric(at, "f(x)") == "0"  # was "-0" (issue 12)
    assert_clean(at)


def test_slope_slider_shows_its_real_value(at):
    at.selectbox(key="act_name").set_value("leaky_relu").run()
    at.slider(key="act_slope").set_value(0.005).run()
    slider = at.slider(key="act_slope")
    assert slider.proto.format % slider.value == "0.005"  # "%0.2f" showed 0.01 (issue 12)


def test_jacobian_cells_print_their_real_non_zero_values(softmax):
    at = softmax
    at.select_slider(key="act_temp").set_value(0.3).run()  # some cells are about ±1e-4
    heat = spec_by_key(at, "act_jacobian")["data"][0]
    jac, text = values(heat["z"]), heat["text"]
    tiny = 0
    for i, row in enumerate(jac):
        for j, v in enumerate(row):
            if v == 0:
                assert text[i][j] == "0"
            else:
                small = abs(v) < 5e-4  # rounds to 0.000: the text switches to 2 significant digits
                tol = 0.05 * abs(v) if small else 5e-4
                assert abs(float(text[i][j]) - v) <= tol, (v, text[i][j])
                tiny += small
    assert tiny, "the example must have cells that read 0.000 at three decimals"
    assert_clean(at)
