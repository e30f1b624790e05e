"""Loss: the cross-entropy curve, MSE against cross-entropy, and logits -> loss -> gradient."""

from __future__ import annotations

import streamlit as st

from dlviz.ui import loss as ui

TEXT = ui.text_sections("loss")
ui.page_header("Loss: cross-entropy", TEXT["intro"])
# only the open tab runs and is drawn; the tab is part of a copied link
curve_tab, mse_tab, chain_tab = ui.lazy_tabs(ui.TABS, "loss_tab", ui.TAB_SETTINGS)

with curve_tab:
    if curve_tab.open:
        with ui.phone_order("loss_ce"):  # on a phone: the chart, then its controls, then the rest
            left, right = st.columns([1, 2.4], gap="large")
            with left:
                with ui.phone_order("loss_ce_controls", 2):
                    p, show_y0 = ui.cross_entropy_controls()  # p of the true class, y = 0 branch
                # cross_entropy_curve + its figure
                curve, figure = ui.cross_entropy_view(p, show_y0)
                ui.show_cross_entropy_probe(curve)  # loss and slope at p
            with right:
                with ui.phone_order("loss_ce_plot", 1):
                    ui.chart(figure, key="loss_ce_chart")
                st.latex(ui.CE_LATEX)
                st.latex(ui.BCE_LATEX)
        ui.prose(TEXT["curve"])
        ui.try_this(
            "Move p from 0.5 to 0.25 to 0.125: each halving adds the same 0.693 to the loss.",
            "Slide p to 0.001: the loss is 6.9 and the slope is −1000. A confident mistake is loud.",
            "Between p = 0.9 and 1 the loss barely moves: being right with more confidence earns little.",
        )

with mse_tab:
    if mse_tab.open:
        with ui.phone_order("loss_mse"):
            left, right = st.columns([1, 2.6], gap="large")
            with left:
                with ui.phone_order("loss_mse_controls", 2):
                    y, z = ui.mse_ce_controls()  # the true label and the logit
                cmp, figure = ui.mse_ce_view(z, float(y))  # compare_mse_ce + mse_vs_ce_figure
                ui.show_mse_ce_probe(cmp)  # p = σ(z), both losses and gradients
            with right:
                with ui.phone_order("loss_mse_plot", 1):
                    ui.chart(figure, key="loss_mse_chart")
                st.latex(ui.MSE_VS_CE_LATEX)
        ui.show_confident_mistake(cmp, y)  # a warning when |p − y| > 0.9
        ui.prose(TEXT["mse vs ce"])
        ui.try_this(
            "Keep y = 1 and slide z to −6: MSE's gradient almost vanishes, cross-entropy's stays near −1.",
            "Slide z to +6 (a confident, correct answer): both gradients go to 0, as they should.",
            "Switch to y = 0: the picture mirrors; the confident mistakes are now on the right.",
        )

with chain_tab:
    if chain_tab.open:
        k, target, lr = ui.chain_controls()  # classes, true class, learning rate of the step
        logits = ui.logit_inputs("loss", k)
        res, figure = ui.softmax_ce_view(logits, target)  # softmax_cross_entropy + its figure
        left, right = st.columns([1, 2.6], gap="large")
        with left:
            ui.show_loss(res)  # the loss, its change and the losses along the last steps
            ui.step_buttons(k, target, lr)  # one gradient step, a confident mistake, reset
        with right:
            ui.chart(figure, key="loss_softmax_chart")
            st.latex(ui.SOFTMAX_CE_LATEX)
        ui.prose(TEXT["chain"])
        ui.try_this(
            "Press **Make a confident mistake**, then **Take one gradient step** a few times: "
            "the true class's logit climbs, the loss falls fast at first, then slowly.",
            "Type 1000 and −1000 into two logits: the loss stays finite (log-sum-exp).",
            "Check the bars: the gradients always sum to 0, and the true class's is p − 1.",
        )
        ui.prose(TEXT["pitfall"])
