"""Gradient descent: real torch.optim paths on 2-D loss surfaces, animated, with a convergence map."""

from __future__ import annotations

import streamlit as st

from dlviz.ui import descent as ui

TEXT = ui.text_sections("gradient_descent")
ui.page_header("Gradient descent", TEXT["intro"])

picked = ui.descent_controls()  # widgets -> DescentConfig (None after an error message)
if picked is not None:
    config, surface = picked
    ui.show_formula(surface)  # f(x, y) in LaTeX and a note on the surface
    result = ui.paths(config)  # dlviz.descent.run per optimizer (real torch.optim), cached
    ui.chart(ui.descent_view(config), key="gd_chart")  # contour, loss, state: animated
    ui.show_summary(surface, config, result)  # final loss, distance, steps, divergence advice
    ui.show_code(config)  # the paths as a standalone PyTorch script (.py / .ipynb)
    left, right = st.columns([1.15, 1], gap="medium")
    with left:
        ui.show_surface3d(config)  # an expander; the 3-D figure is drawn only while it is open
    with right:
        ui.prose(TEXT["how to read"])

    ui.try_this(
        "Quadratic bowl, κ = 50, SGD at lr 0.03: raise κ to 100 and leave the learning rate alone. "
        "The limit 2/κ drops to 0.02, SGD blows up, and the message below says why.",
        "κ = 100: SGD at lr 0.015 against SGD + momentum at lr 0.03 with momentum 0.67 (the "
        "theory's best for κ = 100). Momentum settles in about 45 steps; SGD is not there in 200.",
        "Rosenbrock with 500 steps: every loss curve drops fast, then crawls along the curved "
        "valley floor. Now give SGD lr 0.008: it jumps out of the valley and diverges in 3 steps.",
        "Himmelblau from (0, −1): SGD and momentum roll to (3.58, −1.85), Adam and RMSprop to "
        "(3, 2). Same surface, same start, different minima.",
        "Saddle: SGD needs 34 steps to get 0.5 away from the flat middle, Adam 11, because Adam "
        "divides the tiny gradient there by its own size.",
        "Open Mini-batch noise, batch size 1: SGD jitters around the minimum; momentum 0.9 with a "
        "smaller learning rate smooths it. Batch 64 is 8x quieter (√64).",
    )

    st.header("Convergence map: every learning rate × momentum at once")
    ui.prose(TEXT["convergence map"])
    ui.show_convergence_map(config, surface)

    st.header("The update rules")
    ui.prose(TEXT["update rules"])
    left, right = st.columns(2, gap="large")
    with left:
        st.header("Why momentum works")
        ui.prose(TEXT["why momentum works"])
    with right:
        st.header("Mini-batch noise")
        ui.prose(TEXT["noise"])
