"""Home's pieces: the page header and texts (dlviz.ui.common), the learning path drawn from the
page registry (a new page appears on Home by itself) with the learner's progress on each page,
and saving or loading that progress as a JSON file (no account, nothing stored on the server)."""

from __future__ import annotations

import streamlit as st

from dlviz import display
from dlviz.questions import ProgressError, all_questions, from_json, load_page, to_json
from dlviz.ui import quiz
from dlviz.ui.common import load_text, page_header
from dlviz.ui.registry import HOME, PAGES, sections

__all__ = ["learning_path", "load_text", "page_header", "progress_panel"]

_LOADED = "_dlviz_progress_file"  # the uploaded file already merged (not merged twice)
_MESSAGE = "_dlviz_progress_message"  # what the load said, shown after its rerun


def _page_progress(url_path: str) -> str:
    """'✓ visited · 2 of 4 predictions, 1 right' (marks and words, not colour)."""
    progress = quiz.progress()
    questions = load_page(url_path)
    answered, right = progress.page_counts(url_path, [q.uid for q in questions])
    seen = "✓ visited" if url_path in progress.visited else "○ not visited yet"
    if not questions:
        return seen
    return f"{seen} · {answered} of {len(questions)} predictions made, {right} right"


def learning_path() -> None:
    """A card per page: its number, title, link, one line, and the learner's progress there."""
    number = 0
    for section, pages in sections().items():
        if section == HOME.section:
            continue
        st.header(section)
        for i, page in enumerate(pages):
            number += 1
            if i % 2 == 0:  # a row per pair: on a phone the columns stack in path order
                cols = st.columns(2)
            with cols[i % 2].container(border=True):
                st.page_link(page.path, label=f"{number}. {page.title}")
                # body text, not st.caption: a caption's grey is under 4.5:1 on the card (axe)
                st.markdown(f"{page.blurb}  \n{_page_progress(page.url_path)}")


def progress_panel() -> None:
    """Overall progress, a download of it as JSON, and an upload that loads a saved file."""
    progress = quiz.progress()
    total = len(all_questions())
    right = sum(a.correct for a in progress.answers.values())
    visited = len(progress.visited - {HOME.url_path, ""})
    st.header("Your progress")
    st.progress(
        len(progress.answers) / max(total, 1),
        text=f"{len(progress.answers)} of {total} predictions made, {right} right; "
        f"{visited} of {len(PAGES) - 1} pages visited.",
    )
    st.caption(
        "Progress lives in this browser tab only. Download it to keep it, and load the file "
        "again next time (nothing is stored on the server)."
    )
    left, right_col = st.columns(2)
    left.download_button(
        "Download my progress",
        data=to_json(progress),
        file_name="dlviz-progress.json",
        mime="application/json",
        icon=":material/download:",
        key="home_progress_download",
        on_click="ignore",
    )
    upload = right_col.file_uploader(
        "Load a saved progress file", type=["json"], key="home_progress_upload"
    )
    if upload is not None:
        _load(upload)
    message = st.session_state.pop(_MESSAGE, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def _load(upload) -> None:
    """Merge an uploaded progress file into this session's (once per file)."""
    if st.session_state.get(_LOADED) == upload.file_id:
        return
    try:
        loaded = from_json(upload.getvalue(), {p.url_path for p in PAGES})
    except ProgressError as err:
        st.error(
            f"That file could not be loaded: {display.escape_markdown(str(err))}",
            icon=":material/error:",
        )
        return
    quiz.progress().merge(loaded)
    st.session_state[_LOADED] = upload.file_id
    st.session_state[_MESSAGE] = (
        f"Loaded {len(loaded.answers)} predictions and {len(loaded.visited)} visited pages."
    )
    st.rerun()  # the learning path above is drawn already: draw it again with the loaded file
