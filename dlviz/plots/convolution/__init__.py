"""Figures of the Convolution page: the sliding window (client-side frames), colour channels,
pooling with its gradient, and the learner's trained filters."""

from __future__ import annotations

from dlviz.plots.convolution.channels import channels_figure, outputs_figure
from dlviz.plots.convolution.pooling import pooling_figure
from dlviz.plots.convolution.window import MAX_FRAMES, window_figure

__all__ = ["MAX_FRAMES", "channels_figure", "outputs_figure", "pooling_figure", "window_figure"]
