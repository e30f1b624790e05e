"""One learner in Chromium: each page's main control end to end, cold and warm.

Cold: for each page, a fresh ``streamlit run app.py`` (offline, empty caches, pinned to core 0):
the time from requesting the root URL until Home is drawn, then from clicking the page in the
sidebar until its first chart is drawn (the page is the first one this server opens after Home).

Warm: one server, every page visited once untimed, then the control a learner touches first on
each page, ``--repeats`` times (``--heavy-repeats`` for training and the landscape), each timed
from the input until the page shows the new value (``benchmarks.learner``, ``benchmarks.lesson``):
the Activations probe (keyboard), Loss's p slider, Backprop's Prev / Next, Gradient descent's
first learning rate, the Playground's Step, Depth's depth slider, Train on Digits (seed-mlp,
2 epochs, a new seed each time) and the landscape's Compute (a new direction seed each time).
Prints a table of medians; never asserts. The driver and Chromium run on core 1.

Run from the repo root: ``python -m benchmarks.bench_browser [--repeats 10] [--no-cold]
[--controls gradient-descent playground]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.classroom_report import interaction_table, problem_lines
from benchmarks.learner import Learner, Recorder
from benchmarks.lesson import (
    backprop_move,
    choose_digits_run,
    descent_lr_move,
    landscape_compute,
    landscape_run,
    playground_step,
    probe_move,
    slider_move,
    train_digits,
)
from tests.support import app_server, offline_env
from tests.support_async import launch_chromium, new_page

PAGES = (
    "activations",
    "loss",
    "backprop",
    "gradient-descent",
    "playground",
    "depth-and-init",
    "training",
    "loss-landscape",
)
SERVER_CORE = ("taskset", "-c", "0")


async def cold_page(url: str, page: str, recorder: Recorder) -> None:
    """Home, then ``page`` from the sidebar, on a server that has served nothing yet."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await launch_chromium(p)
        lr = Learner(await new_page(browser), 0, url, recorder, timeout=300)
        home = await lr.start()
        home.kind = f"cold: Home (before {page})"
        first = await lr.open(page)
        first.kind = f"cold: first chart of {page}"
        await browser.close()


def cold(pages: tuple[str, ...]) -> Recorder:
    recorder = Recorder()
    for page in pages:
        with tempfile.TemporaryDirectory(prefix="dlviz-cold-") as tmp:
            t0 = time.perf_counter()
            with app_server(offline_env(Path(tmp)), prefix=SERVER_CORE) as server:
                print(f"{page}: server healthy after {time.perf_counter() - t0:.1f} s", flush=True)
                asyncio.run(cold_page(server.url, page, recorder))
    return recorder


def controls(repeats: int, heavy: int) -> list[tuple[str, int, Callable]]:
    """(page, repeats, one timed interaction) for each page's main control."""

    def backprop(lr: Learner, i: int):
        return backprop_move(lr, -1 if i % 2 == 0 else +1)

    async def train(lr: Learner, i: int):
        await choose_digits_run(lr, epochs=2, seed=100 + i)
        return await train_digits(lr, 2)

    return [
        ("activations", repeats, lambda lr, i: probe_move(lr)),
        ("loss", repeats, lambda lr, i: slider_move(lr, "loss p", "loss_p", "loss_ce_chart")),
        ("backprop", repeats, backprop),
        ("gradient-descent", repeats, lambda lr, i: descent_lr_move(lr)),
        ("playground", repeats, lambda lr, i: playground_step(lr)),
        (
            "depth-and-init",
            repeats,
            lambda lr, i: slider_move(lr, "depth slider", "depth_depth", "depth_profile"),
        ),
        ("training", heavy, train),
        ("loss-landscape", heavy, lambda lr, i: landscape_compute(lr, seed=200 + i)),
    ]


async def warm_controls(
    url: str, repeats: int, heavy: int, recorder: Recorder, pages: tuple[str, ...] = PAGES
) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await launch_chromium(p)
        lr = Learner(await new_page(browser), 0, url, Recorder(), timeout=120)
        await lr.start()
        for page in pages:  # untimed: imports, first caches, a stored run for the landscape
            await lr.open(page, timeout=600)
            if page == "loss-landscape":
                await landscape_run(lr)
        lr.recorder = recorder
        for page, n, control in controls(repeats, heavy):
            if page not in pages:
                continue
            await lr.open(page, timeout=600)
            for i in range(n):
                await control(lr, i)
                await lr.settle()
        await browser.close()


def warm(repeats: int, heavy: int, pages: tuple[str, ...] = PAGES) -> Recorder:
    recorder = Recorder()
    with (
        tempfile.TemporaryDirectory(prefix="dlviz-warm-") as tmp,
        app_server(offline_env(Path(tmp)), prefix=SERVER_CORE) as server,
    ):
        asyncio.run(warm_controls(server.url, repeats, heavy, recorder, pages))
    recorder.samples = [s for s in recorder.samples if not s.kind.startswith("open ")]
    return recorder


def show(title: str, recorder: Recorder) -> None:
    print(f"\n{title}")
    print("\n".join(interaction_table(recorder.samples)))
    problems = problem_lines(recorder.samples)
    if problems:
        print("problems:\n" + "\n".join(problems))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--heavy-repeats", type=int, default=3)
    parser.add_argument("--no-cold", action="store_true", help="only the warm controls")
    parser.add_argument("--no-warm", action="store_true", help="only the cold starts")
    parser.add_argument("--pages", nargs="+", default=list(PAGES), help="cold: these pages")
    parser.add_argument(
        "--controls", nargs="+", default=list(PAGES), choices=PAGES, help="warm: these pages"
    )
    args = parser.parse_args()
    os.sched_setaffinity(0, {1})  # the driver and Chromium; the server gets core 0
    print(f"load average before (1, 5, 15 min): {os.getloadavg()}")
    if not args.no_cold:
        show("cold: a fresh server per page (ms)", cold(tuple(args.pages)))
    if not args.no_warm:
        warm_run = warm(args.repeats, args.heavy_repeats, tuple(args.controls))
        show("warm: each page's main control (ms)", warm_run)
    print(f"\nload average after (1, 5, 15 min): {os.getloadavg()}")


if __name__ == "__main__":
    main()
