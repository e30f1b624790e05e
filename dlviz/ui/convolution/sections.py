"""What the Convolution page draws: the output-size formula, the sliding window, the colour
channels, pooling and the layer table. Numbers go through ``dlviz.display``; the views come
from ``dlviz.ui.convolution.views``."""

from __future__ import annotations

import streamlit as st

from dlviz.convolution import ConvSpec
from dlviz.display import count, escape_markdown, number
from dlviz.plots.convolution import MAX_FRAMES
from dlviz.plots.convolution.window import at_position, clicked_position
from dlviz.ui.common import chart
from dlviz.ui.convolution import views
from dlviz.ui.convolution.controls import ConvConfig


def _formula(n: int, spec: ConvSpec, axis: str) -> str:
    k, s, p, d = spec.kernel_size, spec.stride, spec.padding, spec.dilation
    top = n + 2 * p - d * (k - 1) - 1
    value = top // s + 1 if top >= 0 else None
    result = f"= {value}" if value is not None else r"\text{: no window fits}"
    return (
        rf"\text{{{axis}}}: \left\lfloor \frac{{{n} + 2\cdot{p} - {d}\cdot({k} - 1) - 1}}{{{s}}}"
        rf"\right\rfloor + 1 {result}"
    )


def show_output_size(view: views.ConvView, cfg: ConvConfig) -> None:
    """The output-size rule with the learner's numbers, and every problem in words."""
    if view.kernel_problem:
        st.warning(escape_markdown(view.kernel_problem), icon=":material/edit:")
    if view.image.image is None:
        if cfg.source == "draw" and not cfg.grid_text.strip():
            st.info(escape_markdown(view.problem or ""), icon=":material/draw:")
        else:
            st.error(escape_markdown(view.problem or "No input."), icon=":material/block:")
        return
    h, w = view.image.image.shape[-2:]
    st.caption(
        "Output size along each axis: "
        r"$\lfloor (n + 2p - d(k-1) - 1)/s \rfloor + 1$ with n the input size, p the padding, "
        "d the dilation, k the kernel size and s the stride."
    )
    st.latex(_formula(h, cfg.spec, "rows") + r"\qquad " + _formula(w, cfg.spec, "columns"))
    if view.problem:
        st.error(
            "PyTorch would refuse this setting. " + escape_markdown(view.problem),
            icon=":material/block:",
        )
        return
    skipped = []
    if view.skipped_rows:
        skipped.append(f"rows {_list(view.skipped_rows)}")
    if view.skipped_cols:
        skipped.append(f"columns {_list(view.skipped_cols)}")
    if skipped:
        st.warning(
            f"No window ever reads input {' and '.join(skipped)}: with stride {cfg.spec.stride} "
            "the windows jump over them or stop short of the edge, so no output depends on those "
            "pixels. Lower the stride or change the padding to use every pixel.",
            icon=":material/visibility_off:",
        )


def _list(items: tuple[int, ...]) -> str:
    shown = ", ".join(str(i) for i in items[:8])
    return shown + (f" and {len(items) - 8} more" if len(items) > 8 else "")


def show_window(view: views.ConvView) -> None:
    """The animated sliding window and its caption."""
    if view.result is None or view.figure is None:
        return
    oh, ow = view.result.out_shape
    st.markdown(
        f"**{escape_markdown(view.image.caption)}** — press **▶ Play**, or drag the position "
        "slider; hover an output cell to see its patch, click it to move the window there."
    )
    position = clicked_position(st.session_state.get("conv_window"))
    figure = at_position(view.figure, position) if position else view.figure
    chart(
        figure, width="stretch", key="conv_window", config={"displaylogo": False},
        on_select="rerun", selection_mode="points",
    )  # fmt: skip
    torch_check = float((view.result.sums(0) - view.result.output[0]).abs().max())
    note = (
        f"{count(oh * ow)} output positions, {count(view.result.kernel[0].numel())} products "
        f"each. The products summed plus the bias equal torch.nn.functional.conv2d's output "
        f"(largest difference {number(torch_check, 2)})."
    )
    if oh * ow > MAX_FRAMES:
        note += f" The animation steps through the first {count(MAX_FRAMES)} positions."
    st.caption(note)


TABS = ("Sliding window", "Colour channels", "Pooling", "Through a network", "Your trained CNN")


def show_tabs(cfg: ConvConfig, view: views.ConvView) -> None:
    """The five tabs; only the open one computes and sends its figures (lazy tabs)."""
    from dlviz.ui.convolution import extras, trained

    tabs = st.tabs(list(TABS), key="conv_tab", on_change="rerun")
    with tabs[0]:
        if tabs[0].open:
            show_window(view)
    with tabs[1]:
        if tabs[1].open:
            extras.colour_section(cfg)
    with tabs[2]:
        if tabs[2].open:
            if view.result is None:
                st.info("Pooling works on the convolution's output: fix the settings above first.")
            else:
                extras.pooling_section(view.result.output)
    with tabs[3]:
        if tabs[3].open:
            extras.network_section()
    with tabs[4]:
        if tabs[4].open:
            trained.trained_section()
