"""The raw files of MNIST, Fashion-MNIST and CIFAR-10, read through torchvision's own classes.

Gzipped IDX files are extracted where a raw file is missing (from ``root`` or a system folder);
an archive that a cut-short download left damaged is deleted so the next download can replace it,
and no half-extracted ``.part`` file is left behind. What was read is checked before it becomes a
``Dataset``: as many labels as images, the expected image size, labels within the classes.
Everything wrong ends as ``DatasetUnavailable`` with a message that names the files and the fix.
"""

from __future__ import annotations

import gzip
import shutil
import tarfile
import zlib
from pathlib import Path

import torch

from dlviz.data import (
    CIFAR_FILES,
    MNIST_FILES,
    Dataset,
    DatasetInfo,
    DatasetUnavailable,
)

DAMAGED_ARCHIVE = (EOFError, zlib.error, gzip.BadGzipFile, tarfile.TarError)
"""What reading a truncated or corrupt .gz / .tar.gz raises (a full disk is a plain OSError)."""


def _mnist_class(name: str):
    from torchvision.datasets import MNIST, FashionMNIST

    return MNIST if name == "mnist" else FashionMNIST


def _gunzip_into(raw: Path, sources: tuple[Path, ...]) -> list[str]:
    """Extract ``<file>.gz`` (from ``raw`` itself or a system folder) where a raw file is missing.

    Extraction goes through ``.<file>.part``, removed if it fails. A damaged ``.gz`` in ``raw`` (a
    download that was cut short) is deleted so the next download starts afresh; returns the names
    of the files deleted.
    """
    removed = []
    for fname in MNIST_FILES:
        if (raw / fname).exists():
            continue
        for folder in (raw, *sources):
            gz = folder / f"{fname}.gz"
            if not gz.is_file():
                continue
            raw.mkdir(parents=True, exist_ok=True)
            tmp = raw / f".{fname}.part"
            try:
                with gzip.open(gz, "rb") as src, open(tmp, "wb") as dst:
                    shutil.copyfileobj(src, dst)
                tmp.replace(raw / fname)
                break
            except DAMAGED_ARCHIVE:
                if folder == raw:  # ours (a download): useless, and it would block a new one
                    gz.unlink(missing_ok=True)
                    removed.append(gz.name)
            finally:
                tmp.unlink(missing_ok=True)
    return removed


def load_mnist_like(
    info: DatasetInfo, root: Path, download: bool, system_dirs: tuple[Path, ...] = ()
) -> Dataset:
    """MNIST or Fashion-MNIST from ``root`` (gzipped files in ``raw`` or ``system_dirs`` count)."""
    cls = _mnist_class(info.name)
    raw = root / cls.__name__ / "raw"
    removed: list[str] = []
    try:
        removed = _gunzip_into(raw, system_dirs)
        train = cls(str(root), train=True, download=download)
        test = cls(str(root), train=False, download=download)
    except Exception as err:  # missing, truncated or corrupt files, failed downloads
        reason = _why(err, download)
        if removed:
            reason += f"; removed the incomplete {' and '.join(removed)} (an interrupted download)"
        raise DatasetUnavailable(_mnist_fix(info, raw, reason)) from err
    for split, images, labels in (("train", train, train), ("t10k", test, test)):
        _check_split(info, images.data, labels.targets, raw, split)
    return Dataset(
        info,
        train.data.unsqueeze(1).contiguous(),
        train.targets.to(torch.int64),
        test.data.unsqueeze(1).contiguous(),
        test.targets.to(torch.int64),
    )


def _check_split(info: DatasetInfo, images, labels, raw: Path, split: str) -> None:
    """Images and labels of one split agree in number, shape and classes, or the files are named."""
    image_file, label_file = raw / f"{split}-images-idx3-ubyte", raw / f"{split}-labels-idx1-ubyte"
    files = f"{image_file} and {label_file}"
    problem = None
    if len(images) != len(labels):
        problem = f"{files} disagree: {len(images):,} images but {len(labels):,} labels"
    elif tuple(images.shape[1:]) != info.shape[1:]:
        size = "×".join(map(str, images.shape[1:]))
        problem = f"{image_file} holds {size} images, not {info.shape[1]}×{info.shape[2]}"
    elif len(labels) and not 0 <= int(labels.min()) <= int(labels.max()) < info.num_classes:
        problem = f"{label_file} has labels outside 0..{info.num_classes - 1}"
    if problem:
        raise DatasetUnavailable(
            f"{info.label} is not usable: {problem}. Replace both files with the original ones "
            "(or delete them to download again), or choose the built-in 'digits' dataset."
        )


def _why(err: Exception, download: bool) -> str:
    """Why the files could not be had, in a few words."""
    text = str(err).strip().splitlines()[0][:160].rstrip(":") if str(err).strip() else ""
    text = text or type(err).__name__
    if "download" in text.lower() and "not found" not in text.lower():
        return f"the download failed: {text}"
    if "not found" in text.lower():
        return "files not found" + (" and the download failed" if download else ", downloads off")
    return f"could not read the files: {text}"


def _mnist_fix(info: DatasetInfo, raw: Path, reason: str) -> str:
    files = ", ".join(f"{f}.gz" for f in MNIST_FILES)
    debian = (
        " (on Debian/Ubuntu: `apt install dataset-fashion-mnist`, which puts them in "
        "/usr/share/datasets/fashion-mnist/)"
        if info.name == "fashion-mnist"
        else ""
    )
    return (
        f"{info.label} is not available ({reason}). Put the four files {files} into {raw}/"
        f"{debian}, allow downloads, or choose the built-in 'digits' dataset."
    )


def cifar10_class() -> type:
    """torchvision's CIFAR10, checking that the extracted batch files exist rather than their md5
    (the downloaded archive is still md5-checked by torchvision before extraction).

    It overrides three class attributes that are torchvision internals (``train_list``,
    ``test_list``: ``[file name, md5]`` pairs; ``meta``: a dict with ``md5``); tests/unit/
    test_compat.py checks their shape so a torchvision upgrade that changes them fails loudly.
    """
    from torchvision.datasets import CIFAR10

    class _CIFAR10(CIFAR10):
        train_list = [[fname, None] for fname, _ in CIFAR10.train_list]
        test_list = [[fname, None] for fname, _ in CIFAR10.test_list]
        meta = {**CIFAR10.meta, "md5": None}

    return _CIFAR10


def load_cifar10(info: DatasetInfo, root: Path, download: bool) -> Dataset:
    """CIFAR-10 from ``root``: the extracted batches, else the archive (extracted first)."""
    from torchvision.datasets.utils import extract_archive

    cls = cifar10_class()
    folder = root / cls.base_folder
    archive = root / cls.filename
    removed = ""
    try:
        if archive.is_file() and not all((folder / f).exists() for f in CIFAR_FILES):
            try:
                extract_archive(str(archive), str(root))
            except DAMAGED_ARCHIVE:  # cut short: delete it so a new download can replace it
                archive.unlink(missing_ok=True)
                removed = f"; removed the incomplete {archive.name} (an interrupted download)"
        train = cls(str(root), train=True, download=download)
        test = cls(str(root), train=False, download=download)
    except Exception as err:  # missing, truncated or corrupt files, failed downloads
        raise DatasetUnavailable(
            f"CIFAR-10 is not available ({_why(err, download)}{removed}). Put "
            f"cifar-10-python.tar.gz (https://www.cs.toronto.edu/~kriz/cifar.html) into {root}/ "
            f"or its extracted folder {folder}/ ({', '.join(CIFAR_FILES)}), allow downloads, or "
            "choose the built-in 'digits' dataset."
        ) from err

    def to_tensors(ds, name: str) -> tuple[torch.Tensor, torch.Tensor]:
        x = torch.from_numpy(ds.data).permute(0, 3, 1, 2).contiguous()  # NHWC -> NCHW
        y = torch.as_tensor(ds.targets, dtype=torch.int64)
        if len(x) != len(y) or (len(y) and not 0 <= int(y.min()) <= int(y.max()) < 10):
            raise DatasetUnavailable(
                f"CIFAR-10 is not usable: the {name} files in {folder}/ hold {len(x):,} images "
                f"and {len(y):,} labels (labels must be 0..9). Replace them with the original "
                "files, or choose the built-in 'digits' dataset."
            )
        return x, y

    (train_x, train_y), (test_x, test_y) = (
        to_tensors(train, "data_batch"),
        to_tensors(test, "test_batch"),
    )
    return Dataset(info, train_x, train_y, test_x, test_y)
