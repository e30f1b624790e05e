"""Activations: each function's curve and autograd derivative, flat regions, overlays, softmax."""

from __future__ import annotations

import streamlit as st

from dlviz.activations import (
    ACTIVATION_NAMES,
    ACTIVATIONS,
    SOFTMAX_JACOBIAN_LATEX,
    SOFTMAX_LATEX,
    SOFTMAX_LSE_LATEX,
)
from dlviz.ui import concepts as ui
from dlviz.ui.common import page_header, text_sections, try_this

TEXT = text_sections("activations")
page_header("Activation functions", TEXT["intro"])
one_tab, compare_tab, softmax_tab = st.tabs(["One activation", "Compare", "Softmax"])

with one_tab:
    left, right = st.columns([1, 2.4], gap="large")
    with left:
        config = ui.curve_controls()
        act = ACTIVATIONS[config.name]
        st.latex(act.latex)
        st.latex(act.derivative_latex)
        st.caption(TEXT[config.name])
    result, figure = ui.activation_view(config)  # dlviz.activations.analyse + activation_figure
    with right:
        st.plotly_chart(figure, key="act_chart")
        ui.show_probe(result)
    try_this(
        "Pick **Sigmoid**, slide the probe to x = 6: f′ drops below 0.003, and ten such layers "
        "leave almost nothing (|f′|¹⁰).",
        "Compare the peak slope of **Sigmoid** (0.25 at x = 0) with **Tanh** (1 at x = 0).",
        "Pick **Leaky ReLU** and drag the slope a down to 0: the left side turns into ReLU's dead "
        "side. At 0.005 it is shaded as nearly dead.",
        "Pick **ELU**, change α: the flat band starts at x = ln(0.01/α). Then find the narrow "
        "turning point of **GELU** or **SiLU** where f′ crosses zero.",
    )
    a, b = st.columns(2)
    a.markdown(TEXT["vanishing gradients"])
    b.markdown(TEXT["why leaky relu and elu"])

with compare_tab:
    left, right = st.columns([1, 2.4], gap="large")
    with left:
        chosen = st.multiselect(
            "Activations to overlay",
            ACTIVATION_NAMES,
            default=["sigmoid", "tanh", "relu", "gelu"],
            format_func=ui.activation_label,
            key="act_compare",
        )
        view = st.segmented_control(
            "Show", ["f(x)", "f′(x)"], default="f(x)", required=True, key="act_compare_view"
        )
        st.caption(TEXT["compare"])
    with right:
        if chosen:
            figure = ui.compare_view(tuple(chosen), view == "f′(x)")
            st.plotly_chart(figure, key="act_compare_chart")
        else:
            st.info("Choose at least one activation to overlay.")

with softmax_tab:
    st.markdown(TEXT["softmax"])
    a, b, c = st.columns([1.2, 1.6, 1.2], vertical_alignment="bottom")
    k = a.slider("Number of classes", 2, len(ui.CLASS_NAMES), 4, key="act_k")
    with b:
        temperature = ui.temperature_control()
    c.button(
        "Try logits 1000 and −1000",
        key="act_extreme",
        on_click=ui.set_logits,
        args=("act", (1000.0, -1000.0, 0.0, 999.0, -5.0, 3.0, 1.0, 0.0)),
    )
    c.button(
        "Reset logits", key="act_reset", on_click=ui.set_logits, args=("act", ui.DEFAULT_LOGITS)
    )
    logits = ui.logit_inputs("act", k)
    labels = ui.class_labels(k)
    st.latex(SOFTMAX_LATEX + r"\qquad " + SOFTMAX_LSE_LATEX)
    left, mid, right = st.columns([1.1, 1.2, 1], gap="medium")
    with mid:
        idx = st.selectbox(
            "Sweep the logit of", range(k), format_func=labels.__getitem__, key="act_sweep"
        )
    # softmax_analysis + softmax_sweep and their three figures, cached by their inputs
    _, bars, sweep, jacobian = ui.softmax_view(logits, temperature, idx)
    left.plotly_chart(bars, key="act_softmax_bars")
    mid.plotly_chart(sweep, key="act_sweep_chart")
    with right:
        st.latex(SOFTMAX_JACOBIAN_LATEX)
        st.plotly_chart(jacobian, key="act_jacobian")
    st.markdown(TEXT["softmax derivative"])
    try_this(
        "Set T = 0.1: the largest logit takes nearly all the probability. T = 10: nearly uniform.",
        "Press **Try logits 1000 and −1000**: e¹⁰⁰⁰ overflows, yet every bar stays finite and "
        "the sum stays 1 (hover a bar: log p is still exact).",
        "Add the same number to every logit: nothing changes. Softmax only sees differences.",
        "Sweep one logit: its probability follows a sigmoid centred on c; at T = 1 the slope at c is "
        "exactly 0.25, the sigmoid's peak.",
    )
