"""Time the loss landscape of ``seed-cnn``: default 21 x 21 plane + 41-point line on 1,000 images.

Data: Debian's Fashion-MNIST (/usr/share/datasets/fashion-mnist, 1x28x28, same shape as MNIST)
when installed, else synthetic 1x28x28 images (``dlviz.data.synthetic_dataset``). The weights
are ``seed-cnn`` briefly trained (one epoch on 5,000 images), its initial weights the random
start of that run. Prints seconds; never asserts. Run from the repo root:

    python -m benchmarks.bench_landscape [--threads N] [--images 1000] [--resolution 21]
"""

from __future__ import annotations

import argparse
import tempfile
import time

from dlviz.data import DatasetUnavailable, load_dataset, normalize, synthetic_dataset
from dlviz.landscape import LandscapeConfig, loss_landscape
from dlviz.runtime import configure_torch
from dlviz.training import TrainConfig, train
from dlviz.training.models import build_model


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=None, help="torch threads (default: CPU quota)")
    ap.add_argument("--images", type=int, default=1000)
    ap.add_argument("--resolution", type=int, default=21)
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args()
    threads = configure_torch(args.threads)

    try:
        data = load_dataset("fashion-mnist", root=tempfile.mkdtemp(), download=False)
        source = "Fashion-MNIST (Debian's dataset-fashion-mnist)"
    except DatasetUnavailable:
        data = synthetic_dataset("fashion-mnist", n_train=5000, n_test=args.images)
        source = "synthetic 1x28x28 images"
    cfg = TrainConfig(dataset=data.info.name, model="seed-cnn", epochs=1, train_subset=5000)
    t0 = time.perf_counter()
    run = train(cfg, data)
    print(
        f"data: {source}; seed-cnn trained 1 epoch on 5,000 images in "
        f"{time.perf_counter() - t0:.1f} s, test acc {run.test_acc:.3f}; torch threads {threads}"
    )

    model = build_model("seed-cnn", data.info.shape, data.info.num_classes)
    x = normalize(data.test_x[: args.images], data.info)
    y = data.test_y[: args.images]
    lcfg = LandscapeConfig(resolution=args.resolution, test_images=args.images)
    points = lcfg.points
    for i in range(args.repeats):
        cpu0 = time.process_time()
        done = loss_landscape(model, run.initial_state, run.final_state, x, y, lcfg)
        cpu = time.process_time() - cpu0
        print(
            f"run {i + 1}: {lcfg.resolution}x{lcfg.resolution} plane + {lcfg.line_points}-point "
            f"line on {done.images} images: {done.seconds:.2f} s "
            f"({1000 * done.seconds / points:.1f} ms per point, {points} points; "
            f"CPU time {cpu:.1f} s over {threads} thread(s)); "
            f"centre loss {done.centre_loss:.4f} = trained {done.trained_loss:.4f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
