"""The Playground's four live figures as one set: built once per trainer, refreshed in place.

Building a styled plotly figure validates its whole template (tens of ms); assigning new arrays
to existing traces costs well under a millisecond, so every poll after the first only refreshes.
Classification shows the decision regions and a confusion matrix; regression the predicted
values and a predicted-against-true fit. The page (``dlviz.ui.playground.live``) keeps one set
per session; the benchmarks time exactly what it does.
"""

from __future__ import annotations

import plotly.graph_objects as go

from dlviz.playground.data import PlaygroundData
from dlviz.playground.snapshot import Snapshot
from dlviz.plots.playground.network import network_figure, update_network_figure
from dlviz.plots.playground.regions import (
    confusion_figure,
    curves_figure,
    decision_figure,
    update_confusion_figure,
    update_curves_figure,
    update_decision_figure,
)
from dlviz.plots.playground.regression import (
    fit_figure,
    update_fit_figure,
    update_value_figure,
    value_figure,
)

LiveFigures = dict[str, go.Figure]
"""``regions`` (decision regions or predicted values), ``network``, ``curves`` and
``confusion`` (the confusion matrix, or the regression's fit)."""


def build_live_figures(
    snap: Snapshot, data: PlaygroundData, features: tuple[str, ...], show_test: bool = True
) -> LiveFigures:
    """The four figures for ``snap``, made afresh (the first draw of a trainer)."""
    if data.regression:
        regions = value_figure(snap, data, show_test=show_test)
        right = update_fit_figure(fit_figure(data), snap)
    else:
        regions = decision_figure(snap, data, show_test=show_test)
        right = confusion_figure(snap.confusion)
    return {
        "regions": regions,
        "network": network_figure(snap, features),
        "curves": curves_figure(snap.history, regression=data.regression),
        "confusion": right,
    }


def refresh_live_figures(figs: LiveFigures, snap: Snapshot, data: PlaygroundData) -> LiveFigures:
    """Put ``snap`` into figures made by ``build_live_figures`` for the same data, in place."""
    if data.regression:
        update_value_figure(figs["regions"], snap)
        update_fit_figure(figs["confusion"], snap)
    else:
        update_decision_figure(figs["regions"], snap, data)
        update_confusion_figure(figs["confusion"], snap.confusion)
    update_network_figure(figs["network"], snap)
    update_curves_figure(figs["curves"], snap.history)
    return figs
