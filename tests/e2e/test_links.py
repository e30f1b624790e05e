"""Browser: a link copied from any page shows the same view, with the same numbers, in a fresh
browser; a bad link is named; ``?embed=true`` keeps the figures and drops the sidebar and prose."""

from __future__ import annotations

import pytest

from tests.support import (
    CHART_SIGNATURE,
    assert_no_exception,
    new_page,
    offline_env,
    open_app_page,
    rerun,
    running_app,
    screenshot,
    wait_drawn,
    wait_idle,
)

pytestmark = pytest.mark.e2e

# page -> (a slider a learner moves, the chart that shows its value, or None)
MOVES = {
    "activations": ("act_x", "act_chart"),
    "loss": ("loss_p", "loss_ce_chart"),
    "backprop": ("bp_lr", "bp_step_chart"),
    "gradient-descent": ("gd_steps", "gd_chart"),
    "playground": ("pg_noise", "pg_regions"),
    "depth-and-init": ("depth_depth", "depth_profile"),
    "convolution": ("conv_stride", None),
    "training": ("train_epochs", None),
    "generalization": ("gen_images", None),
}
SLIDER = "key => document.querySelector(`.st-key-${key} input[type=range]`).value"


def open_link(browser, url: str):
    """``url`` in a fresh browser context (no cookies, no session): what a classmate opens."""
    page = new_page(browser)
    page.goto(url)
    page.locator("h1").first.wait_for(state="visible")
    wait_idle(page)
    wait_drawn(page)
    return page


@pytest.mark.parametrize("url_path", sorted(MOVES))
def test_a_copied_link_shows_the_same_view_and_numbers(page, app_url, browser, url_path):
    key, chart = MOVES[url_path]
    open_app_page(page, app_url, url_path)
    before = page.evaluate(SLIDER, key)
    page.locator(f".st-key-{key} input[type=range]").focus()
    if url_path == "training":  # a form: the URL changes at once, the page reruns on Train
        page.keyboard.press("ArrowRight")
        page.wait_for_function("key => location.search.includes(key + '=')", arg=key)
    else:
        with rerun(page):
            page.keyboard.press("ArrowRight")
        wait_drawn(page)
    value = page.evaluate(SLIDER, key)
    assert value != before
    link = page.url  # the address bar: what "Copy link to this view" copies
    assert f"{key}=" in link, link
    shown = page.evaluate(CHART_SIGNATURE, chart) if chart else None

    other = open_link(browser, link)
    try:
        assert other.evaluate(SLIDER, key) == value
        if chart:
            assert other.evaluate(CHART_SIGNATURE, chart) == shown
        assert other.get_by_text("link was ignored").count() == 0
        assert_no_exception(other)
    finally:
        other.context.close()


def test_a_bad_link_names_what_it_ignored(page, app_url, browser):
    open_app_page(page, app_url, "activations")  # the server has run app.py once
    other = open_link(browser, f"{app_url}/activations?act_x=banana&act_name=Tanh&zz=1")
    try:
        notice = other.get_by_text("link was ignored")
        notice.wait_for()
        words = notice.inner_text()
        assert "zz" in words and "act_x" in words and "act_name" not in words
        assert other.evaluate(SLIDER, "act_x") is not None
        assert other.locator(".st-key-act_name input").input_value() == "Tanh"
        assert_no_exception(other)
    finally:
        other.context.close()


def test_embed_mode_shows_figures_without_sidebar_and_prose(page, app_url, browser):
    open_app_page(page, app_url, "loss")
    intro = page.locator("[data-testid='stMarkdown']").first.inner_text()[:40]
    assert page.locator("[data-testid='stSidebarNav']").count() == 1
    other = open_link(browser, f"{app_url}/loss?embed=true&loss_p=0.3")
    try:
        assert other.locator("[data-testid='stSidebarNav']").count() == 0
        assert other.locator(".st-key-loss_ce_chart .main-svg").count() >= 1
        assert other.get_by_text(intro).count() == 0  # the introduction is left out
        assert other.get_by_text("What to try").count() == 0
        assert other.evaluate(SLIDER, "loss_p") == "0.3"
        assert_no_exception(other)
        screenshot(other, "links-embed-loss")
    finally:
        other.context.close()


def test_copy_link_button_copies_this_view(browser, app_url):
    page = new_page(browser)
    try:
        page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_url)
        open_app_page(page, app_url, "activations")
        page.locator(".st-key-act_x input[type=range]").focus()
        with rerun(page):
            page.keyboard.press("ArrowRight")
        page.get_by_role("button", name="Copy link to this view").click()
        page.get_by_text("Link copied").wait_for()
        copied = page.evaluate("() => navigator.clipboard.readText()")
        assert copied == page.url and "act_x=" in copied
        page.get_by_role("button", name="Embed link").click()
        page.get_by_text("Embed link copied").wait_for()
        assert "embed=true" in page.evaluate("() => navigator.clipboard.readText()")
        screenshot(page, "links-share-activations")
    finally:
        page.context.close()


def test_a_loss_landscape_link_keeps_its_choice(page, app_url, browser):
    """The landscape's settings are pickers and a form: the quick run's model stands for them."""
    open_app_page(page, app_url, "loss-landscape")
    box = page.locator(".st-key-land_quick_model input")
    first = box.input_value()
    page.locator(".st-key-land_quick_model [data-testid='stSelectbox']").click()
    option = page.get_by_role("option").filter(has_not_text=first).first
    chosen = option.inner_text()
    with rerun(page):
        option.click()
    assert "land_quick_model=" in page.url
    other = open_link(browser, page.url)
    try:
        assert other.locator(".st-key-land_quick_model input").input_value() == chosen
        assert_no_exception(other)
    finally:
        other.context.close()


def test_embed_mode_works_inside_an_iframe(page, app_url):
    """A course page embeds a view: the frame loads the page, its chart and no sidebar."""
    open_app_page(page, app_url, "activations")
    page.set_content(
        f'<iframe src="{app_url}/activations?embed=true&act_x=2" width="1200" height="900"'
        ' style="border: none"></iframe>'
    )
    frame = page.frame_locator("iframe")
    frame.locator(".st-key-act_chart .main-svg").first.wait_for(timeout=120_000)
    assert frame.locator("[data-testid='stSidebarNav']").count() == 0
    assert frame.locator(".st-key-act_x input[type=range]").input_value() == "2"


def test_a_link_that_is_a_fresh_servers_first_visit_opens_its_page(browser, tmp_path):
    """A teacher's link opened as the very first request of a server that just (re)started, as on
    Community Cloud after a sleep: Streamlit used to take that first run for a ``pages/``-folder
    (v1) app, so /activations ran its file alone (sidebar of file names, no sections) and
    /gradient-descent showed "Page not found". The sidebar must be app.py's, with no dialog."""
    with running_app(offline_env(tmp_path)) as url:
        for url_path, title in (("activations", "Activation"), ("gradient-descent", "Gradient")):
            page = open_link(browser, f"{url}/{url_path}")
            try:
                wait_idle(page)
                nav = page.locator('[data-testid="stSidebarNav"]')
                assert "Concepts" in nav.inner_text()  # app.py's sections, not the folder's files
                assert page.locator("h1").first.inner_text().startswith(title)
                assert page.get_by_text("Page not found").count() == 0
                assert page.url.endswith(f"/{url_path}")
            finally:
                page.context.close()
