"""The Generalization page's jobs: start on a button, show place in line or progress with Stop,
take the result over into the session when the job ends.

One helper serves every section (overfitting runs, random labels, the sweep, the sanity probes):
a section has a name, and its job and its result live in session state under ``gen_<name>_job``
and ``gen_<name>_result``. A series whose runs are all in the run store opens at once, without
a job. While a job waits or runs, an ``st.fragment`` polls every half second and draws
``live(job)`` (the curves so far). Nothing trains on the script thread.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from dlviz.display import escape_markdown
from dlviz.generalization import RunCurves, curves_of
from dlviz.generalization.jobs import CalibrationJob, ProbeJob, SeriesJob, TransferJob
from dlviz.jobs import JobView
from dlviz.settings import get_settings
from dlviz.training import TrainConfig
from dlviz.ui import jobs
from dlviz.ui.resources import get_store

LOST = (
    "The job is no longer in the queue (the server restarted, or this tab was away for a long "
    "time). Press the button again: finished runs open at once from the cache."
)


def job_key(section: str) -> str:
    """Session key holding (job id, what was asked) of a section's job."""
    return f"gen_{section}_job"


def result_key(section: str) -> str:
    """Session key holding (what was asked, the result) of a section's last result."""
    return f"gen_{section}_result"


def result(section: str) -> tuple[Any, Any] | None:
    """``(what was asked, result)`` of the section's last finished job, or None."""
    return st.session_state.get(result_key(section))


def stored_series(runs: Sequence[tuple[str, TrainConfig]]) -> tuple[RunCurves, ...] | None:
    """Every run of a series from the run store, or None when one is missing."""
    store = get_store()
    out = []
    for name, cfg in runs:
        hit = store.get(cfg)
        if hit is None:
            return None
        out.append(curves_of(name, hit))
    return tuple(out)


def start_series(section: str, runs: Sequence[tuple[str, TrainConfig]]) -> None:
    """Open the stored series at once, else queue a ``SeriesJob`` (replacing the section's own)."""
    runs = tuple(runs)
    stored = stored_series(runs)
    if stored is not None:
        st.session_state[result_key(section)] = (runs, stored)
        st.toast("Every run was in the cache: shown at once.", icon=":material/bolt:")
        return
    _submit(section, SeriesJob(runs, get_settings(), section), runs)


def start_probe(section: str, probe: Any) -> None:
    """Queue a sanity probe (a ``ProbeJob``)."""
    _submit(section, ProbeJob(probe, get_settings()), probe)


def start_calibration(section: str, run_key: str) -> None:
    """Queue the calibration of a stored run (a ``CalibrationJob``)."""
    _submit(section, CalibrationJob(run_key, get_settings()), run_key)


def start_transfer(section: str, study: Any) -> None:
    """Queue the transfer study (a ``TransferJob``)."""
    _submit(section, TransferJob(study, get_settings()), study)


def _submit(section: str, spec: Any, asked: Any) -> None:
    held = st.session_state.get(job_key(section))
    old = jobs.view(held[0]) if held else None
    if old is not None and old.active and held[1] == asked:
        return  # already waiting for or running exactly this
    if old is not None and old.status == "running":
        jobs.cancel(old.id, keep=False)
    job = jobs.submit(spec, replaces=old and old.id)
    if job is not None:
        st.session_state[job_key(section)] = (job.id, asked)


def take_finished(section: str) -> None:
    """A job that ended: keep its result (a stopped series keeps what it trained) or say why not."""
    taken = jobs.take_ended(job_key(section))
    if taken is None:
        return
    held, job = taken
    if job is None:
        st.warning(LOST, icon=":material/hourglass_disabled:")
    elif job.status == "done":
        st.session_state[result_key(section)] = (held[1], job.value)
        if job.note:
            st.warning(escape_markdown(job.note), icon=":material/save:")
    else:
        jobs.show_failure(job)


def show_job(section: str, live: Callable[[JobView], None] | None = None) -> bool:
    """The fragment of a waiting or running job; True while there is one."""
    held = st.session_state.get(job_key(section))
    if held is None:
        return False
    st.fragment(_panel, run_every=jobs.poll_every(jobs.view(held[0])))(section, live)
    return True


def _panel(section: str, live: Callable[[JobView], None] | None) -> None:
    held = st.session_state.get(job_key(section))
    job = jobs.view(held[0]) if held else None
    if job is None or not job.active:
        st.rerun()  # it ended: the whole page takes the result over
    if job.status == "queued":
        with jobs.job_panel(f"Waiting: {job.label}…"):
            jobs.show_waiting(job, f"gen_{section}_cancel", (job_key(section),))
        return
    with jobs.job_panel(f"Running: {job.label}…"):
        st.button(
            "Stop", key=f"gen_{section}_stop", icon=":material/stop_circle:",
            on_click=_stop, args=(section, job.id),
            help="Stops after the current batch and keeps what was trained so far.",
        )  # fmt: skip
        st.progress(job.fraction, text=job.text or "Starting a worker…")
        if live is not None and job.history:
            live(job)


def _stop(section: str, job_id: str) -> None:
    """Stop: the run in progress ends after its batch and the series keeps what it has; when
    other learners wait for the same job, this learner lets go of it instead."""
    if jobs.cancel(job_id) == "detached":
        st.session_state.pop(job_key(section), None)
        st.toast(
            "You let go of this job; it goes on for the other learners who asked for exactly the "
            "same, and its runs open at once from the cache when it is done.",
            icon=":material/group:",
        )
