"""Cached views of the Convolution page: the input image, the convolution with its animated
figure, the colour convolution, pooling and the layer table, each behind ``st.cache_resource``
keyed by a frozen config (bounded ``max_entries``), so a rerun with the same settings rebuilds
nothing. Nothing here draws; ``dlviz.ui.convolution.sections`` does."""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
import streamlit as st
import torch

from dlviz.convolution import (
    ConvResult,
    ConvSpec,
    PoolSpec,
    convolve,
    kernel_preset,
    layer_table,
    parse_grid,
    pool,
    skipped_pixels,
    spec_problem,
)
from dlviz.convolution.images import GRID_LIMITS, as_float, sample_photos
from dlviz.convolution.pooling import PoolResult, pool_problem
from dlviz.data import CIFAR_FILES, MNIST_FILES, DatasetUnavailable
from dlviz.plots.convolution import channels_figure, outputs_figure, pooling_figure, window_figure
from dlviz.settings import get_settings
from dlviz.ui.convolution.controls import ConvConfig
from dlviz.ui.resources import get_dataset


@dataclass(frozen=True, eq=False)
class InputImage:
    """The image the page convolves: float [C, H, W], a caption, or the reason it is missing."""

    image: torch.Tensor | None
    caption: str
    problem: str | None = None


@dataclass(frozen=True, eq=False)
class ConvView:
    """The convolution as the page shows it; ``problem`` set (and the rest None) when it cannot
    run, ``kernel_problem`` when the typed kernel was unreadable and the preset stood in."""

    image: InputImage
    kernel: torch.Tensor
    kernel_problem: str | None
    problem: str | None
    result: ConvResult | None = None
    figure: go.Figure | None = None
    skipped_rows: tuple[int, ...] = ()
    skipped_cols: tuple[int, ...] = ()


def on_disk(name: str) -> bool:
    """Whether MNIST's or CIFAR-10's files are already on this server (this page never starts a
    download: opening it must stay cheap, and offline servers would wait on the network)."""
    root = get_settings().data_dir
    if name == "mnist":
        raw = root / "MNIST" / "raw"
        return all((raw / f).exists() or (raw / f"{f}.gz").exists() for f in MNIST_FILES)
    if name == "cifar10":
        folder = root / "cifar-10-batches-py"
        extracted = all((folder / f).exists() for f in CIFAR_FILES)
        return extracted or (root / "cifar-10-python.tar.gz").is_file()
    return True


def available_sources() -> dict[str, bool]:
    """Which dataset inputs are offered (MNIST only when its files are on disk)."""
    return {"mnist": on_disk("mnist")}


def load_input(source: str, index: int, grid_text: str) -> InputImage:
    """The chosen test image (index taken modulo the test set) or the typed grid."""
    if source == "draw" and not grid_text.strip():
        return InputImage(None, "", "Draw a digit on the black square to convolve it.")
    if source in ("grid", "draw"):
        lo, hi = GRID_LIMITS
        try:
            grid = parse_grid(grid_text)
        except ValueError as err:
            return InputImage(None, "", f"The grid cannot be read: {err}")
        if not (lo <= grid.shape[0] <= hi and lo <= grid.shape[1] <= hi):
            return InputImage(
                None,
                "",
                f"The grid is {grid.shape[0]}×{grid.shape[1]}: give it {lo} to {hi} rows and "
                f"columns.",
            )
        what = "drawing" if source == "draw" else "grid"
        return InputImage(grid[None], f"your {grid.shape[0]}×{grid.shape[1]} {what}")
    try:
        data = get_dataset(source)
    except DatasetUnavailable as err:
        return InputImage(None, "", str(err))
    i = index % len(data.test_y)
    label = data.info.classes[int(data.test_y[i])]
    return InputImage(as_float(data.test_x[i]), f"{data.info.label} test image {i} ({label})")


def read_kernel(cfg: ConvConfig) -> tuple[torch.Tensor, str | None]:
    """The typed kernel, or the preset and a sentence saying what was wrong with the typing."""
    k = cfg.spec.kernel_size
    try:
        return parse_grid(cfg.kernel_text, k, k), None
    except ValueError as err:
        return kernel_preset(cfg.kernel_name, k), f"{err} Showing the preset until it is fixed."


@st.cache_resource(max_entries=12, show_spinner=False)
def conv_view(cfg: ConvConfig) -> ConvView:
    """The convolution of the chosen input with the chosen kernel, and its animated figure."""
    image = load_input(cfg.source, cfg.index, cfg.grid_text)
    kernel, kernel_problem = read_kernel(cfg)
    if image.image is None:
        return ConvView(image, kernel, kernel_problem, image.problem)
    problem = spec_problem(cfg.spec, *image.image.shape[-2:])
    if problem:
        return ConvView(image, kernel, kernel_problem, problem)
    result = convolve(image.image, kernel, cfg.bias, cfg.spec)
    rows = tuple(skipped_pixels(image.image.shape[-2], cfg.spec))
    cols = tuple(skipped_pixels(image.image.shape[-1], cfg.spec))
    figure = window_figure(result)
    return ConvView(image, kernel, kernel_problem, None, result, figure, rows, cols)


COLOUR_BANK: tuple[tuple[str, str, tuple[float, float, float]], ...] = (
    ("your kernel, your channel weights", "", (0.0, 0.0, 0.0)),
    ("Sobel x on grey", "sobel_x", (1 / 3, 1 / 3, 1 / 3)),
    ("Gaussian blur of red − blue", "gaussian", (1.0, 0.0, -1.0)),
    ("Laplacian of green", "laplacian", (0.0, 1.0, 0.0)),
)
"""The colour convolution's output channels: the learner's kernel and three fixed ones."""


@dataclass(frozen=True)
class ColourConfig:
    """A colour convolution: which photo, the 2-D kernel, per-channel weights, bias, spec."""

    photo: str
    kernel_text: str
    weights: tuple[float, float, float]
    bias: float
    spec: ConvSpec


@st.cache_resource(max_entries=6, show_spinner=False)
def colour_view(cfg: ColourConfig):
    """(result with 4 output channels, (per-channel, outputs, window) figures) or (None, problem).

    ``cfg.photo`` is a sample photo's name or ``cifar10:<index>`` when CIFAR-10 is on disk."""
    image = _photo(cfg.photo)
    problem = spec_problem(cfg.spec, *image.shape[-2:])
    if problem:
        return None, problem
    k = cfg.spec.kernel_size
    try:
        base = parse_grid(cfg.kernel_text, k, k)
    except ValueError:
        base = kernel_preset("identity", k)
    kernels = []
    for _, preset, weights in COLOUR_BANK:
        flat = base if not preset else kernel_preset(preset, k)
        w = cfg.weights if not preset else weights
        kernels.append(torch.stack([flat * wc for wc in w]))
    bias = torch.tensor([cfg.bias, 0.0, 0.0, 0.0])
    result = convolve(image, torch.stack(kernels), bias, cfg.spec)
    names = [name for name, _, _ in COLOUR_BANK]
    figures = (
        channels_figure(result, 0),
        outputs_figure(result, names),
        lambda: colour_window(cfg),
    )
    return result, figures


@st.cache_resource(max_entries=2, show_spinner="Building the animation…")
def colour_window(cfg: ColourConfig) -> go.Figure:
    """The sliding window over the colour image (only when the learner asks: ~1 s to build)."""
    result, _ = colour_view(cfg)
    return window_figure(result, 0, height=560)


def _photo(name: str) -> torch.Tensor:
    if name.startswith("cifar10:"):
        data = get_dataset("cifar10")
        return as_float(data.test_x[int(name.split(":")[1]) % len(data.test_y)])
    return sample_photos()[name]


def colour_sources() -> dict[str, str]:
    """Colour inputs: two CIFAR-10 test images when the dataset is on disk, the sample photos."""
    sources = {}
    try:
        data = get_dataset("cifar10")
        for i in (0, 1, 3):
            sources[f"cifar10:{i}"] = (
                f"CIFAR-10 test image {i} ({data.info.classes[int(data.test_y[i])]})"
            )
    except DatasetUnavailable:
        pass
    sources |= {"china": "Photo: a temple (32×32)", "flower": "Photo: a flower (32×32)"}
    return sources


@st.cache_resource(max_entries=8, show_spinner=False)
def pool_view(values: tuple, spec: PoolSpec) -> tuple[PoolResult | None, go.Figure | None, str]:
    """Pooling of ``values`` (a nested tuple, hashable), its figure, and the check against
    autograd; or (None, None, problem)."""
    x = torch.tensor(values, dtype=torch.float32)
    problem = pool_problem(spec, *x.shape[-2:])
    if problem:
        return None, None, problem
    result = pool(x, spec)
    leaf = x.clone().requires_grad_(True)
    op = torch.nn.functional.max_pool2d if spec.kind == "max" else torch.nn.functional.avg_pool2d
    op(leaf[None], spec.window, spec.stride).sum().backward()
    gap = float((leaf.grad - result.grad).abs().max())
    return result, pooling_figure(result), f"{gap:.2g}"


@st.cache_resource(max_entries=8, show_spinner=False)
def table_view(model, input_shape: tuple[int, int, int]):
    """``dlviz.convolution.layer_table`` of a preset name or ``ModelSpec`` (hashable)."""
    return layer_table(model, input_shape)
