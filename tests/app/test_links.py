"""AppTest: every page's settings come from a link, and a bad link is named, never a traceback.

A page opened from a link runs the way ``dlviz.ui.registry.run_page`` runs it: the link's
parameters remembered first (``links.capture``), the page, then ``links.report`` naming what the
page could not use. (AppTest runs a page of an ``st.navigation`` app without app.py, so the tests
wrap the page in those two calls themselves; the browser test goes through app.py.)
"""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.app.hardening import PAGE_SETTINGS, assert_clean

ROOT = __file__.rsplit("/tests/", 1)[0]


def _linked_page(root: str, page: str) -> None:
    """The page ``page`` as opened from a link (AppTest serialises this function's source)."""
    import os
    import runpy
    import sys

    import streamlit as st

    sys.path.insert(0, root)
    os.chdir(root)
    from dlviz.ui import links

    links.capture(page)
    notice = st.empty()
    runpy.run_path(f"pages/{page}", run_name="__main__")
    links.report(notice)


def open_link(page: str, params: dict[str, str | list[str]]):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_linked_page, args=(ROOT, page), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def notice(at) -> str:
    return " ".join(c.value for c in at.caption if "link was ignored" in c.value)


def test_a_link_opens_the_view_it_names():
    at = open_link("1_activations.py", {"act_name": "Tanh", "act_x": "1.5"})
    assert not at.exception
    assert at.selectbox(key="act_name").value == "tanh"
    assert at.slider(key="act_x").value == 1.5
    assert not notice(at)


def test_links_carry_every_kind_of_widget():
    """A select slider, a multiselect, a number input and a formula, on Gradient descent."""
    params = {
        "gd_surface": "Himmelblau (four minima)",
        "gd_opts": ["SGD", "Adam"],
        "gd_steps": "300",
        "gd_x0": "-1.5",
    }
    at = open_link("4_gradient_descent.py", params)
    assert not at.exception
    assert at.selectbox(key="gd_surface").value == "himmelblau"
    assert at.multiselect(key="gd_opts").value == ["sgd", "adam"]
    assert at.slider(key="gd_steps").value == 300
    assert at.number_input(key="gd_x0").value == -1.5
    assert not notice(at)
    formula = open_link(
        "4_gradient_descent.py", {"gd_surface": "Your own f(x, y)", "gd_expr": "x**2 + 3*y**2"}
    )
    assert formula.text_input(key="gd_expr").value == "x**2 + 3*y**2"
    assert not formula.exception


def test_a_bad_link_is_named_and_the_page_starts_from_its_defaults():
    params = {"act_x": "banana", "act_name": "Relu6", "nonsense": "1", "act_temp": "1e9"}
    at = open_link("1_activations.py", params)
    assert not at.exception
    words = notice(at)
    assert "`nonsense`" in words  # unknown key
    for bad in ('act_x="banana"', 'act_name="Relu6"'):
        assert bad in words, words
    assert "act_temp" not in words  # a setting of the closed Softmax tab waits for it
    assert at.slider(key="act_x").value != "banana"
    assert at.selectbox(key="act_name").value == "sigmoid"  # the default
    assert_clean(at)


def test_a_link_to_another_tab_opens_it_named_or_not():
    """Only the open tab runs (lazy tabs): a link opens the tab it names, or the one whose
    settings it carries, and a bad value there is named like any other."""
    named = open_link("1_activations.py", {"act_tab": "Compare"})
    assert named.button_group(key="act_compare") and not named.slider  # no probe: closed tab
    implied = open_link("1_activations.py", {"act_temp": "0.5", "act_k": "6"})
    assert implied.select_slider(key="act_temp").value == 0.5
    assert implied.slider(key="act_k").value == 6
    assert not notice(implied)
    bad = open_link("2_loss.py", {"loss_target": "bird", "loss_lr": "99"})
    assert bad.selectbox(key="loss_target").value == 2  # the chain tab opened
    assert 'loss_lr="99"' in notice(bad)
    assert_clean(bad)


def test_an_empty_value_is_ignored_not_turned_into_none():
    """``?loss_y=`` would set a number input to None (Streamlit treats empty as cleared)."""
    at = open_link("2_loss.py", {"loss_y": "", "loss_z": ""})
    assert_clean(at)
    assert 'loss_y=""' in notice(at)


def test_a_link_cannot_run_code_it_meets_the_safe_parser():
    params = {"gd_surface": "Your own f(x, y)", "gd_expr": "__import__('os').system('true')"}
    at = open_link("4_gradient_descent.py", params)
    assert not at.exception
    assert any("cannot be used" in e.value or "not" in e.value for e in at.error)


PAGE_KEYS = {
    "1_activations.py": ["act_name", "act_x", "act_temp", "act_compare", "act_sweep", "act_k"],
    "2_loss.py": ["loss_p", "loss_y", "loss_z", "loss_target", "loss_lr", "loss_k"],
    "3_backprop.py": ["bp_preset", "bp_expr", "bp_lr", "bp_layout", "bp_twice"],
    "4_gradient_descent.py": ["gd_surface", "gd_kappa", "gd_steps", "gd_x0", "gd_opts", "gd_tol"],
    "5_playground.py": [
        "pg_dataset",
        "pg_noise",
        "pg_layers",
        "pg_lr",
        "pg_act",
        "pg_features",
        "pg_l1",
    ],
    "6_depth_and_init.py": ["depth_depth", "depth_width", "depth_init", "depth_sigma"],
    "7_convolution.py": ["conv_source", "conv_kernel", "conv_k", "conv_stride", "conv_padding"],
    "9_generalization.py": ["gen_dataset", "gen_images", "gen_width", "gen_epochs", "gen_dropout"],
}
JUNK = st.one_of(
    st.sampled_from(["", "nan", "inf", "-1e308", "1e400", "0", "-0", "x", "[]", "true", "2.5"]),
    st.text(string.printable, max_size=12),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)


@pytest.mark.parametrize("page", sorted(PAGE_KEYS))
@PAGE_SETTINGS
@given(data=st.data())
def test_any_link_gives_a_clean_page_and_names_what_it_ignored(page, data):
    keys = data.draw(st.lists(st.sampled_from(PAGE_KEYS[page]), max_size=3, unique=True))
    params: dict[str, str | list[str]] = {k: data.draw(JUNK) for k in keys}
    if data.draw(st.booleans()):
        params["zz_" + data.draw(st.text(string.ascii_lowercase, min_size=1, max_size=6))] = "1"
    at = open_link(page, params)
    assert_clean(at, str(params))
    words = notice(at)
    for key in params:
        if key.startswith("zz_"):
            assert f"`{key}`" in words, (params, words)


def test_a_training_link_opens_its_stored_run_and_never_trains_by_itself(monkeypatch):
    import dlviz.runtime
    from dlviz.ui.training.data import DATASET_LABELS
    from dlviz.ui.training.form import preset_label
    from tests.app.conftest import finish_jobs, open_page

    monkeypatch.setattr(dlviz.runtime, "cpu_quota", lambda default=None: 1)
    at = open_page("8_training.py", timeout=240)  # Digits (MNIST is not offline), seed-mlp
    at.selectbox(key="train_model").set_value("seed-mlp").run()
    at.slider(key="train_epochs").set_value(2)
    at.number_input(key="train_seed").set_value(7)
    at.button(key="train_go").click().run(timeout=240)
    finish_jobs(at, timeout=240)
    assert any("Trained 2 epochs" in s.value for s in at.success)

    link = {
        "train_dataset": DATASET_LABELS["digits"],
        "train_model": preset_label("seed-mlp"),
        "train_epochs": "2",
        "train_seed": "7",
    }
    opened = open_link("8_training.py", link)
    assert not opened.exception
    assert any(s.value.startswith("From the cache") for s in opened.success)  # at once, no job
    assert not notice(opened)

    # the Loss landscape page links to this run on the Training page, settings in the link
    land = open_page("10_loss_landscape.py", timeout=240)
    links = [e.proto for e in land.get("page_link") if "Training page" in e.proto.label]
    assert links, "no link to the Training page"
    from urllib.parse import parse_qs

    carried = {k: v[0] for k, v in parse_qs(links[0].query_string).items()}
    assert carried["train_seed"] == "7" and carried["train_epochs"] == "2"
    from_landscape = open_link("8_training.py", carried)
    assert any(s.value.startswith("From the cache") for s in from_landscape.success)
    assert not notice(from_landscape), notice(from_landscape)

    untrained = open_link("8_training.py", {**link, "train_seed": "8"})
    assert not untrained.exception
    assert any("Press **Train**" in i.value for i in untrained.info)  # offered, not started
    assert not untrained.success


@pytest.mark.parametrize("step", [0, 3, -1])
def test_the_range_tests_learning_rate_reaches_the_training_form(step):
    """Generalization's range test links to Train a model with its rate in the form."""
    from dlviz.display import number
    from dlviz.ui.training.data import DATASET_LABELS
    from dlviz.ui.training.form import LR_STEPS

    rate = LR_STEPS[step]
    at = open_link(
        "8_training.py", {"train_dataset": DATASET_LABELS["digits"], "train_lr": number(rate)}
    )
    assert not at.exception
    assert at.select_slider(key="train_lr").value == rate
    assert not notice(at)
