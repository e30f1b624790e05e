"""One epoch of seed-cnn and seed-mlp: the seed notebooks' textbook loop against dlviz's loop.

Run: ``python -m benchmarks.bench_training`` (options: ``--models seed-cnn``, ``--subset N``,
``--threads N``, ``--repeats N``, ``--synthetic``). Both loops run in this one process on the same
Fashion-MNIST files (Debian's ``dataset-fashion-mnist`` when installed, else synthetic images
written in the same IDX format; the output says which), with the same number of torch threads (the
CPU quota).
The textbook loops run first with torch's default process settings, as in the notebooks; dlviz's
``configure_torch`` (flush denormals, malloc thresholds) is applied after them, since it cannot be
undone in-process; ``--same-settings`` applies it to both (a stricter comparison).

- textbook: torchvision ``FashionMNIST`` with ``ToTensor()`` + ``Normalize((0.5,), (0.5,))`` per
  sample, ``DataLoader(batch_size=32, shuffle=True)``, SGD lr 0.0008 momentum 0.9, the
  notebook's own model class; tested with a batch-32 DataLoader as the notebook does.
- dlviz: ``dlviz.training.train`` with the preset's default recipe (``preset_config``: Adam lr
  2e-3, batch 256 for the CNN and 512 for the MLP), ``val_fraction=0`` so both see all training
  images, with dlviz's default ``precision="auto"`` (bfloat16 autocast for the CNN on a CPU with
  native bf16, which the output reports; float32 otherwise). When "auto" picked bf16, the model is
  run once more in float32 (``precision="fp32"``) so both figures are on record.

Each epoch is timed ``--repeats`` times (default 3, each a fresh model with the same seed, so the
same accuracy) and the median samples per second is reported with the range: on a shared VM a
single 0.3-second MLP epoch can land in a slow patch (we saw 140k instead of 220k images/s).

Printed: training samples per second (optimisation steps only, evaluation excluded), the ratio,
test accuracy after the epoch, and the peak resident memory of each phase (VmHWM, reset between
phases). Targets on 2 cores: >= 4x (CNN) and >= 20x (MLP), accuracy no lower.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import os
import shutil
import struct
import sys
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from dlviz.data import MNIST_FILES, SYSTEM_DIRS, load_dataset, synthetic_dataset
from dlviz.runtime import bf16_native, configure_torch, cpu_quota
from dlviz.training import preset_config, train

TARGETS = {"seed-cnn": 4.0, "seed-mlp": 20.0}


class NotebookCNN(nn.Module):
    """Seed 002's CNN as the notebook writes it."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, kernel_size=3, stride=1, padding=1)
        self.pool = nn.MaxPool2d(kernel_size=2, stride=2, padding=0)
        self.fc1 = nn.Linear(32 * 14 * 14, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = x.view(-1, 32 * 14 * 14)
        return self.fc2(F.relu(self.fc1(x)))


class NotebookMLP(nn.Module):
    """Seed 004's MLP 784-128-64-10 as the notebook writes it."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(28 * 28, 128)
        self.fc2 = nn.Linear(128, 64)
        self.fc3 = nn.Linear(64, 10)

    def forward(self, x):
        x = x.view(-1, 28 * 28)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


NOTEBOOK_MODELS = {"seed-cnn": NotebookCNN, "seed-mlp": NotebookMLP}


def reset_peak_rss() -> None:
    """Reset the kernel's resident-set high-water mark (Linux: write 5 to clear_refs)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_rss_mb() -> float:
    """Peak resident memory since the last reset, in MB (VmHWM)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def prepare_root(root: Path, force_synthetic: bool) -> str:
    """Put Fashion-MNIST IDX files under ``root/FashionMNIST/raw``; return where they came from."""
    raw = root / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    system = SYSTEM_DIRS["fashion-mnist"][0]
    if not force_synthetic and all((system / f"{f}.gz").is_file() for f in MNIST_FILES):
        for f in MNIST_FILES:
            with gzip.open(system / f"{f}.gz", "rb") as src, open(raw / f, "wb") as dst:
                shutil.copyfileobj(src, dst)
        return f"real Fashion-MNIST (Debian's files in {system})"
    ds = synthetic_dataset("fashion-mnist", n_train=60_000, n_test=10_000, seed=0)
    for split, x, y in (("train", ds.train_x, ds.train_y), ("t10k", ds.test_x, ds.test_y)):
        n = len(y)
        header = struct.pack(">iiii", 2051, n, 28, 28)
        (raw / f"{split}-images-idx3-ubyte").write_bytes(header + x.numpy().tobytes())
        (raw / f"{split}-labels-idx1-ubyte").write_bytes(
            struct.pack(">ii", 2049, n) + y.to(torch.uint8).numpy().tobytes()
        )
    return "SYNTHETIC Fashion-MNIST-shaped data (Debian's dataset-fashion-mnist is not installed)"


def textbook_epoch(name: str, root: Path, subset: int | None) -> dict:
    """One epoch of the notebooks' loop; returns samples/s, test accuracy and peak memory."""
    import torchvision
    from torch.utils.data import DataLoader, Subset
    from torchvision import transforms

    reset_peak_rss()
    torch.manual_seed(0)
    tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
    train_ds = torchvision.datasets.FashionMNIST(str(root), train=True, transform=tf)
    test_ds = torchvision.datasets.FashionMNIST(str(root), train=False, transform=tf)
    if subset:
        train_ds = Subset(train_ds, range(subset))
    train_loader = DataLoader(train_ds, batch_size=32, shuffle=True)
    test_loader = DataLoader(test_ds, batch_size=32, shuffle=False)
    model = NOTEBOOK_MODELS[name]()
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.0008, momentum=0.9)
    model.train()
    t0 = time.perf_counter()
    seen = 0
    for images, labels in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(images), labels)
        loss.backward()
        optimizer.step()
        seen += len(labels)
    seconds = time.perf_counter() - t0
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for images, labels in test_loader:
            correct += (model(images).argmax(1) == labels).sum().item()
            total += len(labels)
    return {
        "sps": seen / seconds,
        "seconds": seconds,
        "acc": correct / total,
        "peak": peak_rss_mb(),
        "recipe": "DataLoader bs 32 + ToTensor/Normalize, SGD lr 0.0008 momentum 0.9",
    }


def dlviz_epoch(name: str, root: Path, subset: int | None, precision: str = "auto") -> dict:
    """One epoch of dlviz's loop with the preset's default recipe, in ``precision``."""
    reset_peak_rss()
    data = load_dataset("fashion-mnist", root=root, download=False)
    cfg = preset_config(
        name,
        "fashion-mnist",
        epochs=1,
        val_fraction=0.0,
        train_subset=subset,
        precision=precision,
    )
    result = train(cfg, data)
    return {
        "sps": result.samples_per_second,
        "seconds": result.train_seconds - result.eval_seconds,
        "acc": result.test_acc,
        "peak": peak_rss_mb(),
        "recipe": f"uint8 in memory + randperm, {cfg.optimizer.capitalize()} lr {cfg.lr:g} "
        f"bs {cfg.batch_size} (fused)",
        "precision": result.precision,
        "label": f"dlviz {precision}" + (f"={result.precision}" if precision == "auto" else ""),
    }


def repeated(run, repeats: int) -> dict:
    """``run()`` ``repeats`` times: the median samples/s, its range, the largest peak memory."""
    results = sorted((run() for _ in range(repeats)), key=lambda r: r["sps"])
    return {
        **results[len(results) // 2],
        "range": (results[0]["sps"], results[-1]["sps"]),
        "peak": max(r["peak"] for r in results),
    }


def dlviz_runs(name: str, root: Path, subset: int | None, repeats: int) -> list[dict]:
    """dlviz's default run ("auto"), plus an fp32 run when "auto" chose bf16."""
    runs = [repeated(lambda: dlviz_epoch(name, root, subset, "auto"), repeats)]
    if runs[0]["precision"] != "fp32":
        runs.append(repeated(lambda: dlviz_epoch(name, root, subset, "fp32"), repeats))
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=list(TARGETS), choices=list(TARGETS))
    parser.add_argument("--subset", type=int, help="train on the first N images (quick check)")
    parser.add_argument("--threads", type=int, help="torch threads (default: the CPU quota)")
    parser.add_argument(
        "--repeats", type=int, default=3, help="timed epochs per loop; the median is reported"
    )
    parser.add_argument(
        "--same-settings",
        action="store_true",
        help="apply dlviz's process settings (denormals, malloc) to the textbook loop too",
    )
    parser.add_argument(
        "--synthetic",
        action="store_true",
        help="use synthetic data even if Debian's Fashion-MNIST is installed",
    )
    args = parser.parse_args(argv)

    threads = args.threads or cpu_quota()
    torch.set_num_threads(threads)  # the same thread count for both loops
    if args.same_settings:
        configure_torch(threads=threads)
    with tempfile.TemporaryDirectory(prefix="dlviz-bench-") as tmp:
        source = prepare_root(Path(tmp), args.synthetic)
        print(f"data: {source}; training images: {args.subset or 60_000}; test images: 10,000")
        print(
            f"torch {torch.__version__}, {threads} threads, CPU count {os.cpu_count()}, "
            f"load average {os.getloadavg()[0]:.1f}, native bf16: {bf16_native()}"
        )
        # Warm-up: the first optimizer in a process imports torch._dynamo (seconds, once).
        torch.optim.SGD(nn.Linear(1, 1).parameters(), lr=0.1)
        # The textbook loops run first with torch's defaults, as a notebook has them (apart from
        # the thread count); then dlviz applies its process settings (flush denormals, malloc
        # thresholds), which cannot be undone in-process. --same-settings applies them to both.
        repeats = max(1, args.repeats)
        textbook = {
            name: repeated(lambda name=name: textbook_epoch(name, Path(tmp), args.subset), repeats)
            for name in args.models
        }
        configure_torch(threads=threads)
        rows = [
            (n, textbook[n], dlviz_runs(n, Path(tmp), args.subset, repeats)) for n in args.models
        ]
    both = "both loops" if args.same_settings else "the dlviz loop only"
    print(f"dlviz.runtime.configure_torch (denormals, malloc) applied to {both}")
    print()
    print(
        f"{'model':10} {'loop':16} {'samples/s':>10} {'(range of runs)':>17} {'epoch s':>8} "
        f"{'test acc':>9} {'peak MB':>8}  recipe"
    )
    for name, tb, dls in rows:
        for r in [{**tb, "label": "textbook"}, *dls]:
            lo, hi = r["range"]
            print(
                f"{name:10} {r['label']:16} {r['sps']:10,.0f} {f'({lo:,.0f}-{hi:,.0f})':>17} "
                f"{r['seconds']:8.1f} {r['acc']:9.2%} {r['peak']:8.0f}  {r['recipe']}"
            )
    print()
    ok = True
    for name, tb, dls in rows:
        for i, dl in enumerate(dls):
            ratio = dl["sps"] / tb["sps"]
            met = ratio >= TARGETS[name] and dl["acc"] >= tb["acc"]
            ok &= met or i > 0  # the exit status judges dlviz's default ("auto")
            print(
                f"{name} {dl['label']}: dlviz/textbook = {ratio:.1f}x median samples/s "
                f"(target >= {TARGETS[name]:g}x); accuracy {dl['acc']:.2%} vs {tb['acc']:.2%} "
                f"-> {'MET' if met else 'NOT MET'}"
            )
    print("(a shared or busy machine makes these numbers noisy; re-run on a quiet one)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
