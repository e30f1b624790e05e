"""Property test of the Generalization page: any setting of the overfitting experiment's widgets
(sizes, width, epochs, every remedy on or off at any of its settings), with or without pressing
Train on a small setting, renders cleanly: no exception, no NaN, inf, None or -0 where a number
belongs. One learner's session is shared by the examples; trained runs stay in the cache."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlviz.generalization import AUGMENT_CHOICES, WIDTHS
from dlviz.ui.generalization.overfit import DECAYS, DROPOUTS, sizes
from tests.app.conftest import finish_jobs, open_page
from tests.app.hardening import PAGE_SETTINGS, assert_clean

PAGE = "9_generalization.py"
TIMEOUT = 300
SIZES = sizes("digits")


@pytest.fixture(autouse=True)
def _one_thread(monkeypatch):
    import dlviz.runtime

    monkeypatch.setattr(dlviz.runtime, "cpu_quota", lambda default=None: 1)


@pytest.fixture
def page():
    """The page after one small baseline run (so results are on screen)."""
    at = open_page(PAGE, timeout=TIMEOUT)
    at.select_slider(key="gen_images").set_value(20)
    at.select_slider(key="gen_width").set_value(16)
    at.slider(key="gen_epochs").set_value(5).run()
    at.button(key="gen_train").click().run(timeout=TIMEOUT)
    finish_jobs(at, timeout=TIMEOUT)
    assert_clean(at)
    return at


@st.composite
def settings(draw):
    train = draw(st.sampled_from([False, False, False, True]))
    return {
        "gen_images": draw(st.sampled_from(SIZES[:3] if train else SIZES)),
        "gen_width": draw(st.sampled_from(WIDTHS[:3] if train else WIDTHS)),
        "gen_epochs": draw(st.sampled_from([5, 6] if train else [5, 13, 20])),
        "on": {k: draw(st.booleans()) for k in ("dropout", "wd", "es", "aug", "more")},
        "gen_dropout": draw(st.sampled_from(DROPOUTS)),
        "gen_wd": draw(st.sampled_from(DECAYS)),
        "gen_patience": draw(st.integers(1, 6)),
        "gen_aug": draw(st.sampled_from(AUGMENT_CHOICES["digits"])),
        "more": draw(st.integers(0, 8)),
        "train": train,
    }


@PAGE_SETTINGS
@given(s=settings())
def test_any_overfitting_setting_renders_cleanly(page, s):
    at = page
    at.select_slider(key="gen_images").set_value(s["gen_images"])
    at.select_slider(key="gen_width").set_value(s["gen_width"])
    at.slider(key="gen_epochs").set_value(s["gen_epochs"]).run()
    toggles = {t.key for t in at.toggle}
    for name, on in s["on"].items():
        if f"gen_{name}_on" in toggles:  # "More data" is absent at the largest size
            at.toggle(key=f"gen_{name}_on").set_value(on).run()
    if s["on"]["dropout"]:
        at.select_slider(key="gen_dropout").set_value(s["gen_dropout"])
    if s["on"]["wd"]:
        at.select_slider(key="gen_wd").set_value(s["gen_wd"])
    if s["on"]["es"]:
        at.slider(key="gen_patience").set_value(s["gen_patience"])
    if s["on"]["aug"]:
        at.selectbox(key="gen_aug").set_value(s["gen_aug"])
    if s["on"]["more"] and any(w.key == "gen_more" for w in at.select_slider):
        more = at.select_slider(key="gen_more")
        more.set_value(int(more.options[s["more"] % len(more.options)].replace(",", "")))
    at.run(timeout=TIMEOUT)
    assert_clean(at, str(s))
    if s["train"]:
        at.button(key="gen_train").click().run(timeout=TIMEOUT)
        finish_jobs(at, timeout=TIMEOUT)
        assert_clean(at, f"after Train: {s}")
        assert at.dataframe, "no summary table after training"
