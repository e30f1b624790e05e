"""AppTest: the Gradient-descent page renders, its widgets drive the figure, bad input is caught."""

from __future__ import annotations

import numpy as np
import pytest

from dlviz.backprop import gradients
from dlviz.expression import ExpressionError
from tests.app.conftest import finish_jobs, open_page
from tests.app.hardening import assert_clean, enter_text
from tests.expression_strategies import (
    CONSTANT_FAILURES,
    CONSTANT_ONLY,
    CONSTANT_PARTS,
    LISTED_INPUTS,
    POWER_HINT,
    plain,
)
from tests.support import plotly_specs, values

PAGE = "4_gradient_descent.py"


def descent_spec(at) -> dict:
    """The animated panel: contour, loss, state table and frames."""
    return next(s for s in plotly_specs(at) if any(t["type"] == "contour" for t in s["data"]))


def surface_specs(at) -> list[dict]:
    return [s for s in plotly_specs(at) if any(t["type"] == "surface" for t in s["data"])]


def surface_spec(at) -> dict:
    """The 3-D surface with the paths (its expander opened first: closed, nothing is drawn)."""
    if not surface_specs(at):
        at.session_state["gd_3d"] = True  # what clicking the expander does
        at.run()
    return surface_specs(at)[0]


def test_first_load_shows_title_animated_figure_and_table():
    at = open_page(PAGE, timeout=120)
    assert "radient descent" in at.title[0].value
    spec = descent_spec(at)
    assert {"contour", "scatter", "table"} <= {t["type"] for t in spec["data"]}
    assert not surface_specs(at)  # the 3-D view (WebGL) is drawn only once its expander is open
    paths3d = [
        t for t in surface_spec(at)["data"] if t["type"] == "scatter3d" and t["mode"] == "lines"
    ]
    assert len(paths3d) == 3
    # client-side animation: one frame per step, a slider and play/pause buttons
    assert len(spec["frames"]) == 201
    assert len(spec["layout"]["sliders"][0]["steps"]) == 201
    labels = [b["label"] for b in spec["layout"]["updatemenus"][0]["buttons"]]
    assert any("Play" in b for b in labels) and any("Pause" in b for b in labels)
    # the state table of a frame lists each optimizer and Adam's moments
    table = spec["frames"][50]["data"][-1]["cells"]["values"]
    assert len(table[0]) == 3 and table[1] == ["50", "50", "50"]
    assert "m = (" in table[-1][2] and "v = (" in table[-1][2]
    assert "buffer b" in table[-1][1]
    assert "y2" in {t.get("yaxis") for t in spec["data"]}  # the loss against the step
    assert spec["layout"]["yaxis2"]["type"] == "log"
    # the comparison table has one row per optimizer and says how each run ended
    df = at.dataframe[0].value
    assert list(df["optimizer"]) == ["SGD", "SGD + momentum", "Adam"]
    assert all(o.startswith("settled") for o in df["outcome"])
    assert not at.exception


def test_learning_rate_past_the_stability_limit_is_explained():
    at = open_page(PAGE, timeout=120)
    at.select_slider(key="gd_lr_sgd").set_value(0.07).run()  # 2/L = 2/50 = 0.04
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "SGD" in warnings and "lr < 0.04" in warnings
    df = at.dataframe[0].value
    assert df["outcome"][0].startswith("diverged")
    spec = descent_spec(at)
    assert any(t.get("marker", {}).get("symbol") == "x" for t in spec["data"])


def test_kappa_changes_the_bowl_and_the_limit():
    at = open_page(PAGE, timeout=120)
    at.select_slider(key="gd_kappa").set_value(100.0).run()
    assert not at.exception
    assert "lr < 0.02" in " ".join(w.value for w in at.warning)  # lr 0.03 now too large


def test_switching_surface_resets_start_and_learning_rates():
    at = open_page(PAGE, timeout=120)
    at.select_slider(key="gd_lr_sgd").set_value(0.01).run()
    at.selectbox(key="gd_surface").set_value("rosenbrock").run()
    assert not at.exception
    assert at.select_slider(key="gd_lr_sgd").value == 0.002
    assert (at.number_input(key="gd_x0").value, at.number_input(key="gd_y0").value) == (-1.2, 1.0)
    spec = descent_spec(at)
    assert spec["layout"]["yaxis2"]["type"] == "log"


def test_custom_surface_rejects_unsafe_input_and_accepts_a_formula():
    at = open_page(PAGE, timeout=120)
    at.selectbox(key="gd_surface").set_value("custom").run()
    assert not at.exception and descent_spec(at)
    at.text_input(key="gd_expr").set_value("__import__('os').system('ls')").run()
    assert not at.exception
    assert at.error and "cannot be used" in at.error[0].value
    assert not plotly_specs(at)
    at.text_input(key="gd_expr").set_value("(x - 1)^2 + 3*(y + 0.5)^2").run()
    assert not at.exception and not at.error
    stars = [t for t in descent_spec(at)["data"] if t.get("name") == "minimum"]
    assert np.allclose(values(stars[0]["x"]), [1.0], atol=1e-4)
    assert np.allclose(values(stars[0]["y"]), [-0.5], atol=1e-4)


def test_five_optimizers_and_none():
    at = open_page(PAGE, timeout=120)
    at.multiselect(key="gd_opts").set_value(["nesterov", "adagrad", "rmsprop", "adam", "adamw"])
    at.run()
    assert not at.exception
    assert len(at.dataframe[0].value) == 5
    assert len(descent_spec(at)["frames"][0]["data"][-1]["cells"]["values"][0]) == 5
    at.multiselect(key="gd_opts").set_value([]).run()
    assert not at.exception
    assert any("at least one optimizer" in i.value for i in at.info)


def test_gradient_noise_changes_the_paths():
    at = open_page(PAGE, timeout=120)
    clean = [t for t in surface_spec(at)["data"] if t["type"] == "scatter3d"][-1]
    at.toggle(key="gd_noise").set_value(True).run()
    at.select_slider(key="gd_batch").set_value(1).run()
    assert not at.exception
    noisy = [t for t in surface_spec(at)["data"] if t["type"] == "scatter3d"][-1]
    assert not np.array_equal(values(noisy["x"]), values(clean["x"]))
    assert any("σ/√batch" in c.value for c in at.caption)


def test_convergence_map_runs_on_the_button():
    at = open_page(PAGE, timeout=120)
    assert len(plotly_specs(at)) == 1  # the map waits for the button (the 3-D view is closed)
    at.button(key="gd_map_go").click().run()
    assert not at.exception
    finish_jobs(at)  # the map runs in the job queue's worker
    heat = [s for s in plotly_specs(at) if s["data"][0]["type"] == "heatmap"]
    assert heat
    assert values(heat[0]["data"][0]["z"]).shape == (25, 25)
    assert any("settled within" in c.value for c in at.caption)
    at.segmented_control(key="gd_map_metric").set_value("final loss").run()
    assert not at.exception
    # adopt the fastest cell: the optimizer's sliders move to it
    assert any("Fastest here" in x.value for x in at.success)
    before = at.select_slider(key="gd_lr_momentum").value
    at.button(key="gd_map_use").click().run()
    assert not at.exception
    assert (
        at.select_slider(key="gd_lr_momentum").value != before
        or at.slider(key="gd_mom_momentum").value != 0.9
    )


# --- the hardening issue's exact inputs on the custom surface, and words for non-numbers --------


@pytest.fixture(scope="module")
def custom_page():
    """One page on the custom surface, shared by the tests that only type formulas."""
    at = open_page(PAGE, timeout=120)
    at.selectbox(key="gd_surface").set_value("custom").run()
    return at


@pytest.mark.parametrize("text", LISTED_INPUTS)
def test_every_listed_input_shows_a_surface_or_a_message(custom_page, text):
    at = enter_text(custom_page, "gd_expr", text)
    assert plotly_specs(at) or at.error


@pytest.mark.parametrize("text", CONSTANT_PARTS)
def test_functions_of_constants_draw_their_surface(custom_page, text):
    at = enter_text(custom_page, "gd_expr", text)
    assert not at.error and descent_spec(at)
    stars = [t for t in descent_spec(at)["data"] if t.get("name") == "minimum"]
    assert np.allclose(values(stars[0]["x"]), [0.0], atol=1e-4)


@pytest.mark.parametrize(("text", "fragment"), CONSTANT_FAILURES.items())
def test_constant_failures_give_the_backprop_pages_message(custom_page, text, fragment):
    at = enter_text(custom_page, "gd_expr", text)
    with pytest.raises(ExpressionError) as engine:
        gradients(text, {})  # what the Backprop page shows for the same text
    shown = plain(at.error[0].value)
    assert fragment in shown and f"cannot be used: {engine.value}. Fix it" in shown
    assert not plotly_specs(at)


def test_the_power_hint_keeps_its_stars(custom_page):
    shown = enter_text(custom_page, "gd_expr", POWER_HINT).error[0].value
    assert r"write x\*\*2, not x\*\*y" in shown
    assert "write x**2, not x**y" in plain(shown)


@pytest.mark.parametrize("text", CONSTANT_ONLY)
def test_a_flat_surface_says_it_has_no_minimum_and_nothing_moved(custom_page, text):
    df = enter_text(custom_page, "gd_expr", text).dataframe[0].value
    assert set(df["distance to nearest minimum"]) == {"no minimum"}
    assert set(df["steps until within 0.01"]) == {"never"}
    assert set(df["outcome"]) == {"did not move (the gradient is 0)"}


def test_summary_table_writes_words_for_nan_and_none():
    at = open_page(PAGE, timeout=120)
    at.selectbox(key="gd_surface").set_value("custom").run()
    at.text_input(key="gd_expr").set_value("log(x) + y**2").run()  # undefined at the start x < 0
    assert_clean(at)
    df = at.dataframe[0].value
    assert set(df["final loss"]) == {"diverged"} and set(df["steps until within 0.01"]) == {"never"}
    assert all(o.startswith("diverged at step 0") for o in df["outcome"])
    at.selectbox(key="gd_surface").set_value("saddle").run()
    assert_clean(at)
    df = at.dataframe[0].value
    assert set(df["distance to nearest minimum"]) == {"no minimum"}
    at.selectbox(key="gd_surface").set_value("quadratic").run()
    at.select_slider(key="gd_lr_sgd").set_value(3.0).run()  # far past 2/L: diverges
    assert_clean(at)
    df = at.dataframe[0].value
    assert df["outcome"][0].startswith("diverged") and df["steps until within 0.01"][0] == "never"
    float(df["final loss"][0])  # the last finite loss before the divergence is a number
