"""Playground in a real browser: Play trains live, the boundary moves, the epoch counter rises."""

from __future__ import annotations

import time

import pytest

from tests.e2e.conftest import assert_no_exception, open_app_page, screenshot, wait_idle

pytestmark = pytest.mark.e2e

# the decision heatmap's values as sent (base64 of the uint8 codes): changes with the boundary
REGION_CODES = """(el) => {
  const gd = el.querySelector('.js-plotly-plot');
  if (!gd || !gd.data || !gd.data.length || !gd.data[0].z) return null;  // mid-redraw
  const z = gd.data[0].z;
  return typeof z.bdata === 'string' ? z.bdata : JSON.stringify(z);
}"""


REGIONS_DRAWN = """() => {
  const gd = document.querySelector('.st-key-pg_regions .js-plotly-plot');
  return Boolean(gd && gd.data && gd.data.length && gd.data[0].z);
}"""


def epoch(page) -> int:
    text = page.locator('.st-key-pg_epoch [data-testid="stMetricValue"]').first.inner_text()
    return int(text.replace(",", "").strip())


def region_codes(page, timeout: float = 30) -> str:
    """The decision chart's values, retried while the fragment is redrawing it."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        codes = page.locator(".st-key-pg_regions").first.evaluate(REGION_CODES)
        if codes is not None:
            return codes
        time.sleep(0.2)
    raise AssertionError("the decision-regions chart never finished drawing")


def test_play_moves_the_boundary_and_the_epoch_counter(page, app_url):
    open_app_page(page, app_url, "playground")
    assert "layground" in page.locator("h1").first.inner_text()
    page.wait_for_function(REGIONS_DRAWN, timeout=90_000)
    assert epoch(page) == 0
    before = region_codes(page)

    page.get_by_role("button", name="Play").click()
    deadline = time.time() + 90
    while time.time() < deadline and epoch(page) < 5:
        time.sleep(0.5)
    first = epoch(page)
    assert first >= 5, "the epoch counter did not rise while playing"
    time.sleep(2)
    assert epoch(page) > first  # still rising: the fragment keeps polling
    assert region_codes(page) != before
    assert_no_exception(page)

    page.get_by_role("button", name="Pause").click()
    wait_idle(page)
    page.get_by_role("button", name="Play").wait_for(timeout=30_000)
    stopped = epoch(page)
    time.sleep(1.5)
    assert epoch(page) == stopped
    assert_no_exception(page)
    screenshot(page, "e2e-playground")
