"""Training from the page through the server's job queue: waiting, live, stopped, taken over.

Train opens the stored run of that config at once when there is one; otherwise it queues a
``dlviz.jobs.TrainJob`` (``dlviz.ui.jobs``), which trains in a worker process, never in this
script. While this learner's job waits or runs, ``show_training_job`` is an ``st.fragment`` that
reruns every half second: the place in line with an estimate and Cancel, then the live progress
bar and learning curves with Stop (the run stops after its current batch and keeps what it
learned). Moving other widgets no longer interrupts anything. The learner may leave for other
pages: the job stays in session state, and ``collect_finished`` takes the run over on the next
visit (or the fragment, when it sees the job end).
"""

from __future__ import annotations

import streamlit as st

from dlviz.data import Dataset
from dlviz.display import count, duration, escape_markdown
from dlviz.jobs import JobView, TrainJob
from dlviz.plots.training.curves import learning_curves_figure
from dlviz.settings import get_settings
from dlviz.training import TrainConfig, TrainResult
from dlviz.ui import jobs
from dlviz.ui.common import chart
from dlviz.ui.resources import get_store
from dlviz.ui.training.form import CUSTOM, form_config, form_defaults

JOB = "train_job"  # session key: (job id, TrainConfig) of this learner's training job
SAID = "train_said"  # session key: [(kind, sentence)] to show once: a failure, a cache problem
LOST = (
    "Your training is no longer in the queue (the server restarted, or this tab lost its "
    "connection for a while). Press **Train** again."
)


def remember(result: TrainResult) -> None:
    """Keep the run in session_state: exploring it never retrains (the explorer then resets its
    epoch scrubber and cell pick when it sees ``train_fresh``)."""
    st.session_state["train_result"] = result
    st.session_state["train_fresh"] = True


def current_result() -> TrainResult | None:
    """The run this session is exploring."""
    return st.session_state.get("train_result")


def collect_finished() -> None:
    """Take over this learner's training once it has ended: its run, or why there is none."""
    taken = jobs.take_ended(JOB)
    if taken is None:
        return
    held, job = taken
    said = st.session_state.setdefault(SAID, [])
    if job is None:  # gone from the queue (the learner was away too long): maybe it finished
        stored = get_store().get(held[1])
        if stored is not None:
            remember(stored)
        else:
            said.append(("warning", LOST))
        return
    if job.status == "done":
        remember(job.value)
        if job.note:  # the run could not be stored: the Compare tab says so too
            said.append(("cache", job.note))
            st.session_state["train_unsaved"] = job.note
        said += [("warning", job.message)] if job.message else []
    elif job.status == "failed":
        said.append(("error", job.message))
    elif job.message:  # cancelled: replaced by a newer training of this learner (another page)
        said.append(("info", job.message))


def start_training(cfg: TrainConfig, data: Dataset) -> None:
    """The stored run of ``cfg`` at once, else queue it (replacing this learner's own run)."""
    hit = get_store().find(cfg, data)
    if hit is not None:
        remember(hit)
        st.toast("This exact run was in the cache: shown at once.", icon=":material/bolt:")
        return
    held = st.session_state.get(JOB)
    old = jobs.view(held[0]) if held else None
    if old is not None and old.active and held[1] == cfg:
        return  # already waiting for or training exactly this
    if old is not None and old.status == "running":
        jobs.cancel(old.id, keep=False)  # a new Train replaces the learner's running one
    job = jobs.submit(TrainJob(cfg, get_settings()), replaces=old and old.id)
    if job is not None:
        st.session_state[JOB] = (job.id, cfg)


def show_training_job() -> None:
    """What became of the last job (once), then the live panel while one waits or runs."""
    for kind, text in st.session_state.pop(SAID, []):
        if kind == "cache":
            show_cache_problem(text)
        elif kind == "error":
            st.error(escape_markdown(text), icon=":material/error:")
        elif kind == "info":
            st.info(text, icon=":material/swap_horiz:")
        else:
            st.warning(text, icon=":material/hourglass_disabled:")
    held = st.session_state.get(JOB)
    if held is not None:
        st.fragment(_job_panel, run_every=jobs.poll_every(jobs.view(held[0])))()


def _job_panel() -> None:
    """The fragment: waiting (place, estimate, Cancel) or training (bar, curves, Stop)."""
    held = st.session_state.get(JOB)
    job = jobs.view(held[0]) if held else None
    if job is None or not job.active:
        st.rerun()  # it ended since the page was drawn: the whole page takes the run over
    if job.status == "queued":
        with jobs.job_panel(f"Waiting to train {job.label}…"):
            jobs.show_waiting(job, "train_cancel", (JOB,))
        return
    with jobs.job_panel(f"Training {job.label}…"):
        st.button(
            "Stop",
            key="train_stop",
            icon=":material/stop_circle:",
            on_click=_stop,
            args=(job.id,),
            help="Stops after the current batch and keeps what was learned.",
        )
        text = f"{job.label} · {job.text}" if job.text else "Starting a worker…"
        st.progress(job.fraction, text=text)
        if job.history or job.points:
            figure = learning_curves_figure(job.history, epochs=held[1].epochs, steps=job.points)
            chart(figure, key="train_live")
        st.caption(_running_words(job))


def _running_words(job: JobView) -> str:
    threads = f"{count(job.threads)} thread{'s' if job.threads != 1 else ''}"
    shared = (
        f" · {job.shared - 1} other learner(s) asked for exactly this run: it trains once"
        if job.shared > 1
        else ""
    )
    left = f"About {duration(job.remaining_s)} to go · " if job.remaining_s is not None else ""
    return f"{left}In a worker process on {threads}; other pages stay usable meanwhile.{shared}"


def _stop(job_id: str) -> None:
    """Stop: the run ends after its current batch and keeps what it learned; when others wait
    for the same run, this learner lets go of it instead (it will be in the cache)."""
    if jobs.cancel(job_id) == "detached":
        st.session_state.pop(JOB, None)
        st.session_state.setdefault(SAID, []).append(
            (
                "warning",
                "You let go of this run; it goes on for the other learners who asked for exactly "
                "the same, and opens at once from the cache when it is done.",
            )
        )


def show_cache_problem(error: str) -> None:
    """Say that the run cache cannot be written (the run itself is fine, it just won't be kept)."""
    st.warning(
        f"{escape_markdown(error)}\n\nThis run stays in this browser tab only: it will not "
        "open at once next time, nor appear under *Compare runs* or on the Loss landscape page. "
        "Point `DLVIZ_CACHE_DIR` at a writable folder to keep runs.",
        icon=":material/save:",
    )


def show_run_message(result: TrainResult) -> None:
    """How the run ended, in one coloured sentence."""
    if result.status == "diverged":
        st.error(result.message, icon=":material/warning:")
    elif result.status in ("stopped", "early-stopped"):
        st.info(result.message, icon=":material/stop_circle:")
    elif result.cached:
        st.success(f"From the cache: {result.message}", icon=":material/bolt:")
    else:
        st.success(result.message, icon=":material/check_circle:")


def job_pending() -> bool:
    """This learner has a training waiting or running (the page then says nothing else)."""
    return st.session_state.get(JOB) is not None


def train_or_recall(cfg: TrainConfig | None, model: str, data: Dataset) -> TrainResult | None:
    """Queue a training when the form was submitted (or open its stored run); show this
    learner's waiting or running job; return the run to explore: the session's, or the stored
    run of what the form shows (a preset's default run, or a link's settings, opens at once when
    it was trained; a link never starts a run)."""
    collect_finished()
    if cfg is not None:
        start_training(cfg, data)
    elif current_result() is None and model not in CUSTOM:
        hit = get_store().find(form_config(model, data) or form_defaults(model, data), data)
        if hit is not None:
            remember(hit)
    show_training_job()
    return current_result()
