"""The Generalization page: nothing trains on opening; the overfitting runs with remedies, the
sweep, the one-batch check, random labels and the range test each run on their button through
the job queue and show what the issue asks for; a missing Fashion-MNIST falls back to Digits."""

from __future__ import annotations

from dlviz.ui.jobs import get_executor
from tests.app.conftest import finish_jobs, open_page
from tests.app.hardening import assert_clean
from tests.support import spec_by_key, values

PAGE = "9_generalization.py"
TIMEOUT = 300  # seconds of training on a quiet machine; the shared CI machine can be slow


def _press(at, key: str):
    at.button(key=key).click().run(timeout=TIMEOUT)
    assert not at.exception, [e.message for e in at.exception]
    finish_jobs(at, timeout=TIMEOUT)
    assert_clean(at, key)
    return at


def _texts(at) -> str:
    return "\n".join(e.value for kind in ("markdown", "caption", "info", "warning")
                     for e in at.get(kind))  # fmt: skip


def test_opening_trains_nothing_and_remedies_train_from_one_press():
    at = open_page(PAGE, timeout=TIMEOUT)
    assert at.title[0].value == "Generalization"
    assert get_executor().worker_pids() == []  # nothing trains on opening
    assert "Press **Train**" in at.info[0].value
    assert at.select_slider(key="gen_images").value == 50
    for key in ("gen_dropout_on", "gen_wd_on", "gen_es_on", "gen_aug_on", "gen_more_on"):
        at.toggle(key=key).set_value(True).run()
    assert_clean(at)
    assert spec_by_key(at, "gen_strip")["data"][0]["type"] == "image"  # augmented samples
    assert at.button(key="gen_train").label == "Train these 7 runs"
    _press(at, "gen_train")
    rows = at.dataframe[0].value
    assert list(rows["run"]) == [
        "No remedy", "Dropout 0.5", "Weight decay 1", "Early stopping (patience 3)",
        "Augmentation (shift-rotate)",
        "200 training images", "All together",
    ]  # fmt: skip
    base = rows.iloc[0]
    assert base["training accuracy"] == "100.0%"  # the large model memorises 50 images
    gap = spec_by_key(at, "gen_gap")
    fills = [t for t in gap["data"] if t.get("fill") == "tonexty"]
    assert len(fills) == 2  # the band between the curves, in both panels
    notes = [a.get("text", "") for a in gap["layout"]["annotations"]]
    assert any("generalization gap" in n for n in notes)
    assert "generalization gap of" in _texts(at)
    compare = spec_by_key(at, "gen_compare")
    assert {t["name"] for t in compare["data"] if t.get("showlegend", True)} >= {"No remedy"}


def test_a_learning_rate_that_blows_up_stops_as_diverged_and_says_so():
    at = open_page(PAGE, timeout=TIMEOUT)
    at.select_slider(key="gen_lr").set_value(1.0).run()
    at.slider(key="gen_epochs").set_value(5).run()
    _press(at, "gen_train")
    warnings = [w.value for w in at.warning]
    assert any("No remedy: Diverged at epoch 1" in w and "smaller learning rate" in w
               for w in warnings), warnings  # fmt: skip
    row = at.dataframe[0].value.iloc[0]
    assert row["training accuracy"] == "–"  # no finished epoch: nothing to compare
    assert "did not finish an epoch, so it has no curves to draw" in _texts(at)


def test_early_stopping_marks_where_it_stopped_and_the_weights_it_kept():
    at = open_page(PAGE, timeout=TIMEOUT)
    at.toggle(key="gen_es_on").set_value(True).run()
    at.slider(key="gen_patience").set_value(1).run()
    _press(at, "gen_train")
    at.selectbox(key="gen_focus").set_value("Early stopping (patience 1)").run()
    assert_clean(at)
    row = at.dataframe[0].value.iloc[1]
    stopped, kept = int(row["epochs"]), int(row["weights from epoch"])
    assert kept < stopped < 20
    gap = spec_by_key(at, "gen_gap")
    stars = [t for t in gap["data"] if t.get("name") == "weights kept"]
    assert stars and values(stars[0]["x"])[0] == kept
    lines = [s for s in gap["layout"]["shapes"] if s.get("type") == "line"]
    assert lines and lines[0]["x0"] == stopped
    notes = [a.get("text", "") for a in gap["layout"]["annotations"]]
    assert f"stopped after epoch {stopped}" in notes


def test_pressing_train_again_opens_the_runs_from_the_cache():
    at = open_page(PAGE, timeout=TIMEOUT)
    at.select_slider(key="gen_images").set_value(20).run()
    _press(at, "gen_train")
    again = open_page(PAGE, timeout=TIMEOUT)
    again.select_slider(key="gen_images").set_value(20).run()
    again.button(key="gen_train").click().run()
    assert not again.get("progress")  # no job: straight from the run store
    assert again.dataframe[0].value.iloc[0]["time"] == "from the cache"


def test_the_sweep_fills_a_4x4_heatmap_of_gaps():
    at = open_page(PAGE, timeout=TIMEOUT)
    _press(at, "gen_sweep_go")
    spec = spec_by_key(at, "gen_sweep")
    gap, acc = spec["data"][0], spec["data"][1]
    z = [[v for v in row] for row in gap["z"]]
    assert len(z) == 4 and all(len(row) == 4 and None not in row for row in z)
    assert all(0 <= v <= 1 for row in acc["z"] for v in row)
    assert "Largest gap:" in _texts(at)


def test_one_batch_random_labels_and_range_test():
    at = open_page(PAGE, timeout=TIMEOUT)
    _press(at, "gen_batch_go")
    table = at.dataframe[-1].value
    assert len(table) == 5 and table.iloc[0]["loop"] == "Correct loop"
    assert float(table.iloc[0]["last loss"]) < 0.05
    assert "near chance" in _texts(at) and "Points to:" in _texts(at)
    assert spec_by_key(at, "gen_batch")["layout"]["yaxis"]["type"] == "log"

    _press(at, "gen_random_go")
    random = spec_by_key(at, "gen_random")
    by_name = {}
    for trace in random["data"]:
        by_name.setdefault(trace["name"], []).append(values(trace["y"])[-1])
    fit, val = by_name["Random labels"]
    assert fit > 0.95 and val < 0.3  # memorised, and chance on validation images
    assert "Random labels: " in _texts(at)

    _press(at, "gen_range_go")
    spec = spec_by_key(at, "gen_range")
    assert spec["layout"]["xaxis"]["type"] == "log"
    assert "A good range to try" in _texts(at)


def test_a_missing_fashion_mnist_falls_back_to_digits(monkeypatch, tmp_path):
    import dlviz.data

    monkeypatch.setattr(dlviz.data, "SYSTEM_DIRS", {})
    monkeypatch.setenv("DLVIZ_DATA_DIR", str(tmp_path))
    at = open_page(PAGE, timeout=TIMEOUT)
    at.selectbox(key="gen_dataset").set_value("fashion-mnist").run()
    assert_clean(at)
    assert "Switched to the built-in Digits" in at.warning[0].value
    assert at.select_slider(key="gen_images").options[-1] == "1,150"


def test_calibration_of_a_stored_run_and_the_clicked_test_image():
    from tests.support import spec_by_key as spec_of

    at = open_page(PAGE, timeout=TIMEOUT)
    at.select_slider(key="gen_images").set_value(200).run()
    _press(at, "gen_train")  # a run to measure (the picker lists the newest first)
    _press(at, "gen_calib_go")
    metrics = {m.label: m.value for m in at.metric}
    assert float(metrics["Temperature T"]) > 0
    assert metrics["ECE, test images"].endswith("%")
    spec = spec_of(at, "gen_reliability")
    assert spec["layout"]["annotations"][0]["text"].startswith("as trained (T = 1): ECE")
    scatter = spec_of(at, "gen_ce")
    assert scatter["layout"]["xaxis"]["type"] == "log"
    at.session_state["gen_ce"] = {
        "selection": {"points": [{"curve_number": 1, "point_index": 0, "customdata": 7}],
                      "point_indices": [0], "box": [], "lasso": []},
    }  # fmt: skip
    at.run()
    assert_clean(at)
    assert any(m.value.startswith("**Test image 7**") for m in at.markdown)
    assert spec_of(at, "gen_ce_probs")["data"][0]["type"] == "bar"


def test_transfer_learning_compares_three_starts_and_grows_with_the_size_slider():
    at = open_page(PAGE, timeout=TIMEOUT)
    _press(at, "gen_transfer_go")
    spec = spec_by_key(at, "gen_transfer")
    curves = [t for t in spec["data"] if t.get("showlegend", True)]
    assert [t["name"] for t in curves] == [
        "From scratch",
        "Frozen Fashion-MNIST features",
        "Fine-tuned from Fashion-MNIST",
    ]
    assert all(list(values(t["x"])) == [10, 50, 200, 1000] for t in curves)
    assert spec["layout"]["xaxis"]["type"] == "log"
    marker = [t for t in spec["data"] if t.get("name") == "your size"]
    assert list(values(marker[0]["x"])) == [50, 50]  # the slider's size, marked
    assert "With 50 labelled images: From scratch" in _texts(at)
    at.select_slider(key="gen_transfer_size").set_value(20).run()
    assert "20 labelled images: not run yet" in _texts(at)
    assert at.button(key="gen_transfer_one").label == "Run at 20 images"
    _press(at, "gen_transfer_one")
    spec = spec_by_key(at, "gen_transfer")
    curves = [t for t in spec["data"] if t.get("showlegend", True)]
    assert all(list(values(t["x"])) == [10, 20, 50, 200, 1000] for t in curves)  # merged, sorted
    assert "With 20 labelled images:" in _texts(at)
    assert "Source network:" in _texts(at)
