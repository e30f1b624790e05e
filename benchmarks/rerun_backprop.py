"""Backprop page: the graph figure's cost on the server, and a step in the browser.

Run from the repo root: ``python -m benchmarks.rerun_backprop``. Prints milliseconds; never asserts.
A 60-operation expression throughout. Library: forward + backward + checks, and the graph figure
(layout + one frame per step) with its JSON size. Page (AppTest): a rerun after switching the
layout (a new figure) and after changing a variable (a new result and figure). With
``--browser`` it also starts ``streamlit run`` and times, in Chromium, a click on the figure's
◀ Prev button until the step before is drawn: the slider shows it, the text above the graph
says "Step k of 68" and exactly the boxes the backward pass has not reached say "grad ?"
(``tests.support.BACKPROP_STEP_SHOWN``).
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import time

import plotly.io as pio

from benchmarks.apptest_timer import report, time_reruns
from dlviz.backprop.walkthrough import BackpropConfig, run_backprop
from dlviz.expression import parse_expression
from dlviz.plots.backprop import graph_figure

NAMES = ("a", "b", "c", "d", "e", "f", "g", "h")


def expression_60() -> str:
    """tanh of 30 products summed: 30 * + 29 + + 1 tanh = 60 operations, under 200 characters."""
    terms = [f"{NAMES[i % 8]}*{NAMES[(3 * i + 1) % 8]}" for i in range(30)]
    return "tanh(" + "+".join(terms) + ")"


def config_of(text: str) -> BackpropConfig:
    """The expression with a = 0.1, b = 0.2, ... h = 0.8."""
    return BackpropConfig(
        "expression", tuple((n, 0.1 * (i + 1)) for i, n in enumerate(NAMES)), text
    )


def library_times(text: str, repeats: int = 10) -> None:
    """The pure-Python cost: forward + backward + checks, and the figure (layout and frames)."""
    config = config_of(text)
    run_backprop(config)  # import torch once, outside the timing
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = run_backprop(config)
        times.append((time.perf_counter() - t0) * 1000)
    report("library: build + backward + torch/FD checks", times)
    for direction in ("LR", "TB"):
        figures, dumps = [], []
        for _ in range(repeats):
            t0 = time.perf_counter()
            figure = graph_figure(result.graph, result.steps, direction)
            figures.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            spec = pio.to_json(figure, validate=False)
            dumps.append((time.perf_counter() - t0) * 1000)
        report(f"library: graph figure, {direction} ({len(result.steps)} frames)", figures)
        report(f"library: its JSON ({len(spec) // 1024} KB)", dumps)


def page_times(text: str) -> None:
    def open_expression(at) -> None:
        at.selectbox(key="bp_preset").set_value("expression")
        at.run()
        at.text_input(key="bp_expr").set_value(text)

    def switch_layout(at, i: int) -> None:
        if i == 0:
            open_expression(at)
            return
        at.segmented_control(key="bp_layout").set_value("TB" if i % 2 else "LR")

    def change_value(at, i: int) -> None:
        if i == 0:
            open_expression(at)
            return
        at.number_input(key="bp_v_expression_a").set_value(round(0.05 * i, 2))

    report("page rerun: switch the layout (60 ops)", time_reruns("3_backprop.py", switch_layout))
    report(
        "page rerun: change a variable (60 ops, recompute)",
        time_reruns("3_backprop.py", change_value),
    )


def percentiles(label: str, times: list[float]) -> None:
    """One line: label, p50 and p95 (nearest rank) and max milliseconds."""
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
    print(
        f"{label:<48} p50 {statistics.median(ordered):7.1f} ms   p95 {p95:7.1f} ms   "
        f"max {ordered[-1]:7.1f} ms   (n = {len(ordered)})",
        flush=True,
    )


def browser_times(text: str, clicks: int = 20) -> None:
    """◀ Prev click in the figure -> the step before drawn, in Chromium (no server involved)."""
    from playwright.sync_api import sync_playwright

    from tests.support import (
        BACKPROP_STEP_SHOWN,
        launch_chromium,
        new_page,
        open_app_page,
        rerun,
        running_app,
    )

    with running_app({"DLVIZ_OFFLINE": "1"}) as url, sync_playwright() as p:
        browser = launch_chromium(p)
        page = new_page(browser)
        open_app_page(page, url, "backprop")
        page.locator('[data-testid="stSelectbox"]').first.click()
        with rerun(page):
            page.get_by_role("option", name="Your own expression").click()
        box = page.locator('[data-testid="stTextInput"] input').first
        box.fill(text)
        with rerun(page):
            box.press("Enter")
        total = len(run_backprop(config_of(text)).steps)  # the graph's value boxes
        page.wait_for_function(BACKPROP_STEP_SHOWN, arg=total, timeout=60_000)
        prev = page.locator(".st-key-bp_graph g.updatemenu-button", has_text="Prev")
        times = []
        for k in range(total - 1, total - 1 - clicks, -1):
            t0 = time.perf_counter()
            prev.click()
            page.wait_for_function(BACKPROP_STEP_SHOWN, arg=k, timeout=60_000)
            times.append((time.perf_counter() - t0) * 1000)
        percentiles(f"browser: Prev click -> step drawn ({total} steps)", times)
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--browser", action="store_true", help="also time clicks in Chromium")
    args = parser.parse_args()
    text = expression_60()
    parsed = parse_expression(text)
    print(f"expression: {len(text)} characters, {parsed.operations} operations", flush=True)
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    library_times(text)
    page_times(text)
    if args.browser:
        browser_times(text)
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)


if __name__ == "__main__":
    main()
