"""Hands on the Playground's network: one step in slow motion, and editing a weight or bias.

Slow motion takes one training example (picked at random, or clicked on the plot) through one
update on the current weights (``Trainer.slow_motion``): the stages are frames of one figure
(Play animates them in the browser) and Prev / Next step through them here with the stage's
numbers in a table. "Apply this step" writes the new weights into the network. The weight editor
sets any weight or bias (picked from a list, or by clicking an edge or bias in the diagram).
"""

from __future__ import annotations

import uuid

import numpy as np
import pandas as pd
import streamlit as st

from dlviz.display import escape_markdown, number
from dlviz.playground.session import Trainer
from dlviz.playground.snapshot import neuron_name, weight_name
from dlviz.playground.stages import node_names, step_stages
from dlviz.plots.playground.slowmo import change_figure, slow_motion_figure
from dlviz.ui.common import chart

SLOW = "pg_slow"  # {"trainer", "epoch", "index", "sm", "stages", "names"}
EDIT_RANGE = (-10.0, 10.0)


def _pick(trainer: Trainer, index: int) -> None:
    data = trainer.data
    point, target = data.x_train[index].numpy(), float(data.y_train[index])
    sm, change, delta = trainer.slow_motion(point, target)
    features = trainer.model_cfg.features
    snap_axis = trainer.snapshot().axis
    st.session_state[SLOW] = {
        "trainer": trainer,
        "epoch": trainer.epoch,
        "index": index,
        "point": point,
        "sm": sm,
        "stages": step_stages(sm, features, change),
        "names": node_names(sm, features),
        "axis": snap_axis,
        "token": uuid.uuid4().hex,  # names this step in the process-wide figure cache
        "delta": delta,
    }
    st.session_state["pg_slow_stage"] = 0


def _random_pick() -> None:
    trainer: Trainer = st.session_state["pg_trainer"]
    n = len(trainer.data.x_train)
    if n:
        draws = st.session_state.get("pg_slow_draws", 0) + 1
        st.session_state["pg_slow_draws"] = draws
        _pick(trainer, int(np.random.default_rng(draws).integers(n)))


def _move(by: int) -> None:
    slow = st.session_state.get(SLOW)
    if slow:
        last = len(slow["stages"]) - 1
        st.session_state["pg_slow_stage"] = min(
            max(st.session_state.get("pg_slow_stage", 0) + by, 0), last
        )


def _apply() -> None:
    slow = st.session_state.get(SLOW)
    trainer: Trainer = st.session_state["pg_trainer"]
    if slow and slow["trainer"] is trainer:
        trainer.pause()
        trainer.set_parameters(slow["sm"].new_weights, slow["sm"].new_biases)
        st.session_state[SLOW] = None
        st.session_state["pg_slow_applied"] = True


def _table(rows: list[dict]) -> pd.DataFrame:
    """The stage's numbers, written through ``display.number`` (5 significant digits)."""
    return pd.DataFrame(
        [{k: v if isinstance(v, str) else number(v, 5) for k, v in row.items()} for row in rows]
    )


@st.cache_resource(max_entries=8, show_spinner=False)
def _figure(_slow: dict, token: str, stage: int):
    return slow_motion_figure(_slow["stages"], _slow["names"], stage)


def show_slow_motion(trainer: Trainer) -> None:
    """The section: pick an example, step through its update, apply it."""
    state = st.session_state
    request = state.pop("pg_slow_request", None)
    if request is not None and request < len(trainer.data.x_train):
        _pick(trainer, int(request))
    st.markdown(
        "One training example through one full update, stage by stage: the forward pass, the "
        "loss, the backward pass and the step. Every number is what `torch.autograd` computes "
        "for this example. The step is plain gradient descent on this one example with the "
        "current learning rate (and L2 / L1): Play trains with the chosen optimizer on batches."
    )
    with st.container(horizontal=True):
        st.button("Random training example", key="pg_slow_random", icon=":material/casino:",
                  on_click=_random_pick, disabled=not len(trainer.data.x_train))  # fmt: skip
        st.caption("or choose **Pick for slow motion** above the plot and click a point.")
    if state.pop("pg_slow_applied", False):
        st.success("Applied: the regions, the maps and the losses above show the new weights.")
    slow = state.get(SLOW)
    if not slow:
        return
    stages = slow["stages"]
    stage = min(state.get("pg_slow_stage", 0), len(stages) - 1)
    point = slow["point"]
    target = slow["sm"].target
    what = f"target {number(target, 4)}" if slow["sm"].regression else f"class {int(target)}"
    st.caption(
        f"Training point ({number(point[0], 3)}, {number(point[1], 3)}), {what}; weights as "
        f"at epoch {slow['epoch']}."
    )
    chart(_figure(slow, slow["token"], stage), key="pg_slowmo", width="stretch")
    with st.container(horizontal=True, vertical_alignment="center"):
        st.button("Prev", key="pg_slow_prev", icon=":material/chevron_left:",
                  on_click=_move, args=(-1,), disabled=stage == 0)  # fmt: skip
        st.button("Next", key="pg_slow_next", icon=":material/chevron_right:",
                  on_click=_move, args=(1,), disabled=stage == len(stages) - 1)  # fmt: skip
        same = slow["trainer"] is trainer
        st.button("Apply this step", key="pg_slow_apply", icon=":material/check:",
                  on_click=_apply, disabled=not same,
                  help="Write the new weights into the network (pauses training).")  # fmt: skip
    current = stages[stage]
    st.markdown(f"**{stage + 1}/{len(stages)}. {current.title}.** {escape_markdown(current.text)}")
    table = _table(current.rows)
    height = min(36 * (len(current.rows) + 1) + 3, 360)
    if stage == len(stages) - 1:  # the update: its numbers beside what it does to the plane
        left, right = st.columns([3, 2], gap="medium")
        left.dataframe(table, hide_index=True, height=height)
        sm = slow["sm"]
        label = "change of ŷ" if sm.regression else f"change of p(class {int(sm.target)})"
        chart(
            change_figure(slow["axis"], slow["delta"], slow["point"], label),
            key="pg_slow_change",
            width="stretch",
            where=right,
        )
    else:
        st.dataframe(table, hide_index=True, height=height)
    if not same:
        st.caption("The network has changed since: pick an example again to apply a step.")


def _options(weights: list[np.ndarray]) -> list[str]:
    out = []
    for layer, w in enumerate(weights):
        for j in range(w.shape[0]):
            out.append(f"{layer}:{j}:b")
            out.extend(f"{layer}:{j}:{i}" for i in range(w.shape[1]))
    return out


def parse_option(option: str) -> tuple[int, int, int | None]:
    """``"1:2:b"`` -> (1, 2, None) (a bias), ``"0:3:1"`` -> (0, 3, 1) (a weight)."""
    layer, j, i = option.split(":")
    return int(layer), int(j), None if i == "b" else int(i)


def editor_key(weights: list[np.ndarray]) -> str:
    """The picker's key: one per network shape, so its options never go stale."""
    return "pg_edit_" + "-".join(str(w.shape[1]) for w in weights) + f"-{weights[-1].shape[0]}"


def _value(weights, biases, option: str) -> float:
    layer, j, i = parse_option(option)
    return float(biases[layer][j] if i is None else weights[layer][j, i])


def select_parameter(trainer: Trainer, param: tuple[int, int, int | None]) -> None:
    """Point the editor at ``param`` (a click on the diagram), with its current value."""
    weights, biases = trainer.parameters()
    layer, j, i = param
    option = f"{layer}:{j}:{'b' if i is None else i}"
    st.session_state[editor_key(weights)] = option
    st.session_state["pg_edit_value"] = float(np.clip(_value(weights, biases, option), *EDIT_RANGE))


def _set(trainer: Trainer, key: str) -> None:
    option, value = st.session_state.get(key), st.session_state.get("pg_edit_value")
    if option is not None and value is not None:
        trainer.set_parameter(*parse_option(option), float(np.clip(value, *EDIT_RANGE)))


def show_weight_editor(trainer: Trainer) -> None:
    """Pick a weight or bias (or click one in the diagram), type a value, Set."""
    weights, biases = trainer.parameters()
    features, task, cols = trainer.model_cfg.features, trainer.data.task, len(weights) + 1

    def label(option: str) -> str:
        layer, j, i = parse_option(option)
        if i is None:
            return f"bias of {neuron_name(layer + 1, j, cols, features, task)}"
        return f"weight {weight_name(layer, j, i, len(weights), features, task)}"

    key = editor_key(weights)
    options = _options(weights)

    st.markdown(
        "Pick a weight or bias (or click an edge or a bias square in the network diagram), type "
        "a new value and press **Set**: the regions, every neuron's map and the losses change "
        "at once. Training goes on from there."
    )
    option = st.selectbox("Weight or bias", options, format_func=label, key=key)
    now = _value(weights, biases, option)
    # the box starts at the current value; again whenever the pick or the epoch changes
    seen = (key, option, id(trainer), trainer.epoch)
    if st.session_state.get("pg_edit_seen") != seen:
        st.session_state["pg_edit_seen"] = seen
        st.session_state["pg_edit_value"] = float(np.clip(now, *EDIT_RANGE))
    with st.container(horizontal=True, vertical_alignment="bottom"):
        st.number_input("New value", *EDIT_RANGE, step=0.1, format="%.4f",
                                key="pg_edit_value")  # fmt: skip
        st.button("Set", key="pg_edit_set", icon=":material/edit:", on_click=_set,
                  args=(trainer, key))  # fmt: skip
    st.caption(f"Now: {label(option)} = {number(now, 5)}.")
