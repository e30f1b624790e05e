"""Playground page under AppTest: Step, Play/Pause, Reset, live lr, divergence, figures."""

from __future__ import annotations

import numpy as np
import pytest

from tests.app.conftest import PLAYGROUND as PAGE
from tests.app.conftest import open_page, trainer
from tests.app.hardening import assert_clean
from tests.support import metric, playground_workers, wait_until
from tests.support import spec_by_key as spec
from tests.support import values as _values


@pytest.fixture
def at(playground):
    return playground


def test_first_load_shows_title_every_figure_and_epoch_zero(at):
    assert "layground" in at.title[0].value
    for key in ("pg_regions", "pg_network", "pg_curves", "pg_confusion"):
        assert spec(at, key)["data"]
    assert metric(at, "Epoch") == "0"
    assert at.button(key="pg_play").label == "Play"
    assert any("What to try" in i.value for i in at.info)
    assert any("e^{z_k}" in m.value for m in at.markdown)


def test_step_trains_one_epoch_and_every_figure_follows(at):
    before = _values(spec(at, "pg_regions")["data"][0]["z"])
    at.button(key="pg_step").click().run()
    assert not at.exception
    assert metric(at, "Epoch") == "1"
    regions = spec(at, "pg_regions")
    assert "epoch 1" in regions["layout"]["title"]["text"]
    assert not np.array_equal(_values(regions["data"][0]["z"]), before)
    assert "epoch 1" in spec(at, "pg_network")["layout"]["title"]["text"]
    curves = spec(at, "pg_curves")["data"]
    assert _values(curves[0]["x"]).tolist() == [0, 1]
    confusion = _values(spec(at, "pg_confusion")["data"][0]["z"])
    assert confusion.sum() == 150  # 30 % of 500 points
    at.button(key="pg_step").click().run()
    assert metric(at, "Epoch") == "2"


def test_play_runs_a_worker_pause_stops_it_and_the_page_shows_progress(at):
    at.button(key="pg_play").click().run()
    assert not at.exception
    assert trainer(at).running and len(playground_workers()) == 1
    assert at.button(key="pg_pause").label == "Pause"
    assert wait_until(lambda: trainer(at).epoch >= 3)
    at.run()  # what a fragment poll would show
    assert int(metric(at, "Epoch").replace(",", "")) >= 3
    at.button(key="pg_pause").click().run()
    assert not trainer(at).running and not playground_workers()
    assert at.button(key="pg_play").label == "Play"


def test_learning_rate_changes_while_it_runs(at):
    at.button(key="pg_play").click().run()
    at.select_slider(key="pg_lr").set_value(0.001).run()
    t = trainer(at)
    assert t.running and all(g["lr"] == 0.001 for g in t.opt.param_groups)
    assert metric(at, "Learning rate") == "0.001"
    at.button(key="pg_pause").click().run()


def test_reset_returns_to_epoch_zero_with_the_same_weights(at):
    w0 = spec(at, "pg_network")["data"]
    at.button(key="pg_step").click().run()
    at.button(key="pg_reset").click().run()
    assert metric(at, "Epoch") == "0"
    assert spec(at, "pg_network")["data"] == w0


def test_changing_the_network_replaces_the_trainer_and_stops_the_old_worker(at):
    at.button(key="pg_play").click().run()
    old = trainer(at)
    at.slider(key="pg_layers").set_value(3).run()
    assert not at.exception
    assert trainer(at) is not old and not old.running
    assert len(playground_workers()) == 1  # the new one keeps playing, the old one is gone
    assert len(trainer(at).snapshot().weights) == 4
    at.button(key="pg_pause").click().run()
    assert not playground_workers()


def test_divergence_pauses_explains_and_offers_lr_over_ten(at):
    """SGD at lr 10 with batch size 1 and leaky ReLU overflows in the first epoch, on any CPU.

    (Why this setting: tests/unit/test_playground_session.py, above EXPLODES. The default tanh
    network only bounces at lr 10, and when it first crosses the line depends on float rounding.)
    """
    at.selectbox(key="pg_act").set_value("leaky_relu").run()
    at.selectbox(key="pg_opt").set_value("sgd").run()
    at.select_slider(key="pg_lr").set_value(10.0).run()
    at.select_slider(key="pg_batch").set_value(1).run()
    at.button(key="pg_step").click().run()
    assert trainer(at).status == "diverged" and metric(at, "Epoch") == "0"
    assert any("diverged in epoch 1" in e.value for e in at.error)
    assert at.button(key="pg_play").disabled
    assert_clean(at)
    at.button(key="pg_recover").click().run()
    assert not at.exception
    assert at.select_slider(key="pg_lr").value == 1.0
    assert trainer(at).settings.lr == 1.0 and trainer(at).status == "paused"
    assert any("Rolled back" in i.value for i in at.info)
    assert_clean(at)


def test_test_points_toggle_and_three_class_data(at):
    at.selectbox(key="pg_dataset").set_value("spiral").run()
    assert not at.exception
    regions = spec(at, "pg_regions")
    assert len(regions["data"]) == 1 + 1 + 2 * 3 + 1  # regions, clicks, points, misclassified
    assert len(_values(spec(at, "pg_confusion")["data"][0]["z"])) == 3
    at.toggle(key="pg_show_test").set_value(False).run()
    assert len(spec(at, "pg_regions")["data"]) == 1 + 1 + 3 + 1


def test_no_feature_selected_warns_and_falls_back(at):
    at.session_state["pg_features"] = []
    at.run()
    assert not at.exception
    assert any("at least one input feature" in w.value for w in at.warning)
    assert spec(at, "pg_network")["data"]


def test_settings_and_the_run_survive_a_visit_to_another_page(at):
    at.slider(key="pg_layers").set_value(1).run()
    at.button(key="pg_step").click().run()
    run = trainer(at)
    at.switch_page("pages/0_home.py").run()
    at.switch_page(f"pages/{PAGE}").run()
    assert not at.exception
    assert at.slider(key="pg_layers").value == 1
    assert trainer(at) is run and metric(at, "Epoch") == "1"


def test_a_tiny_loss_reads_as_a_number_never_as_zero(at):
    """Separable blobs and Adam: the loss drops below 0.0005 in one epoch; it must not read 0.000."""
    at.selectbox(key="pg_dataset").set_value("blobs").run()
    at.slider(key="pg_classes_blobs").set_value(2)
    at.slider(key="pg_noise").set_value(0.0)
    at.select_slider(key="pg_lr").set_value(0.3).run()
    at.button(key="pg_step").click().run()
    loss = trainer(at).snapshot().history["train_loss"][-1]
    assert 0 < loss < 5e-4  # the premise: a loss that three decimals would round to zero
    shown = metric(at, "Train loss")
    assert shown != "0.000" and float(shown) == pytest.approx(loss, rel=0.05)
    assert_clean(at)


def test_recover_offers_a_slider_option_a_tenth_down_or_says_no_tenth():
    from dlviz.ui.playground.live import recovery_lr

    assert recovery_lr(10.0) == 1.0 and recovery_lr(3.0) == 0.3 and recovery_lr(3e-4) == 3e-5
    assert recovery_lr(1e-5) == 1e-5  # the slider's end: nothing smaller to offer


def test_a_hidden_tab_pauses_its_trainer_and_coming_back_plays_on(at):
    at.button(key="pg_play").click().run()
    assert trainer(at).running
    at.session_state["pg_visibility"] = {"hidden": True}
    at.run()
    assert not at.exception
    assert not trainer(at).running and not playground_workers()
    at.session_state["pg_visibility"] = {"hidden": False}
    at.run()
    assert trainer(at).running
    at.button(key="pg_pause").click().run()  # a pause the learner asked for stays a pause
    at.session_state["pg_visibility"] = {"hidden": True}
    at.run()
    at.session_state["pg_visibility"] = {"hidden": False}
    at.run()
    assert not trainer(at).running


def test_a_busy_class_redraws_less_often_and_the_page_says_why():
    learners = [open_page(PAGE) for _ in range(3)]
    try:
        for other in learners[1:]:
            other.button(key="pg_play").click().run()
        alone = learners[0]
        alone.run()
        assert not any("learners are training" in c.value for c in alone.caption)  # not playing
        alone.button(key="pg_play").click().run()
        said = [c.value for c in alone.caption if "learners are training" in c.value]
        assert len(said) == 1, said
        assert said[0].startswith("3 learners are training on this server right now, so ")
        assert "the figures redraw every 0.75 s" in said[0]  # and, on a slow CPU, a top speed
    finally:
        for at in learners:
            if "pg_pause" in {b.key for b in at.button}:
                at.button(key="pg_pause").click().run()
    assert wait_until(lambda: not playground_workers())
    assert_clean(alone)
