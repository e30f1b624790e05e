"""The server's run log (DLVIZ_RUN_LOG) in a real browser session: a click inside a fragment
(Backprop's step-through) is logged as a fragment run of its page (AppTest cannot show this: it
reruns the whole page)."""

from __future__ import annotations

import json

import pytest

from tests.support import open_app_page, rerun, wait_until

pytestmark = pytest.mark.e2e


def records(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_a_fragment_run_is_logged_as_one(page, app_url, run_log):
    open_app_page(page, app_url, "backprop")
    assert any(r["page"] == "backprop" and r["run"] == "page" for r in records(run_log))
    before = len(records(run_log))
    with rerun(page):
        page.locator(".st-key-bp_prev button[data-testid^='stBaseButton']").click()
    new = wait_until(lambda: records(run_log)[before:], timeout=30)
    assert new and new[-1]["page"] == "backprop" and new[-1]["run"] == "fragment"
    assert new[-1]["outcome"] == "finished" and new[-1]["seconds"] > 0
