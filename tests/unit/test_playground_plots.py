"""Playground figures: the right traces, shapes and numbers for a given snapshot."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from dlviz.playground.data import DataConfig, make_dataset
from dlviz.playground.model import ModelConfig, TrainSettings
from dlviz.playground.session import Trainer
from dlviz.plots.playground import (
    confusion_figure,
    curves_figure,
    decision_figure,
    network_figure,
    region_colorscale,
    region_values,
)

FEATURES = ("x1", "x2", "x1^2")


@pytest.fixture(scope="module")
def run():
    data = make_dataset(DataConfig(name="blobs", n_classes=3, n_samples=150))
    t = Trainer(data, ModelConfig(features=FEATURES, hidden=(5, 4)), TrainSettings(), grid=40)
    t.step(3)
    return data, t.snapshot()


def test_region_values_encode_class_and_confidence():
    probs = np.array([[[0.9, 0.05, 0.05], [1 / 3, 1 / 3, 1 / 3], [0.1, 0.1, 0.8]]])
    z, pmax = region_values(probs)
    assert np.floor(z).tolist() == [[0, 0, 2]]
    assert z[0, 1] == pytest.approx(0.0)  # a tie is as unsure as it gets: palest tint
    assert 2.6 < z[0, 2] < 3.0
    np.testing.assert_allclose(pmax, [[0.9, 1 / 3, 0.8]])


def test_region_colorscale_is_monotone_from_0_to_1():
    stops = [s for s, _ in region_colorscale(4)]
    assert stops[0] == 0 and stops[-1] == 1 and all(np.diff(stops) > 0)


def test_decision_figure_has_the_grid_and_a_trace_per_class_and_split(run):
    data, snap = run
    fig = decision_figure(snap, data, show_test=True)
    heat = fig.data[0]
    assert isinstance(heat, go.Heatmap) and np.asarray(heat.z).shape == (40, 40)
    points = [t for t in fig.data[1:] if isinstance(t, go.Scatter)]
    assert len(points) == 2 * 3
    assert sum(len(t.x) for t in points) == len(data.x_train) + len(data.x_test)
    only_train = decision_figure(snap, data, show_test=False)
    assert len(only_train.data) == 1 + 3
    assert "epoch 3" in fig.layout.title.text


def test_network_figure_draws_a_map_per_neuron_and_a_bias_per_node(run):
    _, snap = run
    fig = network_figure(snap, FEATURES)
    maps = [t for t in fig.data if isinstance(t, go.Heatmap)]
    assert len(maps) == 3 + 5 + 4 + 3  # inputs, two hidden layers, softmax outputs
    biases = next(t for t in fig.data if t.name == "biases")
    assert len(biases.x) == 5 + 4 + 3
    edges = [t for t in fig.data if isinstance(t, go.Scatter) and t.mode == "lines"]
    n_segments = sum(t.x.count(None) for t in edges)
    assert n_segments == 3 * 5 + 5 * 4 + 4 * 3
    assert len(edges) <= 10  # binned by sign and strength, not one trace per edge
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


def test_figures_serialise_compactly(run):
    data, snap = run
    for fig in (decision_figure(snap, data), network_figure(snap, FEATURES)):
        assert len(pio.to_json(fig, validate=False)) < 300_000
