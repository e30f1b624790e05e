"""The Convolution page's widgets, read into frozen configs (keys ``conv_*``).

The kernel editor is a text area pre-filled from the chosen preset (the preset, the kernel size
and the Reset button rewrite it through callbacks); the learner's own numbers are parsed by
``dlviz.convolution.parse_grid``, and a typo becomes a message, never a traceback. Every number
widget is bounded, so every reachable setting either runs or is named in words by
``dlviz.convolution.spec_problem``.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from dlviz.convolution import KERNEL_NAMES, PADDING_MODES, ConvSpec, kernel_preset
from dlviz.convolution.images import DEFAULT_GRID
from dlviz.convolution.kernels import format_grid
from dlviz.ui.links import BIND

SOURCES: dict[str, str] = {
    "digits": "Digits test image (8×8)",
    "fashion-mnist": "Fashion-MNIST test image (28×28)",
    "mnist": "MNIST test image (28×28)",
    "grid": "Your own grid of numbers",
    "draw": "Your drawing (14×14)",
}
DRAW_SIZE = 14
KERNEL_SIZES = (1, 2, 3, 4, 5, 6, 7)
MAX_STRIDE, MAX_PADDING, MAX_DILATION = 4, 3, 3
BIAS_LIMIT = 10.0
KEEP = "session"  # widgets keep their values when the learner visits another page


@dataclass(frozen=True)
class ConvConfig:
    """What the learner chose: the input (a dataset image or typed grid), kernel text, bias and
    the convolution's hyperparameters. Hashable: the cache key of the page's views."""

    source: str = "digits"
    index: int = 0
    grid_text: str = DEFAULT_GRID
    kernel_name: str = "sobel_x"
    kernel_text: str = ""
    bias: float = 0.0
    spec: ConvSpec = ConvSpec(kernel_size=3, padding=1)


def _defaults() -> None:
    state = st.session_state
    state.setdefault("conv_kernel", "sobel_x")
    state.setdefault("conv_k", 3)
    state.setdefault("conv_kernel_text", format_grid(kernel_preset("sobel_x", 3)))
    state.setdefault("conv_grid_text", DEFAULT_GRID)


def _reset_kernel() -> None:
    """Callback: the kernel text becomes the chosen preset at the chosen size."""
    state = st.session_state
    state["conv_kernel_text"] = format_grid(kernel_preset(state["conv_kernel"], state["conv_k"]))


def input_controls(available: dict[str, bool]) -> tuple[str, int, str]:
    """The input picker: (source, test image index, typed grid text)."""
    sources = [s for s in SOURCES if available.get(s, True)]
    source = st.selectbox(
        "Input", sources, format_func=SOURCES.get, key="conv_source", bind=BIND, persist_state=KEEP
    )
    index, grid_text = 0, DEFAULT_GRID
    if source == "draw":
        grid_text = _drawing()
    elif source == "grid":
        grid_text = st.text_area(
            "Grid (one row per line, 2 to 16 numbers each)",
            key="conv_grid_text",
            bind=BIND,
            height=170,
            help="Numbers separated by spaces or commas. 0 is black, 1 is white.",
        )
    else:
        index = st.number_input(
            "Test image number", 0, 9999, 0, 1, key="conv_index", bind=BIND, persist_state=KEEP
        )
    return source, int(index), grid_text


def kernel_controls() -> tuple[str, str, int, float]:
    """Preset, editable kernel text, kernel size and bias."""
    _defaults()
    name = st.selectbox(
        "Kernel preset",
        list(KERNEL_NAMES),
        format_func=KERNEL_NAMES.get,
        key="conv_kernel",
        bind=BIND,
        on_change=_reset_kernel,
    )
    k = st.select_slider(
        "Kernel size k", KERNEL_SIZES, key="conv_k", bind=BIND, on_change=_reset_kernel
    )
    text = st.text_area(
        f"Kernel values ({k}×{k}: edit them)",
        key="conv_kernel_text",
        bind=BIND,
        height=40 + 22 * k,
        help="One row per line; numbers between -1000 and 1000.",
    )
    st.button("Reset to the preset", key="conv_kernel_reset", on_click=_reset_kernel)
    bias = st.number_input(
        "Bias b", -BIAS_LIMIT, BIAS_LIMIT, 0.0, 0.1, key="conv_bias", bind=BIND, persist_state=KEEP
    )
    return name, text, int(k), float(bias)


def spec_controls(k: int) -> ConvSpec:
    """Stride, padding, padding mode and dilation for a k x k kernel."""
    stride = st.slider(
        "Stride s", 1, MAX_STRIDE, 1, key="conv_stride", bind=BIND, persist_state=KEEP
    )
    padding = st.slider(
        "Padding p", 0, MAX_PADDING, 1, key="conv_padding", bind=BIND, persist_state=KEEP
    )
    mode = st.selectbox(
        "Padding mode",
        list(PADDING_MODES),
        format_func=PADDING_MODES.get,
        key="conv_mode",
        bind=BIND,
        persist_state=KEEP,
    )
    dilation = st.slider(
        "Dilation d", 1, MAX_DILATION, 1, key="conv_dilation", bind=BIND, persist_state=KEEP
    )
    return ConvSpec(int(k), int(stride), int(padding), str(mode), int(dilation))


def conv_controls(available: dict[str, bool]) -> ConvConfig:
    """All the operation's widgets, in three columns -> ``ConvConfig``."""
    _defaults()
    c1, c2, c3 = st.columns([1.2, 1.2, 1])
    with c1:
        source, index, grid_text = input_controls(available)
    with c2:
        name, text, k, bias = kernel_controls()
    with c3:
        spec = spec_controls(k)
    return ConvConfig(source, index, grid_text, name, text, bias, spec)


def _drawing() -> str:
    """A canvas; the drawing preprocessed like MNIST at 14 x 14, as grid text ('' when blank)."""
    from streamlit_drawable_canvas import st_canvas

    from dlviz.training.drawing import is_blank, mnist_like

    st.caption("Draw a digit (white on black):")
    canvas = st_canvas(
        stroke_width=18, stroke_color="#FFFFFF", background_color="#000000",
        height=196, width=196, drawing_mode="freedraw", return_image_data=True,
        key="conv_canvas",
    )  # fmt: skip
    try:
        image = canvas.image_data
    except (RuntimeError, ValueError, AttributeError):
        image = None
    if is_blank(image):
        return ""
    pixels = mnist_like(image, DRAW_SIZE, DRAW_SIZE * 5 // 7)
    return "\n".join(" ".join(f"{v:.2f}" for v in row) for row in pixels.tolist())
