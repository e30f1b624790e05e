"""Can you trust the probabilities? Pick any stored run (this page's or Train a model's),
measure its calibration through the job queue, and read the reliability diagrams, the ECE
before and after temperature scaling, and every test image on the cross-entropy curve."""

from __future__ import annotations

import streamlit as st

from dlviz.display import count, fixed, number, percent
from dlviz.generalization.trust import Calibration, true_class_loss
from dlviz.plots.generalization import trust as figures
from dlviz.plots.images import image_grid_figure
from dlviz.plots.training.inspect import probability_bars_figure
from dlviz.ui.common import chart
from dlviz.ui.generalization import series
from dlviz.ui.landscape.runs import stored_run_label
from dlviz.ui.links import BIND
from dlviz.ui.resources import get_dataset, get_store

SECTION = "calibration"
NO_BAR = {"displayModeBar": False}


@st.cache_resource(max_entries=8, show_spinner=False)
def reliability_view(run_key: str, _cal: Calibration):
    """Both reliability diagrams (keyed by the run: its calibration is always the same)."""
    return figures.reliability_figure(_cal)


@st.cache_resource(max_entries=16, show_spinner=False)
def loss_view(run_key: str, _cal: Calibration, selected: int | None):
    """The cross-entropy scatter, the selected image ringed."""
    return figures.loss_curve_figure(_cal, selected)


def trust_section() -> None:
    """Run picker, Measure, the numbers and the figures."""
    series.take_finished(SECTION)
    runs = get_store().runs()
    if not runs:
        st.info("No trained run yet. Train one in the first tab (or on **Train a model**), then "
                "come back to measure how far its probabilities can be trusted.")  # fmt: skip
        return
    keys = [r.key for r in runs]
    labels = {r.key: stored_run_label(r) for r in runs}
    if st.session_state.get("gen_calib_run") not in keys:
        st.session_state["gen_calib_run"] = keys[0]
    key = st.selectbox("Trained run", keys, key="gen_calib_run", bind=BIND, format_func=labels.get)
    if st.button("Measure calibration", key="gen_calib_go", icon=":material/tune:"):
        series.start_calibration(SECTION, key)
    series.show_job(SECTION)
    held = series.result(SECTION)
    if held is None:
        return
    cal: Calibration = held[1]
    if held[0] != key:
        st.caption(
            "These numbers are for the run you last measured; press **Measure** for this one."
        )
    show_calibration(cal)


def show_calibration(cal: Calibration) -> None:
    """Metrics, reliability diagrams, and the cross-entropy scatter with the clicked image."""
    c = st.columns(4)
    c[0].metric("Temperature T", fixed(cal.temperature, 3),
                help=f"Fitted on the run's {count(cal.val_images)} validation images.")  # fmt: skip
    c[1].metric("ECE, test images", percent(cal.after.ece),
                delta=f"{percent(cal.after.ece - cal.before.ece)} vs T = 1",
                delta_color="inverse")  # fmt: skip
    c[2].metric("Test cross-entropy", fixed(cal.nll_after, 4),
                delta=f"{fixed(cal.nll_after - cal.nll_before, 4)} vs T = 1",
                delta_color="inverse")  # fmt: skip
    c[3].metric("Test accuracy", percent(cal.accuracy), help="Dividing by T never changes the "
                "predicted class, so accuracy is the same before and after.")  # fmt: skip
    verdict = "overconfident" if cal.temperature > 1 else "underconfident"
    st.caption(
        f"T = {fixed(cal.temperature, 2)}: the model was {verdict} on average "
        f"({'T > 1 softens' if cal.temperature > 1 else 'T < 1 sharpens'} its probabilities). "
        f"ECE {percent(cal.before.ece)} → {percent(cal.after.ece)}."
    )
    chart(reliability_view(cal.run_key, cal), key="gen_reliability", config=NO_BAR)
    picked = _picked()
    chart(loss_view(cal.run_key, cal, picked), key="gen_ce", on_select="rerun",
                    selection_mode="points", config=NO_BAR)  # fmt: skip
    if picked is not None and picked < len(cal.labels):
        show_image(cal, picked)
    else:
        st.caption("Click a point to see its image, its probabilities and its loss.")


def _picked() -> int | None:
    """The test image index of the clicked point, if any."""
    event = st.session_state.get("gen_ce")
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    for point in points:
        index = point.get("customdata")
        if isinstance(index, list):
            index = index[0] if index else None
        if isinstance(index, (int, float)):
            return int(index)
    return None


def show_image(cal: Calibration, i: int) -> None:
    """One test image, its class probabilities and its loss."""
    data = get_dataset(cal.dataset)
    p_true, loss = (t[i].item() for t in true_class_loss(cal.probs, cal.labels))
    true = data.info.classes[int(cal.labels[i])]
    pred = data.info.classes[int(cal.probs[i].argmax())]
    left, right = st.columns([1, 2])
    chart(image_grid_figure(data.test_x[i : i + 1].numpy(), cols=1, tile_px=160),
                      key="gen_ce_image", config=NO_BAR, where=left)  # fmt: skip
    with right:
        st.markdown(
            f"**Test image {i}**: true class **{true}**, predicted **{pred}**. p(true class) = "
            f"{number(p_true, 3)}, so its loss is −log p = **{fixed(loss, 3)}**."
        )
        chart(probability_bars_figure(cal.probs[i], data.info.classes),
                        key="gen_ce_probs", config=NO_BAR)  # fmt: skip
