"""A 2-D convolution as the page shows it: the padded input, every window, products and sums.

``output_size`` is the length rule ``floor((n + 2p - d(k - 1) - 1) / s) + 1`` with the settings
torch refuses named in words; ``spec_problem`` adds the padding modes' own limits (reflect
padding must be smaller than the image). ``convolve`` pads like ``nn.Conv2d(padding_mode=...)``,
cuts every window with ``torch.nn.functional.unfold`` (the products the page lists) and takes the
output from ``torch.nn.functional.conv2d`` itself; the unit tests check that both agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

PADDING_MODES: dict[str, str] = {
    "zeros": "zeros (a frame of 0s)",
    "reflect": "reflect (mirror the image, edge pixel not repeated)",
    "replicate": "replicate (repeat the edge pixel)",
}
"""torch's ``padding_mode`` names (``circular`` is left out) with what each does, in words."""


@dataclass(frozen=True)
class ConvSpec:
    """The hyperparameters of one convolution (square kernels, equal along both axes)."""

    kernel_size: int = 3
    stride: int = 1
    padding: int = 0
    padding_mode: str = "zeros"  # a key of PADDING_MODES
    dilation: int = 1

    @property
    def extent(self) -> int:
        """How many input pixels one window spans along an axis: d(k - 1) + 1."""
        return self.dilation * (self.kernel_size - 1) + 1


def output_size(
    size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> int:
    """The output length along one axis: floor((n + 2p - d(k - 1) - 1) / s) + 1, as torch.

    Raises ``ValueError`` naming the setting when torch would refuse it: a non-positive size,
    kernel, stride or dilation, a negative padding, or a window wider than the padded input.
    """
    for name, value in (("input size", size), ("kernel size", kernel)):
        if value < 1:
            raise ValueError(f"The {name} must be at least 1, got {value}.")
    if stride < 1:
        raise ValueError(
            f"The stride must be at least 1 (a step of {stride} never moves), got {stride}."
        )
    if dilation < 1:
        raise ValueError(f"The dilation must be at least 1 (1 = no gaps), got {dilation}.")
    if padding < 0:
        raise ValueError(f"The padding cannot be negative, got {padding}.")
    extent = dilation * (kernel - 1) + 1
    padded = size + 2 * padding
    if extent > padded:
        raise ValueError(
            f"The window spans {extent} pixels (d(k - 1) + 1 = {dilation}·({kernel} - 1) + 1) but "
            f"the padded input is only {padded} wide ({size} + 2·{padding}): it does not fit once. "
            "Make the kernel or the dilation smaller, or pad more."
        )
    return (padded - extent) // stride + 1


def spec_problem(spec: ConvSpec, height: int, width: int) -> str | None:
    """Why torch would refuse ``spec`` on a ``height`` x ``width`` input, in words; None if it runs."""
    if spec.padding_mode not in PADDING_MODES:
        return (
            f"Unknown padding mode {spec.padding_mode!r}; choose one of {', '.join(PADDING_MODES)}."
        )
    if spec.padding_mode == "reflect" and spec.padding >= min(height, width):
        return (
            f"Reflect padding of {spec.padding} needs an input wider than {spec.padding} pixels "
            f"(this one is {min(height, width)}): a mirror cannot show more than the image. "
            "Pad less, or choose replicate or zeros."
        )
    try:
        for n in (height, width):
            output_size(n, spec.kernel_size, spec.stride, spec.padding, spec.dilation)
    except ValueError as err:
        return str(err)
    return None


def skipped_pixels(size: int, spec: ConvSpec) -> list[int]:
    """Input positions (along one axis, 0-based) that no window tap ever reads.

    Happens when the stride is larger than the window (gaps between windows) or when the last
    window stops short of the edge because (n + 2p - d(k - 1) - 1) is not a multiple of s.
    """
    out = output_size(size, spec.kernel_size, spec.stride, spec.padding, spec.dilation)
    read = {
        i * spec.stride + j * spec.dilation for i in range(out) for j in range(spec.kernel_size)
    }
    return [x for x in range(size) if x + spec.padding not in read]


def pad(image: torch.Tensor, spec: ConvSpec) -> torch.Tensor:
    """``image`` [C, H, W] padded by ``spec.padding`` on every side, as ``nn.Conv2d`` pads."""
    if spec.padding == 0:
        return image
    mode = "constant" if spec.padding_mode == "zeros" else spec.padding_mode
    return F.pad(image[None], (spec.padding,) * 4, mode=mode)[0]


@dataclass(frozen=True, eq=False)
class ConvResult:
    """One convolution of one image, with everything the page shows.

    ``padded`` [C, Hp, Wp]; ``kernel`` [O, C, k, k]; ``bias`` [O]; ``windows`` [C, k, k, oh, ow]
    (the input values under each tap, per output position); ``output`` [O, oh, ow] from
    ``F.conv2d``.
    """

    spec: ConvSpec
    image: torch.Tensor
    padded: torch.Tensor
    kernel: torch.Tensor
    bias: torch.Tensor
    windows: torch.Tensor
    output: torch.Tensor

    @property
    def out_shape(self) -> tuple[int, int]:
        """(output height, output width)."""
        return tuple(self.output.shape[-2:])

    def products(self, channel: int = 0) -> torch.Tensor:
        """kernel[o] * window at every position: [C, k, k, oh, ow] for output channel ``channel``."""
        return self.windows * self.kernel[channel][..., None, None]

    def sums(self, channel: int = 0) -> torch.Tensor:
        """Sum of the products plus the bias at every position: [oh, ow] (equals ``output``)."""
        return self.products(channel).sum(dim=(0, 1, 2)) + self.bias[channel]

    def origin(self, row: int, col: int) -> tuple[int, int]:
        """The window's top-left pixel in padded coordinates for output cell (row, col)."""
        return row * self.spec.stride, col * self.spec.stride


def convolve(
    image: torch.Tensor,
    kernel: torch.Tensor,
    bias: torch.Tensor | float = 0.0,
    spec: ConvSpec | None = None,
) -> ConvResult:
    """Convolve ``image`` [C, H, W] (or [H, W]) with ``kernel`` [O, C, k, k] (or [k, k]).

    Raises ``ValueError`` with the reason in words when torch would refuse the settings.
    """
    image = _as_chw(image)
    kernel = kernel.to(torch.float32)
    if kernel.dim() == 2:
        kernel = kernel.expand(1, image.shape[0], *kernel.shape).clone()
    out_channels, channels, k, k2 = kernel.shape
    spec = spec or ConvSpec(kernel_size=k)
    if (k, k2) != (spec.kernel_size,) * 2 or channels != image.shape[0]:
        raise ValueError(
            f"The kernel is {channels}x{k}x{k2} but the input has {image.shape[0]} channels and "
            f"the kernel size is {spec.kernel_size}."
        )
    problem = spec_problem(spec, *image.shape[-2:])
    if problem:
        raise ValueError(problem)
    bias = torch.as_tensor(bias, dtype=torch.float32).reshape(-1).expand(out_channels).clone()
    padded = pad(image, spec)
    output = F.conv2d(padded[None], kernel, bias, stride=spec.stride, dilation=spec.dilation)[0]
    cols = F.unfold(padded[None], k, dilation=spec.dilation, stride=spec.stride)
    windows = cols.reshape(channels, k, k, *output.shape[-2:])
    return ConvResult(spec, image, padded, kernel, bias, windows, output)


def _as_chw(image: torch.Tensor) -> torch.Tensor:
    image = torch.as_tensor(image, dtype=torch.float32)
    if image.dim() == 2:
        image = image[None]
    if image.dim() != 3:
        raise ValueError(f"An image is [channels, height, width], got shape {tuple(image.shape)}.")
    return image
