"""The Generalization page in Chromium: the overfitting demo on Digits with two remedies, trained
through the job queue, the gap drawn and named, early stopping marked; then the sweep tab."""

from __future__ import annotations

import pytest

from tests.support import assert_no_exception, open_app_page, rerun, screenshot, wait_idle

pytestmark = pytest.mark.e2e

RUN_TIMEOUT_MS = 300_000  # seconds on a quiet machine; the shared CI machine can be slow


def plot_titled(page, text: str):
    """The plotly chart whose text contains ``text``."""
    return page.locator(".js-plotly-plot").filter(has_text=text).first


def toggle(page, label: str) -> None:
    with rerun(page):
        page.get_by_test_id("stCheckbox").filter(has_text=label).first.click()


def test_overfitting_demo_with_remedies(page, app_url):
    open_app_page(page, app_url, "generalization")
    assert page.locator("h1").first.inner_text().startswith("Generalization")
    toggle(page, "Early stopping")
    toggle(page, "Augmentation")
    strip = plot_titled(page, "original")
    strip.wait_for(state="visible")  # the strip of augmented samples
    with rerun(page):
        page.get_by_role("button", name="Train these 4 runs").click()
    page.get_by_text("generalization gap of", exact=False).first.wait_for(timeout=RUN_TIMEOUT_MS)
    wait_idle(page)
    assert_no_exception(page)
    gap = plot_titled(page, "generalization gap")
    gap.wait_for(state="visible")
    compare = plot_titled(page, "Every run on the same validation images")
    compare.wait_for(state="visible")
    table = page.get_by_test_id("stDataFrame").first
    table.wait_for(state="visible")
    screenshot(page, "generalization-overfitting")

    # the early-stopped run: its stop and its kept weights are marked on the curves
    focus = page.get_by_test_id("stSelectbox").filter(has_text="Look closely at")
    focus.get_by_role("combobox").click()
    page.keyboard.type("Early stopping")
    with rerun(page):
        page.keyboard.press("Enter")
    plot_titled(page, "stopped after epoch").wait_for(state="visible")
    assert plot_titled(page, "kept").is_visible()
    assert_no_exception(page)
    screenshot(page, "generalization-early-stopping")

    page.get_by_role("tab", name="Capacity × data").click()
    with rerun(page):
        page.get_by_role("button", name="Run the sweep").click()
    page.get_by_text("Largest gap:", exact=False).first.wait_for(timeout=RUN_TIMEOUT_MS)
    wait_idle(page)
    plot_titled(page, "validation accuracy").wait_for(state="visible")
    assert_no_exception(page)
    screenshot(page, "generalization-sweep")


def test_sanity_checks_and_calibration_tabs(page, app_url):
    open_app_page(page, app_url, "generalization")
    page.get_by_role("tab", name="Sanity checks").click()
    with rerun(page):
        page.get_by_role("button", name="Overfit one batch (5 loops)").click()
    plot_titled(page, "Overfit one batch").wait_for(timeout=RUN_TIMEOUT_MS)
    with rerun(page):
        page.get_by_role("button", name="Train on true and on random labels").click()
    page.get_by_text("Random labels: ", exact=False).first.wait_for(timeout=RUN_TIMEOUT_MS)
    with rerun(page):
        page.get_by_role("button", name="Run the range test").click()
    page.get_by_text("A good range to try", exact=False).first.wait_for(timeout=RUN_TIMEOUT_MS)
    wait_idle(page)
    assert_no_exception(page)
    screenshot(page, "generalization-sanity")

    page.get_by_role("tab", name="Can you trust it?").click()  # the newest run: random labels
    with rerun(page):
        page.get_by_role("button", name="Measure calibration").click()
    plot_titled(page, "as trained (T = 1)").wait_for(timeout=RUN_TIMEOUT_MS)
    wait_idle(page)
    assert_no_exception(page)
    screenshot(page, "generalization-calibration")
