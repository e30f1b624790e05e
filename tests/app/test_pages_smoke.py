"""Every page registered in the navigation renders clean: no exception, no raw NaN/inf/None/-0."""

from __future__ import annotations

from pathlib import Path

import pytest

from dlviz.ui.registry import PAGES
from tests.app.conftest import open_page
from tests.app.hardening import assert_clean

ROOT = Path(__file__).resolve().parents[2]


def registered_pages() -> list[str]:
    """Page files in the registry that app.py navigates over."""
    return [p.path for p in PAGES]


def test_every_page_file_exists_and_all_pages_are_registered():
    pages = registered_pages()
    assert len(pages) >= 9
    for page in pages:
        assert (ROOT / page).is_file(), page
    on_disk = {f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py")}
    assert on_disk == set(pages)


@pytest.mark.parametrize("page", [p.removeprefix("pages/") for p in registered_pages()])
def test_page_renders_without_exception(page):
    at = open_page(page, timeout=120)
    assert at.title, f"{page} has no title"
    assert_clean(at, f"{page} on its first load")
    if "pg_trainer" in at.session_state:
        at.session_state["pg_trainer"].stop()


def test_home_links_every_page():
    at = open_page("0_home.py")
    links = {link.proto.page for link in at.get("page_link")}
    assert len(links) == len(registered_pages()) - 1


def test_the_nan_rule_flags_a_value_and_spares_prose_that_names_nan():
    from tests.app.hardening import _NUMBER_WORD

    for value in ("loss = nan", "it is nan", "(None)", "≈ NaN", "slope is -inf", "gain of NAN"):
        assert _NUMBER_WORD.search(value), value
    for prose in ("∞/∞ is\nNaN); subtract the max", "the loss became NaN", "it is NaN."):
        assert not _NUMBER_WORD.search(prose), prose
