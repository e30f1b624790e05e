"""Activations: each function's curve and autograd derivative, flat regions, overlays, softmax."""

from __future__ import annotations

import streamlit as st

from dlviz.ui import activations as ui

TEXT = ui.text_sections("activations")
ui.page_header("Activation functions", TEXT["intro"])
# only the open tab runs and is drawn; the tab is part of a copied link
one_tab, compare_tab, softmax_tab = ui.lazy_tabs(ui.TABS, "act_tab", ui.TAB_SETTINGS)

with one_tab:
    if one_tab.open:
        with ui.phone_order("act_one"):  # on a phone: the chart, then its controls, then the rest
            left, right = st.columns([1, 2.3], gap="large")
            with left:
                with ui.phone_order("act_controls", 2):
                    config = ui.curve_controls()
                # dlviz.activations.analyse + its figure
                result, figure = ui.activation_view(config)
                ui.show_probe(result)
                st.caption(TEXT[config.name])
            with right:
                with ui.phone_order("act_plot", 1):
                    ui.chart(figure, key="act_chart")
                ui.show_formulas(config.name)
        ui.try_this(
            "Pick **Sigmoid** and slide the probe to x = 6: f′ drops below 0.003, and ten such layers "
            "keep less than 10⁻²⁵ of the gradient.",
            "Compare the peak slope of **Sigmoid** (0.25 at x = 0) with **Tanh** (1 at x = 0).",
            "Pick **Leaky ReLU** and drag the slope a down to 0: the left side turns into ReLU's dead "
            "side. At 0.005 it is shaded as nearly dead.",
            "Pick **ELU** and change α: the flat band starts at x = ln(0.01/α). Then find the narrow "
            "turning point of **GELU** or **SiLU**, where f′ crosses zero.",
        )
        a, b = st.columns(2, gap="large")
        with a:
            ui.prose(TEXT["vanishing gradients"])
        with b:
            ui.prose(TEXT["why leaky relu and elu"])

with compare_tab:
    if compare_tab.open:
        left, right = st.columns([1, 2.3], gap="large")
        with left:
            chosen, derivative = ui.compare_controls()  # the activations to overlay; f or f′
            st.caption(TEXT["compare"])
        with right:
            if chosen:
                # dlviz.activations.analyse per name + compare_figure, cached by the selection
                ui.chart(ui.compare_view(chosen, derivative), key="act_compare_chart")
            else:
                st.info("Choose at least one activation to overlay.", icon=":material/touch_app:")

with softmax_tab:
    if softmax_tab.open:
        ui.prose(TEXT["softmax"])
        k, temperature, idx = ui.softmax_controls()  # classes, T, swept logit, two logit buttons
        logits = ui.logit_inputs("act", k)
        st.latex(ui.SOFTMAX_LATEX + r"\qquad " + ui.SOFTMAX_LSE_LATEX)
        # softmax_analysis + softmax_sweep and their three figures, cached by their inputs
        _, bars, sweep, jacobian = ui.softmax_view(logits, temperature, idx)
        left, right = st.columns(2, gap="large")
        ui.chart(bars, where=left, key="act_softmax_bars")
        ui.chart(sweep, where=right, key="act_sweep_chart")
        left, right = st.columns(2, gap="large")
        ui.chart(jacobian, where=left, key="act_jacobian")
        with right:
            st.latex(ui.SOFTMAX_JACOBIAN_LATEX)
            ui.prose(TEXT["softmax derivative"])
        ui.try_this(
            "Set T = 0.1: the largest logit takes nearly all the probability. T = 10: nearly uniform.",
            "Press **Try logits 1000 and −1000**: e¹⁰⁰⁰ overflows, yet every bar stays finite and "
            "the sum stays 1 (hover a bar: log p is still exact).",
            "Add the same number to every logit: nothing changes. Softmax only sees differences.",
            "Sweep one logit: its probability follows a sigmoid centred on c; at T = 1 the slope at c "
            "is exactly 0.25, the sigmoid's peak.",
        )
