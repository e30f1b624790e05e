"""Playground under AppTest: regression, L1, the learner's points (clicks, undo, clear, restore,
CSV), editing a weight (from the list and from a click on the diagram) and slow motion."""

from __future__ import annotations

import numpy as np
import pytest

from tests.app.conftest import trainer
from tests.app.hardening import assert_clean
from tests.support import metric
from tests.support import spec_by_key as spec


def click(at, key: str, x: float = 0.0, y: float = 0.0, curve: int = 1, index: int = 0) -> None:
    """What a click on a chart sends: its selection, then the rerun."""
    point = {"x": x, "y": y, "curve_number": curve, "point_index": index}
    at.session_state[key] = {
        "selection": {"points": [point], "point_indices": [index], "box": [], "lasso": []}
    }
    at.run()


@pytest.fixture
def at(playground):
    return playground


def test_regression_shows_r2_rmse_a_colour_bar_and_the_fit(at):
    at.selectbox(key="pg_dataset").set_value("bump").run()
    at.button(key="pg_step").click().run()
    assert_clean(at, "bump")
    assert {"Test R²", "Test RMSE"} <= {m.label for m in at.metric}
    assert float(metric(at, "Test RMSE")) == pytest.approx(
        np.sqrt(float(metric(at, "Test loss"))), rel=0.01
    )
    regions = spec(at, "pg_regions")
    heat = regions["data"][0]
    assert (
        heat["type"] == "heatmap" and heat.get("showscale", True) and heat["zmin"] == -heat["zmax"]
    )
    assert "R²" in regions["layout"]["title"]["text"]
    assert "Test fit" in spec(at, "pg_confusion")["layout"]["title"]["text"]
    at.button(key="pg_slow_random").click().run()  # slow motion of a regression example
    for _ in range(len(at.session_state["pg_slow"]["stages"]) - 1):
        at.button(key="pg_slow_next").click().run()
    assert_clean(at, "regression slow motion")
    assert "change of ŷ" in spec(at, "pg_slow_change")["layout"]["title"]["text"]


def test_l1_zeroes_weights_and_the_caption_names_them(at):
    at.selectbox(key="pg_dataset").set_value("sine").run()
    at.select_slider(key="pg_l1").set_value(0.1).run()
    for _ in range(3):
        at.button(key="pg_step").click().run()
    assert_clean(at, "l1")
    note = next(c.value for c in at.caption if "exactly 0" in c.value)
    assert "→" in note


def test_clicks_add_and_remove_points_undo_clear_and_restore(at):
    n = len(trainer(at).data.x_train)
    at.segmented_control(key="pg_click").set_value("add").run()
    at.segmented_control(key="pg_add_class_2").set_value(1).run()
    click(at, "pg_regions", 1.25, -2.5, index=3)
    data = trainer(at).data
    assert len(data.x_train) == n + 1 and data.x_train[-1].tolist() == [1.25, -2.5]
    assert int(data.y_train[-1]) == 1
    at.run()  # the chart keeps its selection: not added twice
    assert len(trainer(at).data.x_train) == n + 1
    assert any("Your edits: 1" in c.value for c in at.caption)
    at.button(key="pg_step").click().run()  # it trains on the new point
    assert metric(at, "Epoch") == "1" and len(trainer(at).snapshot().train_pred) == n + 1
    at.segmented_control(key="pg_click").set_value("remove").run()
    click(at, "pg_regions", 1.25, -2.5, curve=4, index=0)
    assert len(trainer(at).data.x_train) == n
    click(at, "pg_regions", 3.9, 3.9, index=99)  # nothing there
    assert any("No point there" in c.value for c in at.caption)
    at.button(key="pg_undo").click().run()
    assert len(trainer(at).data.x_train) == n + 1
    at.button(key="pg_clear").click().run()
    assert_clean(at, "cleared")
    assert len(trainer(at).data.x_train) == 0 and at.button(key="pg_play").disabled
    assert any("No training points" in i.value for i in at.info)
    at.button(key="pg_restore").click().run()
    assert len(trainer(at).data.x_train) == n and not at.button(key="pg_play").disabled
    assert metric(at, "Epoch") == "1"  # the weights stayed


def test_a_csv_upload_trains_on_its_points_and_a_bad_one_is_explained(at):
    rng = np.random.default_rng(0)
    xy = rng.uniform(-2, 2, (60, 2))
    rows = "\n".join(f"{a:.3f},{b:.3f},{a * b:.3f}" for a, b in xy)
    at.file_uploader(key="pg_csv").set_value(
        ("mine.csv", f"x1,x2,target\n{rows}".encode(), "text/csv")
    ).run()
    assert_clean(at, "upload")
    data = trainer(at).data
    assert data.regression and len(data.x_train) + len(data.x_test) == 60
    assert any("Training on mine" in s.value for s in at.success)
    at.file_uploader(key="pg_csv").set_value(("bad.csv", b"a,b\n1,2", "text/csv")).run()
    assert_clean(at, "bad upload")
    assert any("first row must name" in e.value for e in at.error)
    assert not trainer(at).data.regression  # back to the generated moons


def test_editing_a_weight_from_the_list_and_by_clicking_the_diagram(at):
    key = next(s.key for s in at.selectbox if s.key.startswith("pg_edit_"))
    before = spec(at, "pg_regions")["data"][0]["z"]
    at.selectbox(key=key).set_value("0:2:1").run()
    at.number_input(key="pg_edit_value").set_value(-4.0).run()
    at.button(key="pg_edit_set").click().run()
    assert_clean(at, "edit")
    assert trainer(at).parameters()[0][0][2, 1] == -4.0
    assert spec(at, "pg_regions")["data"][0]["z"] != before  # redrawn at once
    network = spec(at, "pg_network")
    bias_curve = next(i for i, t in enumerate(network["data"]) if t.get("meta") == "biases")
    click(at, "pg_network", curve=bias_curve, index=7)  # 6 first-layer biases, then layer 2
    assert at.selectbox(key=key).value == "1:1:b"
    assert at.number_input(key="pg_edit_value").value == pytest.approx(
        float(trainer(at).parameters()[1][1][1]), abs=1e-6
    )
    at.button(key="pg_step").click().run()  # trained on: the box shows the value it has now
    assert at.number_input(key="pg_edit_value").value == pytest.approx(
        float(trainer(at).parameters()[1][1][1]), abs=1e-6
    )
    assert float(trainer(at).parameters()[1][1][1]) != 0.0


def test_slow_motion_steps_through_every_stage_and_applies_the_step(at):
    at.button(key="pg_slow_random").click().run()
    slow = at.session_state["pg_slow"]
    stages = slow["stages"]
    assert [s.title for s in stages][:2] == ["Input", "Forward: hidden layer 1"]
    assert len(stages) == 2 * 3 + 3  # input, 3 forward, loss, 3 backward, update
    fig = spec(at, "pg_slowmo")
    assert len(fig["frames"]) == len(stages) and fig["layout"]["updatemenus"]
    for i in range(1, len(stages)):
        at.button(key="pg_slow_next").click().run()
        assert_clean(at, f"stage {i}")
        assert at.session_state["pg_slow_stage"] == i
        assert any(m.value.startswith(f"**{i + 1}/{len(stages)}.") for m in at.markdown)
    assert at.button(key="pg_slow_next").disabled
    update = at.dataframe[-1].value
    assert {"old", "gradient", "step", "new"} <= set(update.columns)
    change = spec(at, "pg_slow_change")  # what the step does to the plane, beside its numbers
    assert "change of p(class" in change["layout"]["title"]["text"]
    at.button(key="pg_slow_prev").click().run()
    assert at.session_state["pg_slow_stage"] == len(stages) - 2
    sm = slow["sm"]
    at.button(key="pg_slow_apply").click().run()
    np.testing.assert_allclose(trainer(at).parameters()[0][0], sm.new_weights[0], atol=1e-6)
    assert any("Applied" in s.value for s in at.success)


def test_clicking_a_point_picks_it_for_slow_motion(at):
    at.segmented_control(key="pg_click").set_value("slow").run()
    data = trainer(at).data
    x, y = (float(v) for v in data.x_train[17])
    click(at, "pg_regions", x, y, curve=2, index=4)
    assert_clean(at, "picked")
    assert at.session_state["pg_slow"]["index"] == 17
    assert spec(at, "pg_slowmo")["frames"]


def test_a_link_opens_a_regression_with_l1():
    from tests.app.test_links import notice, open_link

    link = open_link("5_playground.py", {"pg_dataset": "Sine wave (regression)", "pg_l1": "0.01"})
    try:
        assert_clean(link, "link")
        assert link.selectbox(key="pg_dataset").value == "sine"
        assert link.select_slider(key="pg_l1").value == 0.01
        assert trainer(link).data.regression and trainer(link).settings.l1 == 0.01
        assert not notice(link)
    finally:
        trainer(link).stop()
