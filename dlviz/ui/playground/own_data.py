"""The learner's own data on the Playground: click to add or remove points, undo, clear,
restore, and a CSV upload.

The points live in ``st.session_state`` as an undo stack of ``PlaygroundData`` (the generated
or uploaded data first); every change also goes to the trainer at once (``Trainer.set_data``),
so a playing model keeps training on the new points. A structural change of the network keeps
the points; a new dataset setting or upload starts a new stack.
"""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch

from dlviz.display import count, escape_markdown, number
from dlviz.playground.data import DataConfig, PlaygroundData
from dlviz.playground.points import (
    MAX_ROWS,
    add_point,
    from_table,
    parse_csv,
    remove_nearest,
    without_points,
)

HISTORY, BASE, UPLOAD = "pg_point_history", "pg_point_base", "pg_upload_data"
MAX_UNDO = 50
CLICK_MODES = {"add": "Add a point", "remove": "Remove a point", "slow": "Pick for slow motion"}
VALUE_RANGE = (-1.0, 1.0)  # targets a click can add (regression)


def upload_source() -> tuple[str, PlaygroundData, str] | None:
    """(file id, data, file name) of the CSV in use, or None for the generated data."""
    sync_upload()
    return st.session_state.get(UPLOAD)


def edited() -> bool:
    """Whether the points in use differ from the generated ones (clicks or a CSV)."""
    return len(st.session_state.get(HISTORY) or ()) > 1 or UPLOAD in st.session_state


def current_data(base_key: tuple, base: PlaygroundData) -> PlaygroundData:
    """The points in use: the top of the undo stack, restarted when the base data changes."""
    state = st.session_state
    if state.get(BASE) != base_key or not state.get(HISTORY):
        state[BASE], state[HISTORY] = base_key, [base]
    return state[HISTORY][-1]


def _push(data: PlaygroundData) -> None:
    history = st.session_state[HISTORY]
    history.append(data)
    if len(history) > MAX_UNDO + 1:
        del history[1]  # the base stays, the oldest edit goes
    _to_trainer(data)


def _to_trainer(data: PlaygroundData) -> None:
    trainer = st.session_state.get("pg_trainer")
    if trainer is not None:
        trainer.set_data(data)


def undo() -> None:
    """Back to the points before the last change (never past the generated data)."""
    history = st.session_state.get(HISTORY) or []
    if len(history) > 1:
        history.pop()
        _to_trainer(history[-1])


def clear() -> None:
    """No points at all: a blank plane to click on."""
    history = st.session_state.get(HISTORY) or []
    if history and (len(history[-1].x_train) or len(history[-1].x_test)):
        _push(without_points(history[-1]))


def restore() -> None:
    """The generated (or uploaded) points again; the stack is emptied."""
    history = st.session_state.get(HISTORY) or []
    if len(history) > 1:
        del history[1:]
        _to_trainer(history[0])


def take_click() -> bool:
    """Act on a new click on the regions chart (its selection): add, remove, or pick for slow
    motion. A selection is acted on once: the chart keeps it across reruns. True when a point
    was picked for slow motion (the section below needs a full rerun)."""
    state = st.session_state
    chart = state.get("pg_regions")
    points = (chart or {}).get("selection", {}).get("points") or []
    mode, history = state.get("pg_click"), state.get(HISTORY)
    token = tuple(
        (p.get("curve_number"), p.get("point_index"), p.get("x"), p.get("y")) for p in points
    )
    if not points or token == state.get("pg_click_done"):
        return False
    state["pg_click_done"] = token
    if mode is None or not history:
        return False
    data = history[-1]
    lim = float(data.limit)
    xy = (float(np.clip(points[0]["x"], -lim, lim)), float(np.clip(points[0]["y"], -lim, lim)))
    if mode == "add":
        value = state.get("pg_add_value", 0.5) if data.regression else state.get("pg_add_class")
        _push(add_point(data, xy, float(value) if data.regression else int(value or 0)))
    elif mode == "remove":
        fewer = remove_nearest(data, xy, radius=0.05 * lim + 0.1)
        if fewer is None:
            state["pg_click_note"] = "No point there: click on a point to remove it."
        else:
            _push(fewer)
    elif mode == "slow" and len(data.x_train):
        i = int((data.x_train - torch.tensor(xy)).norm(dim=1).argmin())
        state["pg_slow_request"] = i  # taken by the slow-motion section on the full rerun
        return True
    return False


def click_controls(data: PlaygroundData) -> str | None:
    """What a click on the plot does (and which class or value it adds), Undo, Clear, Restore."""
    state = st.session_state
    with st.container(horizontal=True, vertical_alignment="bottom", key="pg_click_row"):
        mode = st.segmented_control(
            "Click on the plot to",
            list(CLICK_MODES),
            format_func=CLICK_MODES.get,
            key="pg_click",
            help="Pick one, then click on the plot (on a point to remove or pick it).",
        )
        if mode == "add" and data.regression:
            st.slider("target of the new point", *VALUE_RANGE, 0.5, 0.1, key="pg_add_value")
        elif mode == "add":
            st.segmented_control(
                "class",
                list(range(data.n_classes)),
                default=0,
                format_func=lambda c: f"class {c}",
                key=f"pg_add_class_{data.n_classes}",
                required=True,
            )
            state["pg_add_class"] = state.get(f"pg_add_class_{data.n_classes}", 0)
    history = state.get(HISTORY) or [data]
    with st.container(horizontal=True, key="pg_point_buttons"):
        st.button("Undo", key="pg_undo", icon=":material/undo:", on_click=undo,
                  disabled=len(history) < 2)  # fmt: skip
        st.button("Clear all points", key="pg_clear", icon=":material/delete_sweep:",
                  on_click=clear, disabled=not (len(data.x_train) or len(data.x_test)))  # fmt: skip
        st.button("Restore the data", key="pg_restore", icon=":material/restart_alt:",
                  on_click=restore, disabled=len(history) < 2,
                  help="Back to the generated (or uploaded) points.")  # fmt: skip
    note = state.pop("pg_click_note", "")
    if note:
        st.caption(note)
    if not len(data.x_train):
        st.info("No training points: choose **Add a point** and click on the plot.")
    return mode


def sync_upload() -> None:
    """Read a newly uploaded CSV (once per file), or forget a removed one. Runs before the
    trainer is made, so the upload's points are used on the run that follows the upload."""
    state = st.session_state
    file = state.get("pg_csv")
    if file is None:
        state.pop(UPLOAD, None)
        state.pop("pg_csv_error", None)
        state.pop("pg_csv_seen", None)
        return
    if state.get("pg_csv_seen") == file.file_id:
        return
    state["pg_csv_seen"] = file.file_id
    try:
        x, y, task = parse_csv(file.getvalue())
    except ValueError as err:
        st.session_state["pg_csv_error"] = str(err)
        st.session_state.pop(UPLOAD, None)
        return
    st.session_state.pop("pg_csv_error", None)
    st.session_state[UPLOAD] = (file.file_id, from_table(x, y, task), file.name)


def upload_panel(data_cfg: DataConfig) -> None:
    """The CSV uploader, what it expects, and what is wrong with a bad file."""
    st.markdown(
        f"A CSV file with a header row naming **x1**, **x2** and **label** (classes 0 to 4) or "
        f"**target** (a number): at most {count(MAX_ROWS)} rows, points within ±6. Its points "
        f"are split {number(data_cfg.test_fraction * 100, 3)} % for testing; "
        "remove the file to go back to the generated data."
    )
    st.file_uploader("Your points (CSV)", type=["csv"], key="pg_csv")
    error = st.session_state.get("pg_csv_error")
    if error:
        st.error(escape_markdown(error), icon=":material/error:")
    source = upload_source()
    if source is not None:
        _, data, name = source
        kind = "regression targets" if data.regression else f"{data.n_classes} classes"
        st.success(
            f"Training on {escape_markdown(name)}: {count(len(data.x_train))} training and "
            f"{count(len(data.x_test))} test points, {kind}."
        )


def legend_caption(data: PlaygroundData) -> str:
    """A short line saying what the learner's clicks (or CSV) have changed."""
    source = st.session_state.get(UPLOAD)
    if source is not None:
        return (
            f"Training on your file {escape_markdown(source[2])}: the Data settings apply "
            "again when you remove it (tab Your own data below)."
        )
    history = st.session_state.get(HISTORY) or [data]
    base = history[0]
    added = len(data.x_train) - len(base.x_train)
    if len(history) < 2:
        return ""
    return (
        f"Your edits: {count(len(history) - 1)} so far; {count(len(data.x_train))} training "
        f"points ({'+' if added >= 0 else ''}{added} since the data was generated)."
    )
