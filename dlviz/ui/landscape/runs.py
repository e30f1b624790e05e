"""Which trained run the Loss-landscape page looks at: the stored runs, a picker, quick runs.

The run store is ``dlviz.ui.resources.get_store`` (the Training page fills it too); a quick
Digits run (``dlviz.landscape.quick_config``) is trained through ``dlviz.training.train_cached``
while holding the server's one training slot, with a progress bar. It computes no landscape:
that is ``dlviz.ui.landscape.views``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from dlviz.display import count, escape_markdown, number, percent
from dlviz.landscape import QUICK_MODELS, quick_config
from dlviz.ui.resources import get_dataset, get_store, training_slot

if TYPE_CHECKING:
    from dlviz.training import RunSummary

BUSY = "Another training or landscape is running on this server; try again shortly."


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


def stored_runs_or_quick_run() -> list[RunSummary]:
    """The stored runs; when there are none, a quick Digits MLP is trained first ([] if it can't)."""
    runs = stored_runs()
    if runs:
        return runs
    note = st.empty()
    note.info(
        "The training cache is empty, so this page first trains a small MLP on the built-in "
        "Digits dataset (a few seconds)."
    )
    if train_quick_run("seed-mlp") is None:
        return []
    note.caption(
        "The training cache was empty, so a quick Digits MLP was trained for you. Models you train "
        "on the **Train a model** page appear in this list too."
    )
    runs = stored_runs()
    if not runs:
        st.error("The run could not be stored in the training cache (see the warning above).")
    return runs


def train_quick_run(model: str = "seed-mlp") -> str | None:
    """Train (or load) a quick Digits run into the store; returns its key, None when busy."""
    from dlviz.training import train_cached

    slot = training_slot()
    if not slot.acquire(blocking=False):
        st.warning(BUSY)
        return None
    try:
        cfg = quick_config(model)
        bar = st.progress(0.0, text=f"Training a quick {model} on Digits…")

        def report(p) -> None:
            bar.progress(
                min(1.0, p.fraction), text=f"Training {model} on Digits: epoch {p.epoch}/{p.epochs}"
            )

        result = train_cached(cfg, get_dataset("digits"), get_store(), callbacks=[report])
        bar.empty()
    finally:
        slot.release()
    if get_store().last_error:
        st.warning(escape_markdown(get_store().last_error), icon=":material/save:")
    return result.config.key()


def run_picker(runs: list[RunSummary]) -> str:
    """A selectbox over the stored runs (key ``land_run``); returns the chosen run key."""
    keys = [r.key for r in runs]
    labels = {r.key: stored_run_label(r) for r in runs}
    new = st.session_state.pop("land_new_run", None)  # set by the quick-train button
    if new in keys:
        st.session_state["land_run"] = new
    if st.session_state.get("land_run") not in keys:
        st.session_state["land_run"] = keys[0]
    return st.selectbox("Trained run", keys, key="land_run", format_func=labels.get)


def run_controls(runs: list[RunSummary]) -> str:
    """The run picker beside a quick Digits run to train (which then becomes the pick)."""
    pick, quick = st.columns([3, 1], vertical_alignment="bottom")
    with pick:
        run_key = run_picker(runs)
    with quick:
        model = st.selectbox("Quick Digits run", tuple(QUICK_MODELS), key="land_quick_model")
        if st.button("Train it", key="land_train", width="stretch"):
            new_key = train_quick_run(model)
            if new_key:
                st.session_state["land_new_run"] = new_key
                st.rerun()
    return run_key
