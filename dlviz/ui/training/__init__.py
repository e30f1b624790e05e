"""The Training page's ui module: everything ``pages/8_training.py`` calls, top to bottom.

The page picks the data (``data``), a model and its hyperparameters (``form``), trains or recalls
a run (``run``) and explores it (``explore``, with the ``results``, ``compare`` and ``inspect``
tabs). This package re-exports what the page needs, ``page_header``, ``text_sections`` and
``try_this`` included, so the page imports this one module.
"""

from __future__ import annotations

from dlviz.ui.common import long_read, page_header, prose, text_sections, try_this
from dlviz.ui.training.code import show_code
from dlviz.ui.training.data import dataset_picker, show_dataset, show_fallback
from dlviz.ui.training.explore import show_explorer
from dlviz.ui.training.form import model_picker, training_controls
from dlviz.ui.training.run import job_pending, show_run_message, train_or_recall

__all__ = [
    "dataset_picker",
    "job_pending",
    "model_picker",
    "long_read",
    "page_header",
    "prose",
    "show_code",
    "show_dataset",
    "show_explorer",
    "show_fallback",
    "show_run_message",
    "text_sections",
    "train_or_recall",
    "training_controls",
    "try_this",
]
