"""A classroom on one server: N learners go through a scripted lesson at once, in Chromium.

For each N of ``--learners`` a fresh ``streamlit run app.py`` starts (offline, empty caches, the
run log of ``DLVIZ_RUN_LOG`` on) pinned to core 0 with ``taskset``; this driver pins itself (and
so the Chromium it launches) to core 1, or both to core 0 with ``--one-core``. One browser, one
context per learner, ``asyncio.gather``. After an untimed warm-up visit (``--cold`` skips it),
every learner does ``benchmarks.lesson.lesson``: Activations (probe slider by keyboard, a softmax
logit), Loss (the p slider, a gradient step), Backprop (Prev, Next), Gradient descent (a learning
rate, the start), Playground (Play for ``--play`` s, Pause), Training (learners 0 and 1 press
Train on Digits at the same moment) and the Loss landscape (open it, compute a new plane). Every
interaction is timed until the page shows the new value (``benchmarks.learner``).

Then the burst check: learner 0 presses ArrowRight 60 times on the probe slider as fast as the
browser takes them while the other learners keep opening pages; it reports the time from the
last key press until the chart and the verdict show the slider's final value, and the others'
page loads meanwhile. Finally every tab closes and the server is watched for ``--linger`` s.

Printed per N: every interaction kind (count, p50, p95, max, errors, how many waited in the job
queue), the server's peak RSS and threads (process and children, from /proc every 0.2 s), RSS and threads after warm-up,
at close and ``--linger`` s later, and the server-side seconds of each script run. Never asserts.

Run from the repo root: ``python -m benchmarks.bench_classroom --learners 1 4 10 [--quick]``.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import tempfile
import time
from pathlib import Path

from playwright.async_api import Error as PlaywrightError

from benchmarks.classroom_report import (
    ServerWatch,
    interaction_table,
    mb,
    ms,
    percentile,
    problem_lines,
    read_run_log,
    run_log_table,
)
from benchmarks.learner import OK, Learner, Recorder
from benchmarks.lesson import LessonPlan, lesson
from tests.support import PROBE_SHOWN, app_server, offline_env
from tests.support_async import launch_chromium, new_page

BURST_PRESSES = 60
BURST_PAGES = ("loss", "backprop", "gradient-descent", "depth-and-init", "activations")
STEP = 0.05  # the probe slider's step


async def warm_up(browser, url: str) -> None:
    """One untimed visit to Home and Activations: the server's imports and first caches."""
    lr = Learner(await new_page(browser), -1, url, Recorder(), timeout=180)
    await lr.start()
    await lr.open("activations")
    await lr.page.context.close()


async def burst(learners: list[Learner], presses: int = BURST_PRESSES) -> dict:
    """Learner 0 bursts on the probe slider while the others keep opening pages."""
    recorder = Recorder()
    first, *others = (dataclasses.replace(lr, recorder=recorder) for lr in learners)
    opened = await first.open("activations")
    try:  # an open that timed out may still arrive: give it as long again, then skip the burst
        tab = first.page.get_by_role("tab", name="One activation")  # the probe's tab (lazy tabs)
        if await tab.get_attribute("aria-selected", timeout=first.ms()) != "true":
            await tab.click()
        await first.page.wait_for_selector(".st-key-act_x input[type=range]", timeout=first.ms())
    except PlaywrightError:
        return {"skipped": f"Activations did not open ({opened.outcome})", "loads": []}
    start = await first.slider_value("act_x")
    done = asyncio.Event()

    async def keep_loading(lr: Learner) -> None:
        i = lr.index
        while not done.is_set():
            await lr.open(BURST_PAGES[i % len(BURST_PAGES)])
            i += 1

    loaders = [asyncio.create_task(keep_loading(lr)) for lr in others]
    await asyncio.sleep(0.2 if others else 0)  # the others' first loads are under way
    thumb = first.page.locator(".st-key-act_x input[type=range]")
    await thumb.focus()
    t0 = time.perf_counter()
    for _ in range(presses):
        await first.page.keyboard.press("ArrowRight")
    last_key = time.perf_counter()
    final = float(await thumb.input_value())
    try:
        await first.page.wait_for_function(PROBE_SHOWN, arg=final, timeout=120_000, polling=10)
        lag: float | None = time.perf_counter() - last_key
    except Exception:  # noqa: BLE001 - reported as "never"
        lag = None
    done.set()
    await asyncio.gather(*loaders)
    return {
        "keys_s": last_key - t0,
        "final": final,
        "expected": round(min(8.0, start + presses * STEP), 2),
        "lag": lag,
        "loads": recorder.samples,
    }


async def classroom(
    url: str, n: int, plan: LessonPlan, cold: bool, watch: ServerWatch, timeout: float = 60.0
) -> dict:
    """Warm-up, the lesson for ``n`` learners at once, the burst; then close every tab."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await launch_chromium(p)
        if not cold:
            await warm_up(browser, url)
        watch.mark("warm")
        recorder = Recorder()
        learners = [
            Learner(await new_page(browser), i, url, recorder, timeout=timeout) for i in range(n)
        ]
        together = asyncio.Barrier(min(2, n))
        cpu0 = core_times()
        t0 = time.perf_counter()
        await asyncio.gather(
            *(lesson(lr, plan, together if lr.index < 2 else None) for lr in learners)
        )
        seconds = time.perf_counter() - t0
        busy = core_busy(cpu0, core_times())
        result = await burst(learners)
        for lr in learners:
            await lr.page.context.close()
        await browser.close()
    watch.mark("closed")
    return {"samples": recorder.samples, "lesson_s": seconds, "burst": result, "busy": busy}


def core_times() -> dict[str, tuple[int, int]]:
    """Per core (``cpu0``, ``cpu1``, ...): (busy, total) jiffies since boot, from /proc/stat."""
    times = {}
    for line in Path("/proc/stat").read_text().splitlines():
        name, *fields = line.split()
        if name.startswith("cpu") and name != "cpu":
            ticks = [int(f) for f in fields]
            idle = ticks[3] + ticks[4]  # idle + iowait
            times[name] = (sum(ticks) - idle, sum(ticks))
    return times


def core_busy(before: dict, after: dict) -> dict[str, float]:
    """The fraction of each core that was busy between two ``core_times``."""
    return {
        c: (after[c][0] - before[c][0]) / max(1, after[c][1] - before[c][1])
        for c in after
        if c in before
    }


def linger(watch: ServerWatch, seconds: float) -> None:
    """Watch the server after every tab closed: mark RSS and threads ``seconds`` later."""
    time.sleep(seconds)
    watch.mark("linger")


def report(n: int, out: dict, watch: ServerWatch, runs: list[dict], args) -> None:
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    where = "server and browsers on core 0" if args.one_core else "server core 0, browsers core 1"
    where += f"; a wait counts as a timeout after {args.timeout:g} s"
    print(f"\n=== {n} learner{'s' if n != 1 else ''} ({where}); lesson {out['lesson_s']:.0f} s; "
          f"load average now {load} ===")  # fmt: skip
    busy = ", ".join(f"{core} {share:.0%}" for core, share in out["busy"].items())
    print(f"CPU busy during the lesson: {busy} (the server is on core 0)")
    print("\n".join(interaction_table(out["samples"])))
    problems = problem_lines(out["samples"])
    if problems:
        print("problems:\n" + "\n".join(problems))
    b = out["burst"]
    if "skipped" in b:
        print(f"burst: skipped, {b['skipped']}")
    else:
        print_burst(b)
    marks = {k: f"{mb(r)}, {t} threads" for k, (r, t) in watch.marks.items()}
    print(f"server: peak RSS {mb(watch.peak_rss)}, peak threads {watch.peak_threads}; after "
          f"warm-up {marks.get('warm')}; all tabs closed {marks.get('closed')}; "
          f"{args.linger:g} s later {marks.get('linger')}")  # fmt: skip
    if "warm" in watch.names and "linger" in watch.names:
        extra = watch.names["linger"] - watch.names["warm"]  # threads that were not there warm
        more = ", ".join(f"{name} x{n}" for name, n in extra.most_common()) or "none"
        print(
            f"threads {args.linger:g} s after the tabs closed that were not there after warm-up: {more}"
        )
    print("server-side script runs (DLVIZ_RUN_LOG):")
    print("\n".join(run_log_table(runs)))


def print_burst(b: dict) -> None:
    lag = "never (120 s)" if b["lag"] is None else f"{b['lag'] * 1000:,.0f} ms"
    print(f"burst: {BURST_PRESSES} key presses in {b['keys_s'] * 1000:,.0f} ms; slider at "
          f"{b['final']:.2f} (expected {b['expected']:.2f}); chart and verdict showed it {lag} "
          "after the last key")  # fmt: skip
    others = [s for s in b["loads"] if s.learner != 0]
    loads = [s.seconds for s in others if s.outcome == OK and s.seconds is not None]
    if others:
        bad = sum(s.outcome != OK for s in others)
        print(f"       other learners' page loads meanwhile: {len(others)}, p50 "
              f"{ms(percentile(loads, 50))} ms, max {ms(max(loads, default=float('nan')))} ms, "
              f"problems {bad}")  # fmt: skip


def run_one(n: int, plan: LessonPlan, args) -> None:
    with tempfile.TemporaryDirectory(prefix="dlviz-classroom-") as tmp:
        base = Path(tmp)
        prefix = ("taskset", "-c", "0")
        with app_server(offline_env(base), log=base / "server.log", prefix=prefix) as server:
            watch = ServerWatch(server.process.pid).start()
            try:
                out = asyncio.run(classroom(server.url, n, plan, args.cold, watch, args.timeout))
                linger(watch, args.linger)
            finally:
                watch.stop()
            report(n, out, watch, read_run_log(base / "runs.jsonl"), args)
        if args.keep_log:
            print((base / "server.log").read_text()[-4000:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, nargs="+", default=[1])
    parser.add_argument("--quick", action="store_true", help="fewer moves, Play 10 s, linger 20 s")
    parser.add_argument("--play", type=float, help="seconds of Playground Play (default 60)")
    parser.add_argument("--linger", type=float, help="seconds to watch after the tabs close")
    parser.add_argument("--one-core", action="store_true", help="server and browsers on core 0")
    parser.add_argument("--cold", action="store_true", help="no warm-up visit before the lesson")
    parser.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        help="seconds a learner waits for an interaction before it counts as a timeout (60)",
    )
    parser.add_argument("--keep-log", action="store_true", help="print the server log's tail")
    args = parser.parse_args()
    plan = LessonPlan.quick() if args.quick else LessonPlan()
    if args.play is not None:
        plan = dataclasses.replace(plan, play_seconds=args.play)
    args.linger = args.linger if args.linger is not None else (20.0 if args.quick else 60.0)
    os.sched_setaffinity(0, {0} if args.one_core else {1})  # Chromium inherits it
    print(f"load average before (1, 5, 15 min): {os.getloadavg()}; {plan}")
    for n in args.learners:
        run_one(n, plan, args)


if __name__ == "__main__":
    main()
