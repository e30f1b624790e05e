"""Backprop page: server-side rerun time with a 60-operation graph, stepping and re-computing.

Run from the repo root: ``python -m benchmarks.rerun_backprop``. Prints milliseconds; never asserts.
With ``--browser`` it also starts ``streamlit run`` and times, in Chromium, a Next click until
the redrawn graph (graphviz layout in the browser included) is on screen.
"""

from __future__ import annotations

import argparse
import time

from benchmarks.apptest_timer import report, time_reruns
from dlviz.backprop.graph import backward_steps, grads_at
from dlviz.backprop.walkthrough import BackpropConfig, run_backprop
from dlviz.expression import parse_expression
from dlviz.plots.backprop import graph_dot

NAMES = ("a", "b", "c", "d", "e", "f", "g", "h")


def expression_60() -> str:
    """tanh of 30 products summed: 30 * + 29 + + 1 tanh = 60 operations, under 200 characters."""
    terms = [f"{NAMES[i % 8]}*{NAMES[(3 * i + 1) % 8]}" for i in range(30)]
    return "tanh(" + "+".join(terms) + ")"


def library_times(text: str, repeats: int = 20) -> None:
    """The pure-Python cost: forward + backward + checks, and one DOT string per step."""
    values = tuple((n, 0.1 * (i + 1)) for i, n in enumerate(NAMES))
    config = BackpropConfig("expression", values, text)
    run_backprop(config)  # import torch once, outside the timing
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = run_backprop(config)
        times.append((time.perf_counter() - t0) * 1000)
    report("library: build + backward + torch/FD checks", times)
    steps = list(backward_steps(result.graph))
    dots = []
    for k in range(len(steps)):
        t0 = time.perf_counter()
        graph_dot(result.graph, grads_at(steps, k), steps[k].node)
        dots.append((time.perf_counter() - t0) * 1000)
    report(f"library: DOT string per step ({len(steps)} steps)", dots)


def page_times(text: str) -> None:
    def open_expression(at, i: int) -> None:
        at.selectbox(key="bp_preset").set_value("expression")
        at.run()
        at.text_input(key="bp_expr").set_value(text)

    def step(at, i: int) -> None:
        if i == 0:
            open_expression(at, i)
            return
        at.slider(key="bp_step").set_value(i * 4 % 69)

    def change_value(at, i: int) -> None:
        if i == 0:
            open_expression(at, i)
            return
        at.number_input(key="bp_v_expression_a").set_value(round(0.05 * i, 2))

    report("page rerun: move the step slider (60 ops)", time_reruns("3_backprop.py", step))
    report(
        "page rerun: change a variable (60 ops, recompute)",
        time_reruns("3_backprop.py", change_value),
    )


def browser_times(text: str, clicks: int = 10) -> None:
    """Next click -> redrawn graphviz SVG in Chromium (server rerun + browser layout)."""
    from playwright.sync_api import sync_playwright

    from tests.support import launch_chromium, new_page, running_app, wait_idle

    with running_app({"DLVIZ_OFFLINE": "1"}) as url, sync_playwright() as p:
        browser = launch_chromium(p)
        page = new_page(browser)
        page.goto(url)
        page.wait_for_selector('[data-testid="stSidebarNav"]')
        page.goto(f"{url}/backprop")
        page.wait_for_selector('[data-testid="stGraphVizChart"] svg')
        page.locator('[data-testid="stSelectbox"]').first.click()
        page.get_by_role("option", name="Your own expression").click()
        box = page.locator('[data-testid="stTextInput"] input').first
        box.wait_for()
        box.fill(text)
        box.press("Enter")
        page.wait_for_function(
            "() => document.querySelectorAll('[data-testid=\"stGraphVizChart\"] svg g.node')"
            ".length > 100",
            timeout=60_000,
        )
        times = []
        for k in range(67, 67 - clicks, -1):  # the page opens on step 68 of 68
            wait_idle(page)
            t0 = time.perf_counter()
            page.get_by_role("button", name="◀ Prev").click()
            # The step text is updated and the new graph laid out (> 100 SVG nodes).
            page.wait_for_function(
                """k => document.body.innerText.includes(`Step ${k} of 68`) &&
                    document.querySelectorAll('[data-testid="stGraphVizChart"] svg g.node')
                        .length > 100""",
                arg=k,
                timeout=60_000,
            )
            times.append((time.perf_counter() - t0) * 1000)
        report("browser: Prev click -> redrawn graph (60 ops)", times)
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--browser", action="store_true", help="also time clicks in Chromium")
    args = parser.parse_args()
    text = expression_60()
    parsed = parse_expression(text)
    print(f"expression: {len(text)} characters, {parsed.operations} operations", flush=True)
    library_times(text)
    page_times(text)
    if args.browser:
        browser_times(text)


if __name__ == "__main__":
    main()
