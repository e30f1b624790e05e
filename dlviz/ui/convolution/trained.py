"""The Convolution page's "Your trained CNN" tab: a stored CNN run (or a quick Digits CNN trained
through the job queue on a button), one test image through every stage, a feature map opened by
a click or two pickers, the test images that excite it most, and its filter sent to the kernel
editor.

Nothing trains on opening the page. Runs come from the run store the Training page fills
(``dlviz.ui.resources.get_store``); the maths is ``dlviz.convolution.trained``, the figures
``dlviz.plots.convolution.trained``.
"""

from __future__ import annotations

import streamlit as st
import torch

from dlviz.convolution.kernels import format_grid
from dlviz.convolution.trained import (
    best_patch,
    first_conv,
    receptive_box,
    stages,
    top_images,
)
from dlviz.data import DatasetUnavailable, normalize
from dlviz.display import count, escape_markdown, number, percent
from dlviz.landscape import quick_config
from dlviz.plots.convolution.trained import SCALES, detail_figure, overview_figure
from dlviz.plots.images import image_grid_figure
from dlviz.training.models import resolve_spec
from dlviz.ui import jobs
from dlviz.ui.common import chart
from dlviz.ui.links import BIND
from dlviz.ui.resources import get_dataset, get_store

QUICK_JOB = "conv_quick_job"  # session key: this learner's quick Digits CNN job
PICK = "conv_new_run"  # session key: a run key the picker selects on its next draw
SEEN_CLICK = "conv_click_seen"  # session key: the tile click the pickers last followed
TOP_POOL = 300  # test images searched for the ones that excite a map most


def cnn_runs() -> list:
    """Stored runs whose model is a CNN, newest first."""
    out = []
    for summary in get_store().runs():
        try:
            if resolve_spec(summary.config.model).kind == "cnn":
                out.append(summary)
        except ValueError:
            continue
    return out


def _label(summary) -> str:
    c = summary.config
    model = c.model if isinstance(c.model, str) else "custom CNN"
    return (
        f"{model} on {c.dataset} · {count(summary.epochs_done)} epoch(s) · test acc "
        f"{percent(summary.test_acc)} · {summary.key[:6]}"
    )


@st.cache_resource(max_entries=3, show_spinner="Loading the run…")
def run_model(key: str):
    """(model in eval mode, dataset) of a stored run; None when it is gone or its data is."""
    run = get_store().load(key)
    if run is None:
        return None
    try:
        data = get_dataset(run.config.dataset)
    except DatasetUnavailable:
        return None
    return run.model(data.info), data


@st.cache_resource(max_entries=8, show_spinner=False)
def image_view(key: str, index: int, scale: str):
    """Stages, probabilities and the overview figure of test image ``index`` for run ``key``."""
    model, data = run_model(key)
    x = normalize(data.test_x[index : index + 1], data.info)[0]
    found, probs = stages(model, x)
    image = data.test_x[index].float() / 255
    true_class = int(data.test_y[index])
    figure = overview_figure(image, found, probs, data.info.classes, true_class, scale)
    return found, probs, figure, x


@st.cache_resource(max_entries=8, show_spinner="Searching the test images…")
def top_view(key: str, layer: str, channel: int):
    """The test images (of the first ``TOP_POOL``) that excite map ``channel`` of ``layer``."""
    model, data = run_model(key)
    n = min(TOP_POOL, len(data.test_y))
    idx, peaks = top_images(model, layer, normalize(data.test_x[:n], data.info), channel)
    titles = [number(float(p), 3) for p in peaks]
    hovers = [
        f"test image {int(i)}: peak {number(float(p), 3)}" for i, p in zip(idx, peaks, strict=True)
    ]
    figure = image_grid_figure(
        data.test_x[idx].numpy(), cols=len(idx), titles=titles, hovers=hovers, tile_px=56
    )
    return figure


def _quick_run() -> None:
    """Queue the quick Digits CNN (or pick it at once when it is stored)."""
    jobs.pick_or_train(quick_config("seed-cnn"), PICK, QUICK_JOB)


def _quick_panel() -> None:
    job = jobs.view(st.session_state.get(QUICK_JOB))
    if job is None or not job.active:
        st.rerun()
    if job.status == "queued":
        jobs.show_waiting(job, "conv_quick_cancel", (QUICK_JOB,))
    else:
        text = f"Training {job.label}: {job.text}" if job.text else "Starting a worker…"
        st.progress(job.fraction, text=text)


def quick_controls() -> None:
    """The quick Digits CNN button and its job while it waits or trains."""
    st.button(
        "Train a quick Digits CNN",
        key="conv_quick",
        on_click=_quick_run,
        icon=":material/play_arrow:",
        help="seed-cnn on the 8×8 Digits, 5 epochs: seconds to a minute, in the shared queue.",
    )
    taken = jobs.take_ended(QUICK_JOB)
    if taken is not None and taken[1] is not None:
        if taken[1].status == "done":
            st.session_state[PICK] = taken[1].value.config.key()
        else:
            jobs.show_failure(taken[1])
    if st.session_state.get(QUICK_JOB) is not None:
        st.fragment(
            _quick_panel, run_every=jobs.poll_every(jobs.view(st.session_state[QUICK_JOB]))
        )()


def _use_filter(values: torch.Tensor) -> None:
    """Callback: the filter goes into the kernel editor above (size and text)."""
    st.session_state["conv_k"] = int(values.shape[-1])
    st.session_state["conv_kernel_text"] = format_grid(values)
    st.session_state["conv_tab"] = "Sliding window"


def trained_section() -> None:
    """The tab: pick a run and an image, see every stage, open a map."""
    runs = cnn_runs()
    pick_col, quick_col = st.columns([3, 1], vertical_alignment="bottom")
    with quick_col:
        quick_controls()
    if not runs:
        pick_col.info(
            "No trained CNN yet. Train the quick Digits CNN here, or any CNN (seed-cnn, "
            "seed-cifar-cnn or your own) on the **Train a model** page; it appears here.",
            icon=":material/model_training:",
        )
        return
    keys = [r.key for r in runs]
    labels = {r.key: _label(r) for r in runs}
    new = st.session_state.pop(PICK, None)
    if new in keys:
        st.session_state["conv_run"] = new
    if st.session_state.get("conv_run") not in keys:
        st.session_state["conv_run"] = keys[0]
    key = pick_col.selectbox("Trained CNN", keys, key="conv_run", bind=BIND, format_func=labels.get)
    loaded = run_model(key)
    if loaded is None:
        st.error("This run's weights or dataset are not on this server any more; pick another.")
        return
    model, data = loaded
    c1, c2 = st.columns(2)
    index = int(
        c1.number_input(
            "Test image", 0, len(data.test_y) - 1, 0, 1, key="conv_run_image", bind=BIND
        )
    )
    scale = c2.radio(
        "Colour scale",
        list(SCALES),
        format_func=SCALES.get,
        index=1,
        key="conv_run_scale",
        bind=BIND,
        horizontal=True,
    )
    found, probs, figure, x = image_view(key, index, scale)
    event = chart(
        figure, width="stretch", key="conv_overview", on_select="rerun", selection_mode="points"
    )
    st.caption(
        "Left to right: the input, each layer's feature maps (the first 8 of each), the dense "
        "layers and the softmax (green: the true class). Click a feature map, or pick one "
        "below, to open it."
    )
    maps = [s for s in found if s.is_map]
    _follow_click(event, len(maps))
    _show_detail(key, model, found, x, _open_controls(maps))


def _follow_click(event, n_maps: int) -> None:
    """A new click on a tile sets the two pickers below (they stay the one source of truth, so
    the keyboard and the URL reach every map, not only the eight drawn per layer)."""
    try:
        stage, channel = (int(v) for v in event["selection"]["points"][0]["customdata"])
    except (KeyError, IndexError, TypeError, ValueError):
        st.session_state.pop(SEEN_CLICK, None)  # deselected: the same tile may be clicked again
        return
    if (stage, channel) == st.session_state.get(SEEN_CLICK) or not 1 <= stage <= n_maps:
        return
    st.session_state[SEEN_CLICK] = (stage, channel)
    st.session_state["conv_open_stage"] = stage - 1
    st.session_state["conv_open_map"] = channel


def _open_controls(maps) -> tuple[int, int]:
    """Two pickers: the layer and the map in it; (stage index among the maps, channel)."""
    c1, c2 = st.columns(2)
    if st.session_state.get("conv_open_stage") not in range(len(maps)):
        st.session_state["conv_open_stage"] = 0
    stage = c1.selectbox(
        "Open the feature maps of",
        range(len(maps)),
        format_func=lambda i: f"{maps[i].name} ({maps[i].kind})",
        key="conv_open_stage",
        bind=BIND,
    )
    channels = int(maps[stage].values.shape[0])
    if st.session_state.get("conv_open_map") not in range(channels):
        st.session_state["conv_open_map"] = 0
    channel = c2.selectbox(
        f"Map (of {channels})",
        range(channels),
        format_func=lambda c: f"map {c}",
        key="conv_open_map",
        bind=BIND,
    )
    return int(stage), int(channel)


def _show_detail(key: str, model, found, x, picked: tuple[int, int]) -> None:
    maps = [s for s in found if s.is_map]
    stage = maps[picked[0]]
    channel = picked[1]
    module = dict(model.named_modules())[stage.name]
    kernels = None
    if isinstance(module, torch.nn.Conv2d):
        kernels = module.weight[channel].detach().float()
    first = first_conv(model)
    if first is not None and first[0] == stage.name:
        spot, patch = best_patch(module, x, stage.values, channel)
    else:  # deeper: the input square the strongest value can see
        flat = int(torch.argmax(stage.values[channel]))
        spot = divmod(flat, stage.values.shape[-1])
        top, bottom, left, right = receptive_box(model, stage.name, *spot, tuple(x.shape[-2:]))
        patch = x[:, top : bottom + 1, left : right + 1]
    st.markdown(f"**{escape_markdown(stage.name)}, map {channel}** ({escape_markdown(stage.kind)})")
    chart(detail_figure(stage, channel, kernels, patch, spot), width="stretch", key="conv_detail")
    if kernels is not None and kernels.shape[0] == 1:
        st.button(
            "Use this filter in the sliding window",
            key="conv_use_filter",
            on_click=_use_filter,
            args=(kernels[0].clone(),),
        )
    st.markdown(
        f"**The test images that excite {escape_markdown(stage.name)} map {channel} most** "
        f"(of the first {TOP_POOL}; the number is the map's peak):"
    )
    chart(top_view(key, stage.name, channel), width="stretch", key="conv_top")
