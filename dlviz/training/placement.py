"""Where a training run's images live when it trains on an accelerator.

On the CPU nothing moves. On a GPU the uint8 images (training, validation and test, with their
labels) are copied to the device once when they fit comfortably in its free memory (half of what
``torch.cuda.mem_get_info`` reports free; on Apple's MPS, which shares the host's memory and has
no such query, a fixed 1 GiB), and each batch is then indexed there: no copy per batch. Otherwise
they stay in host memory and each batch is copied as uint8, pinned and non-blocking
(``dlviz.training.inference.batch_input``). Augmented runs always stream: their random shifts and
rotations are drawn and applied on the host, batch by batch. Either way a batch holds the same
bytes, so the run trains on the same numbers. It trains nothing itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

RESIDENT_FRACTION = 0.5
"""The images may take at most this fraction of the device's free memory (the model, its
gradients, the optimizer state and the activations need the rest)."""
MPS_FREE_BYTES = 2 * 2**30
"""What MPS counts as free (it cannot say): with ``RESIDENT_FRACTION``, 1 GiB of images at most."""


def fits(needed: int, free: int | None, fraction: float = RESIDENT_FRACTION) -> bool:
    """Whether ``needed`` bytes fit comfortably in ``free`` bytes (None: unknown, so no)."""
    return free is not None and 0 <= needed <= fraction * free


def free_bytes(device: torch.device) -> int | None:
    """Free memory of an accelerator (MPS: a conservative fixed bound); None for the CPU."""
    if device.type == "cuda":
        return torch.cuda.mem_get_info(device)[0]
    if device.type == "mps":
        return MPS_FREE_BYTES
    return None


def keeps_resident(device: torch.device, needed: int, free: int | None) -> bool:
    """Whether a run on ``device`` keeps its ``needed`` bytes of images there (never the CPU)."""
    return device.type != "cpu" and fits(needed, free)


def nbytes(*tensors: torch.Tensor) -> int:
    """The bytes of ``tensors`` together."""
    return sum(t.numel() * t.element_size() for t in tensors)


@dataclass(frozen=True)
class Placement:
    """A run's images and labels, on the device (``resident``) or on the host."""

    train_x: torch.Tensor
    train_y: torch.Tensor
    val_x: torch.Tensor
    val_y: torch.Tensor
    test_x: torch.Tensor
    test_y: torch.Tensor
    device: torch.device
    resident: bool

    def batch(self, idx: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The uint8 images and labels of training rows ``idx`` (CPU indices): on the device when
        resident, else on the host (``batch_input`` copies the images, the caller the labels)."""
        if self.resident:
            idx = idx.to(self.device, non_blocking=True)
        return self.train_x[idx], self.train_y[idx]


def place(
    device: torch.device,
    train: tuple[torch.Tensor, torch.Tensor],
    val: tuple[torch.Tensor, torch.Tensor],
    test: tuple[torch.Tensor, torch.Tensor],
    augment: str = "none",
    resident: bool | None = None,
) -> Placement:
    """Each (images, labels) pair where the run uses it: moved to ``device`` once when they fit
    there (``resident=None`` decides; True or False forces it, for tests), else left as they are."""
    tensors = (*train, *val, *test)
    if resident is None:
        resident = augment == "none" and keeps_resident(
            device, nbytes(*tensors), free_bytes(device)
        )
    if resident:
        tensors = tuple(t.to(device) for t in tensors)
    return Placement(*tensors, device=device, resident=resident)
