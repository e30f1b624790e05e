"""Streamlit side of the Playground: the per-session trainer, its toolbar and the live fragment.

The trainer (dlviz.playground.session.Trainer) lives in ``st.session_state`` (one per browser
session) and trains in its own thread, which never calls Streamlit. A fragment polls its
snapshot every half second while it plays; a structural change (data, features, layers,
activation, optimizer, seed) stops the old trainer before a new one is made. The widgets are in
``dlviz.ui.playground.controls``.
"""

from __future__ import annotations

import functools
import math
import time

import plotly.graph_objects as go
import streamlit as st

from dlviz.display import count, number
from dlviz.playground.data import DataConfig, PlaygroundData, make_dataset
from dlviz.playground.model import ModelConfig, TrainSettings
from dlviz.playground.session import Trainer
from dlviz.playground.sharing import REDRAW_SECONDS, FramePacer, playing_now, redraw_seconds
from dlviz.playground.snapshot import DIVERGED, RUNNING, Snapshot
from dlviz.plots.playground.live import build_live_figures, refresh_live_figures
from dlviz.plots.playground.network import parameter_at
from dlviz.plots.playground.regions import set_click_hint
from dlviz.ui import compat
from dlviz.ui.common import chart
from dlviz.ui.links import BIND
from dlviz.ui.playground import own_data
from dlviz.ui.playground.controls import KEEP, LR_OPTIONS, nearest_option
from dlviz.ui.playground.hands_on import select_parameter
from dlviz.ui.playground.panels import network_caption, show_metrics
from dlviz.ui.visibility import tab_hidden


@st.cache_resource(max_entries=32, show_spinner=False)
def get_data(cfg: DataConfig) -> PlaygroundData:
    """The toy dataset for ``cfg`` (shared, read-only)."""
    return make_dataset(cfg)


CLICK_HINTS = {
    "add": "click: add a point here",
    "remove": "click a point to remove it",
    "slow": "click a training point: one step in slow motion",
}


def get_trainer(
    data_cfg: DataConfig, model_cfg: ModelConfig, settings: TrainSettings
) -> tuple[Trainer, PlaygroundData]:
    """This session's trainer; a new one (the old one stopped) when data or network change.

    The data are the learner's points (``own_data``): the generated or uploaded set, changed by
    clicks; a click changes the trainer's data in place and keeps its weights."""
    upload = own_data.upload_source()
    upload_id = upload[0] if upload else None
    base = upload[1] if upload else get_data(data_cfg)
    data = own_data.current_data((data_cfg, upload_id), base)
    key = (data_cfg, model_cfg, upload_id)
    trainer: Trainer | None = st.session_state.get("pg_trainer")
    if trainer is None or st.session_state.get("pg_trainer_key") != key:
        was_running = trainer is not None and trainer.running
        if trainer is not None:
            trainer.stop()
        trainer = Trainer(data, model_cfg, settings)
        # a tab that stops polling while its session lives (connected, or kept for a reconnect)
        # is starved, not closed: play on; a closed tab's session goes after the TTL (30 s)
        trainer.watched = functools.partial(compat.session_exists, compat.session_id())
        st.session_state["pg_trainer"] = trainer
        st.session_state["pg_trainer_key"] = key
        if was_running:
            trainer.play()
    elif trainer.data is not data:
        trainer.set_data(data)
    trainer.update_settings(settings)
    return trainer, data


def pause_when_hidden(trainer: Trainer) -> None:
    """Pause a playing trainer while its tab is hidden; play on when the learner comes back.

    A class leaves many tabs in the background: their training threads would share the server's
    cores with the learners who are watching. (A closed tab stops its trainer by itself: nobody
    asks for snapshots any more, see ``Trainer.idle_timeout``.)
    """
    state = st.session_state
    if tab_hidden("pg_visibility"):
        if trainer.running:
            trainer.pause()
            state["pg_paused_hidden"] = True
    elif state.pop("pg_paused_hidden", False) and not trainer.running:
        trainer.play()


def _trainer() -> Trainer:
    return st.session_state["pg_trainer"]


def recovery_lr(lr: float) -> float:
    """The learning rate Recover offers: a tenth of ``lr``, as the nearest slider option."""
    return nearest_option(lr * 0.1, LR_OPTIONS)


def _recover() -> None:
    trainer = _trainer()
    lr = recovery_lr(trainer.settings.lr)
    trainer.recover(lr=lr)  # exactly the slider's value, so the message and the slider agree
    st.session_state["pg_lr"] = lr


def show_toolbar(trainer: Trainer) -> None:
    """Play / Pause, Step, Reset, and any message from the trainer."""
    running = trainer.running
    diverged = trainer.status == DIVERGED
    empty = not len(trainer.data.x_train)
    c1, c2, c3, c4 = st.columns([1, 1, 1, 4], vertical_alignment="center")
    # Two buttons in one place, not one relabelled toggle: Streamlit can deliver one click's
    # trigger to two script runs (a click that lands while the fragment's poll is being
    # coalesced), and a toggle's second delivery would undo the first (Pause, then Play again).
    # A key per action makes a repeated delivery repeat the same action.
    if running:
        c1.button("Pause", key="pg_pause", icon=":material/pause:",
                  on_click=lambda: _trainer().pause(), width="stretch", type="primary")  # fmt: skip
    else:
        c1.button("Play", key="pg_play", icon=":material/play_arrow:",
                  disabled=diverged or empty, on_click=lambda: _trainer().play(),
                  width="stretch", type="primary")  # fmt: skip
    c2.button(
        "Step",
        key="pg_step",
        icon=":material/skip_next:",
        disabled=diverged or empty,
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
        _show_status(trainer, running, diverged)


def _show_status(trainer: Trainer, running: bool, diverged: bool) -> None:
    """The trainer's message (with a Recover button after divergence), else a hint what to do."""
    message = "" if running else trainer.message
    if diverged:
        st.error(message, icon=":material/warning:")
        lr, new_lr = trainer.settings.lr, recovery_lr(trainer.settings.lr)
        tenth = " (÷10)" if math.isclose(new_lr * 10, lr) else ""  # not at the slider's end
        st.button(
            f"Roll back and use learning rate {number(new_lr)}{tenth}",
            key="pg_recover",
            on_click=_recover,
            icon=":material/south:",
        )
    elif message:
        st.info(message, icon=":material/info:")
    elif running:
        st.caption("Training… change the learning rate, batch size, L2 or speed as it runs.")
    else:
        st.caption("Press Play to train continuously, or Step for one epoch at a time.")


def live_figures(
    trainer: Trainer, snap: Snapshot, data: PlaygroundData, show_test: bool, redraw: bool = True
) -> dict[str, go.Figure]:
    """The four figures for ``snap``: built once per trainer (and data and test toggle), then
    refreshed in place on every poll (``dlviz.plots.playground.live``); ``redraw=False`` returns
    them as they were last shown (``FramePacer``: the browser has not caught up)."""
    cached = st.session_state.get("pg_figs")
    if cached is not None and cached[0] is trainer and cached[1] == (show_test, data):
        return refresh_live_figures(cached[2], snap, data) if redraw else cached[2]
    figs = build_live_figures(snap, data, trainer.model_cfg.features, show_test)
    st.session_state["pg_figs"] = (trainer, (show_test, data), figs)
    return figs


def take_network_click(trainer: Trainer) -> bool:
    """A new click on an edge or a bias of the diagram: point the weight editor at it."""
    state = st.session_state
    points = (state.get("pg_network") or {}).get("selection", {}).get("points") or []
    cached = state.get("pg_figs")
    token = tuple((p.get("curve_number"), p.get("point_index")) for p in points)
    if not points or cached is None or token == state.get("pg_network_done"):
        return False
    state["pg_network_done"] = token
    weights, _ = trainer.parameters()
    widths = [w.shape[1] for w in weights] + [weights[-1].shape[0]]
    p = points[0]
    param = parameter_at(
        cached[2]["network"], widths, p.get("curve_number", -1), p.get("point_index", -1)
    )
    if param is None:
        return False
    select_parameter(trainer, param)
    return True


def sharing_note(playing: int, every: float | None, top: float | None) -> str | None:
    """What a learner is told when the server shares itself out: their trainer's top speed
    (``Trainer.top_speed``, its CPU share) and the redraw interval, when either is held back."""
    shares = []
    if top is not None:
        shares.append(f"each trains at up to {number(top, 2)} epochs per second")
    if every is not None and every > REDRAW_SECONDS:
        shares.append(f"the figures redraw every {number(every)} s")
    if not shares:
        return None
    who = "1 learner is" if playing == 1 else f"{count(playing)} learners are"
    keeps = "" if top is not None else "; training keeps its speed"
    return f"{who} training on this server right now, so {' and '.join(shares)} to share it{keeps}."


def show_live(trainer: Trainer, data: PlaygroundData) -> None:
    """The figures, redrawn from a fresh snapshot while training runs: every half second, less
    often while many learners play at once (``dlviz.playground.sharing.redraw_seconds``) or while
    the learner's browser is still drawing the last ones (``FramePacer``)."""
    polling = trainer.running
    playing = playing_now()
    every = redraw_seconds(playing) if polling else None
    pacer = FramePacer(every or REDRAW_SECONDS)  # afresh on every page run: it draws at once

    @st.fragment(run_every=every)
    def live() -> None:
        # before the snapshot: a click may change the points; a point picked for slow motion, or
        # a weight clicked in the diagram, is shown below the fragment: a full rerun
        if own_data.take_click() or take_network_click(trainer):
            st.rerun()
        snap = trainer.snapshot()
        if polling and snap.status != RUNNING:
            st.rerun()  # stopped by itself (diverged, idle, max epochs): refresh the toolbar
        note = sharing_note(playing, every, trainer.top_speed()) if polling else None
        if note:
            st.caption(note)
        data = trainer.data  # the learner's clicks change it between polls
        show_metrics(snap)
        left, right = st.columns([4, 5], gap="medium")
        show_test = left.toggle(
            "Show test points (hollow diamonds)",
            True,
            key="pg_show_test",
            bind=BIND,
            persist_state=KEEP,
        )
        with left:
            mode = own_data.click_controls(data)
        redraw = not polling or pacer.redraw(time.monotonic())
        figs = live_figures(trainer, snap, data, show_test, redraw)
        set_click_hint(figs["regions"], CLICK_HINTS[mode] if mode else None)
        with left:
            chart(
                figs["regions"],
                key="pg_regions",
                width="stretch",
                on_select="rerun",
                selection_mode="points",
            )
            note = own_data.legend_caption(data)
            if note:
                st.caption(note)
        with right:
            chart(figs["network"], key="pg_network", width="stretch",
                            on_select="rerun", selection_mode="points")  # fmt: skip
            network_caption(snap, trainer.model_cfg.features)
        left, right = st.columns([5, 3], gap="medium")
        chart(figs["curves"], key="pg_curves", width="stretch", where=left)
        chart(figs["confusion"], key="pg_confusion", width="stretch", where=right)

    live()
