"""Property tests of the Training page: any dataset, model and form setting renders cleanly.

MNIST, Fashion-MNIST and CIFAR-10 are unavailable offline in tests, so the dataset box switches
to Digits, which is real, and a warning names the dataset that was asked for. One page is shared
by the examples of a test (a learner's session). Form widgets are set to their bounds and
submitted while the job queue starts nothing (the config is built, checked and queued; the job is
then dropped), or, now and then, really trained as a tiny one-step Digits run; the disk cache
keeps every run, so a repeated example opens at once. After a run, the explorer's tabs,
epoch scrubber and confusion-matrix clicks are driven the same way.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlviz.activations import ACTIVATION_NAMES
from dlviz.data import DATASETS, dataset_info
from dlviz.training import OPTIMIZER_CHOICES, PRECISIONS
from dlviz.ui.training import form as ui
from dlviz.ui.training.explore import TABS
from tests.app.conftest import finish_jobs, open_page
from tests.app.hardening import PAGE_SETTINGS, assert_clean
from tests.app.test_training_page import cell_click
from tests.support import metric

PAGE = "8_training.py"
TIMEOUT = 240


@pytest.fixture(autouse=True)
def _one_thread(monkeypatch):
    import dlviz.runtime

    monkeypatch.setattr(dlviz.runtime, "cpu_quota", lambda default=None: 1)


def ends(values):
    """One of the two ends of a range of choices, or any value in between (less often)."""
    values = list(values)
    return st.one_of(st.sampled_from([values[0], values[-1]]), st.sampled_from(values))


CUSTOM_WIDGETS = {
    "train_conv_blocks": ("slider", ends(range(1, 4))),
    "train_channels": ("select_slider", ends(ui.CHANNELS)),
    "train_layers": ("slider", ends(range(1, 5))),
    "train_width": ("select_slider", ends(ui.WIDTHS)),
    "train_act": ("selectbox", st.sampled_from(ACTIVATION_NAMES)),
    "train_dropout": ("slider", ends([0.0, 0.35, 0.7])),
    "train_bn": ("checkbox", st.booleans()),
}
CNN_ONLY = ("train_conv_blocks", "train_channels")
FORM_WIDGETS = {
    "train_opt": ("selectbox", st.sampled_from(OPTIMIZER_CHOICES)),
    "train_lr": ("select_slider", ends(ui.LR_STEPS)),
    "train_momentum": ("slider", ends([0.0, 0.5, 0.99])),
    "train_wd": ("select_slider", ends(ui.WEIGHT_DECAYS)),
    "train_batch": ("select_slider", ends(ui.BATCH_SIZES)),
    "train_epochs": ("slider", ends(range(1, ui.MAX_EPOCHS + 1))),
    "train_seed": ("number_input", ends([0, 9999])),
    "train_precision": ("selectbox", st.sampled_from(PRECISIONS)),
}
TINY_RUN = {"train_epochs": 1, "train_batch": ui.BATCH_SIZES[-1], "train_subset": 500}
"""What a "train" example overrides: one epoch of one step, seconds for any model on Digits."""


def widget(at, kind: str, key: str):
    return getattr(at, kind)(key=key)


@st.composite
def page_settings(draw):
    model = draw(st.sampled_from(ui.MODEL_CHOICES))
    widgets = dict(FORM_WIDGETS, **(CUSTOM_WIDGETS if model in ui.CUSTOM else {}))
    if model != "custom-cnn":
        widgets = {k: v for k, v in widgets.items() if k not in CNN_ONLY}
    keys = draw(st.sets(st.sampled_from(sorted(widgets)), max_size=len(widgets)))
    values = {k: draw(widgets[k][1]) for k in sorted(keys)}
    subset = draw(st.sampled_from(["first", "last"]))
    return {
        "dataset": draw(st.sampled_from(DATASETS)),
        "model": model,
        "values": values,
        "subset": subset,
        "action": draw(st.sampled_from(["render", "submit", "submit", "train"])),
    }


@pytest.fixture
def page():
    return open_page(PAGE, timeout=TIMEOUT)


@PAGE_SETTINGS
@given(case=page_settings())
def test_any_dataset_model_and_form_setting_renders_cleanly(page, case):
    from dlviz.ui.jobs import get_executor

    at = page
    at.selectbox(key="train_dataset").set_value(case["dataset"]).run()
    at.selectbox(key="train_model").set_value(case["model"]).run()
    assert_clean(at, f"after picking {case['dataset']} / {case['model']}")
    assert_names_the_data_in_use(at, case["dataset"])
    widgets = dict(FORM_WIDGETS, **CUSTOM_WIDGETS)
    values = dict(case["values"])
    n_train = int(metric(at, "Training images").replace(",", ""))
    values["train_subset"] = ui.subset_options(n_train)[0 if case["subset"] == "first" else -1]
    action = case["action"]
    if action == "train" and metric(at, "Image size") != "8×8":
        action = "submit"  # real Fashion-MNIST (where Debian's files are installed): no training
    if action == "train":
        values.update(TINY_RUN)
    for key, value in values.items():
        kind = widgets[key][0] if key in widgets else "select_slider"
        widget(at, kind, key).set_value(value)
    if action == "render":
        at.run()
    elif action == "submit":  # builds, checks and queues the config; nothing starts
        executor = get_executor()
        executor.pause()
        try:
            at.button(key="train_go").click().run()
            assert_clean(at, str(case))
            queued = any(s.label.startswith("Waiting to train") for s in at.get("status"))
            assert queued or at.error or at.toast, "Train did nothing visible"
        finally:
            executor.learner_left(at.session_state["jobs_learner"])  # drops the waiting job
            executor.resume()
        at.run()
    else:
        at.button(key="train_go").click().run(timeout=TIMEOUT)
        assert_clean(at, str(case))
        assert at.get("status") or at.toast or at.error, "Train did nothing visible"
        finish_jobs(at, timeout=TIMEOUT)
    assert_clean(at, str(case))


def assert_names_the_data_in_use(at, chosen: str) -> None:
    """The box shows the data in use: the chosen dataset, or Digits with a warning that names the
    chosen one and how to add it; the image size shown is the data's."""
    box = at.selectbox(key="train_dataset")
    size = metric(at, "Image size")
    assert box.label == "Dataset", box.label
    if box.value == chosen:  # available (Digits, or Debian's Fashion-MNIST where installed)
        _, h, w = dataset_info(chosen).shape
        assert size == f"{h}×{w}", (chosen, size)
    else:
        assert chosen != "digits" and box.value == "digits", (chosen, box.value)
        assert size == "8×8"
        said = [w.value for w in at.warning if "Switched to the built-in Digits" in w.value]
        assert said and f"{dataset_info(chosen).label} is not available" in said[0], said
        assert "choose the built-in 'digits' dataset" in said[0]


@st.composite
def explorer_moves(draw):
    return {
        "tab": draw(st.sampled_from(TABS)),
        "epoch": draw(st.integers(1, 2)),
        "cell": draw(st.none() | st.tuples(st.integers(0, 9), st.integers(0, 9))),
        "mistakes": draw(st.booleans()),
        "images": draw(st.sampled_from([20, 100])),
        "fm_index": draw(st.sampled_from([0, 359])),
    }


@pytest.fixture
def trained_page():
    at = open_page(PAGE, timeout=TIMEOUT)
    at.selectbox(key="train_model").set_value("seed-cnn").run()
    at.slider(key="train_epochs").set_value(2)
    at.select_slider(key="train_subset").set_value(500)
    at.button(key="train_go").click().run(timeout=TIMEOUT)
    finish_jobs(at, timeout=TIMEOUT)
    return at


@PAGE_SETTINGS
@given(move=explorer_moves())
def test_the_explorer_of_a_run_stays_clean_whatever_is_clicked(trained_page, move):
    at = trained_page
    at.session_state["train_tab"] = move["tab"]
    if move["cell"] is not None:
        t, p = move["cell"]
        at.session_state["train_cm"] = cell_click(t, p)
    at.run()
    if move["tab"] == "Results":
        at.slider(key="train_epoch").set_value(move["epoch"])
        at.toggle(key="train_mistakes").set_value(move["mistakes"])
        at.select_slider(key="train_grid_n").set_value(move["images"])
        at.run()
        if move["cell"] is not None:
            t, _ = move["cell"]
            assert any(f"True **{t}**" in m.value for m in at.markdown)
    elif move["tab"] == "Inside the model":
        at.number_input(key="train_fm_index").set_value(move["fm_index"]).run()
    assert_clean(at, str(move))
