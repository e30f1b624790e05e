"""Transfer learning: Fashion-MNIST (or MNIST) features for Digits, against learning Digits from
scratch, at a training-set size the learner picks on a slider.

"Run at this size" trains the three starts at the slider's size (a few seconds once the source
network is in the cache); "Run the whole curve" trains four sizes at once. Every finished study
merges into this learner's curve for its source (``TransferResult.merged``), so the curve grows
as the learner moves the slider, and the slider's size is marked on it.
"""

from __future__ import annotations

import streamlit as st

from dlviz.data import dataset_info
from dlviz.display import count, escape_markdown, fixed, percent
from dlviz.generalization.transfer import (
    MODES,
    SIZES,
    SOURCES,
    TransferResult,
    TransferStudy,
    mode_label,
)
from dlviz.plots.generalization.transfer import transfer_figure
from dlviz.ui.common import chart
from dlviz.ui.generalization import series
from dlviz.ui.links import BIND

SECTION = "transfer"
CURVES = "gen_transfer_curves"  # session key: source -> this learner's merged TransferResult
MERGED = "gen_transfer_merged"  # session key: the finished result last merged into CURVES
CURVE_SIZES = (10, 50, 200, 1000)  # "Run the whole curve"


@st.cache_resource(max_entries=8, show_spinner=False)
def transfer_view(result: TransferResult, size: int):
    """The study's figure with the slider's size marked."""
    return transfer_figure(result, size)


def _merge_finished() -> None:
    """A finished study joins its source's curve; a study that fell back to Fashion-MNIST turns
    the source picker to what it used (before the picker is drawn)."""
    held = series.result(SECTION)
    if held is None or st.session_state.get(MERGED) is held:
        return
    new: TransferResult = held[1]
    curves = st.session_state.setdefault(CURVES, {})
    old = curves.get(new.source)
    curves[new.source] = old.merged(new) if old is not None else new
    st.session_state[MERGED] = held
    st.session_state["gen_transfer_source"] = new.source


def transfer_section() -> None:
    """The source and size pickers, the two buttons, the job, the curve and the numbers."""
    series.take_finished(SECTION)
    _merge_finished()
    c1, c2 = st.columns([1, 2])
    source = c1.selectbox(
        "Source dataset",
        SOURCES,
        format_func=lambda s: dataset_info(s).label,
        key="gen_transfer_source",
        bind=BIND,
        help="MNIST is downloaded when the server may; without it the study falls back to "
        "Fashion-MNIST and says so.",
    )
    size = c2.select_slider(
        "Labelled Digits images", SIZES, value=50, key="gen_transfer_size", bind=BIND
    )
    steps = TransferStudy().steps
    st.markdown(
        f"Each start trains {steps} steps on Digits upsampled to 28×28. The "
        f"{escape_markdown(dataset_info(source).label)} source network trains first when it is "
        "not in the cache yet (about half a minute, once for the whole server)."
    )
    b1, b2 = st.columns(2)
    if b1.button(
        f"Run at {count(size)} images", key="gen_transfer_one", icon=":material/play_arrow:"
    ):
        series.start_transfer(SECTION, TransferStudy(sizes=(size,), source=source))
    if b2.button("Run the whole curve", key="gen_transfer_go", icon=":material/move_up:"):
        series.start_transfer(SECTION, TransferStudy(sizes=CURVE_SIZES, source=source))
    series.show_job(SECTION)
    curve = st.session_state.get(CURVES, {}).get(source)
    if curve is None:
        return
    chart(transfer_view(curve, size), key="gen_transfer")
    st.caption(transfer_words(curve, size))


def transfer_words(result: TransferResult, size: int) -> str:
    """The source's accuracy and, at the slider's size, each start and what transfer adds."""
    name = dataset_info(result.source).label
    words = f"Source network: {percent(result.source_acc)} on {name}'s test images. "
    at = result.at(size)
    if at is None:
        return words + f"{count(size)} labelled images: not run yet (press Run at this size)."
    parts = [f"{mode_label(m, result.source)} {percent(at[m])}" for m in MODES]
    gain = 100 * (max(at["frozen"], at["fine-tune"]) - at["scratch"])
    verdict = (
        f"the better transferred start adds {fixed(gain, 1)} percentage points over scratch"
        if gain > 0
        else f"transfer does not help at this size ({fixed(gain, 1)} points against scratch)"
    )
    return words + f"With {count(size)} labelled images: " + ", ".join(parts) + f"; {verdict}."
