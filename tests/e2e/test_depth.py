"""The Depth-and-initialization page in a real browser: presets change the story it tells."""

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
