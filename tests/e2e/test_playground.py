"""Playground in a real browser: Play trains live, the boundary moves, the epoch counter rises."""

from __future__ import annotations

import time

import pytest

from tests.e2e.conftest import assert_no_exception, open_app_page, screenshot, wait_idle

pytestmark = pytest.mark.e2e

# sum of the decision heatmap's values: changes whenever the boundary or the confidence moves
REGION_SUM = """(el) => {
  const gd = el.querySelector('.js-plotly-plot');
  const z = gd.calcdata[0][0].z;  // decoded rows (data[0].z is still the typed-array spec)
  let s = 0;
  for (const row of z) {
    if (typeof row === 'number') { s += row; continue; }
    for (const v of row) s += Number(v);
  }
  return s;
}"""


def epoch(page) -> int:
    text = page.locator('.st-key-pg_epoch [data-testid="stMetricValue"]').first.inner_text()
    return int(text.replace(",", "").strip())


def regions(page):
    return page.locator(".st-key-pg_regions").first


def test_play_moves_the_boundary_and_the_epoch_counter(page, app_url):
    open_app_page(page, app_url, "playground")
    assert "layground" in page.locator("h1").first.inner_text()
    page.wait_for_function(
        "document.querySelectorAll('.js-plotly-plot .main-svg').length >= 4", timeout=90_000
    )
    assert epoch(page) == 0
    before = regions(page).evaluate(REGION_SUM)

    page.get_by_role("button", name="Play").click()
    deadline = time.time() + 90
    while time.time() < deadline and epoch(page) < 5:
        time.sleep(0.5)
    first = epoch(page)
    assert first >= 5, "the epoch counter did not rise while playing"
    time.sleep(2)
    assert epoch(page) > first  # still rising: the fragment keeps polling
    assert regions(page).evaluate(REGION_SUM) != pytest.approx(before)
    assert_no_exception(page)

    page.get_by_role("button", name="Pause").click()
    wait_idle(page)
    page.get_by_role("button", name="Play").wait_for(timeout=30_000)
    stopped = epoch(page)
    time.sleep(1.5)
    assert epoch(page) == stopped
    assert_no_exception(page)
    screenshot(page, "e2e-playground")
