"""Time the Convolution page: server-side reruns in AppTest (a slider move with a new setting,
and one already seen), the window figure's build and JSON size, and the seed-cnn overview of one
image. Prints milliseconds; never asserts. Run from the repo root:
``python -m benchmarks.bench_convolution``.
"""

from __future__ import annotations

import os
import time

import plotly.io as pio
import torch

from benchmarks.apptest_timer import report, time_reruns
from dlviz.convolution import ConvSpec, convolve, kernel_preset
from dlviz.convolution.trained import stages
from dlviz.plots.convolution import window_figure
from dlviz.plots.convolution.trained import overview_figure
from dlviz.runtime import configure_torch
from dlviz.training.models import build_model


def _ms(fn, repeats: int = 7) -> list[float]:
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def main() -> None:
    print(f"torch threads: {configure_torch()}   load average: {os.getloadavg()}")
    for side in (8, 28):
        result = convolve(
            torch.rand(1, side, side), kernel_preset("sobel_x"), 0.1, ConvSpec(3, 1, 1)
        )
        report(
            f"window_figure {side}x{side}, 3x3, {side * side} frames",
            _ms(lambda r=result: window_figure(r)),
        )
        size = len(pio.to_json(window_figure(result), validate=False))
        print(f"  its JSON: {size / 1e3:.0f} kB")
    model = build_model("seed-cnn", (1, 28, 28), 10).eval()
    x = torch.randn(1, 28, 28)
    classes = [str(i) for i in range(10)]

    def overview() -> None:
        found, probs = stages(model, x)
        overview_figure(x.clamp(0, 1), found, probs, classes, 3, "layer")

    report("seed-cnn overview of one 28x28 image", _ms(overview))

    def new_bias(at, i: int) -> None:  # a new setting every rerun: convolution + figure rebuilt
        at.number_input(key="conv_bias").set_value(round(0.01 * i, 2))

    report("page rerun, new setting, Digits 8x8", time_reruns("7_convolution.py", new_bias))

    def fashion(at, i: int) -> None:
        at.selectbox(key="conv_source").set_value("fashion-mnist")
        new_bias(at, i)

    report("page rerun, new setting, Fashion-MNIST 28x28", time_reruns("7_convolution.py", fashion))

    def same(at, i: int) -> None:  # cached view: rendering and sending alone
        at.slider(key="conv_stride").set_value(1 + i % 2)

    report("page rerun, a setting seen before, Digits", time_reruns("7_convolution.py", same))


if __name__ == "__main__":
    main()
