"""Property tests of the Loss-landscape page: any run and any setting of its form render cleanly.

One page is shared by the examples (a learner's session). The run picker moves between the quick
Digits runs; the form's widgets go to their bounds (resolutions stay small, so each landscape is a
fraction of a second in the job queue's worker); every computed landscape is kept in memory and
on disk, so repeats are free.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlviz.landscape import MIN_RESOLUTION, quick_config
from dlviz.ui.landscape import SPANS
from tests.app.conftest import finish_jobs, open_page
from tests.app.hardening import PAGE_SETTINGS, assert_clean

PAGE = "10_loss_landscape.py"
TIMEOUT = 300


@pytest.fixture(autouse=True)
def _one_thread(monkeypatch):
    import dlviz.runtime

    monkeypatch.setattr(dlviz.runtime, "cpu_quota", lambda default=None: 1)


@pytest.fixture
def page():
    """The page with both quick Digits runs in the cache (trained once per test session)."""
    at = open_page(PAGE, timeout=TIMEOUT)
    for model in ("seed-mlp", "seed-cnn"):
        at.selectbox(key="land_quick_model").set_value(model)
        at.button(key="land_train").click().run(timeout=TIMEOUT)
        assert not at.exception, [e.message for e in at.exception]
        finish_jobs(at, timeout=TIMEOUT)
    return at


@st.composite
def form_settings(draw):
    return {
        "land_run": draw(st.sampled_from(["seed-mlp", "seed-cnn"])),
        "land_resolution": draw(st.sampled_from([MIN_RESOLUTION, MIN_RESOLUTION + 2])),
        "land_images": draw(st.sampled_from([10, 20, 350, 360])),
        "land_span": draw(st.sampled_from([SPANS[0], SPANS[-1]]) | st.sampled_from(SPANS)),
        "land_seed": draw(st.sampled_from([0, 999])),
        "land_log": draw(st.booleans()),
    }


@PAGE_SETTINGS
@given(form=form_settings())
def test_any_run_and_form_setting_renders_cleanly(page, form):
    at = page
    at.selectbox(key="land_run").set_value(quick_config(form["land_run"]).key()).run()
    assert_clean(at, f"after picking {form['land_run']}")
    images = at.slider(key="land_images")
    assert images.max == 360  # Digits has 360 test images: the slider stops there
    at.slider(key="land_resolution").set_value(form["land_resolution"])
    images.set_value(form["land_images"])
    at.select_slider(key="land_span").set_value(form["land_span"])
    at.number_input(key="land_seed").set_value(form["land_seed"])
    at.button(key="land_compute").click().run(timeout=TIMEOUT)
    finish_jobs(at, timeout=TIMEOUT)
    at.toggle(key="land_log").set_value(form["land_log"]).run(timeout=TIMEOUT)
    assert_clean(at, str(form))
    caption = at.caption[-1].value
    words = "all 360 test images" if form["land_images"] == 360 else f"{form['land_images']} test"
    assert f"on {words}" in caption, caption
    r = form["land_resolution"]
    assert caption.startswith(f"{r}×{r} plane") and f"seed {form['land_seed']};" in caption
