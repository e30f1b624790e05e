"""The Loss-landscape page's settings form, its cached landscape and figures, and the summary.

Finished landscapes come from one ``dlviz.landscape.LandscapeCache`` per server process
(``st.cache_resource``): a small in-memory LRU, then the disk next to the run store
(``<cache dir>/landscapes``), else computed here with a progress bar; so a landscape is computed
once per run and setting, across reruns, sessions and restarts. The figures are built by cached
view functions (read-only figures), so moving the log toggle does not rebuild the line. The maths
is ``dlviz.landscape``, the figures ``dlviz.plots.landscape``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import plotly.graph_objects as go
import streamlit as st

from dlviz.data import DatasetUnavailable, dataset_info
from dlviz.display import count, fixed, percent
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
from dlviz.ui.landscape.runs import BUSY
from dlviz.ui.resources import get_dataset, get_store, training_slot

if TYPE_CHECKING:
    from dlviz.training import RunSummary

SPANS = (0.1, 0.25, 0.5, 1.0, 2.0, 4.0)
MAX_IMAGES = 2000  # the slider's top: more images make every grid point slower


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


def landscape_controls(max_images: int) -> tuple[LandscapeConfig, bool]:
    """The settings form (applied on submit) -> (LandscapeConfig, log-scale flag).

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
            help="The plane is evaluated on resolution² weight settings.",
        )
        images = c2.slider(
            "Test images",
            10,
            top,
            min(1000, top),
            step=10,
            key="land_images",
            help="Every grid point is a forward pass of the model over these images"
            + (f" (all {count(top)} this dataset has)." if top < MAX_IMAGES else "."),
        )
        span = c3.select_slider(
            "Plane half-width",
            SPANS,
            value=1.0,
            key="land_span",
            help="a and b run from -width to +width; 1 = one filter-normalized direction length.",
        )
        seed = c4.number_input(
            "Direction seed",
            0,
            999,
            0,
            key="land_seed",
            help="Which two random directions span the plane.",
        )
        st.form_submit_button("Compute landscape", type="primary", key="land_compute")
    log = st.toggle(
        "Height as log10(loss)",
        key="land_log",
        help="Opens up the valley around the minimum when the edges are very high.",
    )
    cfg = LandscapeConfig(resolution=resolution, span=span, test_images=images, seed=int(seed))
    return cfg, log


@st.cache_resource
def landscape_cache() -> LandscapeCache:
    """This server's landscapes: a few in memory, all of them on disk under the cache dir."""
    return LandscapeCache(LandscapeStore(get_settings().cache_dir / "landscapes"))


def landscape_for(run_key: str, cfg: LandscapeConfig) -> Landscape | None:
    """The landscape of a stored run: memory, then disk, else computed with a progress bar.

    Shows an ``st.error``/``st.warning`` and returns None when it cannot be had.
    """
    bar = None

    def report(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:  # (0, total): the computation starts
            bar = st.progress(0.0, text=f"Evaluating the loss at {total} weight settings…")
        elif done % 10 == 0 or done == total:
            bar.progress(done / total, text=f"Evaluating the loss: {done}/{total} weight settings")

    found = landscape_cache().lookup(
        run_key,
        cfg,
        load_run=get_store().load,
        load_data=get_dataset,
        slot=training_slot(),
        progress=report,
    )
    if bar is not None:
        bar.empty()
    if found.problem:
        st.error(found.problem)
    elif found.busy:
        st.warning(BUSY)
    if found.disk_error:
        st.warning(
            f"Could not cache the landscape on disk ({found.disk_error}); it stays in memory."
        )
    return found.landscape


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
    st.plotly_chart(line_view(run_key, land.config, land), width="stretch", key="land_line")
    contour, surface = plane_view(run_key, land.config, log, land)
    left, right = st.columns(2)
    left.plotly_chart(contour, width="stretch", key="land_contour")
    right.plotly_chart(surface, width="stretch", key="land_surface")
