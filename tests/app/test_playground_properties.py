"""Playground property test: any reachable widget setting, then any buttons, leaves a clean page.

Each example opens a fresh page, sets data, network and training widgets (learning rate and
batch size at their extremes included, and no input feature at all), then presses a few of Step,
Play (a worker thread; AppTest does not tick ``run_every``, so the test waits for an epoch and
reruns, as a fragment poll would), Pause, Reset and Recover (Step while nothing has diverged, so
that short sequences reach a divergence and then roll it back), or moves the learning rate or the
number of layers while it may be playing. After every run: ``assert_clean``,
the metrics agree with the trainer, at most one live worker, and none once the example is over.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlviz.activations import ACTIVATION_NAMES
from dlviz.playground.data import ALL_DATASETS, CLASS_RANGE, FEATURE_NAMES
from dlviz.playground.model import OPTIMIZER_CHOICES
from dlviz.ui.playground.controls import (
    BATCH_OPTIONS,
    L1_OPTIONS,
    L2_OPTIONS,
    LR_OPTIONS,
    SPEED_OPTIONS,
)
from tests.app.conftest import open_page
from tests.app.hardening import PAGE_SETTINGS, assert_clean
from tests.support import playground_workers, wait_until

PAGE = "5_playground.py"
ACTIONS = (
    "step", "play", "pause", "reset", "recover", "poll", "retune", "rebuild",
    "add", "remove", "clear", "undo", "restore", "slow", "next", "apply", "edit",
)  # fmt: skip


def click(at, mode: str, x: float, y: float) -> None:
    """Choose the click mode, then click the regions chart at (x, y)."""
    at.segmented_control(key="pg_click").set_value(mode).run()
    point = {"x": x, "y": y, "curve_number": 1, "point_index": int(abs(x * 100))}
    at.session_state["pg_regions"] = {
        "selection": {"points": [point], "point_indices": [0], "box": [], "lasso": []}
    }
    at.run()


def hands_on(at, action: str) -> None:
    """The learner's points, slow motion and the weight editor."""
    buttons = {b.key: b for b in at.button}
    if action in ("add", "remove"):
        data = at.session_state["pg_trainer"].data
        x = float(data.x_train[0, 0]) if len(data.x_train) else 1.0
        y = float(data.x_train[0, 1]) if len(data.x_train) else -1.0
        click(at, action, x, y)
    elif action in ("clear", "undo", "restore", "next", "apply"):
        key = {"clear": "pg_clear", "undo": "pg_undo", "restore": "pg_restore",
               "next": "pg_slow_next", "apply": "pg_slow_apply"}[action]  # fmt: skip
        if key in buttons and not buttons[key].disabled:
            buttons[key].click().run()
    elif action == "slow" and not buttons["pg_slow_random"].disabled:
        buttons["pg_slow_random"].click().run()
    elif action == "edit":
        key = next(s.key for s in at.selectbox if s.key.startswith("pg_edit_"))
        at.selectbox(key=key).set_value(at.selectbox(key=key).options[-1])
        at.number_input(key="pg_edit_value").set_value(10.0).run()
        at.button(key="pg_edit_set").click().run()


def ends(options: tuple) -> st.SearchStrategy:
    """Any option, with the two extremes drawn far more often than chance."""
    return st.one_of(st.sampled_from((options[0], options[-1])), st.sampled_from(options))


@st.composite
def settings(draw) -> dict:
    name = draw(st.sampled_from(list(ALL_DATASETS)))
    lo, hi = CLASS_RANGE.get(name, (1, 1))
    return {
        "dataset": name,
        "classes": draw(st.integers(lo, hi)),
        "noise": draw(st.sampled_from([round(0.05 * i, 2) for i in range(11)])),
        "points": draw(st.sampled_from((100, 150, 300, 500))),
        "test": draw(st.sampled_from((0.1, 0.3, 0.5))),
        "data_seed": draw(st.integers(0, 9999)),
        "features": draw(st.lists(st.sampled_from(FEATURE_NAMES), unique=True, max_size=7)),
        "layers": draw(st.integers(0, 6)),
        "neurons": draw(st.integers(1, 8)),
        "activation": draw(st.sampled_from(ACTIVATION_NAMES)),
        "optimizer": draw(st.sampled_from(list(OPTIMIZER_CHOICES))),
        "lr": draw(ends(LR_OPTIONS)),
        "batch": draw(ends(BATCH_OPTIONS)),
        "l2": draw(ends(L2_OPTIONS)),
        "l1": draw(ends(L1_OPTIONS)),
        "speed": draw(st.sampled_from(SPEED_OPTIONS)),
        "init_seed": draw(st.integers(0, 9999)),
        "show_test": draw(st.booleans()),
    }


def apply(at, s: dict) -> None:
    """Set every widget by key: the dataset first (it decides whether a Classes slider exists)."""
    at.selectbox(key="pg_dataset").set_value(s["dataset"]).run()
    lo, hi = CLASS_RANGE.get(s["dataset"], (1, 1))
    if hi > lo:
        at.slider(key=f"pg_classes_{s['dataset']}").set_value(s["classes"])
    at.slider(key="pg_noise").set_value(s["noise"])
    at.slider(key="pg_points").set_value(s["points"])
    at.slider(key="pg_test").set_value(s["test"])
    at.number_input(key="pg_data_seed").set_value(s["data_seed"])
    at.session_state["pg_features"] = s["features"]
    at.slider(key="pg_layers").set_value(s["layers"])
    if s["layers"]:
        at.slider(key="pg_neurons").set_value(s["neurons"])
    at.selectbox(key="pg_act").set_value(s["activation"])
    at.number_input(key="pg_init_seed").set_value(s["init_seed"])
    at.selectbox(key="pg_opt").set_value(s["optimizer"])
    at.select_slider(key="pg_lr").set_value(s["lr"])
    at.select_slider(key="pg_batch").set_value(s["batch"])
    at.select_slider(key="pg_l2").set_value(s["l2"])
    at.select_slider(key="pg_l1").set_value(s["l1"])
    at.select_slider(key="pg_speed").set_value(s["speed"])
    at.toggle(key="pg_show_test").set_value(s["show_test"])
    at.run()


def press(at, action: str) -> None:
    """One learner action, then the rerun it causes."""
    trainer = at.session_state["pg_trainer"]
    buttons = {b.key for b in at.button}
    if action == "step" and not at.button(key="pg_step").disabled:
        at.button(key="pg_step").click().run()
    elif action == "play" and ("pg_pause" in buttons or not at.button(key="pg_play").disabled):
        if "pg_play" in buttons:  # else it plays already: the toolbar shows Pause
            at.button(key="pg_play").click().run()
        wait_until(lambda: trainer.epoch >= 1 or not trainer.running)
        at.run()  # what the fragment's next poll shows
    elif action == "pause" and "pg_pause" in buttons:
        at.button(key="pg_pause").click().run()
    elif action == "reset":
        at.button(key="pg_reset").click().run()
    elif action == "recover" and "pg_recover" in buttons:
        at.button(key="pg_recover").click().run()
    elif action == "recover" and not at.button(key="pg_step").disabled:
        at.button(key="pg_step").click().run()
    elif action == "retune":  # the learning rate to its other extreme, even while it plays
        lr = at.select_slider(key="pg_lr").value
        at.select_slider(key="pg_lr").set_value(LR_OPTIONS[-1 if lr < 1 else 0]).run()
    elif action == "rebuild":  # a structural change: a new trainer, the old one's worker stopped
        layers = at.slider(key="pg_layers").value
        at.slider(key="pg_layers").set_value((layers + 1) % 7).run()
    elif action == "poll":
        at.run()
    else:
        hands_on(at, action)


def check(at, context: str) -> None:
    assert_clean(at, context)
    assert len(playground_workers()) <= 1, f"{len(playground_workers())} workers alive: {context}"
    shown = {m.label: m.value for m in at.metric}
    trainer = at.session_state["pg_trainer"]
    if not trainer.running:
        assert shown["Epoch"] == f"{trainer.epoch:,}", context
    for label, split in (("Train loss", "x_train"), ("Test loss", "x_test")):
        if not len(getattr(trainer.data, split)):  # every point cleared: no loss to show
            assert shown[label] == "n/a", (label, shown[label])
            continue
        # a non-zero loss never reads 0.000
        assert shown[label] != "0.000" and float(shown[label]) >= 0, (label, shown[label])
    assert float(shown["Learning rate"]) == pytest.approx(trainer.settings.lr, rel=1e-3), context


@PAGE_SETTINGS
@given(s=settings(), actions=st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=5))
def test_any_setting_and_any_buttons_leave_a_clean_page_and_no_worker(s, actions):
    at = open_page(PAGE, timeout=120)
    try:
        apply(at, s)
        check(at, f"settings {s}")
        for i, action in enumerate(actions):
            press(at, action)
            check(at, f"settings {s}, after {actions[: i + 1]}")
    finally:
        if "pg_trainer" in at.session_state:
            at.session_state["pg_trainer"].stop()
    assert wait_until(lambda: not playground_workers(), 10), "a worker thread outlived its page"
