"""Streamlit side of the Loss-landscape page: pick or train a run, settings, cached landscapes.

Finished landscapes are kept twice: in a small per-process registry (``st.cache_resource``) and
on disk next to the run store (``<cache dir>/landscapes``), keyed by run key + settings, so a
landscape is computed once per run and setting, across reruns, sessions and restarts.
"""

from __future__ import annotations

from collections import OrderedDict

import streamlit as st

from dlviz.display import count, escape_markdown, fixed, number, percent
from dlviz.landscape import MAX_RESOLUTION, MIN_RESOLUTION, Landscape, LandscapeConfig
from dlviz.settings import get_settings
from dlviz.ui.resources import get_dataset, get_store, training_slot

QUICK_MODELS: dict[str, dict] = {
    "seed-mlp": {"epochs": 10, "batch_size": 64},
    "seed-cnn": {"epochs": 5, "batch_size": 64},
}
"""Quick Digits recipes trained from this page (a few seconds each on a small CPU)."""

SPANS = (0.1, 0.25, 0.5, 1.0, 2.0, 4.0)
MAX_IMAGES = 2000  # the slider's top: more images make every grid point slower
REGISTRY_SIZE = 16


def quick_config(model: str = "seed-mlp"):
    """The TrainConfig of a quick Digits run of a preset."""
    from dlviz.training import preset_config

    return preset_config(model, "digits", **QUICK_MODELS[model])


def run_label(summary) -> str:
    """One line per stored run: model, dataset, optimizer, epochs, test accuracy."""
    c = summary.config
    model = c.model if isinstance(c.model, str) else f"custom {c.model.kind}"
    return (
        f"{model} on {c.dataset} · {c.optimizer} lr {number(c.lr)} · "
        f"{count(summary.epochs_done)} epoch(s) · test acc {percent(summary.test_acc)} · "
        f"{summary.status} · {summary.key[:6]}"
    )


def dataset_label(run_key: str, runs: list) -> str:
    """The label of the run's dataset ('Digits (8x8)'), for captions."""
    from dlviz.data import dataset_info

    summary = next((r for r in runs if r.key == run_key), None)
    return dataset_info(summary.config.dataset).label if summary else "this dataset"


def test_images_of(run_key: str, runs: list) -> int:
    """How many test images the run's dataset has (the slider's top); the page's cap if unknown."""
    from dlviz.data import DatasetUnavailable

    summary = next((r for r in runs if r.key == run_key), None)
    if summary is None:
        return MAX_IMAGES
    try:
        return len(get_dataset(summary.config.dataset).test_y)
    except DatasetUnavailable:  # _compute says so when it needs the images
        return MAX_IMAGES


def stored_runs() -> list:
    """Summaries of the runs in the training cache, newest first."""
    return get_store().runs()


def train_quick_run(model: str = "seed-mlp") -> str | None:
    """Train (or load) a quick Digits run into the store; returns its key, None when busy."""
    from dlviz.training import train_cached

    slot = training_slot()
    if not slot.acquire(blocking=False):
        st.warning("Another training or landscape is running on this server; try again shortly.")
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


def run_picker(runs: list) -> str:
    """A selectbox over the stored runs (key ``land_run``); returns the chosen run key."""
    keys = [r.key for r in runs]
    labels = {r.key: run_label(r) for r in runs}
    new = st.session_state.pop("land_new_run", None)  # set by the quick-train button
    if new in keys:
        st.session_state["land_run"] = new
    if st.session_state.get("land_run") not in keys:
        st.session_state["land_run"] = keys[0]
    return st.selectbox("Trained run", keys, key="land_run", format_func=labels.get)


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


def show_summary(land: Landscape, dataset: str, available: int) -> None:
    """The landscape's four numbers and a caption saying what was evaluated on how many images."""
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


def images_words(used: int, asked: int, available: int, dataset: str) -> str:
    """'100 test images', or 'all 360 test images (Digits has no more)' when it used them all."""
    if used >= available and asked > used:
        return f"all {count(used)} test images ({dataset} has no more)"
    if used >= available:
        return f"all {count(used)} test images"
    return f"{count(used)} test images"


@st.cache_resource
def _registry() -> OrderedDict:
    return OrderedDict()


def _disk():
    from dlviz.landscape import LandscapeStore

    return LandscapeStore(get_settings().cache_dir / "landscapes")


def landscape_for(run_key: str, cfg: LandscapeConfig) -> Landscape | None:
    """The landscape of a stored run: registry, then disk, else computed with a progress bar.

    Shows an ``st.error``/``st.warning`` and returns None when it cannot be had.
    """
    registry, disk = _registry(), _disk()
    key = (run_key, cfg)
    if key in registry:
        registry.move_to_end(key)
        return registry[key]
    land = disk.get(run_key, cfg)
    if land is None:
        land = _compute(run_key, cfg)
        if land is None:
            return None
        try:
            disk.put(run_key, land)
        except OSError as err:
            st.warning(f"Could not cache the landscape on disk ({err}); it stays in memory.")
    registry[key] = land
    while len(registry) > REGISTRY_SIZE:
        registry.popitem(last=False)
    return land


def _compute(run_key: str, cfg: LandscapeConfig) -> Landscape | None:
    from dlviz.data import DatasetUnavailable, normalize
    from dlviz.landscape import loss_landscape

    run = get_store().load(run_key)
    if run is None:
        st.error("This run is no longer in the training cache. Pick another or train a new one.")
        return None
    try:
        data = get_dataset(run.config.dataset)
        model = run.model(data.info)
    except DatasetUnavailable as err:
        st.error(f"The test images of this run are not available: {err}")
        return None
    except (ValueError, RuntimeError) as err:
        st.error(f"Could not rebuild this run's model: {err}")
        return None
    slot = training_slot()
    if not slot.acquire(blocking=False):
        st.warning("Another training or landscape is running on this server; try again shortly.")
        return None
    try:
        n = min(cfg.test_images, len(data.test_y))
        x = normalize(data.test_x[:n], data.info)
        points = cfg.resolution**2 + cfg.line_points + 1
        bar = st.progress(0.0, text=f"Evaluating the loss at {points} weight settings…")

        def report(done: int, total: int) -> None:
            if done % 10 == 0 or done == total:
                bar.progress(
                    done / total, text=f"Evaluating the loss: {done}/{total} weight settings"
                )

        land = loss_landscape(
            model, run.initial_state, run.final_state, x, data.test_y[:n], cfg, report
        )
        bar.empty()
    finally:
        slot.release()
    return land
