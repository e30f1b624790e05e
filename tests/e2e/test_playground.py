"""Playground in a real browser: Play trains live, the boundary moves, the epoch counter rises."""

from __future__ import annotations

import pytest

from tests.support import (
    assert_no_exception,
    open_app_page,
    rerun,
    screenshot,
    server_threads,
    wait_idle,
    wait_until,
)

pytestmark = pytest.mark.e2e

# the decision heatmap's values as sent (base64 of the uint8 codes): changes with the boundary
REGION_CODES = """() => {
  const gd = document.querySelector('.st-key-pg_regions .js-plotly-plot');
  if (!gd || !gd.data || !gd.data.length || !gd.data[0].z) return null;  // mid-redraw
  const z = gd.data[0].z;
  return typeof z.bdata === 'string' ? z.bdata : JSON.stringify(z);
}"""

EPOCH = """() => {
  const m = document.querySelector('.st-key-pg_epoch [data-testid="stMetricValue"]');
  return m ? parseInt(m.innerText.replace(/,/g, ''), 10) : -1;
}"""


def epoch(page) -> int:
    return int(page.evaluate(EPOCH))


def region_codes(page, timeout: float = 30) -> str:
    """The decision chart's values, once the fragment has finished drawing it."""
    return page.wait_for_function(REGION_CODES, timeout=timeout * 1000).json_value()


def wait_epoch_above(page, k: int, timeout: float = 90) -> int:
    """Wait until the epoch counter shows more than ``k``; return what it shows."""
    page.wait_for_function(f"() => ({EPOCH})() > {k}", timeout=timeout * 1000)
    return epoch(page)


def pause(page) -> None:
    """Press Pause once; Play must come back. (A relabelled Play/Pause toggle could lose this
    click: Streamlit may deliver one click to two runs, and the second undid the first. The
    toolbar has a button per action now, so one press is enough, even on a loaded machine.)"""
    with rerun(page):
        page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play").wait_for(timeout=30_000)
    assert page.get_by_role("button", name="Play").is_visible()  # and it stays paused
    wait_idle(page)
    assert page.get_by_role("button", name="Play").is_visible()


def test_play_moves_the_boundary_and_the_epoch_counter(page, app_url):
    open_app_page(page, app_url, "playground")
    assert "layground" in page.locator("h1").first.inner_text()
    before = region_codes(page, timeout=90)
    assert epoch(page) == 0

    page.get_by_role("button", name="Play").click()
    first = wait_epoch_above(page, 4)  # the epoch counter rises while playing
    wait_epoch_above(page, first)  # and keeps rising: the fragment keeps polling
    page.wait_for_function(
        f"() => {{ const c = ({REGION_CODES})(); return c && c !== {before!r}; }}"
    )
    assert_no_exception(page)

    pause(page)
    with rerun(page):  # one whole page run after the pause: the metrics show the paused epoch
        page.get_by_text("Show test points").click()
    wait_idle(page)
    stopped = epoch(page)
    # another whole page run later, the counter reads the same: nothing trains in the background
    with rerun(page):
        page.get_by_text("Show test points").click()
    wait_idle(page)
    assert epoch(page) == stopped
    assert_no_exception(page)
    screenshot(page, "e2e-playground")


def set_hidden(page, hidden: bool) -> None:
    """Make ``document.hidden`` read ``hidden`` and fire ``visibilitychange``."""
    page.evaluate(
        """hidden => {
            Object.defineProperty(document, "hidden", {value: hidden, configurable: true});
            Object.defineProperty(document, "visibilityState",
                {value: hidden ? "hidden" : "visible", configurable: true});
            document.dispatchEvent(new Event("visibilitychange"));
        }""",
        hidden,
    )


def test_a_hidden_tab_pauses_training_and_it_plays_on_when_shown(page, app_url):
    open_app_page(page, app_url, "playground")
    page.get_by_role("button", name="Play").click()
    wait_epoch_above(page, 2)
    # headless Chromium keeps every tab "visible": tell the page what a browser tells it when the
    # learner switches to another tab (the Page Visibility API's property and event)
    set_hidden(page, True)
    page.get_by_role("button", name="Play").wait_for(timeout=30_000)  # paused itself
    paused_at = epoch(page)
    set_hidden(page, False)
    wait_epoch_above(page, paused_at)  # playing again
    page.get_by_role("button", name="Pause").click()
    assert_no_exception(page)


TRAINER = "dlviz-playgrnd"  # the OS name of a Playground training thread


def test_closing_the_tab_ends_its_training_thread_within_a_minute(browser, app_url):
    from tests.support import new_page

    page = new_page(browser)
    open_app_page(page, app_url, "playground")
    before = server_threads(app_url, TRAINER)
    page.get_by_role("button", name="Play").click()
    wait_epoch_above(page, 2)
    assert server_threads(app_url, TRAINER) == before + 1  # this learner's trainer
    page.context.close()  # the learner leaves without pressing Pause
    assert wait_until(lambda: server_threads(app_url, TRAINER) <= before, timeout=60, poll=0.5)


TRAIN_POINTS = """() => {
  const gd = document.querySelector('.st-key-pg_regions .js-plotly-plot');
  if (!gd || !gd._fullData) return -1;
  return gd._fullData.filter(t => (t.name || '').includes('(train)'))
    .reduce((n, t) => n + (t.x ? t.x.length : 0), 0);
}"""

SLOW_TITLE = """() => {
  const gd = document.querySelector('.st-key-pg_slowmo .js-plotly-plot');
  return gd && gd._fullLayout && gd._fullLayout.title ? gd._fullLayout.title.text : '';
}"""


def test_a_click_adds_a_point_and_slow_motion_plays_in_the_browser(page, app_url):
    open_app_page(page, app_url, "playground")
    before = page.evaluate(TRAIN_POINTS)
    assert before > 0
    with rerun(page):
        page.get_by_role("radio", name="Add a point").click()
    area = page.locator(".st-key-pg_regions .nsewdrag").first.bounding_box()
    with rerun(page):
        page.mouse.click(area["x"] + area["width"] * 0.2, area["y"] + area["height"] * 0.25)
    page.wait_for_function(f"() => ({TRAIN_POINTS})() === {before + 1}", timeout=60_000)
    page.get_by_text("Your edits: 1 so far").wait_for(timeout=30_000)
    assert_no_exception(page)

    with rerun(page):
        page.get_by_role("button", name="Random training example").click()
    chart = page.locator(".st-key-pg_slowmo")
    chart.scroll_into_view_if_needed()
    page.wait_for_function(f"() => ({SLOW_TITLE})().includes('1/9')", timeout=60_000)
    chart.locator(".updatemenu-button").first.click()  # Play: the stages in the browser
    page.wait_for_function(f"() => ({SLOW_TITLE})().includes('5/9')", timeout=30_000)
    screenshot(page, "e2e-playground-slowmo-mid")
    page.wait_for_function(f"() => ({SLOW_TITLE})().includes('9/9')", timeout=30_000)
    with rerun(page):
        page.get_by_role("button", name="Next").click()
    assert page.get_by_text("2/9. Forward: hidden layer 1.").count() == 1
    assert_no_exception(page)
    screenshot(page, "e2e-playground-hands-on")
