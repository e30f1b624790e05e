"""Process-wide cached resources shared by the training-related pages: datasets and the run store.

Datasets are cached with ``st.cache_resource`` (one shared, read-only copy per server process);
the run store is a thin handle on the disk cache in DLVIZ_CACHE_DIR. Training itself runs in the
job queue's worker processes (``dlviz.ui.jobs``), which load their own copy of the data.
"""

from __future__ import annotations

import streamlit as st

from dlviz.settings import get_settings


@st.cache_resource(max_entries=4, show_spinner="Loading the dataset…")
def get_dataset(name: str):
    """The named dataset (see dlviz.data.load_dataset); raises DatasetUnavailable when missing."""
    from dlviz.data import load_dataset

    s = get_settings()
    return load_dataset(name, root=s.data_dir, download=s.allow_download)


def dataset_or_fallback(name: str, fallback: str = "digits"):
    """``(dataset, message)``: the named dataset, or the fallback and a sentence saying why."""
    from dlviz.data import DatasetUnavailable

    try:
        return get_dataset(name), None
    except DatasetUnavailable as err:
        return get_dataset(fallback), str(err)


@st.cache_resource
def get_store():
    """The on-disk run cache (one handle per process)."""
    from dlviz.training.store import RunStore

    return RunStore(get_settings().cache_dir / "runs")
