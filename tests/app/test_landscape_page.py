"""The Loss-landscape page: nothing computed on opening, a quick run and a landscape through the
job queue on request, settings, caching, bad runs."""

from __future__ import annotations

import math
import os
from dataclasses import replace
from pathlib import Path

import pytest

from dlviz.landscape import quick_config
from dlviz.training.store import RunStore
from tests.app.conftest import finish_jobs, open_page
from tests.app.hardening import assert_clean
from tests.support import plotly_specs

PAGE = "10_loss_landscape.py"
TIMEOUT = 300  # training + landscape on a busy 2-core CI machine


def _charts(at) -> dict[str, dict]:
    specs = plotly_specs(at)
    out = {}
    for spec in specs:
        title = spec["layout"]["title"]["text"]
        out["line" if "1-D" in title else "contour" if "contour" in title else "surface"] = spec
    return out


def _set_form(at, **values):
    """Set the form, press **Compute landscape** and wait for the job (if one was needed)."""
    for key, value in values.items():
        widget = at.select_slider(key=key) if key == "land_span" else None
        if widget is None:
            widget = at.number_input(key=key) if key == "land_seed" else at.slider(key=key)
        widget.set_value(value)
    at.button(key="land_compute").click().run()
    assert not at.exception, [e.message for e in at.exception]
    finish_jobs(at, timeout=TIMEOUT)


def _quick_run(at, model: str = "seed-mlp"):
    """Press **Train it** for a quick Digits run (opens at once when stored) and wait for it."""
    at.selectbox(key="land_quick_model").set_value(model)
    at.button(key="land_train").click().run(timeout=TIMEOUT)
    assert not at.exception, [e.message for e in at.exception]
    finish_jobs(at, timeout=TIMEOUT)
    return at


def _page_with_a_run(model: str = "seed-mlp"):
    return _quick_run(open_page(PAGE, timeout=TIMEOUT), model)


def _cache_dir() -> Path:
    return Path(os.environ["DLVIZ_CACHE_DIR"])


def test_opening_computes_nothing_then_a_quick_run_and_the_button_draw_the_landscape(
    monkeypatch, tmp_path
):
    from dlviz.ui.jobs import get_executor

    monkeypatch.setenv("DLVIZ_CACHE_DIR", str(tmp_path))  # an empty run store
    at = open_page(PAGE, timeout=TIMEOUT)
    assert "andscape" in at.title[0].value
    assert "No trained run yet" in at.info[0].value and not plotly_specs(at)
    assert get_executor().worker_pids() == []  # nothing trains on opening
    at.button(key="land_train").click().run(timeout=TIMEOUT)
    assert not at.exception, [e.message for e in at.exception]
    assert at.get("progress") or "in line" in "\n".join(m.value for m in at.markdown)
    finish_jobs(at, timeout=TIMEOUT)
    assert at.selectbox(key="land_run").value == quick_config("seed-mlp").key()
    assert not plotly_specs(at) and "Compute landscape" in at.info[0].value  # still on request
    assert not list((tmp_path / "landscapes").glob("*.pt"))
    at.button(key="land_compute").click().run()
    finish_jobs(at, timeout=TIMEOUT)
    charts = _charts(at)
    assert set(charts) == {"line", "contour", "surface"}
    line = charts["line"]["data"][0]
    assert line["x"][0] == pytest.approx(-0.25) and line["x"][-1] == pytest.approx(1.25)
    contour = charts["contour"]["data"]
    assert contour[0]["type"] == "contour" and len(contour[0]["z"]) == 21
    assert contour[1]["x"] == [0.0] and contour[1]["y"] == [0.0]  # the trained weights
    assert charts["surface"]["data"][0]["type"] == "surface"
    trained = float(at.metric[0].value)
    centre = contour[0]["z"][10][10]
    assert centre == pytest.approx(trained, abs=1e-4)
    assert float(at.metric[2].value) > trained  # training lowered the loss
    assert list((tmp_path / "landscapes").glob("*.pt")), "the landscape was not cached on disk"


def test_settings_form_log_scale_and_the_disk_cache():
    at = _page_with_a_run()
    _set_form(at, land_resolution=7, land_images=100, land_span=0.5, land_seed=3)
    contour = _charts(at)["contour"]["data"][0]
    assert len(contour["z"]) == 7 and contour["x"][0] == pytest.approx(-0.5)
    assert "100 test images" in at.caption[-1].value
    plain = contour["z"][0][0]
    at.toggle(key="land_log").set_value(True).run()
    logged = _charts(at)["contour"]["data"][0]["z"][0][0]
    assert logged == pytest.approx(math.log10(plain), rel=1e-6)
    files = {p.name for p in (_cache_dir() / "landscapes").glob("*.pt")}
    assert len(files) >= 1
    # a fresh session finds the same landscape on disk (no new file)
    again = _page_with_a_run()
    _set_form(again, land_resolution=7, land_images=100, land_span=0.5, land_seed=3)
    assert {p.name for p in (_cache_dir() / "landscapes").glob("*.pt")} == files


def test_a_run_whose_dataset_is_missing_gives_a_clear_error():
    from dlviz.data import synthetic_dataset
    from dlviz.training import TrainConfig, train
    from dlviz.training.store import RunStore

    data = synthetic_dataset("mnist", n_train=256, n_test=64)
    cfg = TrainConfig(dataset="mnist", model="seed-mlp", epochs=1, batch_size=64, seed=11)
    RunStore(_cache_dir() / "runs").put(train(cfg, data))
    at = open_page(PAGE, timeout=TIMEOUT)
    at.selectbox(key="land_run").set_value(cfg.key()).run()
    assert not at.exception
    assert at.error and "not available" in at.error[0].value
    assert not plotly_specs(at)


def test_quick_cnn_run_from_the_page():
    at = _page_with_a_run()
    _set_form(at, land_resolution=5, land_images=50)
    _quick_run(at, "seed-cnn")
    picker = at.selectbox(key="land_run")
    assert picker.options[picker.index].startswith("seed-cnn on digits")
    _set_form(at)  # the new run's landscape, with the settings the form keeps
    assert len(_charts(at)["contour"]["data"][0]["z"]) == 5


def test_the_images_slider_stops_at_the_test_images_digits_has_and_the_caption_agrees():
    at = _page_with_a_run()  # the quick seed-mlp run (from the cache if there)
    assert at.selectbox(key="land_run").value == quick_config("seed-mlp").key()
    images = at.slider(key="land_images")
    assert images.max == 360 and images.value == 360  # Digits has 360 test images, not 1000
    _set_form(at)
    assert "all 360 test images" in at.caption[-1].value
    _set_form(at, land_resolution=5, land_images=100)
    assert "on 100 test images" in at.caption[-1].value
    assert_clean(at)


def _stored_variant(seed: int, **changes):
    """A quick Digits run with another seed and some fields changed, put in the run store."""
    from dlviz.data import load_dataset
    from dlviz.training import train

    cfg = replace(quick_config("seed-mlp"), epochs=1, seed=seed)
    result = replace(train(cfg, load_dataset("digits")), **changes)
    RunStore(_cache_dir() / "runs").put(result)
    return result


def test_a_run_whose_loss_is_not_finite_reads_in_words():
    """Weights blown up by a diverging run: the loss overflows; metrics say so, never 'nan'."""
    base = _stored_variant(seed=9001)
    huge = {k: v * 1e30 if v.is_floating_point() else v for k, v in base.final_state.items()}
    result = replace(base, final_state=huge)
    RunStore(_cache_dir() / "runs").put(result)
    at = open_page(PAGE, timeout=TIMEOUT)
    at.selectbox(key="land_run").set_value(result.config.key()).run()
    _set_form(at, land_resolution=5, land_images=50)
    assert_clean(at)
    values = {m.label: m.value for m in at.metric}
    assert values["Test loss, trained weights"] in ("n/a", "overflow"), values
    assert "weight settings gave an infinite or undefined loss" in at.warning[-1].value


def test_a_diverged_run_is_labelled_without_nan():
    result = _stored_variant(seed=9002, history=[], test_preds=[], test_probs=[],
                             status="diverged", diverged_at=(1, 2))  # fmt: skip
    at = open_page(PAGE, timeout=TIMEOUT)
    picker = at.selectbox(key="land_run")
    label = next(o for o in picker.options if result.config.key()[:6] in o)
    assert "test acc n/a · diverged" in label and "nan" not in label.lower()
    assert_clean(at)
