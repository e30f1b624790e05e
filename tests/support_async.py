"""The twin of ``tests.support``'s browser helpers for Playwright's async API.

The classroom benchmarks drive many learners at once from one event loop (one context per
learner, ``asyncio.gather``), which the sync API cannot do. Same names, same behaviour: the
JavaScript conditions (``IDLE``, ``DRAWN``), Chromium's flags and the ``script_finished``
predicate are ``tests.support``'s; only the awaiting differs here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from tests.support import CHROMIUM_ARGS, DRAWN, IDLE, chromium_path, script_finished


async def launch_chromium(playwright, **kwargs: Any):
    """Headless Chromium with software WebGL (3-D plotly) and no background network traffic."""
    return await playwright.chromium.launch(
        executable_path=chromium_path(), headless=True, args=list(CHROMIUM_ARGS), **kwargs
    )


async def new_page(browser, width: int = 1400, height: int = 1000):
    """A fresh context and page that keeps a handle on the app's websocket (see ``rerun``)."""
    ctx = await browser.new_context(viewport={"width": width, "height": height})
    page = await ctx.new_page()
    page.set_default_timeout(60_000)

    def remember(ws) -> None:
        if "/_stcore/stream" in ws.url:
            page.dlviz_stream = ws  # the page's current connection (a reload opens a new one)

    page.on("websocket", remember)
    return page


async def wait_idle(page, timeout: float = 120) -> None:
    """Wait until no script run is in progress."""
    await page.wait_for_function(IDLE, timeout=timeout * 1000)


async def wait_drawn(page, timeout: float = 60) -> None:
    """Wait until every element has replaced its loading skeleton and every chart is drawn."""
    await page.wait_for_function(DRAWN, timeout=timeout * 1000)


@asynccontextmanager
async def rerun(page, timeout: float = 120) -> AsyncIterator[None]:
    """Wait, after the ``async with`` body, for the run it started to finish and the page to
    settle (Streamlit's ``script_finished`` message on the app's websocket, then no run)."""
    async with page.dlviz_stream.expect_event(
        "framereceived", predicate=script_finished, timeout=timeout * 1000
    ):
        yield
    await wait_idle(page, timeout)
