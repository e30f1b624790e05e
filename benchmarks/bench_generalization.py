"""Time every single experiment of the Generalization page on Digits (and a Fashion-MNIST subset).

Each overfitting run at the page's defaults (50 Digits images, two layers of 512 units, 20
epochs) with each remedy on its own, the random-label pair, the one-batch check, the range test
and the whole 4 x 4 capacity x data sweep, trained directly (no run store, so nothing is
cached). With ``--fashion`` also the baseline on 1,000 Fashion-MNIST images when Debian's files
are installed, and the transfer study: its Fashion-MNIST source network (trained once, then
cached for the whole server) and the three starts at one slider size. Prints seconds; never
asserts. Run from the repo root:

    python -m benchmarks.bench_generalization [--threads N] [--fashion]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

from dlviz.data import DatasetUnavailable, load_dataset
from dlviz.generalization import (
    Remedies,
    Setup,
    SweepSetup,
    random_label_runs,
    remedy_runs,
    sweep_runs,
)
from dlviz.generalization.sanity import OneBatch, RangeTest
from dlviz.runtime import configure_torch
from dlviz.training import train


def timed(label: str, fn) -> float:
    t0 = time.perf_counter()
    fn()
    seconds = time.perf_counter() - t0
    print(f"{label:<44s} {seconds:6.2f} s")
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=None, help="torch threads (default: CPU quota)")
    ap.add_argument("--fashion", action="store_true", help="also a Fashion-MNIST subset run")
    args = ap.parse_args()
    threads = configure_torch(args.threads)
    print(f"torch threads: {threads}; load average: {os.getloadavg()[0]:.2f}")
    digits = load_dataset("digits")
    train(remedy_runs(Setup(epochs=5), Remedies())[0][1], digits)  # warm-up (lazy init)

    remedies = Remedies(dropout=0.5, weight_decay=1.0, patience=3, augment="shift-rotate",
                        more_data=200)  # fmt: skip
    for name, cfg in remedy_runs(Setup(), remedies):
        timed(f"overfitting run: {name}", lambda cfg=cfg: train(cfg, digits))
    for name, cfg in random_label_runs(Setup("digits", 200)):
        timed(f"random labels: {name} (200 images)", lambda cfg=cfg: train(cfg, digits))
    timed("overfit one batch (5 loops x 60 steps)", lambda: OneBatch().run(digits))
    timed("learning-rate range test", lambda: RangeTest().run(digits))
    total = sum(
        timed(f"sweep cell: {name}", lambda cfg=cfg: train(cfg, digits))
        for name, cfg in sweep_runs(SweepSetup())
    )
    print(f"{'4 x 4 sweep on Digits, all cells':<44s} {total:6.2f} s")
    if args.fashion:
        try:
            fashion = load_dataset("fashion-mnist", root=tempfile.mkdtemp(), download=False)
        except DatasetUnavailable as err:
            print(f"Fashion-MNIST skipped: {err}")
            return
        cfg = remedy_runs(Setup("fashion-mnist", 1000), Remedies())[0][1]
        timed("Fashion-MNIST baseline (1,000 images)", lambda: train(cfg, fashion))
        transfer(fashion, digits)


def transfer(fashion, digits) -> None:
    """The transfer section: the source once, then one slider size (three starts) at a time."""
    from dlviz.generalization.transfer import TransferStudy

    study = TransferStudy()
    held = {}
    timed("transfer: Fashion-MNIST source network (once)",
          lambda: held.setdefault("source", train(study.source_config(), fashion)))  # fmt: skip
    for size in (10, 50, 1000):
        one = TransferStudy(sizes=(size,))
        timed(
            f"transfer: three starts at {size:,} images",
            lambda o=one: o.run(held["source"], digits),
        )


if __name__ == "__main__":
    main()
