"""The Convolution page in Chromium: the sliding window plays in the browser (no server run per
step), hovering an output cell shows its patch, and a trained CNN's feature map opens on a click."""

from __future__ import annotations

import pytest

from tests.support import assert_no_exception, open_app_page, rerun, screenshot, wait_drawn

pytestmark = pytest.mark.e2e

WINDOW = ".st-key-conv_window"

# The window figure's state: the slider's position and the text above the panels.
STATE = """() => {
  const gd = document.querySelector('.st-key-conv_window .js-plotly-plot');
  if (!gd || !gd._fullLayout || !gd.querySelector('.main-svg')) return null;
  const text = gd.querySelector('.annotation-text');
  return {step: gd._fullLayout.sliders[0].active, text: text ? text.textContent : ''};
}"""

# Screen position of a cell centre on a subplot: (key, axis suffix, column, row) -> {x, y}.
CELL = """([key, ax, col, row]) => {
  const gd = document.querySelector(`.st-key-${key} .js-plotly-plot`);
  const xa = gd._fullLayout['xaxis' + ax], ya = gd._fullLayout['yaxis' + ax];
  const box = gd.getBoundingClientRect();
  return {x: box.left + xa._offset + xa.l2p(col), y: box.top + ya._offset + ya.l2p(row)};
}"""


def _button(page, label: str):
    return page.locator(f"{WINDOW} g.updatemenu-button", has_text=label).first


def test_the_window_plays_in_the_browser_and_hover_shows_a_patch(page, app_url):
    open_app_page(page, app_url, "convolution")
    assert "Convolution" in page.locator("h1").first.inner_text()
    page.wait_for_function(STATE, timeout=30_000)
    assert page.evaluate(STATE)["step"] == 0
    server: list = []
    page.dlviz_stream.on("framereceived", lambda payload: server.append(payload))
    _button(page, "Fast").click()
    page.wait_for_function(f"() => ({STATE})().step >= 5", timeout=30_000)
    _button(page, "Pause").click()
    state = page.evaluate(STATE)
    assert state["text"].startswith("Output (")
    assert server == []  # playing ran nothing on the server
    images = page.locator(f"{WINDOW} svg image").count()
    assert images >= 3  # input, kernel and output stay drawn while frames change

    spot = page.evaluate(CELL, ["conv_window", "4", 3, 2])
    page.mouse.move(spot["x"], spot["y"])
    hover = page.locator(f"{WINDOW} .hoverlayer .hovertext").first
    hover.wait_for(state="visible", timeout=10_000)
    assert "output (2, 3)" in hover.text_content() and "patch:" in hover.text_content()
    assert_no_exception(page)
    screenshot(page, "convolution")


def test_a_click_on_an_output_cell_moves_the_window_there_and_play_goes_on(page, app_url):
    open_app_page(page, app_url, "convolution")
    page.wait_for_function(STATE, timeout=30_000)
    page.locator(WINDOW).scroll_into_view_if_needed()
    spot = page.evaluate(CELL, ["conv_window", "4", 5, 3])
    with rerun(page):
        page.mouse.click(spot["x"], spot["y"])
    page.wait_for_function(f"() => ({STATE})().step === 29", timeout=30_000)  # row 3, column 5
    assert page.evaluate(STATE)["text"].startswith("Output (3, 5)")
    _button(page, "Fast").click()
    page.wait_for_function(f"() => ({STATE})().step >= 32", timeout=30_000)  # on from there
    _button(page, "Pause").click()
    assert_no_exception(page)


def test_a_trained_cnn_opens_a_feature_map_on_a_click(page, app_url):
    open_app_page(page, app_url, "convolution")
    with rerun(page):
        page.get_by_role("tab", name="Your trained CNN").click()
    with rerun(page, timeout=300):
        page.get_by_role("button", name="Train a quick Digits CNN").click()
    page.locator(".st-key-conv_overview .main-svg").first.wait_for(timeout=300_000)
    wait_drawn(page, timeout=120)
    page.locator(".st-key-conv_overview").scroll_into_view_if_needed()
    box = page.evaluate(
        """() => {const gd = document.querySelector('.st-key-conv_overview .js-plotly-plot');
        const t = gd._fullData.find(d => d.customdata && d.customdata[0][0] === 1);
        const xa = gd._fullLayout[t.xaxis.replace('x', 'xaxis')];
        const ya = gd._fullLayout[t.yaxis.replace('y', 'yaxis')];
        const r = gd.getBoundingClientRect();
        return {x: r.left + xa._offset + xa.l2p(t.x[2]), y: r.top + ya._offset + ya.l2p(t.y[2])};}"""
    )
    page.mouse.move(box["x"], box["y"])
    page.locator(".st-key-conv_overview .hoverlayer .hovertext").first.wait_for(timeout=10_000)
    with rerun(page, timeout=120):
        page.mouse.click(box["x"], box["y"])
    page.get_by_text("conv1, map 2").first.wait_for(timeout=60_000)
    wait_drawn(page, timeout=120)
    assert page.locator(".st-key-conv_detail .main-svg").count() >= 1
    assert_no_exception(page)
    screenshot(page, "convolution-trained")
