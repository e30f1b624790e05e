"""Data augmentation for training batches: random shifts, small rotations and flips on uint8 images.

Each image of a batch gets its own random shift, rotation and flip, the same draw torchvision's
``v2.RandomAffine(degrees, translate)`` and ``v2.RandomHorizontalFlip`` make, and the same
resampling as ``torchvision.transforms.v2.functional.affine`` (its inverse matrix, grid and
bilinear ``grid_sample``; the unit tests check the pixels against it). It is batched because a v2
transform called on a batch tensor draws one set of parameters for the whole batch, and calling
it once per image costs about 0.3 ms an image (a Digits epoch would take 0.4 s longer). The
random numbers come from torch's global generator, which the training loop seeds per run, so an
augmented run is reproducible. Only training batches are augmented. It trains nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

SHIFT = 0.125
"""Largest shift, as a fraction of the image's width and height (1 pixel of 8, 3 or 4 of 28)."""
DEGREES = 10.0
"""Largest rotation either way, in degrees."""


@dataclass(frozen=True)
class Draw:
    """One batch's random parameters: per image, degrees (counter-clockwise), shifts in pixels
    (right, down) and whether it is flipped left-right (before the affine map)."""

    angle: torch.Tensor  # float [N]
    dx: torch.Tensor  # float [N], whole pixels
    dy: torch.Tensor
    flip: torch.Tensor  # bool [N]


def draw(kind: str, n: int, height: int, width: int) -> Draw:
    """Random parameters for ``n`` images as v2.RandomAffine / RandomHorizontalFlip draw them."""
    degrees = DEGREES if "rotate" in kind else 0.0
    angle = (torch.rand(n) * 2 - 1) * degrees
    max_dx, max_dy = SHIFT * width, SHIFT * height
    dx = ((torch.rand(n) * 2 - 1) * max_dx).round()
    dy = ((torch.rand(n) * 2 - 1) * max_dy).round()
    flip = torch.rand(n) < 0.5 if "flip" in kind else torch.zeros(n, dtype=torch.bool)
    return Draw(angle, dx, dy, flip)


def inverse_matrices(angle: torch.Tensor, dx: torch.Tensor, dy: torch.Tensor) -> torch.Tensor:
    """``[N, 2, 3]`` output -> input pixel maps about the image centre (torchvision's inverse affine
    matrix for scale 1 and no shear): ``[[cos, sin, -(cos dx + sin dy)], [-sin, cos, sin dx - cos dy]]``.
    """
    rad = torch.deg2rad(angle.to(torch.float32))
    cos, sin = torch.cos(rad), torch.sin(rad)
    row0 = torch.stack([cos, sin, -(cos * dx + sin * dy)], dim=1)
    row1 = torch.stack([-sin, cos, sin * dx - cos * dy], dim=1)
    return torch.stack([row0, row1], dim=1)


def apply(x: torch.Tensor, params: Draw) -> torch.Tensor:
    """``uint8 [N, C, H, W]`` through each image's flip, rotation and shift (bilinear, zero fill)."""
    n, _, h, w = x.shape
    x = torch.where(params.flip.view(-1, 1, 1, 1), x.flip(-1), x)
    theta = inverse_matrices(params.angle, params.dx, params.dy)
    # torchvision's grid: pixel centres about the image centre, mapped, then normalised by size/2.
    xs = torch.linspace((1.0 - w) * 0.5, (w - 1.0) * 0.5, w)
    ys = torch.linspace((1.0 - h) * 0.5, (h - 1.0) * 0.5, h)
    base = torch.stack(
        [xs.expand(h, w), ys.unsqueeze(1).expand(h, w), torch.ones(h, w)], dim=-1
    ).reshape(1, h * w, 3)
    scale = torch.tensor([0.5 * w, 0.5 * h])
    grid = base.expand(n, -1, -1).bmm(theta.transpose(1, 2) / scale).view(n, h, w, 2)
    out = F.grid_sample(
        x.to(torch.float32), grid, mode="bilinear", padding_mode="zeros", align_corners=False
    )
    return out.round_().clamp_(0, 255).to(torch.uint8)


def augment_batch(x: torch.Tensor, kind: str) -> torch.Tensor:
    """``uint8 [N, C, H, W]`` -> the same images, each with its own random draw of ``kind``."""
    if kind == "none" or len(x) == 0:
        return x
    return apply(x, draw(kind, len(x), x.shape[-2], x.shape[-1]))


def augmented_samples(images: torch.Tensor, kind: str, copies: int, seed: int = 0) -> torch.Tensor:
    """``uint8 [N, copies, C, H, W]``: ``copies`` augmented versions of each image (seeded)."""
    n = len(images)
    repeated = (
        images.unsqueeze(1).expand(n, copies, *images.shape[1:]).reshape(-1, *images.shape[1:])
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        out = augment_batch(repeated, kind)
    return out.reshape(n, copies, *images.shape[1:])
