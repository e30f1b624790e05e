"""Home: what dlviz is, the learning path, and a link to every page."""

import streamlit as st

from dlviz.ui.common import load_text, page_header

page_header("dlviz: deep learning, one slider at a time", load_text("home_intro"))

PATH = [
    (
        "Concepts",
        [
            (
                "pages/1_activations.py",
                "1. Activations",
                "What a neuron does to its input, and why some derivatives vanish.",
            ),
            (
                "pages/2_loss.py",
                "2. Loss: cross-entropy",
                "How a network is told it is wrong, and why cross-entropy beats MSE for classes.",
            ),
            (
                "pages/3_backprop.py",
                "3. Backpropagation",
                "The chain rule, one node at a time, checked against PyTorch.",
            ),
            (
                "pages/4_gradient_descent.py",
                "4. Gradient descent",
                "Learning rate, momentum and Adam on loss surfaces you can see.",
            ),
            (
                "pages/5_playground.py",
                "5. Playground",
                "Build a small network and watch it carve up the plane, live.",
            ),
            (
                "pages/6_depth_and_init.py",
                "6. Depth and initialization",
                "Why deep networks vanish or explode, and what fixes it.",
            ),
        ],
    ),
    (
        "Training",
        [
            (
                "pages/7_training.py",
                "7. Train a model",
                "Real PyTorch models on MNIST, Fashion-MNIST, CIFAR-10 or Digits.",
            ),
            (
                "pages/8_loss_landscape.py",
                "8. Loss landscape",
                "The terrain around the weights your model found.",
            ),
        ],
    ),
]

for section, pages in PATH:
    st.subheader(section)
    cols = st.columns(2)
    for i, (path, label, blurb) in enumerate(pages):
        with cols[i % 2].container(border=True):
            st.page_link(path, label=label)
            st.caption(blurb)

st.markdown(load_text("home_outro"))
