"""Peak memory of training seed-cifar-cnn on a full CIFAR-10-sized set with dlviz's loop.

Run: ``python -m benchmarks.bench_cifar_memory`` (options: ``--epochs N``, ``--subset N`` to
train on fewer images while still holding all 50,000 in memory, ``--precision fp32`` to force
float32, ``--data-dir DIR`` to use real CIFAR-10 when its files are there). Without real CIFAR-10 (it cannot be downloaded here) it uses
synthetic CIFAR-shaped data: 50,000 training and 10,000 test images of 3x32x32 uint8, the same
sizes as the real set, and says so. Prints the process's resident memory after start-up, after
loading the data, and its peak while training (VmHWM), against the 1.5 GB target.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import torch

from dlviz.data import DatasetUnavailable, load_dataset, synthetic_dataset
from dlviz.runtime import configure_torch
from dlviz.training import PRECISIONS, preset_config, train

TARGET_MB = 1536


def rss_mb(field: str = "VmRSS") -> float:
    """Current (VmRSS) or peak (VmHWM) resident memory of this process in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--subset", type=int, help="train on N of the 50,000 images")
    parser.add_argument("--data-dir", type=Path, help="folder holding cifar-10-batches-py/")
    parser.add_argument("--threads", type=int)
    parser.add_argument("--precision", choices=PRECISIONS, default="auto")
    args = parser.parse_args(argv)

    threads = configure_torch(threads=args.threads)
    torch.optim.SGD(torch.nn.Linear(1, 1).parameters(), lr=0.1)  # import torch._dynamo now
    start = rss_mb()
    source = "synthetic CIFAR-shaped data (50,000 + 10,000 images, 3x32x32 uint8)"
    data = None
    if args.data_dir:
        try:
            data = load_dataset("cifar10", root=args.data_dir, download=False)
            source = f"real CIFAR-10 from {args.data_dir}"
        except DatasetUnavailable as err:
            print(f"(real CIFAR-10 unavailable: {err})")
    if data is None:
        data = synthetic_dataset("cifar10", n_train=50_000, n_test=10_000, seed=0)
    loaded = rss_mb()
    cfg = preset_config(
        "seed-cifar-cnn",
        "cifar10",
        epochs=args.epochs,
        train_subset=args.subset,
        precision=args.precision,
    )
    print(f"data: {source}; {threads} threads; load average {os.getloadavg()[0]:.1f}")
    print(
        f"recipe: {cfg.optimizer} lr {cfg.lr:g}, batch {cfg.batch_size}, {cfg.epochs} epoch(s), "
        f"{cfg.train_subset or len(data.train_y)} training images (val fraction {cfg.val_fraction})"
    )
    t0 = time.perf_counter()
    result = train(cfg, data)
    seconds = time.perf_counter() - t0
    peak = rss_mb("VmHWM")
    print(f"resident memory after start-up (torch imported): {start:7.0f} MB")
    print(f"resident memory with the dataset in memory:      {loaded:7.0f} MB")
    print(
        f"peak resident memory while training:             {peak:7.0f} MB  (target < {TARGET_MB} MB)"
    )
    print(
        f"trained {result.epochs_done} epoch(s) in {seconds:.1f} s, "
        f"{result.samples_per_second:,.0f} images/s in {result.precision}; test accuracy {result.test_acc:.2%}"
        + (
            " (synthetic data: not comparable to CIFAR-10's 75.52 %)"
            if "synthetic" in source
            else ""
        )
    )
    print(f"peak memory target {'MET' if peak < TARGET_MB else 'NOT MET'}")
    return 0 if peak < TARGET_MB else 1


if __name__ == "__main__":
    sys.exit(main())
