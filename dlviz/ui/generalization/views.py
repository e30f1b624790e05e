"""Cached figures of the Generalization page, keyed by the frozen results they draw (bounded)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from dlviz.generalization import RunCurves, SweepSetup
from dlviz.plots.generalization import curves, sanity, sweep
from dlviz.ui.resources import get_dataset


@st.cache_resource(max_entries=32, show_spinner=False)
def gap(run: RunCurves, epochs: int):
    """The run's train and validation curves with the gap named."""
    return curves.gap_figure(run, epochs)


@st.cache_resource(max_entries=32, show_spinner=False)
def comparison(runs: tuple[RunCurves, ...]):
    """Every run's validation curves."""
    return curves.comparison_figure(runs)


@st.cache_resource(max_entries=16, show_spinner=False)
def sweep_heatmaps(setup: SweepSetup, runs: tuple[RunCurves, ...]):
    """The sweep's two heatmaps."""
    return sweep.sweep_figure(setup, runs)


@st.cache_resource(max_entries=16, show_spinner=False)
def one_batch(result):
    """The one-batch loss curves."""
    return sanity.one_batch_figure(result)


@st.cache_resource(max_entries=16, show_spinner=False)
def random_labels(runs: tuple[RunCurves, ...]):
    """True against random labels."""
    return sanity.random_labels_figure(runs)


@st.cache_resource(max_entries=16, show_spinner=False)
def range_test(curve):
    """The learning-rate range test."""
    return sanity.range_test_figure(curve)


@st.cache_resource(max_entries=16, show_spinner=False)
def augmented_strip(dataset: str, kind: str, images: int = 4, copies: int = 7, seed: int = 0):
    """A few training images, each followed by augmented versions (what training batches see)."""
    import torch

    from dlviz.training.augment import augmented_samples

    data = get_dataset(dataset)
    g = torch.Generator().manual_seed(seed)
    idx = torch.randperm(len(data.train_y), generator=g)[:images]
    originals = data.train_x[idx]
    drawn = augmented_samples(originals, kind, copies - 1, seed)
    strip = torch.cat([originals.unsqueeze(1), drawn], dim=1).numpy().astype(np.uint8)
    labels = [data.info.classes[int(y)] for y in data.train_y[idx]]
    return sanity.augmented_strip_figure(strip, labels)
