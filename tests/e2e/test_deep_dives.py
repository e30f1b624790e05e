"""The two deep-dive pages in a real browser: Depth and initialization, Loss landscape."""

from __future__ import annotations

import pytest

from tests.support import assert_no_exception, open_app_page, rerun, screenshot

pytestmark = pytest.mark.e2e

CHARTS = ".js-plotly-plot"


def test_depth_page_presets_change_the_story(page, app_url):
    open_app_page(page, app_url, "depth-and-init")
    assert "epth" in page.locator("h1").first.inner_text()
    page.locator(CHARTS).first.wait_for(state="visible")
    assert page.locator(CHARTS).count() == 2
    assert "Vanishing" in page.locator('[data-testid="stAlert"]').first.inner_text()

    with rerun(page):
        page.get_by_role("button", name="ReLU, Kaiming").click()
    page.get_by_text("Stable:", exact=False).first.wait_for(state="visible")

    with rerun(page):
        page.get_by_role("button", name="ReLU, uniform(0, 1)").click()
    page.get_by_text("xploding", exact=False).first.wait_for(state="visible")
    assert page.locator(CHARTS).count() == 2
    assert_no_exception(page)
    screenshot(page, "deep-dive-depth")


def test_landscape_page_draws_line_contour_and_surface(page, app_url):
    open_app_page(page, app_url, "loss-landscape")
    assert "andscape" in page.locator("h1").first.inner_text()
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
