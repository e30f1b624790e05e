"""Real data: Debian's Fashion-MNIST through torchvision's FashionMNIST, seed-cnn for one epoch."""

from __future__ import annotations

from pathlib import Path

import pytest

import dlviz.data
from dlviz.data import MNIST_FILES, load_dataset
from dlviz.training import preset_config, train

DEBIAN = Path("/usr/share/datasets/fashion-mnist")
HAVE_DEBIAN = all((DEBIAN / f"{f}.gz").is_file() for f in MNIST_FILES)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not HAVE_DEBIAN,
        reason=f"Debian's Fashion-MNIST is not installed ({DEBIAN}/*.gz missing); "
        "`apt install dataset-fashion-mnist` (.ci/run does) to run this test",
    ),
]


@pytest.fixture(scope="module")
def fashion(tmp_path_factory):
    """Debian's files symlinked where torchvision's FashionMNIST expects them, in a temp root."""
    root = tmp_path_factory.mktemp("data")
    raw = root / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for f in MNIST_FILES:
        (raw / f"{f}.gz").symlink_to(DEBIAN / f"{f}.gz")
    saved = dlviz.data.SYSTEM_DIRS
    dlviz.data.SYSTEM_DIRS = {}  # only the files placed above may be used
    try:
        yield load_dataset("fashion-mnist", root=root, download=False)
    finally:
        dlviz.data.SYSTEM_DIRS = saved


def test_real_fashion_mnist_loads_as_uint8(fashion):
    assert fashion.train_x.shape == (60_000, 1, 28, 28)
    assert fashion.test_x.shape == (10_000, 1, 28, 28)
    assert fashion.train_y.bincount().tolist() == [6_000] * 10
    assert fashion.info.classes[0] == "T-shirt/top"


def test_seed_cnn_one_epoch_on_10k_images_reaches_80_percent(fashion):
    cfg = preset_config(
        "seed-cnn", "fashion-mnist", epochs=1, train_subset=10_000, val_fraction=0.0, batch_size=64
    )
    result = train(cfg, fashion)
    assert result.status == "completed"
    assert result.test_acc >= 0.80, result.history
    assert len(result.test_preds[0]) == 10_000
