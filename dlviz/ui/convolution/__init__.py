"""The Convolution page's ui: ``pages/7_convolution.py`` imports only this module.

``conv_controls`` reads the widgets into a ``ConvConfig``; ``conv_view`` (cached) convolves and
builds the animated figure; ``show_output_size`` and ``show_window`` draw the operation; the
colour, pooling and network tabs are fragments in ``extras``. The library is
``dlviz.convolution``, the figures ``dlviz.plots.convolution``.
"""

from __future__ import annotations

from dlviz.ui.common import explanations, page_header, text_sections, try_this
from dlviz.ui.convolution.controls import ConvConfig, conv_controls
from dlviz.ui.convolution.extras import colour_section, network_section, pooling_section
from dlviz.ui.convolution.sections import show_output_size, show_tabs, show_window
from dlviz.ui.convolution.views import available_sources, conv_view

__all__ = [
    "ConvConfig",
    "available_sources",
    "colour_section",
    "conv_controls",
    "conv_view",
    "explanations",
    "network_section",
    "page_header",
    "pooling_section",
    "show_output_size",
    "show_tabs",
    "show_window",
    "text_sections",
    "try_this",
]
