"""Which trained run the Loss-landscape page looks at: the stored runs, a picker, quick runs.

The run store is ``dlviz.ui.resources.get_store`` (the Training page fills it too). Nothing is
trained on opening the page: with an empty store the page says so and offers the quick Digits
runs (``dlviz.landscape.quick_config``), which go through the server's job queue like any
training (``dlviz.ui.jobs``); while one waits or trains, a fragment shows its place or progress,
and the finished run becomes the pick. It computes no landscape: that is
``dlviz.ui.landscape.views``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from dlviz.display import count, escape_markdown, number, percent
from dlviz.jobs.kinds import TRAIN_IMAGES
from dlviz.landscape import QUICK_MODELS, quick_config
from dlviz.ui import jobs
from dlviz.ui.links import BIND
from dlviz.ui.resources import get_store
from dlviz.ui.training.form import link_params

if TYPE_CHECKING:
    from dlviz.training import RunSummary

QUICK_JOB = "land_quick_job"  # session key: the id of this learner's quick-run job
PICK = "land_new_run"  # session key: a run key the picker should select on its next draw


def stored_run_label(summary: RunSummary) -> str:
    """The run picker's line for a stored run: model, dataset, optimizer, epochs, test accuracy."""
    c = summary.config
    model = c.model if isinstance(c.model, str) else f"custom {c.model.kind}"
    return (
        f"{model} on {c.dataset} · {c.optimizer} lr {number(c.lr)} · "
        f"{count(summary.epochs_done)} epoch(s) · test acc {percent(summary.test_acc)} · "
        f"{summary.status} · {summary.key[:6]}"
    )


def stored_runs() -> list[RunSummary]:
    """Summaries of the runs in the training cache, newest first."""
    return get_store().runs()


def stored_runs_or_offer() -> list[RunSummary]:
    """The stored runs; when there are none, says how to get one and offers a quick run."""
    runs = stored_runs()
    if runs:
        return runs
    st.info(
        "No trained run yet: this page draws the loss around a model's trained weights. Train a "
        "quick one here (a few seconds on the built-in Digits), or any model on the **Train a "
        "model** page.",
        icon=":material/model_training:",
    )
    quick_run_controls()
    return []


def quick_run_controls() -> None:
    """A quick Digits run to train through the queue, and its job while it waits or trains."""
    model = st.selectbox("Quick Digits run", tuple(QUICK_MODELS), key="land_quick_model", bind=BIND)
    if st.button("Train it", key="land_train", width="stretch", icon=":material/play_arrow:"):
        _start_quick_run(model)
    _take_finished()
    job_id = st.session_state.get(QUICK_JOB)
    if job_id is not None:
        st.fragment(_quick_panel, run_every=jobs.poll_every(jobs.view(job_id)))()


def _start_quick_run(model: str) -> None:
    """Pick the stored quick run at once, else queue it."""
    jobs.pick_or_train(quick_config(model), PICK, QUICK_JOB)


def _take_finished() -> None:
    """A quick run that ended: pick it (or say why there is none)."""
    taken = jobs.take_ended(QUICK_JOB)
    if taken is None or taken[1] is None:
        return
    job = taken[1]
    if job.status == "done":
        st.session_state[PICK] = job.value.config.key()
        if job.note:
            st.warning(escape_markdown(job.note), icon=":material/save:")
    else:
        jobs.show_failure(job)


def _quick_panel() -> None:
    """The fragment: the quick run's place in line, or its progress; the page when it ends."""
    job = jobs.view(st.session_state.get(QUICK_JOB))
    if job is None or not job.active:
        st.rerun()  # it ended: the whole page picks the new run
    if job.status == "queued":
        jobs.show_waiting(job, "land_train_cancel", (QUICK_JOB,))
    else:
        text = f"Training {job.label}: {job.text}" if job.text else "Starting a worker…"
        st.progress(job.fraction, text=text)


def run_picker(runs: list[RunSummary]) -> str:
    """A selectbox over the stored runs (key ``land_run``); returns the chosen run key."""
    keys = [r.key for r in runs]
    labels = {r.key: stored_run_label(r) for r in runs}
    new = st.session_state.pop(PICK, None)
    if new in keys:
        st.session_state["land_run"] = new
    if st.session_state.get("land_run") not in keys:
        st.session_state["land_run"] = keys[0]
    return st.selectbox("Trained run", keys, key="land_run", bind=BIND, format_func=labels.get)


def run_controls(runs: list[RunSummary]) -> str:
    """The run picker beside a quick Digits run to train (which then becomes the pick)."""
    pick, quick = st.columns([3, 1], vertical_alignment="bottom")
    with quick:
        quick_run_controls()
    with pick:
        key = run_picker(runs)
    training_page_link(next(r for r in runs if r.key == key))
    return key


def training_page_link(run: RunSummary) -> None:
    """A link to the Training page with this run's settings in it (it opens the stored run)."""
    params = link_params(run.config, TRAIN_IMAGES.get(run.config.dataset, 0))
    if params:
        st.page_link(
            "pages/8_training.py",
            label="Open this run on the Training page",
            icon=":material/model_training:",
            query_params=params,
        )
