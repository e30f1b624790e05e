"""The Activations page in a real browser: the probe, the softmax tab, no tracebacks."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support import assert_no_exception, open_app_page, rerun, screenshot

pytestmark = pytest.mark.e2e


def metric_values(page) -> list[str]:
    return page.locator('[data-testid="stMetricValue"]').all_inner_texts()


def test_activations_probe_reaches_saturation_and_softmax_survives_huge_logits(page, app_url):
    open_app_page(page, app_url, "activations")
    assert "Activation" in page.locator("h1").first.inner_text()
    page.locator(".js-plotly-plot").first.wait_for(state="visible")
    before = metric_values(page)
    thumb = page.get_by_role("slider").first  # the probe x slider
    thumb.focus()
    with rerun(page):
        thumb.press("End")  # x = 8: deep in sigmoid's saturation
    page.get_by_text("lies in the", exact=False).first.wait_for(state="visible")  # the verdict
    assert metric_values(page) != before
    assert_no_exception(page)
    screenshot(page, "activations-probe")

    page.get_by_role("tab", name="Softmax").click()
    with rerun(page):
        page.get_by_role("button", name="Try logits 1000 and −1000").click()
    # :visible: the page's questions (a collapsed expander) hold number inputs too
    first_logit = page.locator('[data-testid="stNumberInput"] input:visible').first
    expect(first_logit).to_have_value("1000.000", timeout=60_000)
    assert page.get_by_text("Σp = 1.000000").count() >= 1  # the bars' title after the rerun
    assert_no_exception(page)
    screenshot(page, "activations-softmax")


HIDDEN = """key => {
  const group = document.querySelector(`.st-key-${key} [data-testid="stButtonGroup"]`);
  if (!group) return null;
  const box = group.getBoundingClientRect();
  return [...group.querySelectorAll('button')].filter(b => {
    const r = b.getBoundingClientRect();
    return r.right > box.right + 1 || r.left < box.left - 1;
  }).map(b => b.innerText);
}"""


@pytest.mark.parametrize(("url_path", "key"), [
    ("activations?act_tab=Compare", "act_compare"), ("playground", "pg_features")
])  # fmt: skip
def test_every_pill_is_in_view_without_scrolling(page, app_url, url_path, key):
    """Streamlit keeps pills placed in a column on one row that scrolls sideways: the overlay's
    GELU, chosen by default, sat out of view. They wrap, so every option shows."""
    page.set_viewport_size({"width": 1280, "height": 900})
    open_app_page(page, app_url, url_path)
    assert page.evaluate(HIDDEN, key) == []
