"""Train a model: pick data and a network, train it live, then explore what it learned."""

from __future__ import annotations

import streamlit as st

from dlviz.ui import training as ui

text = ui.text_sections("training")
ui.page_header("Train a model", text["intro"])

data, problem = ui.dataset_picker()
ui.show_fallback(problem)
controls, preview = st.columns([1, 1.35], gap="large")
with controls:
    model = ui.model_picker(data)
    cfg = ui.training_controls(model, data)
with preview:
    ui.show_dataset(data)

result = ui.train_or_recall(cfg, model, data)
if result is None:
    if not ui.job_pending():
        st.info("Press **Train** to train this model; on Digits it takes a few seconds.")
else:
    st.header("What did it learn?")
    ui.show_run_message(result)
    ui.show_explorer(result)
ui.show_code(result, model, data)  # the run (or the form) as a PyTorch script, weights, loader

ui.long_read(
    "How training works, how to read the results, why it is fast",
    text["how it learns"],
    text["reading the results"],
    "**Why it is fast.**\n\n" + text["why it is fast"],  # no heading: the expander is not one
    expanded=result is None,
)
ui.try_this(
    "Train the default model, then set the learning rate to 1 (Adam) and train again: the "
    "first epoch's loss jumps into the hundreds and the model ends at chance, 10 %.",
    "Click the largest red cell of the confusion matrix: are those images hard even for you?",
    "Move the epoch scrubber back to epoch 1 and watch which mistakes the later epochs fix.",
    "Train twice with only the optimizer changed (SGD vs Adam), same seed, and overlay both "
    "runs under *Compare runs*.",
    "Draw a digit under *Draw a digit*: draw it small in a corner, the preprocessing centres it. "
    "Then draw a 7 with a crossbar or a 1 with a flag: which one fools the model?",
    "Under *Inside the model*, compare the first-layer weights of an MLP (whole-digit templates) "
    "with those of a CNN (small edge detectors).",
    "Train seed-cnn with Precision fp32, then bf16, same seed: compare the images per second and "
    "the accuracy of the two runs under *Compare runs*.",
)
