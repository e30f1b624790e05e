"""Figure builders of the gradient-descent page: valid plotly, the right traces and frames."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dlviz.descent import Hyper, convergence_map, get_surface, run
from dlviz.plots.descent.common import display_height
from dlviz.plots.descent.map import convergence_map_figure
from dlviz.plots.descent.panel import descent_figure, frame_steps
from dlviz.plots.descent.surface3d import surface3d_figure
from tests.support import values


def _paths(surface, steps=30):
    return [
        run(surface, "sgd", surface.start, steps, Hyper(lr=surface.default_lr("sgd"))),
        run(surface, "adam", surface.start, steps, Hyper(lr=surface.default_lr("adam"))),
        run(surface, "momentum", surface.start, steps, Hyper(lr=1.0)),  # diverges
    ]


def test_descent_figure_is_valid_plotly_with_one_frame_per_step():
    surface = get_surface("himmelblau")
    paths = _paths(surface)
    fig = descent_figure(surface, paths, surface.grid(40))
    checked = go.Figure(fig.to_dict())  # full validation of data, layout and every frame
    assert len(checked.frames) == 31
    assert [s["label"] for s in checked.layout.sliders[0].steps] == [str(k) for k in range(31)]
    types = [t.type for t in checked.data]
    assert types.count("contour") == 1 and types.count("table") == 1
    assert checked.layout.yaxis2.type == "log"
    # the diverged path is cut at its divergence step and marked with an x
    diverged = paths[2]
    assert diverged.diverged
    line = next(t for t in checked.data if t.name == "SGD + momentum" and t.yaxis in (None, "y"))
    assert len(values(line.x)) == diverged.last + 1
    assert any(t.marker.symbol == "x" for t in checked.data if t.type == "scatter")
    # a frame past the divergence keeps that ball at its last valid point
    balls = checked.frames[-1].data[0]
    np.testing.assert_allclose(values(balls.x)[2], diverged.positions[diverged.last, 0])


def test_frames_thin_out_evenly_for_long_runs():
    assert frame_steps(200, 201) == list(range(201))
    ks = frame_steps(500, 201)
    assert ks[0] == 0 and ks[-1] == 500 and len(ks) <= 201
    assert len(set(np.diff(ks)[:-1])) == 1  # equal strides, the last one may be shorter


def test_surface3d_figure_has_the_surface_and_each_path():
    surface = get_surface("rosenbrock")
    paths = _paths(surface, steps=20)
    fig = go.Figure(surface3d_figure(surface, paths, surface.grid(30)).to_dict())
    assert fig.data[0].type == "surface"
    lines = [t for t in fig.data if t.type == "scatter3d" and t.mode == "lines"]
    assert [t.name for t in lines] == ["SGD", "Adam", "SGD + momentum"]
    # the height is log10(1 + f - f*) on Rosenbrock, above the surface
    z = values(lines[0].z)
    assert np.all(z >= display_height(surface, paths[0].losses[: len(z)]))


def test_saddle_loss_axis_is_linear_without_a_minimum():
    surface = get_surface("saddle")
    fig = descent_figure(surface, _paths(surface, 10), surface.grid(20))
    assert fig.layout.yaxis2.type == "linear"
    assert not [t for t in fig.data if t.name == "minimum"]


def test_convergence_map_figure_marks_settings_and_theory():
    surface = get_surface("quadratic", kappa=10.0)
    cmap = convergence_map(surface, "momentum", surface.start, 60, (1e-3, 1.0), 12, 10)
    stab = [(2 * (1 + m) / 10.0, m) for m in cmap.momenta]
    fig = convergence_map_figure(cmap, "steps", (0.05, 0.9), stab)
    checked = go.Figure(fig.to_dict())
    assert checked.data[0].type == "heatmap" and np.asarray(fig.data[0].z).shape == (10, 12)
    names = {t.name for t in checked.data}
    assert "your settings" in names and any("theory" in (n or "") for n in names)
    loss_fig = convergence_map_figure(cmap, "loss")
    assert np.nanmax(np.asarray(loss_fig.data[0].z, dtype=float)) <= 3  # log10 of the loss
