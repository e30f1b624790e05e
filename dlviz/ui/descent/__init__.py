"""The Gradient-descent page's ui: everything ``pages/4_gradient_descent.py`` calls, in one module.

The page imports only this package (``from dlviz.ui import descent as ui``) and calls it top to
bottom: ``descent_controls`` reads the widgets into a ``DescentConfig`` (``controls``,
``optimizers``), ``paths`` / ``descent_view`` / ``surface3d_view`` are the cached runs and figures
(``views``), ``show_summary`` and ``show_convergence_map`` draw what sits below the chart
(``results``), ``show_surface3d`` the 3-D view, drawn only while its expander is open. The page's shared pieces (header, text sections, try-this box) come from
``dlviz.ui.common``. The maths lives in ``dlviz.descent``, the figures in ``dlviz.plots.descent``.
"""

from __future__ import annotations

import streamlit as st

from dlviz.descent.compare import DescentConfig
from dlviz.descent.surfaces import Surface
from dlviz.ui.common import chart, page_header, prose, text_sections, try_this
from dlviz.ui.descent.code import show_code
from dlviz.ui.descent.controls import descent_controls
from dlviz.ui.descent.results import show_convergence_map, show_summary
from dlviz.ui.descent.views import descent_view, paths, surface3d_view

__all__ = [
    "chart",
    "descent_controls",
    "descent_view",
    "page_header",
    "prose",
    "paths",
    "show_code",
    "show_convergence_map",
    "show_formula",
    "show_summary",
    "show_surface3d",
    "surface3d_view",
    "text_sections",
    "try_this",
]


def show_formula(surface: Surface) -> None:
    """The surface's formula in LaTeX, with its note underneath when it has one."""
    st.latex(surface.latex)
    if surface.notes:
        st.caption(surface.notes)


def show_surface3d(config: DescentConfig) -> None:
    """The 3-D surface with the paths, in an expander that draws it only while it is open.

    A WebGL surface is the most expensive thing a browser draws on this page (about 2 s of CPU per
    redraw in software GL, the way a classroom's laptops without a GPU draw it), and every change
    of a learning rate redraws it; closed by default, it costs nothing until a learner opens it.
    """
    box = st.expander(
        "The surface in 3-D, with the paths (drag to turn it)", key="gd_3d", on_change="rerun"
    )
    if box.open:
        box.plotly_chart(surface3d_view(config), key="gd_surface3d")
