"""Training page in AppTest: fall back to Digits, train through the job queue, explore, scrub,
click a cell, draw. The queue's side of the page (two learners, identical runs, cancel, Stop,
leaving the page) is in ``test_training_queue``."""

from __future__ import annotations

import base64
import io
import json

import numpy as np
import pytest
from PIL import Image

from dlviz.plots.training.results import cell_count
from tests.app.conftest import finish_jobs, open_page
from tests.support import plotly_specs

PAGE = "8_training.py"
TIMEOUT = 240


@pytest.fixture(autouse=True)
def _one_thread(monkeypatch):
    """The shared test machine keeps both cores busy: two torch threads would crawl."""
    import dlviz.runtime

    monkeypatch.setattr(dlviz.runtime, "cpu_quota", lambda default=None: 1)


def trained(model: str = "seed-mlp", epochs: int = 3):
    """Open the page, pick a small model on Digits, press Train and wait for the job."""
    at = open_page(PAGE, timeout=TIMEOUT)
    at.selectbox(key="train_model").set_value(model).run()
    at.slider(key="train_epochs").set_value(epochs)  # form values commit with the submit
    at.button(key="train_go").click().run(timeout=TIMEOUT)
    assert not at.exception, [e.message for e in at.exception]
    finish_jobs(at, timeout=TIMEOUT)
    return at


def title_of(spec: dict) -> str:
    return (spec.get("layout", {}).get("title") or {}).get("text", "")


def titles(at) -> list[str]:
    return [title_of(s) for s in plotly_specs(at)]


def spec_titled(at, prefix: str) -> dict:
    """The first chart whose title starts with ``prefix``."""
    return next(s for s in plotly_specs(at) if title_of(s).startswith(prefix))


def status_labels(at) -> list[str]:
    """Labels of the st.status containers (training runs)."""
    return [e.label for e in at.get("status")]


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def cell_click(t: int, p: int, classes: int = 10) -> dict:
    """What a click on the confusion matrix's cell (true ``t``, predicted ``p``) puts in state."""
    return {
        "selection": {
            "points": [{"x": p, "y": t, "customdata": [t, p], "curve_number": 2}],
            "point_indices": [t * classes + p], "box": [], "lasso": [],
        }
    }  # fmt: skip


def test_opens_on_mnist_explains_and_falls_back_to_digits_with_a_preview():
    at = open_page(PAGE, timeout=TIMEOUT)
    assert "rain" in at.title[0].value
    assert at.selectbox(key="train_dataset").value == "digits"  # the box shows the data in use
    warning = at.warning[0].value
    assert "MNIST is not available" in warning and "train-images-idx3-ubyte" in warning
    assert "Digits" in warning
    m = metrics(at)
    assert m["Image size"] == "8×8" and m["Test images"] == "360"
    assert any("training images of each class" in t for t in titles(at))
    assert any(t == "Images per class" for t in titles(at))
    assert status_labels(at) == []  # nothing trains before the click
    assert "Runs train on this server's CPU (no GPU here), in a worker process." in [
        c.value for c in at.caption
    ]


def test_train_digits_then_metrics_curves_grid_and_confusion_matrix():
    at = trained("seed-mlp", epochs=3)
    m = metrics(at)
    acc = float(m["Test accuracy"].rstrip("%")) / 100
    assert 0.5 < acc <= 1.0  # well above the 10 % of guessing
    assert int(m["Parameters"].replace(",", "")) > 0
    found = titles(at)
    assert "Learning curves" in found
    assert any(t.startswith("Confusion matrix after epoch 3") for t in found)
    assert any(t.startswith("Test images after epoch 3") for t in found)
    assert "Accuracy per class" in found
    cm = spec_titled(at, "Confusion")
    cells = cm["data"][-1]
    assert cells["type"] == "scatter" and cells["marker"]["symbol"] == "square"
    assert sum(cell_count(t) for t in cells["text"]) == 360  # every test image in one cell
    assert all(cells["text"][i * 11].startswith("✓") for i in range(10) if cells["text"][i * 11])
    assert at.dataframe  # the classification report
    assert at.success[0].value.startswith("Trained 3 epochs")
    assert status_labels(at) == []  # the job's panel is gone with the job


def test_confusion_cell_click_opens_its_gallery_and_scrubber_moves_everything():
    at = trained("seed-mlp", epochs=3)
    cm = spec_titled(at, "Confusion")
    text = cm["data"][-1]["text"]
    counts = np.array([cell_count(t) for t in text]).reshape(10, 10)
    t, p = divmod(int(np.argmax(counts - np.diag(np.diag(counts)))), 10)
    if counts[t, p] == 0:  # a perfect model: open a diagonal cell instead
        t = p = 0
    at.session_state["train_cm"] = cell_click(t, p)
    at.run()
    assert not at.exception
    assert f"True **{t}**" in markdown(at) and f": {counts[t, p]} images" in markdown(at)
    gallery = [
        s for s in plotly_specs(at) if s["data"][0]["type"] == "image" and len(s["data"]) > 1
    ]
    hover = [h for s in gallery for h in s["data"][1].get("hovertext", [])]
    assert any(f"true: {t}, predicted: {p}" in h for h in hover)

    at.slider(key="train_epoch").set_value(1).run()
    assert not at.exception
    found = titles(at)
    assert any(t_.startswith("Confusion matrix after epoch 1") for t_ in found)
    assert any(t_.startswith("Test images after epoch 1") for t_ in found)
    curves = spec_titled(at, "Learning curves")
    marks = [s for s in curves["layout"].get("shapes", []) if s.get("x0") == s.get("x1") == 1]
    assert len(marks) == 2
    assert f"True **{t}**" in markdown(at)  # the picked cell stays open at the other epoch


def test_mistakes_only_toggle_shows_only_red_tiles():
    at = trained("seed-mlp", epochs=1)
    at.toggle(key="train_mistakes").set_value(True).run()
    grid = spec_titled(at, "Test images")
    colors = {a["font"]["color"] for a in grid["layout"]["annotations"]}
    from dlviz.plots.style import BAD

    assert colors == {BAD}


def canvas_drawing() -> dict:
    """What the canvas sends after a vertical stroke: fabric JSON and the PNG as a data URL."""
    img = np.zeros((280, 280, 4), np.uint8)
    img[..., 3] = 255
    img[40:240, 125:155, :3] = 255
    buffer = io.BytesIO()
    Image.fromarray(img).save(buffer, format="PNG")
    url = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    return {"drawing": {"raw": {"objects": [{"type": "path"}]}, "data": url}, "backgroundFit": None}


def test_draw_a_digit_gives_a_prediction_and_the_preprocessed_input():
    at = trained("seed-mlp", epochs=5)
    at.session_state["train_tab"] = "Draw a digit"
    at.run()
    assert "Draw a digit on the black square" in at.info[0].value
    at.session_state["train_canvas"] = canvas_drawing()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert "Prediction" in metrics(at)
    found = titles(at)
    assert "What the model sees (8×8)" in found
    bars = spec_titled(at, "Probab")
    assert sum(bars["data"][0]["y"]) == pytest.approx(1.0, abs=1e-4)


def test_other_tabs_render_inspector_history_and_downloads():
    at = trained("seed-cnn", epochs=1)
    at.session_state["train_tab"] = "Inside the model"
    at.run()
    assert not at.exception
    found = titles(at)
    assert "First layer filters" in found
    assert any(t.startswith("Feature maps after conv1") for t in found)
    at.session_state["train_tab"] = "Compare runs"
    at.run()
    assert not at.exception
    assert "Validation (solid) and training (dotted) curves" in titles(at)
    at.session_state["train_tab"] = "Download"
    at.run()
    assert not at.exception
    assert "load_state_dict" in at.code[0].value
    assert len(at.get("download_button")) == 2


def test_a_cached_run_appears_at_once_without_training():
    # a seed no other test trains: the run store is shared by the tests of one process
    at = open_page(PAGE, timeout=TIMEOUT)
    at.selectbox(key="train_model").set_value("seed-mlp").run()
    at.slider(key="train_epochs").set_value(2)
    at.number_input(key="train_seed").set_value(4321)
    at.button(key="train_go").click().run(timeout=TIMEOUT)
    finish_jobs(at, timeout=TIMEOUT)
    assert at.success[0].value.startswith("Trained 2 epochs")
    again = open_page(PAGE, timeout=TIMEOUT)
    again.selectbox(key="train_model").set_value("seed-mlp").run()
    again.slider(key="train_epochs").set_value(2)
    again.number_input(key="train_seed").set_value(4321)
    again.button(key="train_go").click().run()
    assert not again.exception
    assert again.success[0].value.startswith("From the cache")
    assert status_labels(again) == []  # no st.status: nothing was trained
    json.dumps(metrics(again))


def test_precision_picker_reaches_the_run_and_is_reported():
    at = open_page(PAGE, timeout=TIMEOUT)
    picker = at.selectbox(key="train_precision")
    assert picker.value == "auto" and len(picker.options) == 3
    assert picker.options[0].startswith("auto (")  # says what auto means on this CPU
    at.selectbox(key="train_model").set_value("seed-mlp").run()
    at.slider(key="train_epochs").set_value(2)
    at.selectbox(key="train_precision").set_value("bf16")
    at.button(key="train_go").click().run(timeout=TIMEOUT)
    finish_jobs(at, timeout=TIMEOUT)
    assert any(c.value.endswith("· bf16 on the CPU") for c in at.caption)
    acc = float(metrics(at)["Test accuracy"].rstrip("%")) / 100
    assert acc > 0.5  # mixed precision still learns
