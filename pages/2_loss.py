"""Loss: the cross-entropy curve, MSE against cross-entropy, and logits -> loss -> gradient."""

from __future__ import annotations

import streamlit as st

from dlviz.display import exact, fixed, number, signed
from dlviz.loss import BCE_LATEX, CE_LATEX, MSE_VS_CE_LATEX, SOFTMAX_CE_LATEX
from dlviz.ui import concepts as ui
from dlviz.ui.common import page_header, text_sections, try_this

TEXT = text_sections("loss")
page_header("Loss: cross-entropy", TEXT["intro"])
curve_tab, mse_tab, chain_tab = st.tabs(
    ["The −log p curve", "MSE vs cross-entropy", "Logits → loss → gradient"]
)

with curve_tab:
    left, right = st.columns([1, 2.4], gap="large")
    with left:
        p = st.slider(
            "p: probability given to the true class",
            0.001,
            1.0,
            0.2,
            0.001,
            format="%.3f",
            key="loss_p",
            help="Between 0.001 and 1: at p = 0 the loss is infinite.",
        )
        show_y0 = st.toggle("Show the y = 0 branch of binary CE", True, key="loss_show_y0")
        curve, figure = ui.cross_entropy_view(p, show_y0)  # cross_entropy_curve + its figure
        a, b = st.columns(2)
        a.metric(
            "loss −log p", number(curve.probe_loss, 5), help=f"Exact: {exact(curve.probe_loss)}"
        )
        b.metric("slope dL/dp", number(curve.probe_grad, 5), help="dL/dp = −1/p")
    with right:
        st.plotly_chart(figure, key="loss_ce_chart")
        st.latex(CE_LATEX)
        st.latex(BCE_LATEX)
    st.markdown(TEXT["curve"])
    try_this(
        "Move p from 0.5 to 0.25 to 0.125: each halving adds the same 0.693 to the loss.",
        "Slide p to 0.001: the loss is 6.9 and the slope is −1000. A confident mistake is loud.",
        "Between p = 0.9 and 1 the loss barely moves: being right with more confidence earns little.",
    )

with mse_tab:
    left, right = st.columns([1, 2.6], gap="large")
    with left:
        y = st.segmented_control(
            "True label y",
            [1, 0],
            default=1,
            required=True,
            key="loss_y",
            format_func=lambda v: f"y = {v}",
        )
        z = st.slider(
            "Logit z (the model's raw score)",
            -8.0,
            8.0,
            -4.0,
            0.1,
            key="loss_z",
            help="The prediction is p = σ(z).",
        )
        cmp, figure = ui.mse_ce_view(z, float(y))  # compare_mse_ce + mse_vs_ce_figure
        pr = cmp.probe
        st.metric("prediction p = σ(z)", number(float(pr.p[0]), 5))
        st.markdown(
            "| | MSE | CE |\n|---|---:|---:|\n"
            f"| loss | {number(float(pr.mse[0]), 6)} | {number(float(pr.bce[0]), 6)} |\n"
            f"| grad | {number(float(pr.dmse_dz[0]), 6)} | {number(float(pr.dbce_dz[0]), 6)} |"
        )
    with right:
        st.plotly_chart(figure, key="loss_mse_chart")
        st.latex(MSE_VS_CE_LATEX)
    ratio = abs(float(pr.dbce_dz[0])) / max(abs(float(pr.dmse_dz[0])), 1e-300)
    if abs(float(pr.p[0]) - float(y)) > 0.9:
        st.warning(
            f"A confident mistake: p = {fixed(float(pr.p[0]), 4)} but y = {y}. Cross-entropy's "
            f"gradient is {ratio:,.0f}× larger than MSE's, so it corrects the mistake while MSE stalls.",
            icon=":material/warning:",
        )
    st.markdown(TEXT["mse vs ce"])
    try_this(
        "Keep y = 1 and slide z to −6: MSE's gradient almost vanishes, cross-entropy's stays near −1.",
        "Slide z to +6 (a confident, correct answer): both gradients go to 0, as they should.",
        "Switch to y = 0: the picture mirrors; the confident mistakes are now on the right.",
    )

with chain_tab:
    a, b, c = st.columns([1, 1, 1.3], vertical_alignment="bottom")
    k = a.slider("Number of classes", 2, len(ui.CLASS_NAMES), 4, key="loss_k")
    target = b.selectbox(
        "True class", range(k), format_func=ui.class_labels(k).__getitem__, key="loss_target"
    )
    lr = c.slider("Learning rate for the step", 0.1, 5.0, 1.0, 0.1, key="loss_lr")
    logits = ui.logit_inputs("loss", k)
    res, figure = ui.softmax_ce_view(logits, target)  # softmax_cross_entropy + its figure
    left, right = st.columns([1, 2.6], gap="large")
    with left:
        history = ui.step_history("loss", res.loss)  # losses along the last gradient steps
        st.metric(
            f"loss = −log p({ui.CLASS_NAMES[target]})",
            number(res.loss, 5),
            delta=f"{signed(number(history[-1] - history[-2], 4))} last step" if history else None,
            delta_color="inverse",
            chart_data=history,
            chart_type="line",
            help=f"Exact: {exact(res.loss)}",
        )
        st.button(
            "Take one gradient step",
            key="loss_step",
            type="primary",
            width="stretch",
            on_click=ui.gradient_step,
            args=("loss", k, target, lr),
            help="z ← z − lr · (p − y), exactly what SGD does to these logits.",
        )
        st.button(
            "Make a confident mistake",
            key="loss_wrong",
            width="stretch",
            on_click=ui.confident_mistake,
            args=("loss", k, target),
        )
        st.button(
            "Reset logits",
            key="loss_reset",
            width="stretch",
            on_click=ui.set_logits,
            args=("loss", ui.DEFAULT_LOGITS),
        )
    with right:
        st.plotly_chart(figure, key="loss_softmax_chart")
        st.latex(SOFTMAX_CE_LATEX)
    st.markdown(TEXT["chain"])
    try_this(
        "Press **Make a confident mistake**, then **Take one gradient step** a few times: "
        "the true class's logit climbs, the loss falls fast at first, then slowly.",
        "Type 1000 and −1000 into two logits: the loss stays finite (log-sum-exp).",
        "Check the bars: the gradients always sum to 0, and the true class's is p − 1.",
    )
    st.markdown(TEXT["pitfall"])
