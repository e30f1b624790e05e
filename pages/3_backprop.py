"""Backpropagation: a scalar autodiff engine, its computation graph and the backward pass step by step."""

from __future__ import annotations

import streamlit as st

from dlviz.ui import backprop as ui

TEXT = ui.text_sections("backprop")
ui.page_header("Backpropagation", TEXT["intro"])

controls = ui.backprop_controls()
result = ui.compute(controls[0]) if controls else None
if controls is None or result is None:
    st.stop()
config, variables = controls

st.header("The computation graph, step by step")
ui.show_step_through(result, config)

ui.try_this(
    "**Single ReLU neuron**: set w to −0.75. z turns negative, relu's local derivative becomes 0 "
    "and every gradient behind it is 0: a *dead* neuron learns nothing.",
    "**Logistic regression**: step to `p`. It is used twice (in log p and in log(1 − p)), so its "
    "chain rule has two terms that add up.",
    "**Your own expression**: type `a*a`. One node feeds both inputs of ×: ∂/∂a = a + a = 2a.",
    "Switch on **backward() twice** and compare the engine column with torch's in the check table.",
    "Push the learning rate to 1 on the **2-2-1 MLP**: does the loss still fall after one step?",
)

left, right = st.columns(2, gap="large")
with left:
    ui.prose("### The chain rule on a graph\n\n" + TEXT["the chain rule on a graph"])
with right:
    ui.prose("### Why reverse topological order\n\n" + TEXT["the order of the steps"])

st.header("Check: engine vs torch.autograd vs finite differences")
ui.prose(TEXT["check"])
mistaken = ui.mistake_controls(config)  # the same graph, backward() called 0, 1 or 2 times
checked = ui.compute(mistaken)
if checked is None:
    st.stop()
ui.show_checks(checked, mistaken)
with st.expander("Common mistakes: why they happen", expanded=mistaken.backward_calls != 1):
    ui.prose(TEXT["mistakes"])

st.header("One gradient-descent step")
ui.prose(TEXT["one step"])
ui.show_descent(checked, mistaken, variables)
