"""Overfitting, live: the dataset and a deliberately large model, the remedies as switches, the runs
through the job queue, and what the learner reads off them (the gap, every run compared, a table).

Widgets become a ``dlviz.generalization.Setup`` and ``Remedies``; **Train these runs** turns them
into named configs (``remedy_runs``) and hands them to ``dlviz.ui.generalization.series``.
Figures are built in cached views keyed by the (hashable) runs.
"""

from __future__ import annotations

import streamlit as st

from dlviz.data import Dataset
from dlviz.display import count, fixed, number, percent
from dlviz.generalization import (
    AUGMENT_CHOICES,
    MAX_TRAIN_IMAGES,
    WIDTHS,
    Remedies,
    RunCurves,
    Setup,
    gap_at,
    kept_epoch,
    remedy_runs,
)
from dlviz.jobs import JobView
from dlviz.ui.common import chart
from dlviz.ui.generalization import series, views
from dlviz.ui.links import BIND

SECTION = "remedies"
SIZE_STEPS = (20, 50, 100, 200, 500, 1000, 2000, 4000, 8000)
DROPOUTS = (0.1, 0.2, 0.3, 0.5, 0.7)
DECAYS = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
AUGMENT_WORDS = {
    "shift": "random shifts",
    "shift-rotate": "shifts and small rotations",
    "shift-rotate-flip": "shifts, rotations and left-right flips",
}


LRS = (1e-4, 3e-4, 1e-3, 2e-3, 5e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0)


def sizes(dataset: str) -> list[int]:
    """Training-set sizes offered for a dataset (up to what it has once validation is held out)."""
    top = MAX_TRAIN_IMAGES[dataset]
    return [s for s in SIZE_STEPS if s < top] + [top]


def setup_controls(data: Dataset) -> Setup:
    """Training-set size, width and epochs (a deliberately large model by default)."""
    name = data.info.name
    options = sizes(name)
    if st.session_state.get("gen_images") not in options:  # another dataset: start again
        st.session_state.pop("gen_images", None)
    c1, c2, c3, c4 = st.columns(4)
    first = 50 if 50 in options else options[0]  # the default a link leaves out
    images = c1.select_slider("Training images", options, first, key="gen_images", bind=BIND,
                              format_func=count,
                              help="Drawn from the training split; the validation images "
                              "are held out first and stay the same for every size.")  # fmt: skip
    width = c2.select_slider("Hidden units per layer (2 layers)", WIDTHS, 512, key="gen_width", bind=BIND,
                             help="512 units on 64 or 784 inputs: hundreds of thousands of "
                             "weights for a few hundred images.")  # fmt: skip
    epochs = c3.slider("Epochs", 5, 20, 20, key="gen_epochs", bind=BIND)
    lr = c4.select_slider("Learning rate (AdamW)", LRS, 2e-3, key="gen_lr", bind=BIND,
                          format_func=number,
                          help="0.002 learns; from about 0.1 the loss blows up and the run "
                          "stops as diverged, keeping the epochs it finished.")  # fmt: skip
    return Setup(name, int(images), int(width), int(epochs), float(lr))


def remedy_controls(data: Dataset, setup: Setup) -> Remedies:
    """Each remedy a switch with its one setting; every switched-on remedy gets its own run."""
    st.markdown("**Remedies**: each one switched on trains its own run from the same initial "
                "weights; with two or more, one more run combines them.")  # fmt: skip
    cols = st.columns(5)
    dropout = _switch(cols[0], "Dropout", "gen_dropout_on", lambda: cols[0].select_slider(
        "rate", DROPOUTS, 0.5, key="gen_dropout", bind=BIND, format_func=percent))  # fmt: skip
    decay = _switch(cols[1], "Weight decay", "gen_wd_on", lambda: cols[1].select_slider(
        "λ (AdamW)", DECAYS, 1.0, key="gen_wd", bind=BIND))  # fmt: skip
    patience = _switch(cols[2], "Early stopping", "gen_es_on", lambda: cols[2].slider(
        "patience (epochs)", 1, 6, 3, key="gen_patience", bind=BIND))  # fmt: skip
    choices = AUGMENT_CHOICES[data.info.name]
    augment = _switch(cols[3], "Augmentation", "gen_aug_on", lambda: cols[3].selectbox(
        "changes", choices, 1, key="gen_aug", bind=BIND, format_func=AUGMENT_WORDS.get))  # fmt: skip
    bigger = [s for s in sizes(data.info.name) if s > setup.train_images]
    more = None
    if bigger:
        default = next((s for s in bigger if s >= 4 * setup.train_images), bigger[-1])
        if st.session_state.get("gen_more") not in bigger:
            st.session_state["gen_more"] = default
        more = _switch(cols[4], "More data", "gen_more_on", lambda: cols[4].select_slider(
            "training images", bigger, key="gen_more", bind=BIND, format_func=count))  # fmt: skip
    else:
        cols[4].caption("More data: this is already every training image.")
    return Remedies(dropout, decay, patience, augment, more)


def _switch(col, label: str, key: str, setting):
    """A toggle; when on, the remedy's setting widget and its value, else None."""
    if col.toggle(label, key=key, bind=BIND):
        return setting()
    return None


def overfitting_section(data: Dataset) -> None:
    """The whole overfitting experiment: controls, Train, live progress, results."""
    series.take_finished(SECTION)
    setup = setup_controls(data)
    remedies = remedy_controls(data, setup)
    if remedies.augment is not None:
        chart(views.augmented_strip(data.info.name, remedies.augment), key="gen_strip")
        st.caption(
            "Each row: a training image, then six random draws of the augmentation, as "
            "the training batches see them (a new draw every time the image is used)."
        )
    runs = remedy_runs(setup, remedies)
    words = f"Train these {len(runs)} runs" if len(runs) > 1 else "Train the model"
    if st.button(words, key="gen_train", type="primary", icon=":material/play_arrow:"):
        series.start_series(SECTION, runs)
    active = series.show_job(SECTION, live=_live)
    held = series.result(SECTION)
    if held is None:
        if not active:
            st.info("Press **Train** to watch the model memorise its training images. On Digits "
                    "each run takes a second or two.")  # fmt: skip
        return
    asked, done = held
    if tuple(asked) != tuple(runs):
        st.caption("These results are for the settings of your last **Train**; press it again "
                   "to run the current ones.")  # fmt: skip
    show_results(done, setup.epochs)


def _live(job: JobView) -> None:
    """The curves so far, while the series trains."""
    chart(views.comparison(tuple(job.history)), key="gen_live")


def show_results(runs: tuple[RunCurves, ...], epochs: int) -> None:
    """The focused run's gap, every run's validation curves, and the summary table."""
    names = [r.name for r in runs]
    if st.session_state.get("gen_focus") not in names:
        st.session_state["gen_focus"] = names[0]
    focus = st.selectbox("Look closely at", names, key="gen_focus", bind=BIND)
    run = runs[names.index(focus)]
    for r in runs:
        if r.status == "diverged" or r.status == "stopped":
            st.warning(f"{r.name}: {r.message}", icon=":material/warning:")
    if run.history:
        chart(views.gap(run, epochs), key="gen_gap")
        st.caption(gap_words(run))
    else:
        st.info(f"{run.name} did not finish an epoch, so it has no curves to draw; "
                "the table below keeps its row.", icon=":material/show_chart:")  # fmt: skip
    if len(runs) > 1:
        chart(views.comparison(runs), key="gen_compare")
    st.dataframe(summary_rows(runs), hide_index=True, width="stretch")


def gap_words(run: RunCurves) -> str:
    """One sentence about the run's gap at the epoch whose weights it keeps."""
    gap = gap_at(run.history, kept_epoch(run))
    if gap is None:
        return "No finished epoch yet."
    return (
        f"After epoch {gap.epoch}: {percent(gap.train_acc)} right on the training images, "
        f"{percent(gap.val_acc)} on the validation images it never trained on, a generalization "
        f"gap of {percent(gap.accuracy_gap)}."
    )


def summary_rows(runs: tuple[RunCurves, ...]) -> list[dict[str, str]]:
    """One table row per run, every number written by ``dlviz.display``."""
    rows = []
    for run in runs:
        gap = gap_at(run.history, kept_epoch(run))
        last = run.history[-1] if run.history else None
        rows.append({
            "run": run.name,
            "training accuracy": percent(gap.train_acc) if gap else "–",
            "validation accuracy": percent(gap.val_acc) if gap else "–",
            "gap": percent(gap.accuracy_gap) if gap else "–",
            "test accuracy": percent(run.history[kept_epoch(run) - 1].test_acc) if last else "–",
            "epochs": count(len(run.history)),
            "weights from epoch": count(kept_epoch(run) or 0),
            "time": "from the cache" if run.cached else f"{fixed(run.seconds, 1)} s",
        })  # fmt: skip
    return rows
