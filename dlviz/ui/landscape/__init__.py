"""The Loss-landscape page's Streamlit side: the one module ``pages/10_loss_landscape.py`` imports.

It re-exports, in the order the page calls them, the shared page furniture, the run to look at
(``dlviz.ui.landscape.runs``: stored runs, the picker, quick Digits runs through the job queue)
and the landscape (``dlviz.ui.landscape.views``: the settings form, the cached landscape or the
job computing it on request, its summary and cached figures). The maths is ``dlviz.landscape``;
the figures are ``dlviz.plots.landscape``.
"""

from __future__ import annotations

from dlviz.landscape import QUICK_MODELS, quick_config
from dlviz.ui.common import explanations, page_header, text_sections, try_this
from dlviz.ui.landscape.runs import run_controls, stored_runs_or_offer
from dlviz.ui.landscape.views import (
    SPANS,
    dataset_label,
    landscape_controls,
    landscape_for,
    show_charts,
    show_summary,
    test_images_of,
)

__all__ = [
    "QUICK_MODELS",
    "SPANS",
    "dataset_label",
    "landscape_controls",
    "landscape_for",
    "explanations",
    "page_header",
    "quick_config",
    "run_controls",
    "show_charts",
    "show_summary",
    "stored_runs_or_offer",
    "test_images_of",
    "text_sections",
    "try_this",
]
