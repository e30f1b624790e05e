"""The Convolution page's other tabs: colour channels, pooling and shapes through a network.
Each is an ``st.fragment``: its own widgets rerun only it, not the sliding window above."""

from __future__ import annotations

import streamlit as st

from dlviz.convolution import PoolSpec
from dlviz.convolution.pooling import POOL_KINDS
from dlviz.display import count, escape_markdown, number
from dlviz.training.models import PRESETS, ModelSpec
from dlviz.ui.common import chart
from dlviz.ui.convolution import views
from dlviz.ui.convolution.controls import KEEP, ConvConfig
from dlviz.ui.links import BIND


@st.fragment
def colour_section(cfg: ConvConfig) -> None:
    """A colour image through a 3 x k x k kernel: per-channel products summed, four outputs."""
    sources = views.colour_sources()
    c1, c2 = st.columns([1, 2])
    photo = c1.selectbox(
        "Colour input",
        list(sources),
        format_func=sources.get,
        key="conv_photo",
        bind=BIND,
        persist_state=KEEP,
    )
    cols = c2.columns(3)
    weights = tuple(
        float(
            col.number_input(
                f"weight on {name}",
                -2.0,
                2.0,
                1.0,
                0.1,
                key=f"conv_w_{name}",
                bind=BIND,
                persist_state=KEEP,
            )
        )
        for col, name in zip(cols, ("red", "green", "blue"), strict=True)
    )
    st.caption(
        "The kernel is 3 × k × k: your k × k kernel from above, times one weight per colour "
        "channel. Each channel is convolved with its own slice, the three results are added, "
        "then the bias."
    )
    colour = views.ColourConfig(photo, cfg.kernel_text, weights, cfg.bias, cfg.spec)
    result, figures = views.colour_view(colour)
    if result is None:
        st.error(escape_markdown(figures), icon=":material/block:")
        return
    per_channel, outputs, window = figures
    chart(per_channel, width="stretch", key="conv_channels")
    st.markdown("**Four output channels side by side** (four kernels, one bias each):")
    chart(outputs, width="stretch", key="conv_outputs")
    if st.toggle(
        "Animate the window over all three channels (a bigger figure)",
        False,
        key="conv_colour_animate",
        bind=BIND,
    ):
        chart(window(), width="stretch", key="conv_colour_window")
    shape = tuple(result.kernel.shape)
    st.caption(
        f"Weights: {shape[0]} kernels of {shape[1]}×{shape[2]}×{shape[3]} = "
        f"{count(result.kernel.numel())} numbers plus {shape[0]} biases; each output value costs "
        f"{count(shape[1] * shape[2] * shape[3])} multiply-adds."
    )


@st.fragment
def pooling_section(result_output, relu_default: bool = True) -> None:
    """Max or average pooling of the convolution's output, and where the gradient goes."""
    c1, c2, c3, c4 = st.columns(4)
    kind = c1.selectbox(
        "Pooling",
        list(POOL_KINDS),
        format_func=POOL_KINDS.get,
        key="conv_pool",
        bind=BIND,
        persist_state=KEEP,
    )
    window = c2.slider("Window", 1, 4, 2, key="conv_pool_window", bind=BIND, persist_state=KEEP)
    stride = c3.slider("Stride", 1, 4, 2, key="conv_pool_stride", bind=BIND, persist_state=KEEP)
    relu = c4.toggle(
        "ReLU first", relu_default, key="conv_pool_relu", bind=BIND, persist_state=KEEP
    )
    values = result_output.clamp(min=0) if relu else result_output
    nested = tuple(tuple(tuple(float(v) for v in row) for row in ch) for ch in values[:1].tolist())
    result, figure, gap = views.pool_view(nested, PoolSpec(kind, int(window), int(stride)))
    if result is None:
        st.error(escape_markdown(gap), icon=":material/block:")
        return
    chart(figure, width="stretch", key="conv_pool_figure")
    h, w = values.shape[-2:]
    oh, ow = result.output.shape[-2:]
    if kind == "max":
        how = (
            "Backward pass: each output sends its gradient (here 1) to the **one** input that "
            "was its window's maximum (amber squares); every other input gets 0. Where windows "
            "overlap, a pixel that is the maximum of several windows collects several."
        )
    else:
        how = (
            f"Backward pass: each output shares its gradient equally among its {window * window} "
            "inputs, so every pixel under a window gets 1/(window²) per window."
        )
    st.markdown(how)
    st.caption(
        f"{h}×{w} → {oh}×{ow} (⌊({h} − {window})/{stride}⌋ + 1 = {oh}); the gradient above "
        f"equals torch.autograd's (largest difference {escape_markdown(gap)}); it sums to "
        f"{number(float(result.grad.sum()), 4)}."
    )


NETWORKS = {
    "seed-cnn": ((1, 28, 28), "seed-cnn on 28×28 grey images"),
    "seed-cifar-cnn": ((3, 32, 32), "seed-cifar-cnn on 32×32 colour images"),
    "custom": ((1, 28, 28), "your own CNN"),
}


def _custom_spec() -> tuple[ModelSpec | None, tuple[int, int, int], str | None]:
    c1, c2, c3, c4 = st.columns(4)
    text = c1.text_input("Conv channels", "16, 32", key="conv_net_channels", bind=BIND)
    k = c2.select_slider("Kernel", (1, 3, 5, 7), 3, key="conv_net_k", bind=BIND)
    stride = c3.slider("Stride of every conv", 1, 3, 1, key="conv_net_stride", bind=BIND)
    pool = c4.toggle("2×2 max-pool after each conv", True, key="conv_net_pool", bind=BIND)
    shape = (
        (3, 32, 32)
        if st.toggle("Colour 32×32 input", False, key="conv_net_colour", bind=BIND)
        else (1, 28, 28)
    )
    try:
        channels = tuple(int(v) for v in text.replace(",", " ").split())
    except ValueError:
        return None, shape, "Channels are whole numbers separated by commas, such as 16, 32."
    if not 1 <= len(channels) <= 6 or not all(1 <= c <= 512 for c in channels):
        return None, shape, "Give 1 to 6 conv layers of 1 to 512 channels each, such as 16, 32."
    spec = ModelSpec(
        kind="cnn",
        hidden=(64,),
        channels=channels,
        kernel_size=int(k),
        pool=bool(pool),
        strides=(int(stride),) * len(channels),
    )
    return spec, shape, None


@st.fragment
def network_section() -> None:
    """Shapes, parameters, multiply-adds and receptive field, layer by layer."""
    name = st.selectbox(
        "Network",
        list(NETWORKS),
        format_func=lambda n: NETWORKS[n][1],
        key="conv_net",
        bind=BIND,
        persist_state=KEEP,
    )
    if name == "custom":
        model, shape, problem = _custom_spec()
    else:
        model, (shape, _) = name, NETWORKS[name]
        problem = None
        st.caption(escape_markdown(PRESETS[name].description))
    if problem is None:
        try:
            table = views.table_view(model, shape)
        except ValueError as err:
            problem = str(err)
    if problem:
        st.error(escape_markdown(problem), icon=":material/block:")
        return
    shown = table.assign(
        output_shape=table.output_shape.map(lambda s: " × ".join(str(v) for v in s)),
        receptive_field=table.receptive_field.map(lambda r: f"{r}×{r}"),
    )
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        column_config={
            "layer": "layer",
            "kind": "type",
            "output_shape": "output shape",
            "parameters": st.column_config.NumberColumn("parameters", format="localized"),
            "mult_adds": st.column_config.NumberColumn("multiply-adds", format="localized"),
            "receptive_field": "receptive field",
        },
    )
    params, macs = int(table.parameters.sum()), int(table.mult_adds.sum())
    conv_macs = int(table[table.kind == "Conv2d"].mult_adds.sum())
    st.caption(
        f"Input {' × '.join(map(str, shape))}: {count(params)} parameters, {count(macs)} "
        f"multiply-adds per image ({_share(conv_macs, macs)} of them in the convolutions). "
        "The numbers come from running one image through the real PyTorch modules."
    )


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f} %" if whole else "none"
