"""Every page opens in Chromium, shows its title and a chart, and no Streamlit exception."""

from __future__ import annotations

import pytest

from tests.support import assert_no_exception, open_app_page, screenshot

pytestmark = pytest.mark.e2e

PAGES = [
    ("home", "dlviz"),
    ("activations", "Activation"),
    ("loss", "ross-entropy"),
    ("backprop", "ackprop"),
    ("gradient-descent", "radient descent"),
    ("playground", "layground"),
    ("depth-and-init", "epth"),
    ("training", "rain"),
    ("loss-landscape", "andscape"),
]


@pytest.mark.parametrize(("url_path", "title"), PAGES)
def test_page_opens_with_title_and_chart(page, app_url, url_path, title):
    open_app_page(page, app_url, url_path)
    h1 = page.locator("h1").first
    assert title in h1.inner_text()
    if url_path != "home":
        charts = page.locator(
            '[data-testid="stPlotlyChart"], [data-testid="stGraphVizChart"], .js-plotly-plot'
        )
        charts.first.wait_for(state="visible", timeout=60_000)
        assert charts.count() >= 1
    assert_no_exception(page)
    screenshot(page, f"smoke-{url_path}")
