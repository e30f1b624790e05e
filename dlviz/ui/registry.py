"""The page registry: every page of the app, once, in the order of the learning path.

app.py builds the navigation from it, Home draws the learning path from it, and the tests open
every page listed here. A new page is one ``PageInfo`` line here plus its file in ``pages/``.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from dlviz.ui import links, warmup


@dataclass(frozen=True)
class PageInfo:
    """One page: its file, title, sidebar icon, URL path, section and the line Home shows."""

    path: str  # relative to app.py, e.g. "pages/1_activations.py"
    title: str
    icon: str  # a Material Symbol from Streamlit's bundled font (no network request)
    url_path: str
    section: str
    blurb: str = ""


PAGES: tuple[PageInfo, ...] = (
    PageInfo("pages/0_home.py", "Home", ":material/home:", "home", "Start"),
    PageInfo(
        "pages/1_activations.py",
        "Activations",
        ":material/show_chart:",
        "activations",
        "Concepts",
        "What a neuron does to its input, and why some derivatives vanish.",
    ),
    PageInfo(
        "pages/2_loss.py",
        "Loss: cross-entropy",
        ":material/trending_down:",
        "loss",
        "Concepts",
        "How a network is told it is wrong, and why cross-entropy beats MSE for classes.",
    ),
    PageInfo(
        "pages/3_backprop.py",
        "Backpropagation",
        ":material/account_tree:",
        "backprop",
        "Concepts",
        "The chain rule, one node at a time, checked against PyTorch.",
    ),
    PageInfo(
        "pages/4_gradient_descent.py",
        "Gradient descent",
        ":material/landscape:",
        "gradient-descent",
        "Concepts",
        "Learning rate, momentum and Adam on loss surfaces you can see.",
    ),
    PageInfo(
        "pages/5_playground.py",
        "Playground",
        ":material/scatter_plot:",
        "playground",
        "Concepts",
        "Build a small network and watch it carve up the plane, live.",
    ),
    PageInfo(
        "pages/6_depth_and_init.py",
        "Depth and initialization",
        ":material/stacked_line_chart:",
        "depth-and-init",
        "Concepts",
        "Why deep networks vanish or explode, and what fixes it.",
    ),
    PageInfo(
        "pages/7_convolution.py",
        "Convolution",
        ":material/grid_on:",
        "convolution",
        "Concepts",
        "A kernel sliding over an image: every product, padding, stride, pooling, whole CNNs.",
    ),
    PageInfo(
        "pages/8_training.py",
        "Train a model",
        ":material/model_training:",
        "training",
        "Training",
        "Real PyTorch models on MNIST, Fashion-MNIST, CIFAR-10 or Digits.",
    ),
    PageInfo(
        "pages/9_generalization.py",
        "Generalization",
        ":material/balance:",
        "generalization",
        "Training",
        "Watch a model memorise, close the gap, and run the sanity checks.",
    ),
    PageInfo(
        "pages/10_loss_landscape.py",
        "Loss landscape",
        ":material/terrain:",
        "loss-landscape",
        "Training",
        "The terrain around the weights your model found.",
    ),
)
HOME = PAGES[0]


def sections() -> dict[str, list[PageInfo]]:
    """The pages grouped by section, in order."""
    grouped: dict[str, list[PageInfo]] = {}
    for page in PAGES:
        grouped.setdefault(page.section, []).append(page)
    return grouped


def run_page() -> None:
    """Navigate to the page the learner asked for and run it.

    Every page but Home waits here for the warm-up's imports before even its imports run (a page's
    modules may build plotly objects, which must not meet a half-imported pandas). Home is served
    at once. The warm-up starts at server start (app.py's ``st.App`` lifespan); where nothing
    started it (AppTest, which runs app.py as a script only), it starts once Home has been sent. A link's settings are remembered
    before the page runs and whatever of them the page could not use is named after it ran, at
    the top (``dlviz.ui.links``).
    """
    page = navigation()
    links.capture(page.url_path)
    notice = st.empty()
    if page.title == HOME.title:
        page.run()
        warmup.start()  # no-op once the server's lifespan started it
    else:
        warmup.wait()
        page.run()
    links.report(notice)


def navigation() -> st.navigation:
    """The sidebar navigation over every registered page (Home is the default)."""
    return st.navigation(
        {
            section: [
                st.Page(p.path, title=p.title, icon=p.icon, url_path=p.url_path, default=p is HOME)
                for p in pages
            ]
            for section, pages in sections().items()
        },
        position="hidden" if links.embedded() else "sidebar",  # ?embed=true: figures only
    )
