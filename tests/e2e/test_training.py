"""Training page in Chromium: train on Digits, click a confusion-matrix cell, draw a digit; a
second learner waits in line, cancels, and the first one stops their run."""

from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.support import (
    assert_no_exception,
    new_page,
    open_app_page,
    rerun,
    screenshot,
    wait_idle,
)

pytestmark = pytest.mark.e2e

TRAIN_TIMEOUT_MS = 480_000  # the shared CI machine can be slow; a quiet one needs seconds


def plot_titled(page, text: str):
    """The plotly chart whose title contains ``text``."""
    return page.locator(".js-plotly-plot").filter(has_text=text).first


def draw_stroke(page, canvas, dx: float = 0) -> None:
    """Mouse down, move, up inside the drawing canvas: a slightly slanted vertical stroke."""
    box = canvas.bounding_box()
    x0, y0 = box["x"] + box["width"] / 2 + dx, box["y"] + 40
    page.mouse.move(x0, y0)
    page.mouse.down()
    for k in range(1, 21):
        page.mouse.move(x0 - 8 + k, y0 + k * 10)
    page.mouse.up()


def test_train_digits_explore_and_draw(page, app_url):
    open_app_page(page, app_url, "training")
    assert "rain" in page.locator("h1").first.inner_text()
    plot_titled(page, "training images of each class").wait_for(state="visible")
    warning = page.locator('[data-testid="stAlertContentWarning"]').first
    assert "MNIST is not available" in warning.inner_text()  # offline: explains, falls back
    assert "Switched to the built-in Digits" in warning.inner_text()
    dataset = page.get_by_role("combobox", name="Dataset")  # the box itself shows the data in use
    assert dataset.input_value() == "Digits: scikit-learn's 8×8 digits (built in)"

    # a small, fast run: the seed MLP for 2 epochs (form values commit on Train)
    page.get_by_test_id("stSelectbox").nth(1).click()
    with rerun(page):
        page.get_by_role("option", name="seed-mlp").click()
    epochs = (
        page.locator('[data-testid="stSlider"]').filter(has_text="Epochs").get_by_role("slider")
    )
    epochs.focus()
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    assert epochs.get_attribute("aria-valuetext") == "2"
    page.get_by_test_id("stBaseButton-primaryFormSubmit").click()
    page.get_by_text("Trained 2 epochs").first.wait_for(timeout=TRAIN_TIMEOUT_MS)
    wait_idle(page)
    assert_no_exception(page)

    # the confusion matrix and the prediction grid are drawn
    cm = plot_titled(page, "Confusion matrix after epoch 2")
    cm.wait_for(state="visible")
    plot_titled(page, "Test images after epoch 2").wait_for(state="visible")
    assert cm.locator(".scatterlayer .point").count() == 100

    # clicking the top-left cell opens the gallery of the correctly classified zeros
    cm.scroll_into_view_if_needed()
    box = cm.locator(".scatterlayer .point").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.locator("h3").filter(has_text="correctly classified").wait_for()
    wait_idle(page)
    assert page.locator("h3").filter(has_text="True 0").count() == 1

    # draw a vertical stroke on the canvas: the model's probabilities appear
    with rerun(page):
        page.get_by_role("tab", name="Draw a digit").click()
    canvas = page.locator(".st-key-train_canvas")
    canvas.locator("canvas").last.wait_for(state="visible")  # the component has mounted
    canvas.scroll_into_view_if_needed()
    probabilities = plot_titled(page, "Probability of each class")
    for attempt in range(3):  # a stroke can land before the canvas listens: draw another
        draw_stroke(page, canvas, dx=attempt * 30)
        try:
            probabilities.wait_for(state="visible", timeout=20_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    wait_idle(page)
    prediction = page.locator('[data-testid="stMetric"]').filter(has_text="Prediction")
    assert prediction.count() == 1 and "sure" in prediction.inner_text()
    assert_no_exception(page)
    screenshot(page, "training-e2e")


def button(page, key: str):
    """The button with widget key ``key`` (a button with help renders a hidden twin)."""
    return page.locator(f".st-key-{key} button[data-testid^='stBaseButton']:visible").first


def set_form(page, model: str, seed: int, longest: bool = False) -> None:
    """Pick a preset and a seed (each test its own: a stored run would open at once); with
    ``longest``, the most epochs and the smallest batches the form allows."""
    if not page.get_by_role("combobox", name="Model").input_value().startswith(f"{model}:"):
        page.get_by_test_id("stSelectbox").nth(1).click()  # (the shown one again: no run)
        with rerun(page):
            page.get_by_role("option", name=model).click()
    page.locator(".st-key-train_seed input").fill(str(seed))
    if longest:
        for label, key in (("Epochs", "End"), ("Batch size", "Home")):
            slider = page.locator('[data-testid="stSlider"]').filter(has_text=label)
            slider.get_by_role("slider").focus()
            page.keyboard.press(key)


def test_a_second_learner_waits_in_line_cancels_and_the_first_stops(browser, app_url):
    first, second = new_page(browser), new_page(browser)
    try:
        for page, model, seed in ((first, "seed-cnn", 9101), (second, "seed-mlp", 9102)):
            open_app_page(page, app_url, "training")
            if page is first:  # 60,000 images (Debian's copy): still running when Stop comes
                page.get_by_role("combobox", name="Dataset").click()
                with rerun(page, timeout=TRAIN_TIMEOUT_MS / 1000):
                    page.get_by_role("option", name="Fashion-MNIST").click()
            set_form(page, model, seed, longest=page is first)
        first.get_by_test_id("stBaseButton-primaryFormSubmit").click()
        first.get_by_text("Training seed-cnn on Fashion-MNIST").wait_for(timeout=TRAIN_TIMEOUT_MS)
        second.get_by_test_id("stBaseButton-primaryFormSubmit").click()
        second.get_by_text("Waiting to train seed-mlp on Digits").wait_for()
        place = second.get_by_test_id("stMarkdownContainer").filter(has_text="1st in line")
        place.wait_for()
        assert "starts in about" in place.inner_text()
        assert_no_exception(second)
        screenshot(second, "training-queued")

        first.get_by_text("In a worker process on").wait_for()  # the live panel, with Stop
        screenshot(first, "training-running")

        button(second, "train_cancel").click()
        second.get_by_text("Waiting to train").wait_for(state="detached")
        button(first, "train_stop").click()
        first.get_by_text("Stopped by request").first.wait_for(timeout=TRAIN_TIMEOUT_MS)
        wait_idle(first)
        assert first.get_by_text("Trained 20 epochs").count() == 0
        for page in (first, second):
            assert_no_exception(page)
            assert page.get_by_text("Waiting to train").count() == 0
    finally:
        first.context.close()
        second.context.close()
