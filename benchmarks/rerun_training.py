"""Training page timings: a Digits run from the Train click, and the exploring reruns after it.

Prints milliseconds; never asserts. Run from the repo root: ``python -m benchmarks.rerun_training``
(torch threads from the CPU quota, as the app does) and ``python -m benchmarks.rerun_training 1``
(one torch thread) to compare. Offline, with a fresh temporary run cache (the click really trains).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

os.environ.setdefault("DLVIZ_OFFLINE", "1")
os.environ["DLVIZ_CACHE_DIR"] = tempfile.mkdtemp(prefix="dlviz-bench-")
os.environ.setdefault("DLVIZ_DATA_DIR", tempfile.mkdtemp(prefix="dlviz-bench-data-"))

import numpy as np  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from benchmarks.apptest_timer import APP, report  # noqa: E402
from tests.app.test_training_page import canvas_drawing  # noqa: E402


def timed(at: AppTest, change, repeats: int = 8) -> list[float]:
    """Milliseconds of ``repeats`` reruns, each after ``change(at, i)``."""
    times = []
    for i in range(repeats):
        change(at, i)
        t0 = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - t0) * 1000)
        if at.exception:
            raise RuntimeError([e.message for e in at.exception])
    return times


def main() -> None:
    if len(sys.argv) > 1:  # force the torch thread count (dlviz.runtime reads the CPU quota)
        import dlviz.runtime

        threads = int(sys.argv[1])
        dlviz.runtime.cpu_quota = lambda default=None: threads
    import torch

    at = AppTest.from_file(APP, default_timeout=600).run()
    t0 = time.perf_counter()
    at.switch_page("pages/8_training.py").run()
    report("open page (MNIST missing -> Digits preview)", [(time.perf_counter() - t0) * 1000])
    print(f"torch threads: {torch.get_num_threads()}")
    for model, epochs in (("seed-mlp", 10), ("seed-cnn", 10)):
        at.selectbox(key="train_model").set_value(model).run()
        at.slider(key="train_epochs").set_value(epochs)
        t0 = time.perf_counter()
        at.button(key="train_go").click().run()
        report(
            f"Train click -> results, Digits {model} x{epochs}", [(time.perf_counter() - t0) * 1000]
        )
    at.run()
    report(
        "rerun: move the epoch scrubber",
        timed(at, lambda a, i: a.slider(key="train_epoch").set_value(1 + i % 10)),
    )
    cell = {"selection": {"points": [{"x": 1, "y": 8, "customdata": [8, 1]}], "point_indices": [81], "box": [], "lasso": []}}  # fmt: skip
    report(
        "rerun: click a confusion-matrix cell",
        timed(at, lambda a, i: a.session_state.__setitem__("train_cm", cell)),
    )
    report(
        "rerun: mistakes-only toggle",
        timed(at, lambda a, i: a.toggle(key="train_mistakes").set_value(i % 2 == 0)),
    )
    for tab in ("Inside the model", "Compare runs", "Download"):
        at.session_state["train_tab"] = tab
        at.run()
        report(f"rerun: {tab} tab", timed(at, lambda a, i: None, repeats=5))
    at.session_state["train_tab"] = "Draw a digit"
    at.run()
    drawing = canvas_drawing()
    report(
        "rerun: canvas drawing -> prediction",
        timed(at, lambda a, i: a.session_state.__setitem__("train_canvas", drawing), repeats=5),
    )

    from dlviz.plots.training.results import confusion_matrix_figure, prediction_grid_figure

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (100, 1, 28, 28), dtype=np.uint8)
    probs = rng.dirichlet(np.ones(10), 100).astype(np.float32)
    labels = rng.integers(0, 10, 100)
    t = []
    for _ in range(5):
        t0 = time.perf_counter()
        fig = prediction_grid_figure(images, labels, probs, [str(i) for i in range(10)])
        t.append((time.perf_counter() - t0) * 1000)
    report(f"prediction_grid_figure, 100 MNIST tiles ({len(fig.to_json()) // 1024} KB)", t)
    cm = rng.integers(0, 50, (10, 10))
    t = []
    for _ in range(5):
        t0 = time.perf_counter()
        confusion_matrix_figure(cm, [str(i) for i in range(10)])
        t.append((time.perf_counter() - t0) * 1000)
    report("confusion_matrix_figure, 10 classes", t)


if __name__ == "__main__":
    main()
