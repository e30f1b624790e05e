"""Cached runs and figures for the Gradient-descent page.

Surfaces and paths are cached per input with ``st.cache_resource`` (read-only objects, so a slider
move re-runs only the optimizer whose settings changed), and so is each figure (read-only: never
mutate them); the convergence map itself comes from the job queue (``dlviz.ui.descent.results``).
The widgets are in ``dlviz.ui.descent.controls`` and ``dlviz.ui.descent.optimizers``; the table and
the convergence map below the chart are in ``dlviz.ui.descent.results``; ``dlviz.ui.descent``
gathers what the page calls.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from dlviz.descent.compare import DescentConfig, OptimizerSpec, SurfaceSpec, build_surface, run_one
from dlviz.descent.convergence import (
    ConvergenceMap,
    MapSettings,
    map_axis,
    stability_curve,
)
from dlviz.descent.optimize import Path
from dlviz.descent.surfaces import Surface
from dlviz.plots.descent.map import convergence_map_figure
from dlviz.plots.descent.panel import descent_figure
from dlviz.plots.descent.surface3d import surface3d_figure


@st.cache_resource(max_entries=16, show_spinner=False)
def surface_view(spec: SurfaceSpec) -> tuple[Surface, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The surface and its 80 x 80 grid (raises ExpressionError for a bad custom formula)."""
    surface = build_surface(spec)
    return surface, surface.grid(80)


@st.cache_resource(max_entries=128, show_spinner=False)
def path_view(spec: SurfaceSpec, opt: OptimizerSpec, config: DescentConfig) -> Path:
    """One optimizer's path; ``config``'s optimizer list is blanked so other optimizers' settings
    do not invalidate this entry (see ``paths``)."""
    surface, _ = surface_view(spec)
    return run_one(surface, opt, config)


def paths(config: DescentConfig) -> list[Path]:
    """Every optimizer's path, each cached on its own."""
    shared = replace(config, optimizers=())
    return [path_view(config.surface, opt, shared) for opt in config.optimizers]


@st.cache_resource(max_entries=16, show_spinner=False)
def descent_view(config: DescentConfig) -> go.Figure:
    """The animated contour / loss / state figure for a config."""
    surface, grid = surface_view(config.surface)
    return descent_figure(surface, paths(config), grid)


@st.cache_resource(max_entries=16, show_spinner=False)
def surface3d_view(config: DescentConfig) -> go.Figure:
    """The 3-D surface with every path, for a config."""
    surface, grid = surface_view(config.surface)
    return surface3d_figure(surface, paths(config), grid)


@st.cache_resource(max_entries=16, show_spinner=False)
def convergence_view(
    settings: MapSettings, metric: str, current: tuple[float, float], _cmap: ConvergenceMap
) -> tuple[ConvergenceMap, go.Figure]:
    """The map and its heatmap coloured by ``metric`` ("steps" or "loss"), a star at ``current``.

    ``_cmap`` (not hashed) is the map of ``settings``: the same settings always give the same map.
    """
    cmap = _cmap
    surface, _ = surface_view(settings.surface)
    name = settings.optimizer
    stability = stability_curve(surface, name, cmap.momenta, settings.lr_range)
    label = map_axis(name).replace("beta1", "β₁")
    return cmap, convergence_map_figure(cmap, metric, current, stability, label)
