"""Property test of the Gradient-descent page over its reachable widget space: clean after every run.

Hypothesis picks a surface (κ for the bowl, a formula for the custom one), a start point at the
box's edges or inside, the number of steps, the tolerance, 0 to 5 optimizers with their
hyperparameters (the largest learning rates included), gradient noise on or off with its batch
size and seed, and sometimes presses the convergence-map button, on one page kept open across
examples. After every run the page must pass ``assert_clean``.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlviz.descent.surfaces import SURFACE_NAMES
from dlviz.optimizers import OPTIMIZERS
from dlviz.ui.descent.controls import BATCH_SIZES, DEFAULT_EXPRESSION, KAPPAS
from dlviz.ui.descent.optimizers import EPS_OPTIONS, LR_OPTIONS
from tests.app.conftest import open_page
from tests.app.hardening import PAGE_SETTINGS, assert_clean

FORMULAS = [DEFAULT_EXPRESSION, "x**2 + y**2 + exp(1)", "abs(x) + abs(y)", "log(x) + y**2", "2"]
UNIT = st.sampled_from([0.0, 0.5, 0.9, 0.99])
# Where to start in a box: an edge, the middle, or anywhere (a fraction of the way across).
PLACE = st.one_of(st.sampled_from([0.0, 0.5, 1.0]), st.floats(0.0, 1.0))
HYPER = st.fixed_dictionaries(
    {
        "lr": st.one_of(st.sampled_from(LR_OPTIONS[-4:]), st.sampled_from(LR_OPTIONS)),  # 3.0 top
        "mom": UNIT,
        "b1": UNIT,
        "b2": st.sampled_from([0.9, 0.999, 0.9999]),
        "eps": st.sampled_from(EPS_OPTIONS),
        "wd": st.sampled_from([0.0, 0.01, 0.5]),
    }
)
# Every choice is drawn up front, whatever the page shows, so a replayed example draws the same.
PLAN = st.fixed_dictionaries(
    {
        "surface": st.sampled_from(SURFACE_NAMES),
        "kappa": st.sampled_from(KAPPAS),
        "formula": st.sampled_from(FORMULAS),
        "bound": st.sampled_from([1.0, 3.0, 10.0]),
        "start": st.tuples(PLACE, PLACE),
        "steps": st.sampled_from([10, 200, 500]),
        "tol": st.sampled_from([1e-4, 1e-2, 0.1]),
        "optimizers": st.lists(st.sampled_from(list(OPTIMIZERS)), max_size=5, unique=True),
        "hyper": st.fixed_dictionaries({name: HYPER for name in OPTIMIZERS}),
        "noise": st.booleans(),
        "sigma": st.sampled_from([0.05, 2.0]),
        "batch": st.sampled_from(BATCH_SIZES),
        "seed": st.integers(0, 9999),
        "map": st.booleans(),
        "map_n": st.sampled_from([25, 40]),
        "map_metric": st.sampled_from(["steps to settle", "final loss"]),
    }
)


@pytest.fixture(scope="module")
def page():
    return open_page("4_gradient_descent.py", timeout=120)


def run(at, what: str) -> None:
    at.run()
    assert_clean(at, what)


def has(at, kind: str, key: str) -> bool:
    return any(getattr(w, "key", None) == key for w in at.get(kind))


def set_surface(at, plan: dict) -> None:
    at.selectbox(key="gd_surface").set_value(plan["surface"])
    run(at, f"surface {plan['surface']}")
    if plan["surface"] == "quadratic":
        at.select_slider(key="gd_kappa").set_value(plan["kappa"])
    elif plan["surface"] == "custom":
        at.text_input(key="gd_expr").set_value(plan["formula"])
        at.select_slider(key="gd_bound").set_value(plan["bound"])
    run(at, "surface settings")


def set_run(at, plan: dict) -> None:
    for key, place in zip(("gd_x0", "gd_y0"), plan["start"], strict=True):
        box = at.number_input(key=key)
        box.set_value(box.min + place * (box.max - box.min))
    at.slider(key="gd_steps").set_value(plan["steps"])
    at.select_slider(key="gd_tol").set_value(plan["tol"])
    at.multiselect(key="gd_opts").set_value(plan["optimizers"])
    at.toggle(key="gd_noise").set_value(plan["noise"])
    run(at, "start, steps, tolerance, optimizers, noise")


def set_hyperparameters(at, plan: dict) -> None:
    for name in plan["optimizers"]:
        h = plan["hyper"][name]
        at.select_slider(key=f"gd_lr_{name}").set_value(h["lr"])
        for kind, key, value in (
            ("slider", f"gd_mom_{name}", h["mom"]),
            ("slider", f"gd_b1_{name}", h["b1"]),
            ("select_slider", f"gd_b2_{name}", h["b2"]),
            ("select_slider", f"gd_eps_{name}", h["eps"]),
            ("select_slider", f"gd_wd_{name}", h["wd"]),
        ):
            if has(at, kind, key):  # only the hyperparameters this optimizer reads
                getattr(at, kind)(key=key).set_value(value)
    if plan["noise"]:
        at.select_slider(key="gd_sigma").set_value(plan["sigma"])
        at.select_slider(key="gd_batch").set_value(plan["batch"])
        at.number_input(key="gd_seed").set_value(plan["seed"])
    run(at, "hyperparameters")


@PAGE_SETTINGS
@given(plan=PLAN)
def test_every_reachable_setting_keeps_the_page_clean(page, plan):
    at = page
    set_surface(at, plan)
    if not has(at, "number_input", "gd_x0"):
        return  # a formula the page refused: its message was checked by assert_clean
    set_run(at, plan)
    if not plan["optimizers"]:
        return
    set_hyperparameters(at, plan)
    if plan["map"]:
        at.selectbox(key="gd_map_n").set_value(plan["map_n"])
        at.segmented_control(key="gd_map_metric").set_value(plan["map_metric"])
        at.button(key="gd_map_go").click()
        run(at, "convergence map")
