"""Playground figures: the right traces, shapes and numbers for a given snapshot."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from dlviz.playground.data import DataConfig, make_dataset
from dlviz.playground.model import ModelConfig, TrainSettings
from dlviz.playground.session import Trainer
from dlviz.plots.playground.network import network_figure, update_network_figure
from dlviz.plots.playground.regions import (
    confusion_figure,
    curves_figure,
    decision_figure,
    region_colorscale,
    region_values,
    update_confusion_figure,
    update_curves_figure,
    update_decision_figure,
)

FEATURES = ("x1", "x2", "x1^2")


@pytest.fixture(scope="module")
def run():
    data = make_dataset(DataConfig(name="blobs", n_classes=3, n_samples=150))
    t = Trainer(data, ModelConfig(features=FEATURES, hidden=(5, 4)), TrainSettings(), grid=40)
    t.step(3)
    return data, t.snapshot()


def test_region_values_encode_class_and_confidence_as_bytes():
    probs = np.array([[[0.9, 0.05, 0.05], [1 / 3, 1 / 3, 1 / 3], [0.1, 0.1, 0.8], [0, 1, 0]]])
    code, pct = region_values(probs)
    assert code.dtype == np.uint8 and pct.dtype == np.uint8
    band = code.astype(int) * 3 // 255  # which class's colour band the code falls in
    assert band.tolist() == [[0, 0, 2, 1]]
    assert code[0, 1] < 5  # a three-way tie is as unsure as it gets: the palest tint
    assert code[0, 3] == 168  # certain class 1: floor(255 * 1.98 / 3), top of its band 85..170
    assert pct.tolist() == [[90, 33, 80, 100]]


def test_region_codes_never_cross_into_a_neighbouring_band():
    for k in range(2, 6):
        p = np.full((k, 1, k), 0.0)
        for c in range(k):
            p[c, 0, c] = 1.0  # certain
        ties = np.full((1, 1, k), 1.0 / k)
        code = region_values(np.concatenate([p, ties]))[0].astype(int)[:, 0]
        stops = [s for s, _ in region_colorscale(k)]
        for c in range(k):
            assert stops[2 * c] <= code[c] / 255 <= stops[2 * c + 1]
        assert code[-1] / 255 <= stops[1]


def test_region_colorscale_is_monotone_from_0_to_1():
    stops = [s for s, _ in region_colorscale(4)]
    assert stops[0] == 0 and stops[-1] == 1 and all(np.diff(stops) > 0)


def test_decision_figure_has_the_grid_and_a_trace_per_class_and_split(run):
    data, snap = run
    fig = decision_figure(snap, data, show_test=True)
    heat = fig.data[0]
    assert isinstance(heat, go.Heatmap) and np.asarray(heat.z).shape == (40, 40)
    np.testing.assert_array_equal(heat.z, region_values(snap.probs)[0])
    assert fig.data[1].meta == "click" and fig.data[1].visible is False  # the click catcher
    points = [t for t in fig.data[2:-1] if isinstance(t, go.Scatter)]
    assert len(points) == 2 * 3
    assert sum(len(t.x) for t in points) == len(data.x_train) + len(data.x_test)
    only_train = decision_figure(snap, data, show_test=False)
    assert len(only_train.data) == 1 + 1 + 3 + 1
    assert "epoch 3" in fig.layout.title.text


def test_network_figure_draws_a_map_per_neuron_and_a_bias_per_node(run):
    _, snap = run
    fig = network_figure(snap, FEATURES)
    maps = [t for t in fig.data if isinstance(t, go.Heatmap)]
    assert len(maps) == 4  # one per column: inputs, two hidden layers, softmax outputs
    m = snap.maps[0].shape[-1]
    hidden = np.asarray(maps[1].z)
    assert hidden.dtype == np.uint8
    assert hidden.shape == (5 * m + 4 * 6, m)  # five maps with gaps of 6 rows between
    assert (hidden == 255).sum() == 4 * 6 * m  # the gaps: drawn transparent
    first = hidden[-m:]  # neuron 1 is drawn at the top
    raw = snap.maps[1][0]
    expected = np.round((raw / np.abs(raw).max() + 1) / 2 * 253)  # scaled by its own peak
    np.testing.assert_array_equal(first, expected)
    assert first.min() == 0 or first.max() == 253
    out = np.asarray(maps[-1].z)
    band = out[out != 255].astype(int) * 3 // 253
    assert set(band.tolist()) <= {0, 1, 2}
    assert (out[-m:].astype(int) * 3 // 253 == 0).all()  # class 0's map, top, in class 0's band
    biases = next(t for t in fig.data if t.name == "biases")
    assert len(biases.x) == 5 + 4 + 3
    edges = [t for t in fig.data if isinstance(t, go.Scatter) and t.mode == "lines"]
    n_segments = sum(int(np.isnan(np.asarray(t.x, dtype=float)).sum()) for t in edges)
    assert n_segments == 3 * 5 + 5 * 4 + 4 * 3
    assert len(edges) <= 11  # binned by sign and strength (and exact zeros), not one per edge
    assert len(biases.text) == 12 and "bias b = " in biases.text[0]
    texts = [tr for tr in fig.data if isinstance(tr, go.Scatter) and tr.mode == "text"]
    labels = " ".join(t for tr in texts for t in tr.text)
    assert "x₁²" in labels and "class 2" in labels and "b = " in labels


def test_curves_and_confusion_figures(run):
    _, snap = run
    curves = curves_figure(snap.history)
    assert len(curves.data) == 4
    assert list(curves.data[0].x) == [0, 1, 2, 3]
    conf = confusion_figure(snap.confusion)
    np.testing.assert_array_equal(np.asarray(conf.data[0].z), snap.confusion)
    assert conf.data[0].z.sum() == len(run[0].x_test)


def test_updating_in_place_equals_building_afresh():
    data = make_dataset(DataConfig(name="moons", n_samples=120))
    t = Trainer(data, ModelConfig(hidden=(4, 3)), TrainSettings(), grid=20, map_grid=8)
    old = t.snapshot()
    figs = [
        decision_figure(old, data),
        network_figure(old, ("x1", "x2")),
        curves_figure(old.history),
        confusion_figure(old.confusion),
    ]
    t.step(4)
    new = t.snapshot()
    update_decision_figure(figs[0], new, data)
    update_network_figure(figs[1], new)
    update_curves_figure(figs[2], new.history)
    update_confusion_figure(figs[3], new.confusion)
    fresh = [
        decision_figure(new, data),
        network_figure(new, ("x1", "x2")),
        curves_figure(new.history),
        confusion_figure(new.confusion),
    ]
    for a, b in zip(figs, fresh, strict=True):
        assert pio.to_json(a, validate=False) == pio.to_json(b, validate=False)


def test_misclassified_points_are_crossed_out(run):
    data, snap = run
    fig = decision_figure(snap, data)
    wrong = fig.data[-1]
    n_wrong = int(
        (snap.train_pred != data.y_train.numpy()).sum()
        + (snap.test_pred != data.y_test.numpy()).sum()
    )
    assert wrong.name == "misclassified" and len(wrong.x) == n_wrong


def test_figures_serialise_compactly(run):
    data, snap = run
    for fig in (decision_figure(snap, data), network_figure(snap, FEATURES)):
        assert len(pio.to_json(fig, validate=False)) < 300_000


def test_the_click_catcher_covers_the_plane_only_in_a_click_mode(run):
    from dlviz.plots.playground.regions import CLICK_GRID, set_click_hint

    data, snap = run
    fig = decision_figure(snap, data)
    catcher = fig.data[1]
    assert not catcher.visible and len(catcher.x) == 0
    set_click_hint(fig, "click: add a point here")
    assert catcher.visible and len(catcher.x) == CLICK_GRID**2
    assert max(catcher.x) == pytest.approx(data.limit) and "add a point" in catcher.hovertemplate
    set_click_hint(fig, None)
    assert not catcher.visible and len(catcher.x) == 0


@pytest.mark.parametrize("name", ["moons", "bump"])
def test_refreshed_live_figures_equal_figures_built_afresh(name):
    """What every poll does (refresh in place) draws exactly what a first draw would."""
    from dlviz.playground.model import ModelConfig, TrainSettings
    from dlviz.playground.session import Trainer
    from dlviz.plots.playground.live import build_live_figures, refresh_live_figures

    data = make_dataset(DataConfig(name=name, n_samples=120))
    features = ("x1", "x2")
    trainer = Trainer(data, ModelConfig(features, (4,), "tanh", "adam"), TrainSettings())
    figs = build_live_figures(trainer.snapshot(), data, features)
    trainer.step(2)
    snap = trainer.snapshot()
    refreshed = refresh_live_figures(figs, snap, data)
    fresh = build_live_figures(snap, data, features)
    assert set(refreshed) == {"regions", "network", "curves", "confusion"}
    for key, fig in fresh.items():
        sent = pio.to_json(refreshed[key], validate=False)  # what the browser would receive
        assert json.loads(sent) == json.loads(pio.to_json(fig, validate=False)), key
