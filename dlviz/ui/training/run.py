"""Training from the page: the live run inside ``st.status``, Stop, the busy message, the cache.

``run_training()`` trains synchronously (runs on this page take seconds to a few minutes) with a
progress bar and learning curves redrawn every epoch. Streamlit stops a script at its next
``st.*`` call when the user clicks anything; ``LiveProgress`` turns that into a polite stop of the
training loop, and the partial run is handed to the next script run through a process-wide dict
(a stopped thread may not write session_state). One training at a time per server process.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field

import streamlit as st

from dlviz.data import Dataset
from dlviz.display import escape_markdown, fixed
from dlviz.plots.training.curves import learning_curves_figure
from dlviz.training import Progress, TrainConfig, TrainResult, train_cached
from dlviz.ui.compat import ScriptControlException
from dlviz.ui.resources import get_store, training_slot
from dlviz.ui.training.form import CUSTOM, form_defaults

WAIT_FOR_STOP_S = 20.0  # how long a rerun waits for this session's stopped run to hand over


@dataclass
class LiveProgress:
    """A training callback that draws progress and notices a click (Streamlit's rerun/stop)."""

    bar: object
    chart: object
    label: str
    steps: list[tuple[float, float]] = field(default_factory=list)
    interrupted: BaseException | None = None
    _last_draw: float = 0.0
    _draws: int = 0

    def __call__(self, p: Progress) -> bool:
        """Update the bar every report and the curves every epoch (or 0.5 s); True = stop."""
        if self.interrupted is not None:
            return True
        self.steps.append((p.epoch - 1 + p.step / max(1, p.steps_per_epoch), p.loss))
        try:
            self.bar.progress(
                p.fraction,
                text=f"{self.label} · epoch {p.epoch}/{p.epochs}, step {p.step}/"
                f"{p.steps_per_epoch} · batch loss {fixed(p.loss, 4)}",
            )
            now = time.perf_counter()
            if p.kind == "epoch" or now - self._last_draw > 0.5:
                self._draw(p)
                self._last_draw = now
        except ScriptControlException as exc:  # a click: stop here, keep what was learned
            self.interrupted = exc
            return True
        return False

    def _draw(self, p: Progress) -> None:
        self._draws += 1
        fig = learning_curves_figure(p.history, epochs=p.epochs, steps=self.steps)
        self.chart.plotly_chart(fig, key=f"train_live_{self._draws}")


def remember(result: TrainResult) -> None:
    """Keep the run in session_state: exploring it never retrains (the explorer then resets its
    epoch scrubber and cell pick when it sees ``train_fresh``)."""
    st.session_state["train_result"] = result
    st.session_state["train_fresh"] = True


def current_result() -> TrainResult | None:
    """The run this session is exploring."""
    return st.session_state.get("train_result")


PENDING = "pending"


@st.cache_resource
def _handover() -> dict[str, object]:
    """Session token -> PENDING while it trains, then its TrainResult until the session takes it.

    A plain dict on purpose: a script thread that Streamlit has asked to stop (a click during
    training) raises on every ``st.*`` call, session_state included, but can still write here.
    """
    return {}


def _session_token() -> str:
    """A random id for this browser session (kept in session_state)."""
    if "train_token" not in st.session_state:
        st.session_state["train_token"] = uuid.uuid4().hex
    return st.session_state["train_token"]


def collect_handover() -> None:
    """Take over a result this session's (possibly stopped) training left behind.

    When the click that stopped it started this run, wait for that run to finish first.
    """
    token, box = _session_token(), _handover()
    if box.get(token) == PENDING:
        slot = training_slot()
        if slot.acquire(timeout=WAIT_FOR_STOP_S):
            slot.release()
    result = box.get(token)
    if isinstance(result, TrainResult):
        box.pop(token, None)
        remember(result)


def run_training(cfg: TrainConfig, data: Dataset) -> TrainResult | None:
    """Train (or fetch from the store) inside ``st.status``; None when the server is busy.

    A click during training (Stop, or any widget) stops it at its next progress report; the
    partial result is handed over to the run that click started, then the click proceeds.
    """
    hit = get_store().find(cfg, data)
    if hit is not None:
        remember(hit)
        st.toast("This exact run was in the cache: shown at once.", icon=":material/bolt:")
        return hit
    slot: threading.BoundedSemaphore = training_slot()
    if not slot.acquire(blocking=False):
        st.warning(
            "Another training is running on this server right now (one at a time keeps a small "
            "host responsive). Try again in a little while; runs already in the cache still "
            "open at once.",
            icon=":material/hourglass_top:",
        )
        return None
    token, box = _session_token(), _handover()
    box[token] = PENDING
    live = LiveProgress(None, None, f"{cfg.model_name()} on {data.info.label}")
    try:
        with st.status(f"Training {live.label}…", expanded=True) as status:
            st.button("Stop", key="train_stop", icon=":material/stop_circle:",
                      help="Stops after the current batch and keeps what was learned.")  # fmt: skip
            live.bar, live.chart = st.progress(0.0, text="Starting…"), st.empty()
            try:
                result = train_cached(cfg, data, get_store(), callbacks=[live])
            except ValueError as err:  # e.g. a model that does not fit these images
                status.update(label="This model cannot train here", state="error")
                st.error(f"{err} Change the model or the dataset and press Train again.")
                return None
            box[token] = result  # no st.* call: works even when this run was told to stop
            unsaved = get_store().last_error if result.status != "stopped" else None
            if live.interrupted is None:
                state = "error" if result.status == "diverged" else "complete"
                status.update(label=result.message, state=state, expanded=False)
                st.session_state["train_status_shown"] = True
    finally:
        if box.get(token) == PENDING:
            box.pop(token, None)  # failed before a result: nothing to hand over
        slot.release()
    if live.interrupted is not None:
        raise live.interrupted
    if unsaved:
        show_cache_problem(unsaved)
    collect_handover()
    return result


def show_cache_problem(error: str) -> None:
    """Say that the run cache cannot be written (the run itself is fine, it just won't be kept)."""
    st.warning(
        f"{escape_markdown(error)}\n\nThis run stays in this browser tab only: it will not "
        "open at once next time, nor appear under *Compare runs* or on the Loss landscape page. "
        "Point `DLVIZ_CACHE_DIR` at a writable folder to keep runs.",
        icon=":material/save:",
    )


def show_run_message(result: TrainResult) -> None:
    """How the run ended, in one coloured sentence (unless the training status just said it)."""
    if st.session_state.pop("train_status_shown", False):
        return
    if result.status == "diverged":
        st.error(result.message, icon=":material/warning:")
    elif result.status in ("stopped", "early-stopped"):
        st.info(result.message, icon=":material/stop_circle:")
    elif result.cached:
        st.success(f"From the cache: {result.message}", icon=":material/bolt:")
    else:
        st.success(result.message, icon=":material/check_circle:")


def train_or_recall(cfg: TrainConfig | None, model: str, data: Dataset) -> TrainResult | None:
    """Train when the form was submitted; otherwise the session's run, or the stored run of the
    form's defaults (a preset's default run opens at once when it was trained before)."""
    collect_handover()
    if cfg is not None:
        run_training(cfg, data)
    elif current_result() is None and model not in CUSTOM:
        hit = get_store().find(form_defaults(model, data), data)
        if hit is not None:
            remember(hit)
    return current_result()
