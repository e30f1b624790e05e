"""The capacity x data sweep: a 4 x 4 grid of runs (width x training images) through the job
queue, every cell a cached run, drawn as heatmaps of the gap and the validation accuracy."""

from __future__ import annotations

import streamlit as st

from dlviz.data import Dataset
from dlviz.display import count, percent
from dlviz.generalization import RunCurves, SweepSetup, gap_at, sweep_runs
from dlviz.jobs import JobView
from dlviz.ui.common import chart
from dlviz.ui.generalization import series, views

SECTION = "sweep"
SWEEP_SIZES = {"digits": (50, 150, 400, 1150), "fashion-mnist": (100, 300, 1000, 3000)}


def sweep_setup(data: Dataset) -> SweepSetup:
    """The grid for this dataset: widths 16, 64, 256, 1024 by four training-set sizes."""
    return SweepSetup(data.info.name, sizes=SWEEP_SIZES[data.info.name])


def sweep_section(data: Dataset) -> None:
    """Explain, run on a button, show the live grid and the finished heatmaps."""
    series.take_finished(SECTION)
    setup = sweep_setup(data)
    runs = sweep_runs(setup)
    st.markdown(
        f"{count(len(runs))} runs: two hidden layers of "
        f"{', '.join(str(w) for w in setup.widths)} units, each on "
        f"{', '.join(count(n) for n in setup.sizes)} training images, {setup.epochs} epochs. "
        "Runs already in the cache are not trained again."
    )
    if st.button("Run the sweep", key="gen_sweep_go", icon=":material/grid_on:"):
        series.start_series(SECTION, runs)
    series.show_job(SECTION, live=lambda job: _live(setup, job))
    held = series.result(SECTION)
    if held is None:
        return
    asked, done = held
    if tuple(asked) != tuple(runs):
        st.caption("This grid is for the dataset of your last **Run the sweep**.")
        setup = SweepSetup(asked[0][1].dataset, sizes=SWEEP_SIZES[asked[0][1].dataset])
    chart(views.sweep_heatmaps(setup, tuple(done)), key="gen_sweep")
    st.caption(sweep_words(done))


def _live(setup: SweepSetup, job: JobView) -> None:
    finished = tuple(r for r in job.history if r.status != "running")
    chart(views.sweep_heatmaps(setup, finished), key="gen_sweep_live")


def sweep_words(runs: tuple[RunCurves, ...]) -> str:
    """Where the gap is largest and smallest, in one sentence."""
    gaps = [(gap_at(r.history), r) for r in runs]
    gaps = [(g, r) for g, r in gaps if g is not None]
    if not gaps:
        return "No cell has finished."
    big = max(gaps, key=lambda gr: gr[0].accuracy_gap)
    small = min(gaps, key=lambda gr: gr[0].accuracy_gap)
    return (
        f"Largest gap: {big[1].name} ({percent(big[0].accuracy_gap, 0)}); smallest: {small[1].name} "
        f"({percent(small[0].accuracy_gap, 0)}). Read a row left to right: the same model, more data."
    )
