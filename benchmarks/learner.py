"""One simulated learner in Chromium (Playwright's async API), timing every interaction.

A learner opens pages from the sidebar, moves widgets by keyboard or click, and each interaction
is timed from the input until the page *shows* the new value: a chart's data (its signature, or
the probe's exact x), a metric's text, an element appearing; never just "a run finished". After
each one the page is checked for Streamlit exception boxes and error alerts. Results go to a
``Recorder`` as ``Sample``s; ``benchmarks.classroom_report`` turns them into tables.

Used by ``bench_classroom`` (many learners at once) and ``bench_browser`` (one learner); the page
by page steps are ``benchmarks.lesson``. Prints nothing, asserts nothing.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from playwright.async_api import Error as PlaywrightError

from dlviz.ui.registry import PAGES
from tests.support import CHART_SIGNATURE
from tests.support_async import wait_drawn, wait_idle

OK, QUEUED, TIMEOUT, EXCEPTION, ERROR_ALERT, FAILED = (
    "ok",
    "queued",
    "timeout",
    "exception",
    "error-alert",
    "failed",
)
NAV_TITLES = {p.url_path: p.title for p in PAGES}

# the first thing each page draws that proves it is this page (its "first chart")
READY = {
    "home": "h1",
    # the chart of whichever tab is open (a page comes back on the tab the learner left it on)
    "activations": ", ".join(
        f".st-key-{k} .main-svg" for k in ("act_chart", "act_compare_chart", "act_softmax_bars")
    ),
    "loss": ", ".join(
        f".st-key-{k} .main-svg" for k in ("loss_ce_chart", "loss_mse_chart", "loss_softmax_chart")
    ),
    "backprop": ".st-key-bp_graph .main-svg",
    "gradient-descent": ".st-key-gd_chart .main-svg",
    "playground": ".st-key-pg_regions .main-svg",
    "depth-and-init": ".st-key-depth_profile .main-svg",
    "training": ".st-key-train_samples .main-svg",
    # nothing is computed on opening: the landscape (cached), its Compute form, or Train it (no run)
    "loss-landscape": ".st-key-land_line .main-svg, .st-key-land_compute, .st-key-land_train",
}
QUEUE_TEXT = " in line"  # a waiting job's panel: "**2nd in line** · starts in about 40 s"
# true once the page shows ``text``; notes on the window when a queue place was shown meanwhile
SHOWN_AFTER_QUEUE = """text => {
  const all = document.body.textContent;
  if (all.includes(QUEUE)) window.dlvizSawQueue = true;
  return all.includes(text);
}""".replace("QUEUE", repr(QUEUE_TEXT))

HAS_TEXT = "text => document.body.textContent.includes(text)"

# A new exception box or error alert on the page (text), or null.
PROBLEM = """seen => {
  const boxes = [...document.querySelectorAll(
    '[data-testid="stException"], [data-testid="stAlertContentError"]')];
  const fresh = boxes.map(b => [b.getAttribute('data-testid'), b.innerText.slice(0, 200)])
    .filter(([, text]) => !seen.includes(text));
  return fresh.length ? fresh[0] : null;
}"""


@dataclass
class Sample:
    """One timed interaction: its kind, seconds until shown (None if never), the outcome."""

    kind: str
    seconds: float | None
    outcome: str
    learner: int
    detail: str = ""


@dataclass
class Recorder:
    """Every learner's samples, in the order they ended."""

    samples: list[Sample] = field(default_factory=list)

    def add(self, sample: Sample) -> Sample:
        self.samples.append(sample)
        return sample


@dataclass
class Learner:
    """One browser context on the app: its page, its number and where its samples go."""

    page: object
    index: int
    url: str
    recorder: Recorder
    timeout: float = 60.0  # seconds for a concept-page interaction to show its value
    seen: list[str] = field(default_factory=list)  # problem texts already reported

    def __post_init__(self) -> None:
        self.page.set_default_timeout(self.timeout * 1000)  # clicks wait as long as shows

    async def measure(
        self,
        kind: str,
        act: Callable[[], Awaitable[object]],
        shown: Callable[[], Awaitable[str | None]],
    ) -> Sample:
        """Time ``act`` (the input) until ``shown`` resolves; record outcome and problems.

        ``shown`` returns OK or QUEUED (the job waited in line first); anything else means OK.
        """
        start = time.perf_counter()
        try:
            await act()
            result = await shown()
            outcome = result if result in (OK, QUEUED) else OK
            seconds: float | None = time.perf_counter() - start
            detail = ""
        except PlaywrightError as err:  # TimeoutError is a subclass
            timed_out = "Timeout" in type(err).__name__ or "Timeout" in str(err)[:200]
            outcome, seconds = (TIMEOUT if timed_out else FAILED), None
            detail = str(err).splitlines()[0][:160]
        problem = await self.problem()
        if problem:
            outcome, detail = problem
        return self.recorder.add(Sample(kind, seconds, outcome, self.index, detail))

    async def problem(self) -> tuple[str, str] | None:
        """(EXCEPTION or ERROR_ALERT, its text) when a new one is on the page."""
        try:
            found = await self.page.evaluate(PROBLEM, self.seen)
        except PlaywrightError:
            return None
        if not found:
            return None
        testid, text = found
        self.seen.append(text)
        return (EXCEPTION if testid == "stException" else ERROR_ALERT), text

    # --- opening pages ------------------------------------------------------------------------

    async def start(self) -> Sample:
        """Open the app's root URL (Home), timed until its title is drawn."""

        async def shown() -> None:
            await self.page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=self.ms(2))
            await self.page.wait_for_selector(READY["home"], timeout=self.ms(2))
            await wait_idle(self.page, self.timeout * 2)

        return await self.measure("open home", lambda: self.page.goto(self.url), shown)

    async def open(self, url_path: str, timeout: float | None = None) -> Sample:
        """Click the page's sidebar link; timed until its first chart is drawn, then settle."""
        link = self.page.locator('[data-testid="stSidebarNavLink"]')
        link = link.filter(has_text=NAV_TITLES[url_path]).first
        wait = timeout or self.timeout

        async def shown() -> str:
            await self.page.wait_for_selector(READY[url_path], timeout=wait * 1000)
            return OK

        sample = await self.measure(f"open {url_path}", await self.aim(link), shown)
        await self.settle(wait)
        return sample

    async def settle(self, timeout: float | None = None) -> None:
        """Wait (untimed) until no run is in progress and every element is drawn."""
        try:
            await wait_idle(self.page, timeout or self.timeout)
            await wait_drawn(self.page, timeout or self.timeout)
        except PlaywrightError:
            pass  # the next interaction's own wait reports the problem

    async def aim(self, locator) -> Callable[[], Awaitable[None]]:
        """Point at ``locator`` now (untimed); return the click itself, a learner's: one mouse
        press and release at the element's centre.

        Not Playwright's checked ``click()``: before its input it waits until the element is
        visible, enabled, not covered and holding still over two animation frames, each a round
        trip into the tab. A tab that shares a starved core with others (``--one-core``)
        answers those late: ten tabs playing the Playground on one core fired a checked Pause
        click's pointer event 5-48 s after ``click()`` was called, a positioned click's in
        0.1-0.2 s (README, Performance > Classroom). A learner's mouse waits for neither.
        An element that is not on screen (no box) gets the checked click.
        """
        with contextlib.suppress(PlaywrightError):
            await locator.scroll_into_view_if_needed()
        box = await locator.bounding_box()
        if box is None:
            return locator.click
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        await self.page.mouse.move(x, y)
        return lambda: self.page.mouse.click(x, y)

    def button(self, key: str):
        """The button with widget key ``key`` (a button with help renders a hidden twin)."""
        return self.page.locator(f".st-key-{key} button[data-testid^='stBaseButton']:visible").first

    # --- conditions -----------------------------------------------------------------------------

    def ms(self, factor: float = 1.0) -> float:
        return self.timeout * factor * 1000

    async def signature(self, key: str) -> str | None:
        return await self.page.evaluate(CHART_SIGNATURE, key)

    async def chart_changed(self, key: str, before: str | None, timeout: float | None = None):
        """Wait until the chart ``key`` is drawn with data other than ``before``."""
        await self.page.wait_for_function(
            f"([key, before]) => {{ const s = ({CHART_SIGNATURE})(key); "
            "return s !== null && s !== before; }",
            arg=[key, before],
            timeout=(timeout or self.timeout) * 1000,
        )

    async def slider_value(self, key: str) -> float:
        return float(await self.page.locator(f".st-key-{key} input[type=range]").input_value())

    async def press_slider(self, key: str, keys: list[str]) -> None:
        """Focus the slider ``key`` and press ``keys``, as fast as the browser takes them."""
        thumb = self.page.locator(f".st-key-{key} input[type=range]")
        await thumb.focus()
        for k in keys:
            await self.page.keyboard.press(k)

    async def run_outcome(self, act: Callable[[], Awaitable[object]], text: str, timeout: float):
        """``act`` (a button that submits a job), then wait until the page shows ``text`` (the
        job's result: the page polls the queue). QUEUED when the learner saw a place in line
        before the result, else OK."""
        await self.page.evaluate("() => { window.dlvizSawQueue = false; }")
        await act()
        await self.page.wait_for_function(
            SHOWN_AFTER_QUEUE, arg=text, timeout=timeout * 1000, polling=50
        )
        return QUEUED if await self.page.evaluate("() => window.dlvizSawQueue") else OK
