"""Figures of a dataset on the Training page: sample images by class and the class balance.

Plain arrays (numpy or torch) in, a styled ``go.Figure`` out; ``pick_per_class`` and
``per_class_columns`` choose which images the sample grid shows. Nothing here loads data or
knows about Streamlit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from dlviz.metrics import as_numpy
from dlviz.plots.images import image_grid_figure
from dlviz.plots.style import color, styled
from dlviz.plots.training.layout import room_for_legend


def sample_grid_figure(
    images: Any,
    labels: Any,
    classes: Sequence[str],
    *,
    cols: int = 10,
    title: str | None = None,
    fit_width: int | None = None,
) -> go.Figure:
    """A grid of dataset images titled with their labels."""
    y = as_numpy(labels)
    names = [classes[int(t)] for t in y]
    return image_grid_figure(
        as_numpy(images), cols=cols, titles=names, hovers=names, title=title, fit_width=fit_width
    )


def pick_per_class(labels: Any, per_class: int, num_classes: int) -> np.ndarray:
    """Indices of the first ``per_class`` examples of each class, class by class."""
    y = as_numpy(labels)
    return np.concatenate([np.flatnonzero(y == k)[:per_class] for k in range(num_classes)]).astype(
        np.int64
    )


def per_class_columns(labels: Any, per_class: int, num_classes: int) -> np.ndarray:
    """``pick_per_class`` ordered for a grid of ``num_classes`` columns: one class per column."""
    pick = pick_per_class(labels, per_class, num_classes)
    return pick.reshape(num_classes, per_class).T.ravel()


def class_balance_figure(
    train_labels: Any, test_labels: Any, classes: Sequence[str], *, title: str | None = None
) -> go.Figure:
    """How many training and test images each class has (grouped bars)."""
    k = len(classes)
    fig = go.Figure()
    for i, (name, labels) in enumerate((("train", train_labels), ("test", test_labels))):
        counts = np.bincount(as_numpy(labels).astype(np.int64), minlength=k)[:k]
        fig.add_bar(
            x=list(classes),
            y=counts,
            name=name,
            marker_color=color(i),
            hovertemplate="%{x}: %{y} " + name + " images<extra></extra>",
        )
    styled(fig, title=title, height=300)
    room_for_legend(fig, title)
    fig.update_layout(barmode="group", bargap=0.25)
    fig.update_xaxes(type="category", title="class")
    fig.update_yaxes(title="images")
    return fig
