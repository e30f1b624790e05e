"""The Compare runs tab: every stored run as a table, and the curves of the picked runs overlaid.

Runs come from the run store (``dlviz.ui.resources.get_store``); each run's history is read once
(``st.cache_data``). Labels name only the settings in which the picked runs differ
(``dlviz.training.results``); the figure is ``dlviz.plots.training.curves.runs_overlay_figure``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from dlviz.data import Dataset
from dlviz.display import count, fixed, number, percent
from dlviz.plots.training.curves import runs_overlay_figure
from dlviz.training import RunSummary, TrainResult
from dlviz.training.results import differing_fields, run_label
from dlviz.ui.common import chart
from dlviz.ui.links import BIND
from dlviz.ui.resources import get_store
from dlviz.ui.training.run import show_cache_problem

NO_BAR = {"displayModeBar": False}


@st.cache_data(max_entries=64, show_spinner=False)
def stored_history(key: str, created: float) -> list | None:
    """A stored run's history (small), read once per run."""
    result = get_store().load(key)
    return None if result is None else list(result.history)


def runs_frame(summaries: Sequence[RunSummary]) -> pd.DataFrame:
    """The stored runs as a table of display strings (dlviz.display), newest first."""
    now = time.time()
    rows = []
    for s in summaries:
        c = s.config
        rows.append({
            "finished": _ago(now - s.created), "dataset": c.dataset, "model": c.model_name(),
            "optimizer": c.optimizer, "lr": number(c.lr), "batch": count(c.batch_size),
            "epochs": f"{s.epochs_done}/{c.epochs}",
            "images": count(c.train_subset) if c.train_subset else "all",
            "seed": str(c.seed), "status": s.status, "test accuracy": percent(s.test_acc, 2),
            "seconds": fixed(s.train_seconds, 1),
        })  # fmt: skip
    return pd.DataFrame(rows)


def _ago(seconds: float) -> str:
    if seconds < 90:
        return "just now"
    if seconds < 5400:
        return f"{count(seconds / 60)} min ago"
    if seconds < 129600:
        return f"{count(seconds / 3600)} h ago"
    return f"{count(seconds / 86400)} days ago"


def show_compare(result: TrainResult, data: Dataset) -> None:
    """Every cached run as a table; pick several to overlay their curves."""
    summaries = get_store().runs()
    if not summaries:
        unsaved = get_store().last_error or st.session_state.get("train_unsaved")
        if unsaved:  # the store could not be written (by this process, or by the job's worker)
            show_cache_problem(unsaved)
        else:
            st.info("No run is stored yet. Train one, change one setting, train again, compare.")
        return
    st.dataframe(
        runs_frame(summaries), hide_index=True, key="train_runs_table",
    )  # fmt: skip
    by_key = {s.key: s for s in summaries}
    same = [s.key for s in summaries if s.config.dataset == result.config.dataset]
    picked = st.multiselect(
        "Runs to overlay", list(by_key), default=same[:3], max_selections=8,
        format_func=lambda k: f"{by_key[k].config.model_name()} · {by_key[k].config.optimizer} "
        f"lr {number(by_key[k].config.lr)} · seed {by_key[k].config.seed} · "
        f"{percent(by_key[k].test_acc)}",
        key="train_compare", bind=BIND,
    )  # fmt: skip
    if not picked:
        return
    configs = [by_key[k].config for k in picked]
    names = [n for n in differing_fields(configs) if n != "dataset"] or ["model"]
    histories = {}
    for key in picked:
        history = stored_history(key, by_key[key].created)
        if history:
            label = run_label(by_key[key].config, names)
            histories[label if label not in histories else f"{label} ({key[:6]})"] = history
    chart(
        runs_overlay_figure(histories, title="Validation (solid) and training (dotted) curves"),
        key="train_overlay", config=NO_BAR,
    )  # fmt: skip
    st.caption(
        "Runs with the same seed start from the same initial weights and see the batches in the "
        "same order, so when only one setting differs, the gap between curves is that setting's "
        "effect."
    )
