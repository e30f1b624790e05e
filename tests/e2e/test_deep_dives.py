"""The Loss-landscape deep-dive page in a real browser (Depth and initialization: test_depth.py)."""

from __future__ import annotations

import pytest

from tests.support import assert_no_exception, open_app_page, rerun, screenshot, wait_idle

pytestmark = pytest.mark.e2e

CHARTS = ".js-plotly-plot"


def test_landscape_page_draws_line_contour_and_surface(page, app_url):
    open_app_page(page, app_url, "loss-landscape")
    assert "andscape" in page.locator("h1").first.inner_text()
    assert page.locator(CHARTS).count() == 0  # nothing is computed on opening
    compute = page.locator(".st-key-land_compute button")
    if compute.count() == 0:  # an empty run store: a quick Digits run first, through the queue
        page.locator(".st-key-land_train button").click()
        compute.wait_for(state="visible", timeout=180_000)
        wait_idle(page)
    compute.click()
    charts = page.locator(CHARTS)
    charts.nth(2).wait_for(state="visible", timeout=180_000)
    assert charts.count() == 3
    # the 3-D surface is drawn by WebGL into a canvas
    assert page.locator(f"{CHARTS} .gl-container canvas, {CHARTS} canvas").count() >= 1
    assert page.get_by_text("Test loss, trained weights").count() == 1
    assert_no_exception(page)

    with rerun(page):
        page.get_by_text("Height as log10(loss)").click()
    page.locator(f"{CHARTS} .cbtitle", has_text="log10").first.wait_for(state="visible")
    assert_no_exception(page)
    screenshot(page, "deep-dive-landscape")
