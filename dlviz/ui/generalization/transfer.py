"""Transfer learning: Fashion-MNIST features for Digits, against learning Digits from scratch."""

from __future__ import annotations

import streamlit as st

from dlviz.display import count, percent
from dlviz.generalization.transfer import MODES, TransferResult, TransferStudy
from dlviz.plots.generalization.transfer import transfer_figure
from dlviz.ui.generalization import series

SECTION = "transfer"


@st.cache_resource(max_entries=4, show_spinner=False)
def transfer_view(result: TransferResult):
    """The study's figure."""
    return transfer_figure(result)


def transfer_section() -> None:
    """The button, the job (source training, then the study), the figure and the numbers."""
    series.take_finished(SECTION)
    study = TransferStudy()
    st.markdown(
        f"{count(len(study.sizes) * len(MODES))} small runs on Digits upsampled to 28×28, with "
        f"{', '.join(count(n) for n in study.sizes)} labelled images, {study.steps} steps each. "
        "The Fashion-MNIST source network is trained first when it is not in the cache yet "
        "(about half a minute)."
    )
    if st.button("Run the transfer study", key="gen_transfer_go", icon=":material/move_up:"):
        series.start_transfer(SECTION, study)
    series.show_job(SECTION)
    held = series.result(SECTION)
    if held is None:
        return
    result: TransferResult = held[1]
    st.plotly_chart(transfer_view(result), key="gen_transfer")
    st.caption(transfer_words(result))


def transfer_words(result: TransferResult) -> str:
    """The source's accuracy and each mode at the smallest and the largest size."""
    first, last = result.sizes[0], result.sizes[-1]
    parts = [
        f"{MODES[m]}: {percent(a[0])} with {count(first)}, {percent(a[-1])} with {count(last)}"
        for m, a in result.accuracy.items()
    ]
    return (
        f"Source network: {percent(result.source_acc)} on Fashion-MNIST's test images. "
        + "; ".join(parts)
        + "."
    )
