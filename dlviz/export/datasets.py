"""The data half of an exported training script: loading a dataset and normalising its batches.

Each dataset's loader is the same code dlviz runs (``dlviz.data``): scikit-learn's digits split
80/20 stratified with seed 0, or torchvision's MNIST, Fashion-MNIST and CIFAR-10 classes read into
uint8 tensors ``[N, C, H, W]``; Fashion-MNIST uses Debian's ``dataset-fashion-mnist`` files when
they are installed, as dlviz does. ``prepare`` normalises one batch in the same float32 steps as
``dlviz.data.normalize``, so the numbers are the same, not just close.
"""

from __future__ import annotations

from dlviz.data import SYSTEM_DIRS, DatasetInfo

DIGITS = '''def load_data():
    """scikit-learn's 8x8 digits as uint8 images [N, 1, 8, 8] (0..16 scaled to 0..255), split
    80/20, stratified by class, with random_state 0: (train_x, train_y, test_x, test_y)."""
    bunch = load_digits()
    x = torch.from_numpy(bunch.images * (255.0 / 16.0)).round().to(torch.uint8).unsqueeze(1)
    y = torch.from_numpy(bunch.target).to(torch.int64)
    idx_train, idx_test = train_test_split(
        range(len(y)), test_size=0.2, stratify=bunch.target, random_state=0
    )
    train, test = torch.tensor(idx_train), torch.tensor(idx_test)
    return x[train], y[train], x[test], y[test]'''

MNIST_LIKE = '''def load_data():
    """The {label} training and test images as uint8 tensors [N, 1, 28, 28] and int64 labels
    (torchvision downloads them into DATA_DIR the first time)."""
    train = datasets.{cls}(DATA_DIR, train=True, download=True)
    test = datasets.{cls}(DATA_DIR, train=False, download=True)
    return train.data.unsqueeze(1), train.targets, test.data.unsqueeze(1), test.targets'''

DEBIAN = '''SYSTEM_COPY = Path("{folder}")


def unpack_system_copy():
    """Use Debian's dataset-fashion-mnist files when they are installed: unpack the four .gz files
    where torchvision looks for them, so nothing needs downloading."""
    raw = Path(DATA_DIR) / "FashionMNIST" / "raw"
    for gz in sorted(SYSTEM_COPY.glob("*-ubyte.gz")):
        target = raw / gz.name.removesuffix(".gz")
        if not target.exists():
            raw.mkdir(parents=True, exist_ok=True)
            with gzip.open(gz, "rb") as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)


unpack_system_copy()'''

CIFAR = '''def load_data():
    """CIFAR-10 as uint8 tensors [N, 3, 32, 32] and int64 labels (torchvision downloads the
    170 MB archive into DATA_DIR the first time)."""

    def tensors(ds):
        x = torch.from_numpy(ds.data).permute(0, 3, 1, 2).contiguous()  # NHWC -> NCHW
        return x, torch.as_tensor(ds.targets, dtype=torch.int64)

    train = datasets.CIFAR10(DATA_DIR, train=True, download=True)
    test = datasets.CIFAR10(DATA_DIR, train=False, download=True)
    return (*tensors(train), *tensors(test))'''

ONE_CHANNEL = """# x * SCALE + SHIFT is (x / 255 - MEAN) / STD, computed in one pass per batch.
SCALE, SHIFT = 1.0 / (255.0 * STD[0]), -MEAN[0] / STD[0]"""

CHANNELS = """# x * SCALE + SHIFT is (x / 255 - MEAN) / STD per channel, computed in one pass per batch.
_std = torch.tensor(STD, dtype=torch.float32).view(-1, 1, 1)
_mean = torch.tensor(MEAN, dtype=torch.float32).view(-1, 1, 1)
SCALE, SHIFT = 1.0 / (255.0 * _std), -_mean / _std"""

PREPARE = '''


def prepare(x_uint8):
    """Normalised float32 images for a batch of uint8 ones (channels_last for a CNN)."""
    x = x_uint8.to(torch.float32).mul_(SCALE).add_(SHIFT)
    return x.contiguous(memory_format=torch.channels_last) if CHANNELS_LAST else x'''


def imports(info: DatasetInfo) -> list[str]:
    """The import lines the dataset's loader needs."""
    if info.name == "digits":
        return [
            "from sklearn.datasets import load_digits",
            "from sklearn.model_selection import train_test_split",
        ]
    extra = ["import gzip", "import shutil", "from pathlib import Path"]
    return (extra if info.name in SYSTEM_DIRS else []) + ["from torchvision import datasets"]


def loader_code(info: DatasetInfo) -> str:
    """``load_data()`` for the dataset (plus the Debian helper for Fashion-MNIST)."""
    if info.name == "digits":
        return DIGITS
    if info.name == "cifar10":
        return CIFAR
    cls = "MNIST" if info.name == "mnist" else "FashionMNIST"
    code = MNIST_LIKE.format(label=info.label, cls=cls)
    for folder in SYSTEM_DIRS.get(info.name, ()):
        code = DEBIAN.format(folder=folder) + "\n\n\n" + code
    return code


def prepare_code(info: DatasetInfo, channels_last: bool) -> str:
    """``SCALE``/``SHIFT`` and ``prepare(x_uint8)``, the per-batch normalisation."""
    stats = ONE_CHANNEL if len(info.mean) == 1 else CHANNELS
    return f"CHANNELS_LAST = {channels_last}  # CNNs run faster in channels_last on a CPU\n" + (
        stats + PREPARE
    )
