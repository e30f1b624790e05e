"""Predict, then reveal: questions as data, answered by experiments that run dlviz itself.

``load_page(page)`` reads ``data/<page>.toml`` (the page's URL path) into ``Question``s; ``run``
runs the experiment a question names and returns its ``Outcome``; ``truth`` is the answer the
computation gives, ``key_matches`` whether the file's key agrees (the unit tests check every
one), ``judge`` whether a learner's prediction is right. ``Progress`` (``to_json`` /
``from_json``) is what a learner answered and visited. Streamlit-free; the page side is
``dlviz.ui.quiz``.
"""

from __future__ import annotations

from dlviz.questions.model import (
    SKETCHES,
    Choice,
    Question,
    QuestionError,
    all_questions,
    load_page,
    pages,
    parse_question,
)
from dlviz.questions.outcome import EXPERIMENTS, Outcome, judge, key_matches, run, truth
from dlviz.questions.progress import Answer, Progress, ProgressError, from_json, to_json
from dlviz.questions.sketches import sketch

__all__ = [
    "EXPERIMENTS",
    "SKETCHES",
    "Answer",
    "Choice",
    "Outcome",
    "Progress",
    "ProgressError",
    "Question",
    "QuestionError",
    "all_questions",
    "from_json",
    "judge",
    "key_matches",
    "load_page",
    "pages",
    "parse_question",
    "run",
    "sketch",
    "to_json",
    "truth",
]
