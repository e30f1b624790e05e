"""The Loss page in a real browser: a gradient step on the logits lowers the loss, no tracebacks."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support import assert_no_exception, open_app_page, rerun, screenshot

pytestmark = pytest.mark.e2e


def changed_text(locator, old: str, timeout: float = 60) -> str:
    """Wait until ``locator``'s text differs from ``old`` (a rerun has landed); return it."""
    expect(locator).not_to_have_text(old, timeout=timeout * 1000)
    return locator.inner_text()


def test_loss_gradient_step_lowers_the_loss(page, app_url):
    open_app_page(page, app_url, "loss")
    assert "ross-entropy" in page.locator("h1").first.inner_text()
    page.locator(".js-plotly-plot").first.wait_for(state="visible")
    page.get_by_role("tab", name="Logits → loss → gradient").click()
    panel = page.locator('[role="tabpanel"]:visible').first
    loss = panel.locator('[data-testid="stMetricValue"]').first
    start = loss.inner_text()
    with rerun(page):
        page.get_by_role("button", name="Make a confident mistake").click()
    mistake = changed_text(loss, start)
    with rerun(page):
        page.get_by_role("button", name="Take one gradient step").click()
    stepped = changed_text(loss, mistake)
    assert float(stepped) < float(mistake)
    assert_no_exception(page)
    screenshot(page, "loss-step")
