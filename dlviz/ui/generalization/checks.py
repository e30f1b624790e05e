"""The sanity checks: overfit one batch (with planted bugs), random labels against true labels,
and the learning-rate range test. Each runs on its button through the job queue."""

from __future__ import annotations

import math

import streamlit as st

from dlviz.data import Dataset
from dlviz.display import escape_markdown, fixed, number, percent
from dlviz.generalization import RunCurves, Setup, gap_at, random_label_runs
from dlviz.generalization.sanity import BUGS, OneBatch, OneBatchResult, RangeTest
from dlviz.jobs import JobView
from dlviz.ui.common import chart
from dlviz.ui.generalization import series, views
from dlviz.ui.links import BIND
from dlviz.ui.training.data import DATASET_LABELS
from dlviz.ui.training.form import LR_STEPS

POINTS_TO = {
    "none": "Nothing wrong: this is what a model and a loop that can learn look like.",
    "shuffled-labels": "Loss stuck near ln(classes): the inputs carry no information about the "
    "targets. Look at the data pipeline (two separate shuffles, a wrong join, a label column off "
    "by one).",
    "unnormalised": "A first loss far above ln(classes), then a sudden drop: the input scale is "
    "wrong. Adam still memorises one batch, so check the first loss, not only the last.",
    "lr-100x": "A quick drop that stalls well above 0, or jumps, or NaN: the steps are too large. "
    "Lower the learning rate (a range test finds a good one).",
    "no-zero-grad": "Progress, then jumps: gradients pile up step after step, so each step is "
    "the sum of all earlier ones. Call optimizer.zero_grad() before backward().",
}
RANDOM_SIZES = (100, 200, 400)


def one_batch_section(data: Dataset) -> None:
    """The button, the job, the curves and a table of symptoms."""
    series.take_finished("batch")
    probe = OneBatch(data.info.name)
    if st.button("Overfit one batch (5 loops)", key="gen_batch_go", icon=":material/bug_report:"):
        series.start_probe("batch", probe)
    series.show_job("batch")
    held = series.result("batch")
    if held is None:
        return
    result: OneBatchResult = held[1]
    chart(views.one_batch(result), key="gen_batch")
    st.dataframe(symptom_rows(result), hide_index=True, width="stretch")
    st.markdown(symptom_words(result))


def symptom_rows(result: OneBatchResult) -> list[dict[str, str]]:
    """Per loop: first and last loss, batch accuracy, what the curve shows, what it points to."""
    return [
        {
            "loop": BUGS[c.bug],
            "first loss": fixed(c.losses[0], 3),
            "last loss": fixed(c.losses[-1], 4),
            "batch accuracy": percent(c.accuracies[-1], 0),
        }
        for c in result.curves
    ]


def symptom_words(result: OneBatchResult) -> str:
    """Per loop: what its curve shows (read off the numbers) and what that points to."""
    return "\n".join(
        f"- **{BUGS[c.bug]}.** {escape_markdown(c.diagnosis)} *Points to:* "
        f"{escape_markdown(POINTS_TO[c.bug])}"
        for c in result.curves
    )


def random_labels_section(data: Dataset) -> None:
    """True vs randomly permuted labels on the same large network."""
    series.take_finished("random-labels")
    size = st.select_slider(
        "Training images", RANDOM_SIZES, 200, key="gen_random_images", bind=BIND
    )
    runs = random_label_runs(Setup(data.info.name, int(size), 512, 20, 2e-3, 16))
    if st.button("Train on true and on random labels", key="gen_random_go",
                 icon=":material/shuffle:"):  # fmt: skip
        series.start_series("random-labels", runs)
    series.show_job("random-labels", live=_live_random)
    held = series.result("random-labels")
    if held is None:
        return
    done: tuple[RunCurves, ...] = held[1]
    chart(views.random_labels(done), key="gen_random")
    st.caption(random_words(done))


def _live_random(job: JobView) -> None:
    chart(views.random_labels(tuple(job.history)), key="gen_random_live")


def random_words(runs: tuple[RunCurves, ...]) -> str:
    """Training and validation accuracy of each run, in one sentence."""
    parts = []
    for run in runs:
        gap = gap_at(run.history)
        if gap is not None:
            parts.append(f"{run.name}: {percent(gap.train_acc)} on the training images, "
                         f"{percent(gap.val_acc)} on the validation images")  # fmt: skip
    return "; ".join(parts) + "." if parts else "No finished epoch yet."


def range_test_section(data: Dataset) -> None:
    """Smith's range test on the button; the curve and the suggested range."""
    series.take_finished("range")
    probe = RangeTest(data.info.name)
    if st.button("Run the range test", key="gen_range_go", icon=":material/speed:"):
        series.start_probe("range", probe)
    series.show_job("range")
    held = series.result("range")
    if held is None:
        return
    curve = held[1]
    chart(views.range_test(curve), key="gen_range")
    lo, hi = curve.suggested
    st.markdown(
        f"Steepest descent at learning rate **{number(curve.steepest, 2)}**, lowest loss at "
        f"**{number(curve.minimum, 2)}**. A good range to try: **{number(lo, 2)}** to "
        f"**{number(hi, 2)}** (from the steepest point up to a tenth of the minimum)."
    )
    rate = min(LR_STEPS, key=lambda step: abs(math.log(step) - math.log(lo)))
    st.page_link(
        "pages/8_training.py",
        label=f"Train a model with learning rate {number(rate)} (the form opens with it)",
        icon=":material/model_training:",
        query_params={"train_dataset": DATASET_LABELS[data.info.name], "train_lr": number(rate)},
    )
