"""The Backprop page in Chromium: graphviz renders the graph's nodes, and stepping redraws it."""

from __future__ import annotations

import pytest

from tests.support import assert_no_exception, open_app_page, rerun, screenshot

pytestmark = pytest.mark.e2e

GRAPH = '[data-testid="stGraphVizChart"]'


def graph_node_texts(page) -> list[str]:
    """The text of every rendered graphviz node (<g class="node"> in the SVG)."""
    nodes = page.locator(f"{GRAPH} svg g.node")
    nodes.first.wait_for(state="visible", timeout=60_000)
    return [nodes.nth(i).text_content() or "" for i in range(nodes.count())]


def test_graph_nodes_render_and_step_through_redraws(page, app_url):
    open_app_page(page, app_url, "backprop")
    assert "Backpropagation" in page.locator("h1").first.inner_text()
    texts = graph_node_texts(page)
    # y = relu(w*x + b): 6 value nodes (x, w, b, w*x, z, y) and 3 op nodes (*, +, relu)
    assert len(texts) == 9
    joined = " ".join(texts)
    for name in ("w", "x", "b", "z", "y", "relu"):
        assert name in joined
    assert "grad ?" not in joined  # the page opens at the end of the backward pass
    edges = page.locator(f"{GRAPH} svg g.edge")
    assert edges.count() == 8  # two into each binary op, one into relu, one out of each op

    with rerun(page):
        page.get_by_role("button", name="◀ Prev").click()
    page.wait_for_function(
        """sel => [...document.querySelectorAll(sel + ' svg g.node')]
                  .some(n => n.textContent.includes('grad ?'))""",
        arg=GRAPH,
        timeout=30_000,
    )
    assert any("grad ?" in t for t in graph_node_texts(page))
    assert page.locator(".katex").count() >= 2  # the chain rule is written out
    assert_no_exception(page)
    screenshot(page, "backprop")


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
