"""The Loss-landscape page's settings form, its landscape (recalled, or computed on request) and
figures, and the summary.

Finished landscapes come from one ``dlviz.landscape.LandscapeCache`` per server process
(``st.cache_resource``): a small in-memory LRU, then the disk next to the run store
(``<cache dir>/landscapes``); so a landscape is computed once per run and setting, across reruns,
sessions and restarts. One that neither holds is computed only when the learner presses
**Compute landscape**: a ``dlviz.jobs.LandscapeJob`` in the server's job queue
(``dlviz.ui.jobs``), shown by a polling fragment (place in line, then progress) until it lands in
the cache. The figures are built by cached view functions (read-only figures), so moving the log
toggle does not rebuild the line. The maths is ``dlviz.landscape``, the figures
``dlviz.plots.landscape``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import plotly.graph_objects as go
import streamlit as st

from dlviz.data import DatasetUnavailable, dataset_info
from dlviz.display import count, duration, escape_markdown, fixed, percent
from dlviz.jobs import LandscapeJob
from dlviz.landscape import (
    MAX_RESOLUTION,
    MIN_RESOLUTION,
    Landscape,
    LandscapeCache,
    LandscapeConfig,
    LandscapeStore,
)
from dlviz.plots.landscape import (
    landscape_contour_figure,
    landscape_line_figure,
    landscape_surface_figure,
)
from dlviz.settings import get_settings
from dlviz.ui import jobs
from dlviz.ui.common import chart
from dlviz.ui.links import BIND
from dlviz.ui.resources import get_dataset

if TYPE_CHECKING:
    from dlviz.training import RunSummary

SPANS = (0.1, 0.25, 0.5, 1.0, 2.0, 4.0)
MAX_IMAGES = 2000  # the slider's top: more images make every grid point slower
JOB = "land_job"  # session key: (job id, run key, LandscapeConfig) of this learner's landscape


def dataset_label(run_key: str, runs: list[RunSummary]) -> str:
    """The label of the run's dataset ('Digits (8x8)'), for captions."""
    summary = next((r for r in runs if r.key == run_key), None)
    return dataset_info(summary.config.dataset).label if summary else "this dataset"


def test_images_of(run_key: str, runs: list[RunSummary]) -> int:
    """How many test images the run's dataset has (the slider's top); the page's cap if unknown."""
    summary = next((r for r in runs if r.key == run_key), None)
    if summary is None:
        return MAX_IMAGES
    try:
        return len(get_dataset(summary.config.dataset).test_y)
    except DatasetUnavailable:  # landscape_for says so when it needs the images
        return MAX_IMAGES


def landscape_controls(max_images: int) -> tuple[LandscapeConfig, bool, bool]:
    """The settings form (applied on submit) -> (LandscapeConfig, log-scale flag, compute?).

    ``max_images`` is how many test images the run's dataset has: the slider stops there.
    """
    top = max(10, min(MAX_IMAGES, max_images))
    if st.session_state.get("land_images", 0) > top:  # another run with fewer test images
        st.session_state["land_images"] = top
    with st.form("land_form", border=True):
        c1, c2, c3, c4 = st.columns(4)
        resolution = c1.slider(
            "Grid resolution (points per side)",
            MIN_RESOLUTION,
            MAX_RESOLUTION,
            21,
            step=2,
            key="land_resolution",
            bind=BIND,
            help="The plane is evaluated on resolution² weight settings.",
        )
        images = c2.slider(
            "Test images",
            10,
            top,
            min(1000, top),
            step=10,
            key="land_images",
            bind=BIND,
            help="Every grid point is a forward pass of the model over these images"
            + (f" (all {count(top)} this dataset has)." if top < MAX_IMAGES else "."),
        )
        span = c3.select_slider(
            "Plane half-width",
            SPANS,
            value=1.0,
            key="land_span",
            bind=BIND,
            help="a and b run from -width to +width; 1 = one filter-normalized direction length.",
        )
        seed = c4.number_input(
            "Direction seed",
            0,
            999,
            0,
            key="land_seed",
            bind=BIND,
            help="Which two random directions span the plane.",
        )
        compute = st.form_submit_button("Compute landscape", type="primary", key="land_compute")
    log = st.toggle(
        "Height as log10(loss)",
        key="land_log",
        bind=BIND,
        help="Opens up the valley around the minimum when the edges are very high.",
    )
    cfg = LandscapeConfig(resolution=resolution, span=span, test_images=images, seed=int(seed))
    return cfg, log, compute


@st.cache_resource
def landscape_cache() -> LandscapeCache:
    """This server's landscapes: a few in memory, all of them on disk under the cache dir."""
    return LandscapeCache(LandscapeStore(get_settings().cache_dir / "landscapes"))


def landscape_for(
    run_key: str, cfg: LandscapeConfig, runs: list[RunSummary], compute: bool = False
) -> Landscape | None:
    """The landscape of a stored run when it is cached; with ``compute`` (the button), queue it.

    Otherwise None, after saying what is going on: why it cannot be computed, the job's place or
    progress, or that the button computes it.
    """
    land = landscape_cache().get(run_key, cfg)
    if land is not None:
        return land
    problem = data_problem(run_key, runs)
    if problem:
        st.error(problem)
        return None
    spec = LandscapeJob(run_key, cfg, get_settings())
    land = jobs.finished(spec)
    if land is None and compute:
        held = st.session_state.get(JOB)
        job = jobs.submit(spec, replaces=held and held[0])
        if job is not None:
            st.session_state[JOB] = (job.id, run_key, cfg)
    land = _take_finished(run_key, cfg) or land
    if land is not None:
        landscape_cache().keep(run_key, cfg, land)  # a finished job's, or another learner's
        return land
    held = st.session_state.get(JOB)
    if held is not None and held[1:] == (run_key, cfg):
        st.fragment(_job_panel, run_every=jobs.poll_every(jobs.view(held[0])))()
    else:
        st.info(
            f"Press **Compute landscape** to evaluate the loss at {count(cfg.points)} weight "
            f"settings of this run (about {duration(spec.estimate_seconds())} when the server "
            "is free).",
            icon=":material/landscape:",
        )
    return None


def data_problem(run_key: str, runs: list[RunSummary]) -> str | None:
    """Why the run's test images cannot be had (its dataset is missing), or None."""
    summary = next((r for r in runs if r.key == run_key), None)
    if summary is None:
        return None
    try:
        get_dataset(summary.config.dataset)
    except DatasetUnavailable as err:
        return f"The test images of this run are not available: {err}"
    return None


def _take_finished(run_key: str, cfg: LandscapeConfig) -> Landscape | None:
    """The landscape of this learner's job once it has ended (or None, after saying why)."""
    taken = jobs.take_ended(JOB)
    if taken is None or taken[1] is None:
        return None
    held, job = taken
    if job.status != "done":
        jobs.show_failure(job)
        return None
    if job.note:
        st.warning(f"{escape_markdown(job.note)} It stays in memory.", icon=":material/save:")
    landscape_cache().keep(held[1], held[2], job.value)
    return job.value if held[1:] == (run_key, cfg) else None


def _job_panel() -> None:
    """The fragment: the landscape job's place in line, or its progress; the page when it ends."""
    held = st.session_state.get(JOB)
    job = jobs.view(held[0]) if held else None
    if job is None or not job.active:
        st.rerun()  # it ended: the whole page draws the landscape
    if job.status == "queued":
        with jobs.job_panel(f"Waiting to compute the {job.label}…"):
            jobs.show_waiting(job, "land_cancel", (JOB,))
        return
    text = f"Evaluating the loss: {job.text}" if job.text else "Starting a worker…"
    st.progress(job.fraction, text=text)
    jobs.cancel_button(job, "land_cancel", (JOB,))


def show_summary(land: Landscape, dataset: str, available: int) -> None:
    """The landscape's four numbers, a caption saying what was evaluated, and any gaps."""
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Test loss, trained weights", fixed(land.trained_loss, 4))
    m2.metric("Test accuracy, trained weights", percent(land.trained_acc))
    m3.metric("Loss at the initial weights", fixed(land.initial_loss, 3))
    m4.metric("Lowest loss on the plane", fixed(land.lowest_loss, 4))
    cfg = land.config
    st.caption(
        f"{cfg.resolution}×{cfg.resolution} plane and {cfg.line_points}-point line on "
        f"{images_words(land.images, cfg.test_images, available, dataset)}, directions seed "
        f"{cfg.seed}; computed in {fixed(land.seconds, 1)} s (cached since)."
    )
    if land.nonfinite:
        st.warning(
            f"{count(land.nonfinite)} weight settings gave an infinite or undefined loss; they "
            "are gaps in the charts. A smaller plane half-width stays where the loss is finite."
        )


def images_words(used: int, asked: int, available: int, dataset: str) -> str:
    """'100 test images', or 'all 360 test images (Digits has no more)' when it used them all."""
    if used >= available and asked > used:
        return f"all {count(used)} test images ({dataset} has no more)"
    if used >= available:
        return f"all {count(used)} test images"
    return f"{count(used)} test images"


# --- cached figures (read-only: never mutate what these return) ------------------------------
# Keyed by run key + settings (+ log); the landscape itself (``_land``) is not hashed: it is the
# one LandscapeCache holds for that key, and the same settings of the same run give the same one.


@st.cache_resource(max_entries=16, show_spinner=False)
def line_view(run_key: str, cfg: LandscapeConfig, _land: Landscape) -> go.Figure:
    """The 1-D line from the initial to the trained weights."""
    return landscape_line_figure(_land)


@st.cache_resource(max_entries=32, show_spinner=False)
def plane_view(
    run_key: str, cfg: LandscapeConfig, log: bool, _land: Landscape
) -> tuple[go.Figure, go.Figure]:
    """The plane as a contour and as a 3-D surface, of the loss or of log10(loss)."""
    return landscape_contour_figure(_land, log=log), landscape_surface_figure(_land, log=log)


def show_charts(run_key: str, land: Landscape, log: bool) -> None:
    """The line across the page, then the contour and the surface side by side."""
    chart(line_view(run_key, land.config, land), width="stretch", key="land_line")
    contour, surface = plane_view(run_key, land.config, log, land)
    left, right = st.columns(2)
    chart(contour, where=left, width="stretch", key="land_contour")
    chart(surface, where=right, width="stretch", key="land_surface")
