"""Small images for the Convolution page: a learner's typed grid, dataset images as floats in
0..1, and colour photographs (scikit-learn's two bundled sample photos, cut to a square and
shrunk to CIFAR-10's 32 x 32) for when CIFAR-10 itself is not on disk."""

from __future__ import annotations

import functools

import torch
import torch.nn.functional as F

DEFAULT_GRID = "\n".join(
    " ".join("1" if (r == c or r + c == 6) else "0" for c in range(7)) for r in range(7)
)
"""A 7 x 7 'X': two diagonals, so edge and blur kernels each show something."""
GRID_LIMITS = (2, 16)
"""A typed grid is 2 to 16 rows and columns (bigger is what the dataset images are for)."""


def as_float(image: torch.Tensor) -> torch.Tensor:
    """A uint8 image [C, H, W] as float32 in 0..1."""
    return image.to(torch.float32) / 255.0


@functools.cache
def sample_photos(size: int = 32) -> dict[str, torch.Tensor]:
    """scikit-learn's sample photos ("china", "flower") as float [3, size, size] in 0..1."""
    from sklearn.datasets import load_sample_images

    bunch = load_sample_images()
    photos = {}
    for name, array in zip(("china", "flower"), bunch.images, strict=True):
        x = torch.tensor(array).permute(2, 0, 1).to(torch.float32) / 255.0
        h, w = x.shape[-2:]
        side = min(h, w)
        top, left = (h - side) // 2, (w - side) // 2
        square = x[:, top : top + side, left : left + side]
        small = F.interpolate(square[None], size=(size, size), mode="area")[0]
        photos[name] = small.clamp(0, 1)
    return photos
