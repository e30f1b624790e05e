"""The Backprop page in Chromium: the graph figure draws every box, and stepping through the
backward pass happens in the browser (its frames), without a script run on the server."""

from __future__ import annotations

import json

import pytest

from tests.support import (
    BACKPROP_STEP,
    BACKPROP_STEP_SHOWN,
    assert_no_exception,
    open_app_page,
    rerun,
    screenshot,
)

pytestmark = pytest.mark.e2e

GRAPH = ".st-key-bp_graph"


def drawn(page) -> dict:
    return page.evaluate(BACKPROP_STEP)


def wait_step(page, k: int) -> dict:
    """Wait until step k is drawn: the slider, the text above and the boxes all show it."""
    page.wait_for_function(BACKPROP_STEP_SHOWN, arg=k, timeout=30_000)
    return drawn(page)


def count_server_messages(page) -> list:
    """A list that grows with every message the server sends this page from now on."""
    seen: list = []
    page.dlviz_stream.on("framereceived", lambda payload: seen.append(payload))
    return seen


def button(page, label: str):
    return page.locator(f"{GRAPH} g.updatemenu-button", has_text=label).first


def records(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_the_graph_draws_every_box_and_steps_in_the_browser(page, app_url, run_log):
    open_app_page(page, app_url, "backprop")
    assert "Backpropagation" in page.locator("h1").first.inner_text()
    state = wait_step(page, 6)  # y = relu(w*x + b): 6 value boxes, opened at the last step
    names = sorted(b.split("data")[0] for b in state["boxes"])
    assert names == ["b", "t1", "w", "x", "y", "z"]
    assert "wdata 0.75grad 2" in state["boxes"]  # dy/dw = x = 2 while relu is on
    pills = page.locator(f"{GRAPH} .barlayer .bartext").all_text_contents()
    assert {"×", "+", "relu"} <= set(pills)
    assert page.locator(f"{GRAPH} .scatterlayer .trace").count() >= 2  # edges, arrowheads

    server, runs = count_server_messages(page), len(records(run_log))
    button(page, "Prev").click()
    state = wait_step(page, 5)
    assert sum("grad ?" in b for b in state["boxes"]) == 1
    button(page, "Prev").click()
    wait_step(page, 4)
    button(page, "Next").click()
    wait_step(page, 5)
    assert server == [] and len(records(run_log)) == runs  # stepping ran nothing on the server

    box = page.locator(f"{GRAPH} .barlayer .point").filter(has_text="zdata").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    hover = page.locator(f"{GRAPH} .hoverlayer .hovertext").first
    hover.wait_for(state="visible", timeout=10_000)
    assert "∂y/∂z" in hover.text_content()
    assert_no_exception(page)
    screenshot(page, "backprop")


def test_a_full_page_rerun_keeps_the_step(page, app_url):
    open_app_page(page, app_url, "backprop")
    wait_step(page, 6)
    button(page, "Prev").click()
    wait_step(page, 5)
    with rerun(page):
        page.get_by_text("Mistake: call backward() twice").click()
    assert drawn(page)["step"] == 5  # the same figure: Streamlit leaves it as the learner left it
    with rerun(page):
        page.locator(".st-key-bp_layout button", has_text="tall").click()
    wait_step(page, 6)  # a new figure opens at the last step
    assert_no_exception(page)


def test_bad_expression_shows_a_message_not_a_traceback(page, app_url):
    open_app_page(page, app_url, "backprop")
    page.locator('[data-testid="stSelectbox"]').first.click()
    with rerun(page):
        page.get_by_role("option", name="Your own expression").click()
    box = page.locator('[data-testid="stTextInput"] input').first
    box.fill("__import__('os')")
    with rerun(page):
        box.press("Enter")
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="Cannot read that expression")
    alert.first.wait_for(state="visible", timeout=30_000)
    assert "unknown function" in alert.first.inner_text()
    assert_no_exception(page)
    box.fill("x**y")  # the hint quotes syntax: Markdown must print x**2, not a bold x2
    with rerun(page):
        box.press("Enter")
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="Cannot read that expression")
    alert.first.wait_for(state="visible", timeout=30_000)
    assert "write x**2, not x**y" in alert.first.inner_text()
    assert alert.first.locator("strong").count() == 0
