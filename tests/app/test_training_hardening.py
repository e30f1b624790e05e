"""Training page, issue 12: uploads that could exhaust the server, labels that must say what runs,
and a run cache that cannot be written. Each test drives the real page through AppTest.
"""

from __future__ import annotations

import resource
import time
from pathlib import Path

import pytest
from PIL import Image

from tests.app.conftest import finish_jobs, open_page
from tests.app.hardening import assert_clean
from tests.pictures import encoded, huge_png, picture_bytes
from tests.support import metric

PAGE = "8_training.py"
TIMEOUT = 240


@pytest.fixture(autouse=True)
def _one_thread(monkeypatch):
    """The shared test machine keeps both cores busy: two torch threads would crawl."""
    import dlviz.runtime

    monkeypatch.setattr(dlviz.runtime, "cpu_quota", lambda default=None: 1)


def train_digits(at, model: str = "seed-mlp", epochs: int = 1):
    """Pick a preset on the (fallback) Digits data and press Train."""
    at.selectbox(key="train_model").set_value(model).run()
    at.slider(key="train_epochs").set_value(epochs)
    at.button(key="train_go").click().run(timeout=TIMEOUT)
    assert not at.exception, [e.message for e in at.exception]
    finish_jobs(at, timeout=TIMEOUT)
    return at


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_uploads_give_a_prediction_or_a_message_and_bombs_are_refused_at_once():
    at = train_digits(open_page(PAGE, timeout=TIMEOUT))
    at.session_state["train_tab"] = "Draw a digit"
    at.run()
    uploader = at.file_uploader(key="train_upload")
    bomb = huge_png(13_000, 13_000)  # 160 KB of file, 169 megapixels: it took 48 s and 6.5 GB
    before, t0 = _peak_mb(), time.perf_counter()
    uploader.set_value(("digit.png", bomb, "image/png"))
    at.run()
    seconds, grown = time.perf_counter() - t0, _peak_mb() - before
    assert_clean(at)
    assert "13,000 × 13,000 pixels" in at.error[0].value and "Crop it" in at.error[0].value
    assert grown < 200, f"peak memory grew by {grown:.0f} MB: the picture was decoded"
    assert seconds < 20, f"{seconds:.1f} s"  # a rerun of the page; the decode took 48 s

    cases = {
        "huge.png": (huge_png(20_000, 20_000), "far too many pixels"),
        "notes.png": (b"just some text, not a picture\n", "not a PNG or JPEG picture"),
        "anim.png": (picture_bytes("RGB", "GIF"), "That file is a GIF file"),
        "cut.png": (picture_bytes("RGB", "JPEG", size=128)[:400], "damaged or incomplete"),
    }
    for name, (data, message) in cases.items():
        at.file_uploader(key="train_upload").set_value((name, data, "image/png"))
        at.run()
        assert_clean(at, name)
        assert at.error and message in at.error[0].value, (name, [e.value for e in at.error])

    one_pixel = encoded(Image.new("L", (1, 1), 90))
    at.file_uploader(key="train_upload").set_value(("dot.png", one_pixel, "image/png"))
    at.run()
    assert_clean(at, "1x1")
    assert not at.error and (at.info or any(m.label == "Prediction" for m in at.metric))

    for mode, fmt in (("RGBA", "PNG"), ("P", "PNG"), ("I;16", "PNG"), ("CMYK", "JPEG")):
        at.file_uploader(key="train_upload").set_value((f"d.{fmt.lower()}", picture_bytes(mode, fmt), "image/png"))  # fmt: skip
        at.run()
        assert_clean(at, mode)
        assert not at.error, (mode, [e.value for e in at.error])
        assert any(m.label == "Prediction" for m in at.metric), mode


def test_the_fallback_names_the_dataset_that_runs_and_the_preset_story_the_form_recipe():
    at = open_page(PAGE, timeout=TIMEOUT)
    box = at.selectbox(key="train_dataset")
    assert box.value == "digits" and box.label == "Dataset"  # the box shows the data in use ...
    warning = at.warning[0].value  # ... and the warning what was asked for, why, and the fix
    assert warning.startswith("MNIST is not available") and "Put the four files" in warning
    assert "Switched to the built-in Digits dataset" in warning
    at.run()
    assert at.selectbox(key="train_dataset").value == "digits"  # the switch holds on a rerun ...
    assert at.warning and at.warning[0].value == warning  # ... and so does the reason
    at.selectbox(key="train_dataset").set_value("cifar10").run()  # another missing one
    assert at.selectbox(key="train_dataset").value == "digits"
    assert at.warning[0].value.startswith("CIFAR-10 is not available")
    at.selectbox(key="train_model").set_value("seed-cnn").run()
    story = next(c.value for c in at.caption if "notebook trained it with" in c.value)
    assert "SGD lr 0.0008" in story  # what the notebook did ...
    assert "starts from dlviz's faster recipe for Digits (8x8): Adam, lr 0.002" in story
    assert at.selectbox(key="train_opt").value == "adam"  # ... and what the form really has
    assert at.select_slider(key="train_lr").value == 0.002
    assert f"batch {at.select_slider(key='train_batch').value}" in story
    assert f"{at.slider(key='train_epochs').value} epochs" in story


def test_an_unwritable_run_cache_is_said_on_the_page(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("a regular file: nothing can be created under it, even by root")
    monkeypatch.setenv("DLVIZ_CACHE_DIR", str(blocker / "cache"))
    at = train_digits(open_page(PAGE, timeout=TIMEOUT))
    assert_clean(at)
    warnings = [w.value for w in at.warning]
    said = [w for w in warnings if "Could not store the run" in w]
    assert said and "DLVIZ_CACHE_DIR" in said[0] and "browser tab only" in said[0], warnings
    assert any(m.label == "Test accuracy" for m in at.metric)  # the run itself is there
    at.session_state["train_tab"] = "Compare runs"
    at.run()
    assert_clean(at)
    assert any("Could not store the run" in w.value for w in at.warning)
    assert not Path(blocker / "cache").exists()


def test_a_diverged_run_reads_in_words_in_the_summary_and_the_runs_table():
    from dataclasses import replace

    from dlviz.ui.resources import get_store

    at = train_digits(open_page(PAGE, timeout=TIMEOUT))
    result = at.session_state["train_result"]
    diverged = replace(
        result, config=replace(result.config, seed=4242), history=[], test_preds=[],
        test_probs=[], status="diverged", diverged_at=(1, 3), cached=False,
        message="Diverged at epoch 1, step 3: loss became NaN. Try a smaller learning rate; "
        "keeping the weights from initialisation.",
    )  # fmt: skip
    get_store().put(diverged)
    at.session_state["train_result"] = diverged
    at.session_state["train_fresh"] = True
    at.run()
    assert_clean(at)
    assert metric(at, "Test accuracy") == "–"
    at.session_state["train_tab"] = "Compare runs"
    at.run()
    assert_clean(at)
    table = at.dataframe[0].value
    row = table[table["seed"] == "4242"]
    assert row["test accuracy"].tolist() == ["n/a"] and row["status"].tolist() == ["diverged"]
