"""Browser: the Gradient-descent page animates client-side, keeps the 3-D camera, and reacts."""

from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.support import assert_no_exception, open_app_page, rerun, screenshot

pytestmark = pytest.mark.e2e

PLOTS = "Array.from(document.querySelectorAll('.js-plotly-plot'))"
SURFACE_PLOT = f"{PLOTS}.find(g => g._fullLayout && g._fullLayout.scene)"
PANEL_PLOT = f"{PLOTS}.find(g => g.data && g.data.some(t => t.type === 'contour'))"


def plot_state(page) -> dict:
    """The 3-D camera, the panel's slider position and its animated balls."""
    return page.evaluate(
        f"""() => {{
        const surf = {SURFACE_PLOT}, panel = {PANEL_PLOT};
        const balls = panel.data.find(t => t.name === 'current position');
        return {{eye: surf._fullLayout.scene._scene.getCamera().eye,
                 active: panel._fullLayout.sliders[0].active, x: Array.from(balls.x),
                 frames: panel._transitionData._frames.length}};
    }}"""
    )


def test_page_animates_client_side_and_the_3d_camera_stays(page, app_url):
    open_app_page(page, app_url, "gradient-descent")
    assert "radient descent" in page.locator("h1").first.inner_text()
    page.wait_for_function(f"() => {PANEL_PLOT}")
    # the 3-D view (WebGL, the costliest thing to draw here) waits until its expander is opened
    assert page.evaluate(f"() => !{SURFACE_PLOT}")
    with rerun(page):
        page.get_by_text("The surface in 3-D", exact=False).click()
    page.wait_for_function(f"() => {{ const g = {SURFACE_PLOT}; return g && {PANEL_PLOT}; }}")
    assert page.locator(".js-plotly-plot .gl-container canvas").count() >= 1  # WebGL scene
    before = plot_state(page)
    assert before["frames"] == 201

    # turn the 3-D view by dragging across its middle, once WebGL has drawn the scene
    page.wait_for_function(
        f"() => {{ const s = {SURFACE_PLOT}._fullLayout.scene._scene; return s && s.glplot; }}"
    )
    cx, cy = page.evaluate(
        f"""() => {{
        const gd = {SURFACE_PLOT};
        gd.scrollIntoView({{block: "center"}});
        const r = gd.getBoundingClientRect();
        return [r.left + r.width / 2, r.top + r.height / 2];
    }}"""
    )
    eye_moved = f"""eye => {{
        const e = {SURFACE_PLOT}._fullLayout.scene._scene.getCamera().eye;
        return e.x !== eye.x || e.y !== eye.y || e.z !== eye.z;
    }}"""
    for attempt in range(3):  # a drag can land while the scene still initialises: drag again
        page.mouse.move(cx, cy)
        page.mouse.down()
        page.mouse.move(cx + 120 + 20 * attempt, cy + 30, steps=8)
        page.mouse.up()
        try:
            page.wait_for_function(eye_moved, arg=before["eye"], timeout=5_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    turned = plot_state(page)
    assert turned["eye"] != before["eye"]

    # play: frames run in the browser without a Streamlit rerun; the camera stays
    page.evaluate(f"() => {PANEL_PLOT}.scrollIntoView({{block: 'center'}})")
    page.locator(".updatemenu-button").filter(has_text="Play").click()
    page.wait_for_function(
        f"a => {PANEL_PLOT}._fullLayout.sliders[0].active > a + 10", arg=turned["active"]
    )
    page.locator(".updatemenu-button").filter(has_text="Pause").click()
    page.wait_for_function(f"() => !{PANEL_PLOT}._transitionData._animationRaf")
    after = plot_state(page)
    assert after["active"] != turned["active"]
    assert after["x"] != turned["x"]
    for axis in "xyz":
        assert after["eye"][axis] == pytest.approx(turned["eye"][axis], abs=1e-6)
    assert_no_exception(page)
    screenshot(page, "gradient-descent")


def test_custom_formula_errors_are_messages_and_the_map_computes(page, app_url):
    open_app_page(page, app_url, "gradient-descent")
    page.locator('[data-testid="stSelectbox"]').first.click()  # the surface picker
    with rerun(page):
        page.get_by_role("option", name="Your own f(x, y)").click()
    box = page.get_by_label("f(x, y) =", exact=True).and_(page.get_by_test_id("stTextInputField"))
    box.fill("x.__class__")
    with rerun(page):
        box.press("Enter")
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="cannot be used")
    alert.first.wait_for(timeout=30_000)
    assert_no_exception(page)
    box.fill("x**y")  # the hint quotes syntax: Markdown must print x**2, not a bold x2
    with rerun(page):
        box.press("Enter")
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="write x**2, not x**y")
    alert.first.wait_for(timeout=30_000)
    assert alert.first.locator("strong").count() == 0
    box.fill("x^2 + 4*y^2")
    with rerun(page):
        box.press("Enter")
    page.wait_for_function(f"() => {{ const g = {PANEL_PLOT}; return g && g._fullLayout; }}")
    assert page.locator('[data-testid="stAlert"]').filter(has_text="cannot be used").count() == 0
    assert_no_exception(page)

    with rerun(page):
        page.get_by_role("button", name="Compute the map").click()
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.js-plotly-plot'))"
        ".some(g => g.data && g.data[0].type === 'heatmap')",
        timeout=60_000,
    )
    assert_no_exception(page)
