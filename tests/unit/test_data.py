"""Datasets: tiny fake files in the real formats, loaded through torchvision's own classes."""

from __future__ import annotations

import gzip
import pickle
import struct
from pathlib import Path

import numpy as np
import pytest
import torch

from dlviz import data as D
from dlviz.data import DATASETS, DatasetUnavailable, load_dataset, normalize


def write_idx_images(path: Path, images: np.ndarray, compress: bool = False) -> None:
    """MNIST IDX3: magic 2051, count, rows, cols (big-endian int32), then uint8 pixels."""
    n, h, w = images.shape
    payload = struct.pack(">iiii", 2051, n, h, w) + images.astype(np.uint8).tobytes()
    write(path, payload, compress)


def write_idx_labels(path: Path, labels: np.ndarray, compress: bool = False) -> None:
    """MNIST IDX1: magic 2049, count, then uint8 labels."""
    payload = struct.pack(">ii", 2049, len(labels)) + labels.astype(np.uint8).tobytes()
    write(path, payload, compress)


def write(path: Path, payload: bytes, compress: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if compress:
        with gzip.open(f"{path}.gz", "wb") as f:
            f.write(payload)
    else:
        path.write_bytes(payload)


def fake_mnist(root: Path, folder: str, n_train=12, n_test=5, compress=False, seed=0):
    rng = np.random.default_rng(seed)
    raw = root / folder / "raw"
    imgs = {s: rng.integers(0, 256, (n, 28, 28)) for s, n in (("train", n_train), ("t10k", n_test))}
    labels = {s: rng.integers(0, 10, len(imgs[s])) for s in imgs}
    for split in imgs:
        write_idx_images(raw / f"{split}-images-idx3-ubyte", imgs[split], compress)
        write_idx_labels(raw / f"{split}-labels-idx1-ubyte", labels[split], compress)
    return imgs, labels


def fake_cifar(root: Path, per_batch=4, n_test=3, seed=0):
    rng = np.random.default_rng(seed)
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    batches = {}
    for name, n in [*((f"data_batch_{i}", per_batch) for i in range(1, 6)), ("test_batch", n_test)]:
        batch = {
            "data": rng.integers(0, 256, (n, 3072)).astype(np.uint8),
            "labels": rng.integers(0, 10, n).tolist(),
        }
        (folder / name).write_bytes(pickle.dumps(batch))
        batches[name] = batch
    meta = {"label_names": list(D.INFOS["cifar10"].classes)}
    (folder / "batches.meta").write_bytes(pickle.dumps(meta))
    return batches


@pytest.mark.parametrize(
    ("name", "folder"), [("mnist", "MNIST"), ("fashion-mnist", "FashionMNIST")]
)
def test_mnist_like_idx_files_load_as_uint8_nchw(tmp_path, name, folder, monkeypatch):
    monkeypatch.setattr(D, "SYSTEM_DIRS", {})
    imgs, labels = fake_mnist(tmp_path, folder)
    ds = load_dataset(name, root=tmp_path, download=False)
    assert ds.train_x.dtype == torch.uint8 and ds.train_x.shape == (12, 1, 28, 28)
    assert ds.test_x.shape == (5, 1, 28, 28)
    assert ds.train_y.dtype == torch.int64
    assert torch.equal(ds.train_x[:, 0], torch.from_numpy(imgs["train"].astype(np.uint8)))
    assert torch.equal(ds.test_y, torch.from_numpy(labels["t10k"]).long())
    assert ds.info.shape == (1, 28, 28) and len(ds.info.classes) == 10


def test_gzipped_files_in_raw_folder_are_extracted(tmp_path, monkeypatch):
    monkeypatch.setattr(D, "SYSTEM_DIRS", {})
    imgs, _ = fake_mnist(tmp_path, "FashionMNIST", compress=True)
    ds = load_dataset("fashion-mnist", root=tmp_path, download=False)
    assert torch.equal(ds.train_x[:, 0], torch.from_numpy(imgs["train"].astype(np.uint8)))
    assert (tmp_path / "FashionMNIST" / "raw" / "train-images-idx3-ubyte").is_file()


def test_system_folder_files_are_used_when_root_is_empty(tmp_path, monkeypatch):
    system = tmp_path / "system"
    imgs, _ = fake_mnist(tmp_path / "src", "x", compress=True)
    (tmp_path / "src" / "x" / "raw").rename(system)
    monkeypatch.setattr(D, "SYSTEM_DIRS", {"fashion-mnist": (system,)})
    ds = load_dataset("fashion-mnist", root=tmp_path / "root", download=False)
    assert torch.equal(ds.train_x[:, 0], torch.from_numpy(imgs["train"].astype(np.uint8)))


def test_cifar_pickle_batches_load_as_uint8_nchw(tmp_path):
    batches = fake_cifar(tmp_path)
    ds = load_dataset("cifar10", root=tmp_path, download=False)
    assert ds.train_x.shape == (20, 3, 32, 32) and ds.train_x.dtype == torch.uint8
    assert ds.test_x.shape == (3, 3, 32, 32)
    # CIFAR rows are 1024 red, 1024 green, 1024 blue values: channel-first after reshaping.
    first = torch.from_numpy(batches["data_batch_1"]["data"][0]).view(3, 32, 32)
    assert torch.equal(ds.train_x[0], first)
    assert ds.train_y[:4].tolist() == batches["data_batch_1"]["labels"]
    assert ds.info.classes[0] == "airplane" and ds.info.shape == (3, 32, 32)


@pytest.mark.parametrize("name", ["mnist", "fashion-mnist", "cifar10"])
def test_missing_files_raise_dataset_unavailable_naming_the_fix(tmp_path, name, monkeypatch):
    monkeypatch.setattr(D, "SYSTEM_DIRS", {})
    with pytest.raises(DatasetUnavailable) as err:
        load_dataset(name, root=tmp_path, download=False)
    message = str(err.value)
    assert str(tmp_path) in message and "digits" in message
    assert ("t10k-images-idx3-ubyte.gz" in message) or ("cifar-10-python.tar.gz" in message)
    assert "\n" not in message


def test_corrupt_file_is_unavailable_not_a_crash(tmp_path, monkeypatch):
    monkeypatch.setattr(D, "SYSTEM_DIRS", {})
    fake_mnist(tmp_path, "MNIST")
    (tmp_path / "MNIST" / "raw" / "train-images-idx3-ubyte").write_bytes(b"\x00\x00\x08")
    with pytest.raises(DatasetUnavailable):
        load_dataset("mnist", root=tmp_path, download=False)


def test_digits_is_offline_stratified_and_scaled():
    ds = load_dataset("digits", root="/nonexistent", download=False)
    assert len(ds.train_y) + len(ds.test_y) == 1797
    assert 0.18 < len(ds.test_y) / 1797 < 0.22
    assert ds.train_x.shape[1:] == (1, 8, 8) and ds.train_x.dtype == torch.uint8
    assert int(ds.train_x.max()) == 255
    counts = torch.bincount(ds.test_y, minlength=10)
    assert counts.min() >= 30  # stratified: every digit in the test set
    again = load_dataset("digits")
    assert torch.equal(again.test_y, ds.test_y)  # deterministic split


def test_unknown_dataset_name():
    with pytest.raises(ValueError, match="digits"):
        load_dataset("imagenet")
    assert set(DATASETS) == {"mnist", "fashion-mnist", "cifar10", "digits"}


@pytest.mark.parametrize("name", ["mnist", "cifar10", "digits"])
def test_normalize_matches_formula(name):
    info = D.INFOS[name]
    c, h, w = info.shape
    x = torch.randint(0, 256, (4, c, h, w), dtype=torch.uint8)
    mean = torch.tensor(info.mean).view(-1, 1, 1)
    std = torch.tensor(info.std).view(-1, 1, 1)
    expected = (x.float() / 255 - mean) / std
    out = normalize(x, info)
    assert out.dtype == torch.float32
    torch.testing.assert_close(out, expected)
    assert x.dtype == torch.uint8  # input untouched


def test_normalisation_stats_fit_digits():
    ds = load_dataset("digits")
    z = normalize(ds.train_x, ds.info)
    assert abs(z.mean().item()) < 0.05 and abs(z.std().item() - 1) < 0.05


@pytest.mark.parametrize(("split", "n_images", "n_labels"), [("train", 60, 10), ("t10k", 10, 6)])
def test_image_and_label_files_that_disagree_are_refused_naming_them(
    tmp_path, monkeypatch, split, n_images, n_labels
):
    """60,000 images with 10,000 labels once trained silently at 20 %: refuse, naming the files."""
    monkeypatch.setattr(D, "SYSTEM_DIRS", {})
    fake_mnist(tmp_path, "MNIST", n_train=60, n_test=10)
    raw = tmp_path / "MNIST" / "raw"
    write_idx_images(raw / f"{split}-images-idx3-ubyte", np.zeros((n_images, 28, 28)))
    write_idx_labels(raw / f"{split}-labels-idx1-ubyte", np.zeros(n_labels))
    with pytest.raises(DatasetUnavailable) as err:
        load_dataset("mnist", root=tmp_path, download=False)
    message = str(err.value)
    assert f"{n_images} images but {n_labels} labels" in message
    assert str(raw / f"{split}-images-idx3-ubyte") in message
    assert str(raw / f"{split}-labels-idx1-ubyte") in message and "digits" in message


def test_wrong_image_size_or_labels_out_of_range_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(D, "SYSTEM_DIRS", {})
    fake_mnist(tmp_path, "MNIST")
    raw = tmp_path / "MNIST" / "raw"
    write_idx_images(raw / "t10k-images-idx3-ubyte", np.zeros((5, 32, 32)))
    with pytest.raises(DatasetUnavailable, match="holds 32×32 images, not 28×28"):
        load_dataset("mnist", root=tmp_path, download=False)
    fake_mnist(tmp_path, "MNIST")
    write_idx_labels(raw / "train-labels-idx1-ubyte", np.full(12, 200))
    with pytest.raises(DatasetUnavailable, match="labels outside 0..9"):
        load_dataset("mnist", root=tmp_path, download=False)


def test_cifar_batches_with_missing_labels_are_refused(tmp_path):
    fake_cifar(tmp_path)
    batch = tmp_path / "cifar-10-batches-py" / "test_batch"
    broken = pickle.loads(batch.read_bytes())
    broken["labels"] = broken["labels"][:1]
    batch.write_bytes(pickle.dumps(broken))
    with pytest.raises(DatasetUnavailable, match="test_batch files .* hold 3 images and 1 labels"):
        load_dataset("cifar10", root=tmp_path, download=False)


def test_a_dataset_of_unequal_images_and_labels_cannot_be_built():
    info = D.INFOS["digits"]
    x = torch.zeros((5, 1, 8, 8), dtype=torch.uint8)
    with pytest.raises(ValueError, match="5 images but 4 labels"):
        D.Dataset(info, x, torch.zeros(4, dtype=torch.int64), x, torch.zeros(5, dtype=torch.int64))


@pytest.fixture
def fake_mirror(tmp_path, monkeypatch):
    """torchvision's MNIST downloader pointed at a local folder of gzipped fake files (no network).

    ``cut[0]`` set to a file name makes the next download of it stop half-way with a reset
    connection, as an interrupted download does.
    """
    import hashlib

    import torchvision.datasets.utils as U
    from torchvision.datasets import MNIST

    server = tmp_path / "server"
    imgs, _ = fake_mnist(tmp_path / "src", "MNIST", compress=True)
    (tmp_path / "src" / "MNIST" / "raw").rename(server)
    files = {p.name: p.read_bytes() for p in server.glob("*.gz")}
    cut: list[str | None] = [None]

    def fake_urlretrieve(url: str, filename, chunk_size: int = 1024) -> None:
        body = files[url.rsplit("/", 1)[-1]]
        with open(filename, "wb") as f:
            if Path(url).name == cut[0]:
                f.write(body[: len(body) // 2])
                raise ConnectionResetError("connection reset by peer")
            f.write(body)

    monkeypatch.setattr(D, "SYSTEM_DIRS", {})
    monkeypatch.setattr(U, "_get_redirect_url", lambda url, max_hops=3: url)
    monkeypatch.setattr(U, "_urlretrieve", fake_urlretrieve)
    resources = [(name, hashlib.md5(body).hexdigest()) for name, body in sorted(files.items())]
    monkeypatch.setattr(MNIST, "resources", resources)
    monkeypatch.setattr(MNIST, "mirrors", ["https://mirror.invalid/"])
    return imgs, cut


def test_an_interrupted_download_leaves_no_part_file_and_heals_on_the_next_try(
    tmp_path, fake_mirror
):
    imgs, cut = fake_mirror
    root = tmp_path / "data"
    raw = root / "MNIST" / "raw"
    cut[0] = "train-images-idx3-ubyte.gz"
    with pytest.raises(DatasetUnavailable):
        load_dataset("mnist", root=root, download=True)
    assert (raw / "train-images-idx3-ubyte.gz").stat().st_size > 0  # torchvision left it half

    with pytest.raises(DatasetUnavailable) as err:  # offline now: the half file is read
        load_dataset("mnist", root=root, download=False)
    assert "removed the incomplete train-images-idx3-ubyte.gz" in str(err.value)
    assert not list(root.rglob("*.part")), list(root.rglob("*.part"))
    assert not (raw / "train-images-idx3-ubyte.gz").exists()

    cut[0] = None  # the connection is back: the next load downloads it again and works
    ds = load_dataset("mnist", root=root, download=True)
    assert torch.equal(ds.train_x[:, 0], torch.from_numpy(imgs["train"].astype(np.uint8)))
    assert not list(root.rglob("*.part"))


def test_a_truncated_cifar_archive_is_removed_so_it_can_be_downloaded_again(tmp_path):
    import io
    import tarfile

    fake_cifar(tmp_path / "src")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.add(tmp_path / "src" / "cifar-10-batches-py", arcname="cifar-10-batches-py")
    root = tmp_path / "data"
    root.mkdir()
    archive = root / "cifar-10-python.tar.gz"
    archive.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    with pytest.raises(DatasetUnavailable, match="removed the incomplete cifar-10-python.tar.gz"):
        load_dataset("cifar10", root=root, download=False)
    assert not archive.exists()
