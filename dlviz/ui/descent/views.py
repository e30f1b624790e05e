"""Cached runs and figures for the Gradient-descent page.

Surfaces and paths are cached per input with ``st.cache_resource`` (read-only objects, so a slider
move re-runs only the optimizer whose settings changed); the convergence map's batched runs with
``st.cache_data``. The widgets are in ``dlviz.ui.descent.controls`` and
``dlviz.ui.descent.optimizers``; the table and the convergence map below the chart are in
``dlviz.ui.descent.results``.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from dlviz.descent.batched import ConvergenceMap, convergence_map
from dlviz.descent.compare import DescentConfig, OptimizerSpec, SurfaceSpec, build_surface, run_one
from dlviz.descent.optimize import Path
from dlviz.descent.surfaces import Surface
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
    shared = DescentConfig(
        config.surface,
        config.start,
        config.steps,
        (),
        config.noise,
        config.batch_size,
        config.seed,
        config.tol,
    )
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


@st.cache_data(max_entries=16, show_spinner=False)
def map_view(
    spec: SurfaceSpec,
    optimizer: str,
    start: tuple[float, float],
    steps: int,
    tol: float,
    lr_range: tuple[float, float],
    n: int,
    beta2: float | None,
    eps: float | None,
    weight_decay: float | None,
) -> ConvergenceMap:
    """The lr x momentum map: n x n runs as one batched tensor."""
    surface, _ = surface_view(spec)
    return convergence_map(
        surface, optimizer, start, steps, lr_range, n, n, tol, beta2, eps, weight_decay
    )
