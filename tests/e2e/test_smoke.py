"""Every page opens in Chromium, shows its title and a chart, no Streamlit exception, and loads
nothing from any host but the app's own (offline classrooms, locked-down school networks)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from dlviz.ui.registry import PAGES as REGISTERED
from tests.support import assert_no_exception, open_app_page, screenshot

pytestmark = pytest.mark.e2e

PAGES = [pytest.param(p, id=p.url_path) for p in REGISTERED]


# schemes that never leave the browser (the favicon is an inline data: SVG)
LOCAL_SCHEMES = {"data", "blob", "about"}


def off_host(urls: list[str], app_url: str) -> list[str]:
    """The requested URLs that go anywhere but the app's own host and port."""
    own = urlsplit(app_url).netloc
    return [
        u for u in urls if urlsplit(u).scheme not in LOCAL_SCHEMES and urlsplit(u).netloc != own
    ]


def test_off_host_finds_a_font_server_request():
    app = "http://127.0.0.1:8501"
    urls = [f"{app}/static/x.js", "data:image/svg+xml,<svg/>", "https://fonts.gstatic.com/s/i.svg"]
    assert off_host(urls, app) == ["https://fonts.gstatic.com/s/i.svg"]
    assert off_host(["http://127.0.0.1:8502/x"], app) == ["http://127.0.0.1:8502/x"]


ON_REQUEST = {"loss-landscape", "generalization"}  # nothing is computed before a button press


@pytest.mark.parametrize("info", PAGES)
def test_page_opens_with_title_and_chart(page, app_url, info):
    url_path = info.url_path
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    open_app_page(page, app_url, url_path)
    assert page.locator("h1").first.inner_text().strip()
    current = page.locator('[data-testid="stSidebarNavLink"][aria-current="page"]')
    assert info.title in current.inner_text()  # the sidebar marks the registered page
    if url_path in ON_REQUEST:  # heavy work waits for a button: a chart, or the button
        shown = page.locator(
            '.js-plotly-plot, [data-testid="stMain"] [data-testid^="stBaseButton"]:visible'
        )
        shown.first.wait_for(state="visible", timeout=60_000)
    elif url_path != "home":
        charts = page.locator('[data-testid="stPlotlyChart"], .js-plotly-plot')
        charts.first.wait_for(state="visible", timeout=60_000)
        assert charts.count() >= 1
    assert_no_exception(page)
    screenshot(page, f"smoke-{url_path}")
    assert requested, "no request was recorded"
    assert off_host(requested, app_url) == [], "a page load reached another host"
    icon = page.locator("link[rel='shortcut icon']").first.get_attribute("href") or ""
    assert icon.startswith("data:image/svg+xml"), icon[:80]
