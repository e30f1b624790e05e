"""Gradient-descent page timings: slider reruns (3 optimizers x 200 steps, 80 x 80 surface) and
the 25 x 25 convergence map. Prints milliseconds/seconds; never asserts.

Run from the repo root: ``python -m benchmarks.bench_descent``.
"""

from __future__ import annotations

import statistics
import time

from benchmarks.apptest_timer import report, time_reruns

PAGE = "4_gradient_descent.py"


def set_momentum(at, i: int) -> None:
    """One optimizer's momentum moves: one new torch.optim path, a new figure."""
    at.slider(key="gd_mom_momentum").set_value(round(0.5 + 0.02 * (i % 24), 2))


def set_start(at, i: int) -> None:
    """The start point moves: all three paths are new, and a new figure (the worst case)."""
    at.number_input(key="gd_x0").set_value(round(-2.5 + 0.05 * i, 2))


def set_steps_then_back(at, i: int) -> None:
    """Settings already seen (cache hits): the cost of rendering alone."""
    at.slider(key="gd_steps").set_value(200 if i % 2 else 190)


def library_timings() -> None:
    """The pieces without Streamlit: one torch.optim path, the figure, its JSON, the map."""
    import plotly.io as pio

    from dlviz.descent import Hyper, convergence_map, get_surface, run
    from dlviz.plots.descent.panel import descent_figure
    from dlviz.runtime import configure_torch

    configure_torch()
    surface = get_surface("quadratic", kappa=50.0)
    grid = surface.grid(80)
    paths = []
    for name in ("sgd", "momentum", "adam"):
        run(surface, name, surface.start, 200, Hyper(lr=surface.default_lr(name)))  # warm-up
        t0 = time.perf_counter()
        paths.append(run(surface, name, surface.start, 200, Hyper(lr=surface.default_lr(name))))
        print(
            f"{'path ' + name + ' (200 steps, torch.optim)':<48} {1000 * (time.perf_counter() - t0):7.1f} ms"
        )
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        fig = descent_figure(surface, paths, grid)
        pio.to_json(fig.to_dict(), validate=False)
        times.append(1000 * (time.perf_counter() - t0))
    print(f"{'figure build + to_dict + JSON':<48} median {statistics.median(times):7.1f} ms")
    for name in ("momentum", "adam"):
        for n in (25, 40):
            t0 = time.perf_counter()
            convergence_map(surface, name, surface.start, 200, (1e-4, 3.0), n, n)
            dt = time.perf_counter() - t0
            print(f"{f'convergence map {n}x{n} {name} (200 steps)':<48} {dt:7.2f} s")
    rosen = get_surface("rosenbrock")
    t0 = time.perf_counter()
    convergence_map(rosen, "adam", rosen.start, 500, (1e-4, 3.0), 25, 25)
    print(
        f"{'convergence map 25x25 adam rosenbrock (500 steps)':<48} {time.perf_counter() - t0:7.2f} s"
    )


def main() -> None:
    library_timings()
    report("rerun: momentum slider (1 new path of 3)", time_reruns(PAGE, set_momentum))
    report("rerun: start x (3 new paths x 200 steps)", time_reruns(PAGE, set_start))
    report("rerun: settings seen before (cache hits)", time_reruns(PAGE, set_steps_then_back))


if __name__ == "__main__":
    main()
