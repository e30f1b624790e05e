"""The Activations and Loss pages in a real browser: widgets respond, charts render, no tracebacks."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_exception, open_app_page, screenshot, wait_idle

pytestmark = pytest.mark.e2e


def metric_values(page) -> list[str]:
    return page.locator('[data-testid="stMetricValue"]').all_inner_texts()


def changed_text(locator, old: str, timeout: float = 60) -> str:
    """Wait until ``locator``'s text differs from ``old`` (a rerun has landed); return it."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        text = locator.inner_text()
        if text != old:
            return text
        time.sleep(0.2)
    raise AssertionError(f"text stayed {old!r}")


def test_activations_probe_reaches_saturation_and_softmax_survives_huge_logits(page, app_url):
    open_app_page(page, app_url, "activations")
    assert "Activation" in page.locator("h1").first.inner_text()
    page.locator(".js-plotly-plot").first.wait_for(state="visible")
    before = metric_values(page)
    thumb = page.get_by_role("slider").first  # the probe x slider
    thumb.focus()
    thumb.press("End")  # x = 8: deep in sigmoid's saturation
    wait_idle(page)
    page.get_by_text("lies in the", exact=False).first.wait_for(state="visible")  # the verdict
    assert metric_values(page) != before
    assert_no_exception(page)
    screenshot(page, "concepts-activations-probe")

    page.get_by_role("tab", name="Softmax").click()
    page.get_by_role("button", name="Try logits 1000 and −1000").click()
    first_logit = page.locator('[data-testid="stNumberInput"] input').first
    expect(first_logit).to_have_value("1000.000", timeout=60_000)
    wait_idle(page)
    assert page.get_by_text("Σp = 1.000000").count() >= 1  # the bars' title after the rerun
    assert_no_exception(page)
    screenshot(page, "concepts-activations-softmax")


def test_loss_gradient_step_lowers_the_loss(page, app_url):
    open_app_page(page, app_url, "loss")
    assert "ross-entropy" in page.locator("h1").first.inner_text()
    page.locator(".js-plotly-plot").first.wait_for(state="visible")
    page.get_by_role("tab", name="Logits → loss → gradient").click()
    panel = page.locator('[role="tabpanel"]:visible').first
    loss = panel.locator('[data-testid="stMetricValue"]').first
    start = loss.inner_text()
    page.get_by_role("button", name="Make a confident mistake").click()
    mistake = changed_text(loss, start)
    page.get_by_role("button", name="Take one gradient step").click()
    stepped = changed_text(loss, mistake)
    assert float(stepped) < float(mistake)
    wait_idle(page)
    assert_no_exception(page)
    screenshot(page, "concepts-loss-step")
