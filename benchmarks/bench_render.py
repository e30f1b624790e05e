"""Browser-side cost of one learner: how much renderer time a page open and a key press take.

Starts ``streamlit run app.py`` (from ``--root``, default this checkout; point it at another
worktree to compare two commits) pinned to core 0, Chromium on core 1, and reads Chrome's own
counters through CDP (``Performance.getMetrics``: TaskDuration, ScriptDuration, layout and style
recalculation; a navigation starts them again, so a page open's figure is its document's whole
life so far). It opens Activations, Loss and Backprop by URL (timed until a chart shows), then
presses ArrowRight six times on the Activations probe slider (each until the page is idle) and
prints the renderer time those presses cost. Prints numbers; never asserts.

    python -m benchmarks.bench_render [--root PATH] [--presses 6]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.support import _healthy, free_port, launch_chromium, wait_idle, wait_until

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("activations", "loss", "backprop", "activations", "loss", "backprop")
ZERO = (0.0, 0.0, 0.0, 0.0)


def counters(cdp) -> tuple[float, float, float, float]:
    m = {x["name"]: x["value"] for x in cdp.send("Performance.getMetrics")["metrics"]}
    return m["TaskDuration"], m["ScriptDuration"], m["LayoutDuration"], m["RecalcStyleDuration"]


def spent(before, after) -> str:
    task, script, layout, style = (b - a for a, b in zip(before, after, strict=True))
    return f"renderer {task:.2f} s (script {script:.2f}, layout {layout:.2f}, style {style:.2f})"


def measure(url: str, presses: int) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch_chromium(p)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        page.goto(url)
        page.wait_for_selector('[data-testid="stSidebarNav"]')
        wait_idle(page)
        for path in PAGES:
            t0 = time.perf_counter()
            page.goto(f"{url}/{path}")  # a new document: Chrome's counters start again
            page.wait_for_selector(".js-plotly-plot", timeout=120_000)
            shown = time.perf_counter() - t0
            wait_idle(page)
            print(f"open {path:<12} chart shown {shown:5.2f} s; {spent(ZERO, counters(cdp))}")
        page.goto(f"{url}/activations")
        thumb = page.locator(".st-key-act_x input[type=range]")
        thumb.wait_for(timeout=120_000)
        wait_idle(page)
        thumb.focus()
        t0, before = time.perf_counter(), counters(cdp)
        for _ in range(presses):
            page.keyboard.press("ArrowRight")
            wait_idle(page)
        took = time.perf_counter() - t0
        print(f"{presses} probe presses: {took:.2f} s; {spent(before, counters(cdp))}")
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to serve")
    parser.add_argument("--presses", type=int, default=6)
    args = parser.parse_args()
    port = free_port()
    cmd = ["taskset", "-c", "0", sys.executable, "-m", "streamlit", "run", "app.py",
           "--server.address", "127.0.0.1",
           "--server.headless", "true", "--server.port", str(port),
           "--browser.gatherUsageStats", "false"]  # fmt: skip
    server = subprocess.Popen(cmd, cwd=args.root, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _healthy(url), 90, poll=0.2)
        os.sched_setaffinity(0, {1})  # Chromium inherits it
        print(f"serving {args.root}; load average {os.getloadavg()[0]:.2f}")
        measure(url, args.presses)
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
