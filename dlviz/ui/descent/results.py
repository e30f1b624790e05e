"""Below the Gradient-descent chart: the comparison table and the convergence-map fragment.

``show_summary()`` renders the summary table, an explanation for each optimizer that diverged and
the quadratic bowl's stability limits. ``show_convergence_map()`` is an ``st.fragment``, so its
``gd_map_*`` widgets never re-run the rest of the page: the map is computed on a button press, as a
``dlviz.jobs.MapJob`` in the server's job queue (``dlviz.ui.jobs``; the fragment polls it while it
waits or runs), and "Use these settings" writes the fastest cell back into the optimizer's
sliders.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from dlviz.descent.compare import (
    DescentConfig,
    OptimizerSpec,
    explain,
    stability_limits,
    summary,
)
from dlviz.descent.convergence import (
    MOMENTUM_AXIS,
    ConvergenceMap,
    MapSettings,
    map_axis,
    map_point,
    map_settings,
)
from dlviz.descent.optimize import Path
from dlviz.descent.surfaces import Surface
from dlviz.display import NAN_WORD, count, fixed, number
from dlviz.jobs import MapJob
from dlviz.optimizers import LABELS
from dlviz.ui import jobs
from dlviz.ui.common import chart
from dlviz.ui.descent.optimizers import nearest_lr
from dlviz.ui.descent.views import convergence_view
from dlviz.ui.links import BIND

MAP_SIZES = (25, 40)
MAP_JOB = "gd_map_job"  # session key: (job id, MapSettings) of this learner's map job
MAP_DONE = "gd_map_result"  # session key: (MapSettings, ConvergenceMap) of their last map


def summary_frame(surface: Surface, config: DescentConfig, result: list[Path]) -> pd.DataFrame:
    """The comparison table as a DataFrame of text: every number in words where it is not one."""
    rows = summary(surface, config.optimizers, result, config.tol)
    return pd.DataFrame(
        {
            "optimizer": [r.optimizer for r in rows],
            "settings": [r.settings for r in rows],
            "final loss": [
                number(r.final_loss, nan="diverged" if r.diverged_at is not None else NAN_WORD)
                for r in rows
            ],
            "distance to nearest minimum": [
                number(r.distance, 3) if surface.minima else "no minimum" for r in rows
            ],
            f"steps until within {number(config.tol)}": [count(r.steps_to_tol) for r in rows],
            "outcome": [r.outcome for r in rows],
        }
    )


def show_summary(surface: Surface, config: DescentConfig, result: list[Path]) -> None:
    """Summary table, divergence explanations and the quadratic's stability limits."""
    st.dataframe(
        summary_frame(surface, config, result), hide_index=True, width="stretch", key="gd_table"
    )
    for spec, path in zip(config.optimizers, result, strict=True):
        if path.diverged:
            st.warning(explain(surface, spec, path), icon=":material/warning:")
    limits = [
        f"{LABELS[spec.name]}: lr < {number(lim, 3)} (yours: {number(spec.lr)}, "
        f"{'stable' if stable else '**unstable**'})"
        for spec, lim, stable in stability_limits(surface, config.optimizers)
    ]
    if limits:
        st.caption(
            f"Stability on this bowl (largest curvature L = {number(surface.lipschitz)}): "
            + "; ".join(limits)
            + "."
        )


def show_convergence_map(config: DescentConfig, surface: Surface) -> None:
    """The map's fragment, polling while this learner's map job waits or runs."""
    _take_map()
    held = st.session_state.get(MAP_JOB)
    job = jobs.view(held[0]) if held else None
    st.fragment(_map_fragment, run_every=jobs.poll_every(job))(config, surface)


def _map_fragment(config: DescentConfig, surface: Surface) -> None:
    """Pick optimizer and colouring, press the button, see the lr x momentum map."""
    spec, metric, settings = _map_controls(config, surface)
    if st.session_state.get("gd_map_args") != settings:
        n = settings.n
        st.info(
            f"Runs {n} × {n} = {n * n} copies of {LABELS[spec.name]} for {config.steps} steps "
            "as one batched tensor: a few seconds.",
            icon=":material/grid_on:",
        )
        return
    cmap = _map_for(settings)
    if cmap is None:
        return
    _, figure = convergence_view(settings, metric, map_point(spec), cmap)
    chart(figure, key="gd_map_chart")
    settled = np.isfinite(cmap.steps_to_converge)
    st.caption(
        f"{_first_upper(MOMENTUM_AXIS[spec.name])} on the vertical axis. {count(settled.sum())} "
        f"of {count(settled.size)} settings settled within {number(config.tol)} of a minimum, "
        f"{count(cmap.diverged.sum())} diverged. The star marks your current settings."
    )
    _offer_fastest(cmap, spec.name)


def _map_for(settings: MapSettings) -> ConvergenceMap | None:
    """The map of ``settings``: this learner's, another learner's identical one, or its job's
    place or progress (None while it waits or runs)."""
    done = st.session_state.get(MAP_DONE)
    if done is not None and done[0] == settings:
        return done[1]
    found = jobs.finished(MapJob(settings))
    if found is not None:
        return found
    held = st.session_state.get(MAP_JOB)
    job = jobs.view(held[0]) if held and held[1] == settings else None
    if job is None:  # asked for (the button) and not known: queue it, and poll from a full run
        job = jobs.submit(MapJob(settings), replaces=held and held[0])
        if job is not None:
            st.session_state[MAP_JOB] = (job.id, settings)
            st.rerun()
        return None
    if not job.active:
        st.rerun()  # it ended since the page was drawn: the page takes the map over
    if job.status == "queued":
        jobs.show_waiting(job, "gd_map_cancel", (MAP_JOB, "gd_map_args"))
    else:
        st.progress(job.fraction, text=f"Running the {job.label}…")
    return None


def _take_map() -> None:
    """Take over this learner's map job once it has ended (or say why there is no map)."""
    taken = jobs.take_ended(MAP_JOB)
    if taken is None or taken[1] is None:
        return
    held, job = taken
    if job.status == "done":
        st.session_state[MAP_DONE] = (held[1], job.value)
    else:
        st.session_state.pop("gd_map_args", None)  # back to the button
        jobs.show_failure(job)


def _map_controls(
    config: DescentConfig, surface: Surface
) -> tuple[OptimizerSpec, str, MapSettings]:
    """The map's optimizer, colouring ("steps" or "loss") and grid; its button keeps them."""
    names = [o.name for o in config.optimizers]
    a, b, c, d = st.columns([1.3, 1.3, 1, 1], vertical_alignment="bottom")
    first = next((i for i, n in enumerate(names) if n in ("momentum", "nesterov", "adam")), 0)
    name = a.selectbox(
        "Optimizer", names, index=first, format_func=LABELS.__getitem__, key="gd_map_opt", bind=BIND
    )
    metric = b.segmented_control(
        "Colour by",
        ["steps to settle", "final loss"],
        default="steps to settle",
        required=True,
        key="gd_map_metric",
        bind=BIND,
    )
    n = c.selectbox(
        "Grid", MAP_SIZES, format_func=lambda k: f"{k} × {k}", key="gd_map_n", bind=BIND
    )
    spec = next(o for o in config.optimizers if o.name == name)
    settings = map_settings(config, surface, name, n)
    if d.button("Compute the map", key="gd_map_go", type="primary", icon=":material/grid_on:"):
        st.session_state["gd_map_args"] = settings  # _map_for queues it unless it is known
    return spec, "steps" if metric == "steps to settle" else "loss", settings


def _use_setting(name: str, axis: str, lr: float, momentum: float) -> None:
    """Callback: put a map cell's learning rate and momentum (or beta1) into the widgets."""
    st.session_state[f"gd_lr_{name}"] = nearest_lr(lr)
    key = f"gd_b1_{name}" if axis == "beta1" else f"gd_mom_{name}"
    st.session_state[key] = round(min(momentum, 0.99), 2)


def _offer_fastest(cmap: ConvergenceMap, name: str) -> None:
    """Name the fastest cell of the map and offer to run the page with it."""
    fastest = cmap.fastest()
    if fastest is None:
        return
    lr, m, steps = fastest
    axis = map_axis(name)
    label = "β₁" if axis == "beta1" else "momentum"
    a, b = st.columns([3, 1], vertical_alignment="center")
    a.success(
        f"Fastest here: lr = {number(lr, 3)} with {label} = {fixed(m, 2)} settles in "
        f"{count(steps)} steps.",
        icon=":material/bolt:",
    )
    if name in ("momentum", "nesterov", "rmsprop", "adam", "adamw") and b.button(
        "Use these settings",
        key="gd_map_use",
        on_click=_use_setting,
        args=(name, axis, lr, m),
        help="Sets this optimizer's sliders (rounded to their steps).",
    ):
        st.rerun()  # the whole page, not only this fragment


def _first_upper(text: str) -> str:
    """``text`` with its first letter capitalised and the rest kept (SGD stays SGD)."""
    return text[:1].upper() + text[1:]
