"""The Generalization page's Streamlit side: the one module ``pages/9_generalization.py`` imports.

It re-exports, in the order the page calls them, the shared page furniture, the dataset picker,
and the sections: overfitting and its remedies (``overfit``), the capacity x data sweep
(``sweep``) and the sanity checks (``checks``). Jobs and their panels are ``series``; cached
figures are ``views``. The experiments are ``dlviz.generalization``; the figures
``dlviz.plots.generalization``.
"""

from __future__ import annotations

from dlviz.ui.common import explanations, page_header, prose, text_sections, try_this
from dlviz.ui.generalization.checks import (
    one_batch_section,
    random_labels_section,
    range_test_section,
)
from dlviz.ui.generalization.data import dataset_picker
from dlviz.ui.generalization.overfit import overfitting_section
from dlviz.ui.generalization.sweep import sweep_section
from dlviz.ui.generalization.transfer import transfer_section
from dlviz.ui.generalization.trust import trust_section

__all__ = [
    "dataset_picker",
    "explanations",
    "one_batch_section",
    "overfitting_section",
    "page_header",
    "prose",
    "random_labels_section",
    "range_test_section",
    "sweep_section",
    "text_sections",
    "transfer_section",
    "trust_section",
    "try_this",
]
