"""The server's job queue from the pages' side: one executor, a learner per session, the panels.

``get_executor()`` is the process-wide ``dlviz.jobs.Executor`` (its workers start with the first
job; ``DLVIZ_WORKERS`` sizes the pool, ``DLVIZ_RAY_ADDRESS`` puts it on a Ray cluster; clearing
the cache or stopping the server shuts it down).
A browser session is a learner: ``learner()`` is a random id kept in session state, and a
session-scoped ``st.cache_resource`` whose ``on_release`` Streamlit calls when the session
disconnects (the tab was closed, or lost its connection) tells the executor the learner left.
They get as long as Streamlit keeps a disconnected session for its tab to come back
(``server.disconnectedSessionTTL``); then, unless their session is connected again, their
waiting jobs are dropped (a running one finishes into the cache). Streamlit's own session
lifecycle is used rather than "has not polled for a while" because a learner exploring another
page does not poll the Training page, and must not lose their place in line.

``submit``, ``view``, ``cancel`` and ``collect`` wrap the executor for this learner;
``finished`` recalls the last landscapes and maps any learner's job produced (runs go to the
disk store instead). ``job_panel``, ``show_waiting`` and ``show_failure`` draw what every page
shows for a queued, running or failed job; ``poll_every`` is the ``st.fragment`` interval while a
job is active.
"""

from __future__ import annotations

import functools
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import streamlit as st

from dlviz.display import duration, escape_markdown, ordinal
from dlviz.jobs import Executor, JobRefused, JobView, TrainJob, executor_for
from dlviz.settings import get_settings
from dlviz.ui import compat

POLL_S = 0.5
"""How often a page with an active job of its learner asks for news (an st.fragment rerun)."""
KEPT_RESULTS = 16
"""Finished landscapes and maps kept in memory for any learner who asks for the same again."""


class Results:
    """The last few non-training results by job key (thread-safe; filled from slot threads)."""

    def __init__(self, size: int = KEPT_RESULTS) -> None:
        self.size = size
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def keep(self, spec: Any, value: Any) -> None:
        """Remember a finished job's value (trainings are in the run store: not kept here)."""
        if spec.kind == "training" or value is None:
            return
        with self._lock:
            self._items[spec.key()] = value
            self._items.move_to_end(spec.key())
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def get(self, spec: Any) -> Any:
        """The value of an identical finished job, or None."""
        with self._lock:
            return self._items.get(spec.key())


@st.cache_resource(show_spinner=False)
def results() -> Results:
    """This server's recent landscapes and maps."""
    return Results()


@st.cache_resource(show_spinner=False, on_release=lambda ex: ex.shutdown())
def get_executor() -> Executor:
    """This server's job queue and workers (started on the first job; on a Ray cluster with
    DLVIZ_RAY_ADDRESS)."""
    return executor_for(get_settings(), on_result=results().keep)


@dataclass(frozen=True)
class _Presence:
    learner: str
    executor: Executor
    session: str | None  # Streamlit's session id, to ask whether the tab came back


def leave_grace_s() -> float:
    """How long a learner whose tab disconnected keeps their waiting jobs: as long as Streamlit
    keeps their session for the tab to reconnect."""
    return float(st.get_option("server.disconnectedSessionTTL"))


def _left(presence: _Presence) -> None:
    """Streamlit released the session (disconnected): its learner is leaving the queue, unless
    their tab reconnects within the grace."""
    presence.executor.learner_left(
        presence.learner,
        grace_s=leave_grace_s(),
        still_here=functools.partial(compat.session_is_active, presence.session),
    )


@st.cache_resource(scope="session", show_spinner=False, on_release=_left)
def _presence(learner_id: str) -> _Presence:
    executor = get_executor()
    executor.learner_back(learner_id)  # a tab that reconnected runs its page again
    return _Presence(learner_id, executor, compat.session_id())


def learner() -> str:
    """This session's learner id (random, never shown; the queue knows sessions only by it)."""
    if "jobs_learner" not in st.session_state:
        st.session_state["jobs_learner"] = uuid.uuid4().hex
    learner_id = st.session_state["jobs_learner"]
    _presence(learner_id)
    return learner_id


def submit(spec: Any, replaces: str | None = None) -> JobView | None:
    """Queue ``spec`` for this learner; None (and a warning on the page) when it is refused.
    ``replaces``: the id of this learner's previous job of the page, forgotten once it is over
    (a waiting one ends, replaced, when this job takes its place)."""
    try:
        job = get_executor().submit(spec, learner())
    except JobRefused as err:
        st.warning(str(err), icon=":material/hourglass_top:")
        return None
    if replaces is not None and replaces != job.id:
        collect(replaces)
    return job


def view(job_id: str | None) -> JobView | None:
    """This learner's view of a job (None: not theirs, or gone)."""
    return None if job_id is None else get_executor().view(job_id, learner())


def cancel(job_id: str, keep: bool = True) -> str:
    """Cancel this learner's job (see ``dlviz.jobs.Board.cancel``); ``keep=False`` also lets go
    of a running one (it stops when nobody else waits for it)."""
    return get_executor().cancel(job_id, learner(), keep=keep)


def collect(job_id: str) -> None:
    """This learner has the result of their finished job."""
    get_executor().collect(job_id, learner())


def take_ended(key: str) -> tuple[Any, JobView | None] | None:
    """Take over the job this session holds under ``key`` once it has ended.

    ``st.session_state[key]`` is a job id, or a tuple that starts with one. While nothing is held
    or the job still waits or runs: None. Otherwise the key is forgotten, the result marked
    collected, and ``(what was held, the job's view)`` returned; the view is None when the queue
    no longer has the job (the learner was away longer than results are kept).
    """
    held = st.session_state.get(key)
    if held is None:
        return None
    job = view(held if isinstance(held, str) else held[0])
    if job is not None and job.active:
        return None
    del st.session_state[key]
    if job is not None:
        collect(job.id)
    return held, job


def finished(spec: Any) -> Any:
    """The result of a finished identical landscape or map job, or None."""
    return results().get(spec)


def poll_every(job: JobView | None) -> float | None:
    """The fragment interval: ``POLL_S`` while the job waits or runs, else None (no polling)."""
    return POLL_S if job is not None and job.active else None


def waiting_words(job: JobView) -> str:
    """'**2nd in line** · starts in about 40 s' (+ who else waits for the same job)."""
    words = f"**{ordinal(job.position)} in line** · starts in about {duration(job.wait_s)}"
    if job.shared > 1:
        words += f" · {job.shared - 1} other learner(s) asked for exactly the same: it runs once"
    return words


def cancel_button(job: JobView, key: str, forget: tuple[str, ...], label: str = "Cancel") -> None:
    """A button that cancels the job and forgets the session keys that held it."""
    st.button(label, key=key, icon=":material/close:", on_click=_cancel, args=(job.id, forget))


def _cancel(job_id: str, forget: tuple[str, ...]) -> None:
    cancel(job_id, keep=False)  # the learner no longer wants it: nothing to take over
    for name in forget:
        st.session_state.pop(name, None)


def job_panel(label: str):
    """An expanded ``st.status`` that keeps its spinner while the job waits or runs: write into
    the container this returns (leaving ``with st.status`` would mark it complete)."""
    return st.status(label, expanded=True).container()


def show_waiting(job: JobView, cancel_key: str, forget: tuple[str, ...]) -> None:
    """A waiting job: its place, the estimate, that the learner may explore meanwhile, Cancel
    (which also forgets the session keys ``forget``)."""
    st.markdown(waiting_words(job))
    st.caption(
        "Other learners' jobs run first; you can keep exploring, also on other pages. The result "
        "appears here when it is ready."
    )
    cancel_button(job, cancel_key, forget)


def show_failure(job: JobView) -> None:
    """A failed or cancelled job, in one sentence."""
    if job.status == "failed":
        st.error(escape_markdown(job.message), icon=":material/error:")
    elif job.status == "cancelled":
        st.info(job.message or "Cancelled.", icon=":material/close:")


def pick_or_train(cfg: Any, pick_key: str, job_key: str) -> None:
    """A quick run a page offers: select its stored run at once (its key into ``pick_key``, which
    the page's run picker reads), else queue its training (the job id into ``job_key``)."""
    from dlviz.ui.resources import get_store

    if get_store().get(cfg) is not None:
        st.session_state[pick_key] = cfg.key()
        return
    job = submit(TrainJob(cfg, get_settings()), replaces=st.session_state.get(job_key))
    if job is not None:
        st.session_state[job_key] = job.id
