"""Streamlit side of the Playground: controls, the per-session trainer, and the live fragment.

The trainer (dlviz.playground.session.Trainer) lives in ``st.session_state`` (one per browser
session) and trains in its own thread, which never calls Streamlit. A fragment polls its
snapshot every half second while it plays; a structural change (data, features, layers,
activation, optimizer, seed) stops the old trainer before a new one is made.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go
import streamlit as st

from dlviz.activations import ACTIVATION_NAMES, ACTIVATIONS
from dlviz.playground.data import (
    CLASS_RANGE,
    DATASETS,
    FEATURE_NAMES,
    FEATURES,
    DataConfig,
    PlaygroundData,
    make_dataset,
)
from dlviz.playground.model import OPTIMIZERS, ModelConfig, TrainSettings
from dlviz.playground.session import DIVERGED, RUNNING, Snapshot, Trainer
from dlviz.plots.playground import (
    confusion_figure,
    curves_figure,
    decision_figure,
    update_confusion_figure,
    update_curves_figure,
    update_decision_figure,
)
from dlviz.plots.playground_network import network_figure, update_network_figure

POLL_SECONDS = 0.5
KEEP = "session"  # widgets keep their values across page switches, so the run is still there
LR_OPTIONS = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
BATCH_OPTIONS = (1, 2, 4, 8, 16, 32, 64, 128, 256)
L2_OPTIONS = (0.0, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1)
SPEED_OPTIONS = (1, 2, 5, 10, 20, 50, 0)  # epochs per second; 0 = as fast as possible


@st.cache_resource(max_entries=32, show_spinner=False)
def get_data(cfg: DataConfig) -> PlaygroundData:
    """The toy dataset for ``cfg`` (shared, read-only)."""
    return make_dataset(cfg)


def nearest_option(value: float, options: tuple[float, ...]) -> float:
    """The option closest to ``value`` on a log scale."""
    return min(options, key=lambda o: abs(math.log(o) - math.log(value)))


def _data_controls() -> DataConfig:
    st.markdown("**Data**")
    name = st.selectbox(
        "Dataset", list(DATASETS), format_func=DATASETS.get, key="pg_dataset", persist_state=KEEP
    )
    lo, hi = CLASS_RANGE[name]
    if hi > lo:
        k = st.slider(
            "Classes", lo, hi, 3 if hi >= 3 else lo, key=f"pg_classes_{name}", persist_state=KEEP
        )
    else:
        k = lo
        st.caption(f"{DATASETS[name]} always has {lo} classes; blobs and the spiral have more.")
    noise = st.slider("Noise", 0.0, 0.5, 0.2, 0.05, key="pg_noise", persist_state=KEEP)
    n = st.slider("Points (train + test)", 100, 1000, 500, 50, key="pg_points", persist_state=KEEP)
    test = st.slider(
        "Test share", 0.1, 0.5, 0.3, 0.05, key="pg_test", persist_state=KEEP, format="%.2f"
    )
    seed = st.number_input("Data seed", 0, 9999, 0, key="pg_data_seed", persist_state=KEEP)
    return DataConfig(name, int(k), int(n), float(noise), float(test), int(seed))


def _network_controls() -> ModelConfig:
    st.markdown("**Network**")
    feats = st.pills(
        "Input features",
        FEATURE_NAMES,
        selection_mode="multi",
        default=["x1", "x2"],
        format_func=lambda f: FEATURES[f][0],
        key="pg_features",
        persist_state=KEEP,
    )
    if not feats:
        st.warning("Pick at least one input feature; using x₁ and x₂ meanwhile.")
        feats = ["x1", "x2"]
    features = tuple(f for f in FEATURE_NAMES if f in feats)
    layers = st.slider("Hidden layers", 0, 6, 2, key="pg_layers", persist_state=KEEP)
    width = st.slider(
        "Neurons per hidden layer",
        1,
        8,
        6,
        key="pg_neurons",
        persist_state=KEEP,
        disabled=layers == 0,
    )
    act = st.selectbox(
        "Activation",
        ACTIVATION_NAMES,
        index=ACTIVATION_NAMES.index("tanh"),
        format_func=lambda a: ACTIVATIONS[a].label,
        key="pg_act",
        persist_state=KEEP,
    )
    seed = st.number_input(
        "Weight seed",
        0,
        9999,
        0,
        key="pg_init_seed",
        persist_state=KEEP,
        help="Same seed, same initial weights and batch order: fair comparisons.",
    )
    return ModelConfig(features, (int(width),) * int(layers), act, "adam", int(seed))


def _training_controls() -> tuple[str, TrainSettings]:
    st.markdown("**Training** (changes apply while it runs)")
    opt = st.selectbox(
        "Optimizer",
        list(OPTIMIZERS),
        index=2,
        format_func=OPTIMIZERS.get,
        key="pg_opt",
        persist_state=KEEP,
        help="Changing the optimizer restarts from the initial weights.",
    )
    lr = st.select_slider(
        "Learning rate",
        LR_OPTIONS,
        value=0.03,
        key="pg_lr",
        persist_state=KEEP,
        format_func=lambda v: f"{v:g}",
    )
    batch = st.select_slider(
        "Batch size", BATCH_OPTIONS, value=16, key="pg_batch", persist_state=KEEP
    )
    l2 = st.select_slider(
        "L2 strength λ",
        L2_OPTIONS,
        value=0.0,
        key="pg_l2",
        persist_state=KEEP,
        format_func=lambda v: f"{v:g}",
    )
    speed = st.select_slider(
        "Speed (epochs per second)",
        SPEED_OPTIONS,
        value=20,
        key="pg_speed",
        persist_state=KEEP,
        format_func=lambda v: "max" if v == 0 else str(v),
    )
    return opt, TrainSettings(float(lr), int(batch), float(l2), float(speed))


def playground_controls() -> tuple[DataConfig, ModelConfig, TrainSettings]:
    """Data, network and training widgets in three columns; returns the three configs."""
    cols = st.columns([1, 1.25, 1.1], gap="medium")
    with cols[0].container(border=True):
        data_cfg = _data_controls()
    with cols[1].container(border=True):
        model_cfg = _network_controls()
    with cols[2].container(border=True):
        opt, settings = _training_controls()
    return data_cfg, ModelConfig(**{**model_cfg.__dict__, "optimizer": opt}), settings


def get_trainer(
    data_cfg: DataConfig, model_cfg: ModelConfig, settings: TrainSettings
) -> tuple[Trainer, PlaygroundData]:
    """This session's trainer; a new one (the old one stopped) when data or network change."""
    data = get_data(data_cfg)
    key = (data_cfg, model_cfg)
    trainer: Trainer | None = st.session_state.get("pg_trainer")
    if trainer is None or st.session_state.get("pg_trainer_key") != key:
        was_running = trainer is not None and trainer.running
        if trainer is not None:
            trainer.stop()
        trainer = Trainer(data, model_cfg, settings)
        st.session_state["pg_trainer"] = trainer
        st.session_state["pg_trainer_key"] = key
        if was_running:
            trainer.play()
    trainer.update_settings(settings)
    return trainer, data


def _trainer() -> Trainer:
    return st.session_state["pg_trainer"]


def _recover() -> None:
    lr = _trainer().recover(0.1)
    st.session_state["pg_lr"] = nearest_option(lr, LR_OPTIONS)


def show_toolbar(trainer: Trainer) -> None:
    """Play / Pause, Step, Reset, and any message from the trainer."""
    running = trainer.running
    diverged = trainer.status == DIVERGED
    c1, c2, c3, c4 = st.columns([1, 1, 1, 4], vertical_alignment="center")
    if running:
        c1.button(
            "Pause",
            key="pg_play",
            icon=":material/pause:",
            on_click=lambda: _trainer().pause(),
            width="stretch",
            type="primary",
        )
    else:
        c1.button(
            "Play",
            key="pg_play",
            icon=":material/play_arrow:",
            disabled=diverged,
            on_click=lambda: _trainer().play(),
            width="stretch",
            type="primary",
        )
    c2.button(
        "Step",
        key="pg_step",
        icon=":material/skip_next:",
        disabled=diverged,
        on_click=lambda: _trainer().step(1),
        width="stretch",
        help="Train one epoch.",
    )
    c3.button(
        "Reset",
        key="pg_reset",
        icon=":material/restart_alt:",
        on_click=lambda: _trainer().reset(),
        width="stretch",
        help="Back to epoch 0 and the same initial weights.",
    )
    with c4:
        snap_msg = "" if running else trainer.message
        if diverged:
            st.error(snap_msg, icon=":material/warning:")
            new_lr = nearest_option(trainer.settings.lr * 0.1, LR_OPTIONS)
            st.button(
                f"Roll back and use learning rate {new_lr:g} (÷10)",
                key="pg_recover",
                on_click=_recover,
                icon=":material/south:",
            )
        elif snap_msg:
            st.info(snap_msg, icon=":material/info:")
        elif running:
            st.caption("Training… change the learning rate, batch size, L2 or speed as it runs.")
        else:
            st.caption("Press Play to train continuously, or Step for one epoch at a time.")


def live_figures(
    trainer: Trainer, snap: Snapshot, data: PlaygroundData, show_test: bool
) -> dict[str, go.Figure]:
    """The four figures for ``snap``: built once per trainer, then refreshed in place.

    Building a styled plotly figure validates its whole template (tens of ms); assigning new
    arrays to existing traces costs well under a millisecond, so polls only do the latter.
    """
    cached = st.session_state.get("pg_figs")
    if cached is not None and cached[0] is trainer and cached[1] == show_test:
        figs = cached[2]
        update_decision_figure(figs["regions"], snap, data)
        update_network_figure(figs["network"], snap)
        update_curves_figure(figs["curves"], snap.history)
        update_confusion_figure(figs["confusion"], snap.confusion)
        return figs
    figs = {
        "regions": decision_figure(snap, data, show_test=show_test),
        "network": network_figure(snap, trainer.model_cfg.features),
        "curves": curves_figure(snap.history),
        "confusion": confusion_figure(snap.confusion),
    }
    st.session_state["pg_figs"] = (trainer, show_test, figs)
    return figs


def show_live(trainer: Trainer, data: PlaygroundData) -> None:
    """The figures, redrawn from a fresh snapshot every POLL_SECONDS while training runs."""
    polling = trainer.running

    @st.fragment(run_every=POLL_SECONDS if polling else None)
    def live() -> None:
        snap = trainer.snapshot()
        if polling and snap.status != RUNNING:
            st.rerun()  # stopped by itself (diverged, idle, max epochs): refresh the toolbar
        h = snap.history
        with st.container(key="pg_epoch", horizontal=True):
            st.metric("Epoch", f"{snap.epoch:,}")
            st.metric("Train loss", f"{h['train_loss'][-1]:.3f}")
            st.metric("Test loss", f"{h['test_loss'][-1]:.3f}")
            st.metric("Train accuracy", f"{h['train_acc'][-1]:.1%}")
            st.metric("Test accuracy", f"{h['test_acc'][-1]:.1%}")
            st.metric("Learning rate", f"{snap.lr:g}")
        left, right = st.columns([4, 5], gap="medium")
        show_test = left.toggle(
            "Show test points (hollow diamonds)", True, key="pg_show_test", persist_state=KEEP
        )
        figs = live_figures(trainer, snap, data, show_test)
        with left:
            st.plotly_chart(figs["regions"], key="pg_regions", width="stretch")
        with right:
            st.plotly_chart(figs["network"], key="pg_network", width="stretch")
            st.caption(
                "Each square is what that neuron outputs over the whole plane (blue above zero, "
                "orange below, each map scaled to its own range; softmax outputs show each "
                "class's probability). Lines are weights: blue positive, orange negative, "
                "thicker = larger. The small square on a node's corner is its bias."
            )
        left, right = st.columns([5, 3], gap="medium")
        left.plotly_chart(figs["curves"], key="pg_curves", width="stretch")
        right.plotly_chart(figs["confusion"], key="pg_confusion", width="stretch")

    live()
