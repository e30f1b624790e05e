"""Which data the Generalization page trains on: Digits, or a Fashion-MNIST subset when present."""

from __future__ import annotations

import streamlit as st

from dlviz.data import Dataset, dataset_info
from dlviz.display import escape_markdown
from dlviz.generalization import DATASETS
from dlviz.ui.links import BIND
from dlviz.ui.resources import dataset_or_fallback

LABELS = {
    "digits": "Digits: scikit-learn's 8×8 digits (built in, a run in a second or two)",
    "fashion-mnist": "Fashion-MNIST subset (28×28 clothes, about 5 to 10 s a run)",
}


def dataset_picker() -> Dataset:
    """The dataset selectbox; a missing Fashion-MNIST falls back to Digits with a warning."""
    name = st.selectbox("Dataset", DATASETS, key="gen_dataset", bind=BIND, format_func=LABELS.get)
    data, problem = dataset_or_fallback(name)
    if problem:
        st.warning(
            f"{escape_markdown(problem)}\n\nSwitched to the built-in "
            f"{dataset_info('digits').label} for now.",
            icon=":material/dataset:",
        )
    return data
