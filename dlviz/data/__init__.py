"""Datasets as in-memory uint8 tensors: MNIST, Fashion-MNIST, CIFAR-10 and scikit-learn's digits.

The three image sets are read once through torchvision's own classes (their ``.data`` and
``.targets``, never per-sample transforms) and kept as ``uint8 [N, C, H, W]`` tensors, four times
smaller than float; the training loop converts and normalises one batch at a time. ``digits`` is
scikit-learn's bundled 8x8 set and always works offline. Files live under a ``root`` folder
(torchvision's layout; reading them is ``dlviz.data.files``); nothing is read from the environment
here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

DATASETS: tuple[str, ...] = ("mnist", "fashion-mnist", "cifar10", "digits")

MNIST_FILES: tuple[str, ...] = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
CIFAR_FILES: tuple[str, ...] = (
    *(f"data_batch_{i}" for i in range(1, 6)),
    "test_batch",
    "batches.meta",
)
SYSTEM_DIRS: dict[str, tuple[Path, ...]] = {
    "fashion-mnist": (Path("/usr/share/datasets/fashion-mnist"),),
}
"""Read-only folders where a distribution may have installed the raw files (Debian's
``dataset-fashion-mnist``); used when ``root`` lacks them, by copying them into ``root``."""


class DatasetUnavailable(RuntimeError):
    """The dataset's files are missing and could not be downloaded; the message names the fix."""


@dataclass(frozen=True)
class DatasetInfo:
    """What a dataset is: its name, label, class names, image shape and per-channel statistics."""

    name: str
    label: str
    classes: tuple[str, ...]
    shape: tuple[int, int, int]
    mean: tuple[float, ...]
    std: tuple[float, ...]

    @property
    def num_classes(self) -> int:
        """Number of classes."""
        return len(self.classes)


@dataclass(frozen=True, eq=False)
class Dataset:
    """A dataset held in memory: uint8 images ``[N, C, H, W]`` and int64 labels ``[N]``."""

    info: DatasetInfo
    train_x: torch.Tensor
    train_y: torch.Tensor
    test_x: torch.Tensor
    test_y: torch.Tensor

    def __post_init__(self) -> None:
        for split, x, y in (
            ("train", self.train_x, self.train_y),
            ("test", self.test_x, self.test_y),
        ):
            if len(x) != len(y):
                raise ValueError(
                    f"{self.info.label} {split} split: {len(x):,} images but {len(y):,} labels."
                )

    def __repr__(self) -> str:
        return (
            f"Dataset({self.info.name!r}, train={len(self.train_y)}, test={len(self.test_y)}, "
            f"shape={self.info.shape})"
        )


_DIGIT_CLASSES = tuple(str(i) for i in range(10))

INFOS: dict[str, DatasetInfo] = {
    "mnist": DatasetInfo("mnist", "MNIST", _DIGIT_CLASSES, (1, 28, 28), (0.1307,), (0.3081,)),
    "fashion-mnist": DatasetInfo(
        "fashion-mnist",
        "Fashion-MNIST",
        (
            "T-shirt/top",
            "Trouser",
            "Pullover",
            "Dress",
            "Coat",
            "Sandal",
            "Shirt",
            "Sneaker",
            "Bag",
            "Ankle boot",
        ),
        (1, 28, 28),
        (0.2860,),
        (0.3530,),
    ),
    "cifar10": DatasetInfo(
        "cifar10",
        "CIFAR-10",
        ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"),
        (3, 32, 32),
        (0.4914, 0.4822, 0.4465),
        (0.2470, 0.2435, 0.2616),
    ),
    "digits": DatasetInfo(
        "digits", "Digits (8x8)", _DIGIT_CLASSES, (1, 8, 8), (0.3053,), (0.3759,)
    ),
}


def dataset_info(name: str) -> DatasetInfo:
    """The ``DatasetInfo`` of a dataset name (no files are read)."""
    if name not in INFOS:
        raise ValueError(f"Unknown dataset {name!r}; choose one of {', '.join(DATASETS)}.")
    return INFOS[name]


def normalize(x_uint8: torch.Tensor, info: DatasetInfo) -> torch.Tensor:
    """Float32 pixels standardised per channel: ``(x / 255 - mean) / std`` for ``[..., C, H, W]``."""
    scale, shift = _affine(info)
    if isinstance(scale, torch.Tensor) and scale.device != x_uint8.device:  # a GPU batch
        scale, shift = scale.to(x_uint8.device), shift.to(x_uint8.device)
    return x_uint8.to(torch.float32).mul_(scale).add_(shift)


def _affine(info: DatasetInfo) -> tuple[float | torch.Tensor, float | torch.Tensor]:
    """``(scale, shift)`` with ``x * scale + shift == (x / 255 - mean) / std``, one pass per batch."""
    if len(info.mean) == 1:
        return 1.0 / (255.0 * info.std[0]), -info.mean[0] / info.std[0]
    std = torch.tensor(info.std, dtype=torch.float32).view(-1, 1, 1)
    mean = torch.tensor(info.mean, dtype=torch.float32).view(-1, 1, 1)
    return 1.0 / (255.0 * std), -mean / std


def load_dataset(name: str, root: str | Path = "data", download: bool = True) -> Dataset:
    """Load a dataset into uint8 tensors; raise ``DatasetUnavailable`` naming the fix if missing."""
    info = dataset_info(name)
    if name == "digits":
        return _load_digits(info)
    from dlviz.data import files as datafiles

    root = Path(root)
    if name in ("mnist", "fashion-mnist"):
        return datafiles.load_mnist_like(info, root, download, SYSTEM_DIRS.get(name, ()))
    return datafiles.load_cifar10(info, root, download)


def synthetic_dataset(
    name: str = "digits", n_train: int = 512, n_test: int = 128, seed: int = 0, noise: float = 0.5
) -> Dataset:
    """Learnable stand-in data shaped like ``name``: ``x = (1-noise)*prototype[y] + noise*U(0,1)``.

    One random blocky prototype image per class plus uniform noise, as uint8; for tests and benchmarks
    (generated in chunks, so 50,000 CIFAR-sized images never need a float copy of the whole set).
    """
    info = dataset_info(name)
    g = torch.Generator().manual_seed(seed)
    c, h, w = info.shape
    # Blocky prototypes (random at a quarter of the resolution, at least 4x4, upsampled): learnable by MLPs and
    # by CNNs, whose pooling would blur single-pixel patterns.
    coarse = torch.rand((info.num_classes, c, max(4, h // 4), max(4, w // 4)), generator=g)
    protos = torch.nn.functional.interpolate(coarse, size=(h, w), mode="nearest")

    def draw(n: int) -> tuple[torch.Tensor, torch.Tensor]:
        y = torch.randint(0, info.num_classes, (n,), generator=g)
        x = torch.empty((n, *info.shape), dtype=torch.uint8)
        for i in range(0, n, 4096):
            yb = y[i : i + 4096]
            xb = torch.rand((len(yb), *info.shape), generator=g).mul_(noise)
            xb.add_(protos[yb], alpha=1.0 - noise).mul_(255.0).round_()
            x[i : i + 4096] = xb.to(torch.uint8)
        return x, y

    train_x, train_y = draw(n_train)
    test_x, test_y = draw(n_test)
    return Dataset(info, train_x, train_y, test_x, test_y)


def _load_digits(info: DatasetInfo) -> Dataset:
    """scikit-learn's 8x8 digits (values 0..16 scaled to 0..255), split 80/20 stratified, seed 0."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    bunch = load_digits()
    x = torch.from_numpy(bunch.images * (255.0 / 16.0)).round().to(torch.uint8).unsqueeze(1)
    y = torch.from_numpy(bunch.target).to(torch.int64)
    idx_train, idx_test = train_test_split(
        range(len(y)), test_size=0.2, stratify=bunch.target, random_state=0
    )
    tr, te = torch.tensor(idx_train), torch.tensor(idx_test)
    return Dataset(
        info, x[tr].contiguous(), y[tr].contiguous(), x[te].contiguous(), y[te].contiguous()
    )
