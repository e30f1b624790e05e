"""Convolution: a kernel sliding over an image, with every product and sum, in colour, pooled,
and through whole CNNs."""

from __future__ import annotations

from dlviz.ui import convolution as ui

TEXT = ui.text_sections("convolution")
ui.page_header("Convolution", TEXT["intro"])

cfg = ui.conv_controls(ui.available_sources())  # input, kernel, bias, k, s, p, mode, d
view = ui.conv_view(cfg)  # dlviz.convolution.convolve + the animated figure, cached
ui.show_output_size(view, cfg)  # the formula with the numbers; refusals and skipped pixels

ui.show_tabs(cfg, view)  # window | colour | pooling | network | trained CNN (lazy tabs)

ui.explanations(
    TEXT,
    ("What a convolution does", "what a convolution does"),
    ("Stride, padding and dilation", "stride, padding and dilation"),
    ("Channels, pooling and the backward pass", "channels and pooling"),
    ("Reading the layer table", "reading the layer table"),
)

ui.try_this(
    "Choose **Sobel x**, then hover bright red and deep blue output cells: edges where dark turns "
    "light to the right, and the other way round.",
    "Set stride 4 on the Digits image: the warning names the rows no window reads. Then padding 0 "
    "with kernel 7 and dilation 2: PyTorch refuses, and the page says why.",
    "Pick **Your own grid**, type a single 1 among zeros and play the animation: the output is "
    "the kernel, flipped — convolution layers really compute a cross-correlation.",
    "Pooling tab: max pooling with window 3 and stride 2 — the overlapping windows send two or "
    "more gradients to the same pixel (the right panel).",
    "Through a network: compare seed-cnn's fc1 parameters with its conv1: one dense layer holds "
    "99 % of the weights, while the convolutions do most of seed-cifar-cnn's multiply-adds.",
)
