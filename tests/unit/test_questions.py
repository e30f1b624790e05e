"""Predict-then-reveal questions: every answer key equals what its experiment computes, every
page has its questions, the file format refuses what it should, and progress files round-trip."""

from __future__ import annotations

import json
import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from dlviz.questions import (
    EXPERIMENTS,
    SKETCHES,
    Progress,
    ProgressError,
    QuestionError,
    all_questions,
    from_json,
    judge,
    key_matches,
    load_page,
    pages,
    parse_question,
    run,
    sketch,
    to_json,
    truth,
)
from dlviz.ui.registry import HOME, PAGES

QUESTIONS = all_questions()
PAGE_PATHS = {p.url_path for p in PAGES}
_OUTCOMES: dict = {}


def outcome_of(question):
    """Each experiment once per test session (two tests read every outcome)."""
    if question.uid not in _OUTCOMES:
        _OUTCOMES[question.uid] = run(question)
    return _OUTCOMES[question.uid]


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.uid)
def test_the_answer_key_is_what_the_experiment_computes(question):
    outcome = outcome_of(question)
    assert key_matches(question, outcome), (question.answer, truth(question, outcome))
    assert outcome.summary.strip()
    if outcome.curve is not None:
        xs, ys = outcome.curve
        assert len(xs) == len(ys) > 1


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.uid)
def test_the_right_prediction_is_judged_right_and_the_others_wrong(question):
    outcome = outcome_of(question)
    right = truth(question, outcome)
    assert judge(question, right, outcome)
    if question.kind == "number":
        off = abs(float(right)) * question.accept_rel + question.accept_abs + 1.0
        assert not judge(question, float(right) + off, outcome)
        assert not judge(question, math.nan, outcome)
    else:
        for choice in question.choices:
            assert judge(question, choice.key, outcome) == (choice.key == right)


def test_every_page_after_home_has_at_least_three_questions():
    for page in PAGES:
        if page is HOME:
            continue
        assert len(load_page(page.url_path)) >= 3, page.url_path
    assert set(pages()) <= PAGE_PATHS


def test_every_experiment_answers_some_question_and_questions_use_all_kinds():
    used = {q.experiment for q in QUESTIONS}
    assert used == set(EXPERIMENTS)
    assert {q.kind for q in QUESTIONS} == {"choice", "number", "curve"}


def test_a_wrong_key_is_caught():
    """A key that disagrees with the computation fails key_matches (what CI relies on)."""
    q = next(q for q in QUESTIONS if q.uid == "gradient-descent/lr-0.6-on-L-4")
    wrong = parse_question(q.page, {**_raw(q), "answer": "oscillate"})
    assert not key_matches(wrong, run(wrong))
    n = next(q for q in QUESTIONS if q.uid == "convolution/valid-5x5")
    assert not key_matches(parse_question(n.page, {**_raw(n), "answer": 26.0}), run(n))


def _raw(q) -> dict:
    raw = {
        "id": q.id,
        "prompt": q.prompt,
        "kind": q.kind,
        "experiment": q.experiment,
        "args": dict(q.args),
        "explanation": q.explanation,
        "answer": q.answer,
    }
    if q.choices:
        raw["choices"] = [
            {"key": c.key, "label": c.label, "range": [c.low, c.high], "sketch": c.sketch}
            for c in q.choices
        ]
    return raw


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"kind": "essay"}, "kind must be"),
        ({"answer": "maybe"}, "not one of the choices"),
        ({"choices": ["a"]}, "at least two choices"),
        ({"prompt": " "}, "needs a prompt"),
    ],
)
def test_a_malformed_question_is_refused_with_a_reason(change, words):
    q = next(q for q in QUESTIONS if q.kind == "choice")
    with pytest.raises(QuestionError, match=words):
        parse_question(q.page, {**_raw(q), **change})


def test_a_missing_field_is_named():
    q = QUESTIONS[0]
    raw = _raw(q)
    del raw["experiment"]
    with pytest.raises(QuestionError, match="experiment"):
        parse_question(q.page, raw)


def test_chain_of_slopes_matches_torch_autograd_through_real_layers():
    """Ten nn.Sigmoid layers at x = 0: the gradient reaching the input is 0.25¹⁰."""
    q = next(q for q in QUESTIONS if q.uid == "activations/sigmoid-ten-layers")
    x = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    h = x
    for _ in range(10):
        h = torch.sigmoid(h) - 0.5  # shifted back to 0: every layer sits at its steepest point
    h.sum().backward()
    assert run(q).value == pytest.approx(float(x.grad), rel=1e-12)


@pytest.mark.parametrize("name", SKETCHES)
def test_sketches_are_finite_curves(name):
    xs, ys = sketch(name)
    assert len(xs) == len(ys) > 10 and all(math.isfinite(v) for v in ys)
    with pytest.raises(ValueError):
        sketch("spiral")


def test_progress_round_trips_through_json():
    progress = Progress()
    progress.record("loss/mse-or-ce", "ce", True)
    progress.record("convolution/valid-5x5", 26.0, False)
    progress.visit("loss")
    back = from_json(to_json(progress).encode(), PAGE_PATHS)
    assert back == progress
    assert back.page_counts("loss", ["loss/mse-or-ce", "loss/uniform-ten-classes"]) == (1, 1)


def test_a_right_answer_replaces_a_wrong_one_but_not_the_reverse():
    p = Progress()
    p.record("loss/mse-or-ce", "mse", False)
    p.record("loss/mse-or-ce", "ce", True)
    p.record("loss/mse-or-ce", "mse", False)
    assert p.answers["loss/mse-or-ce"].correct


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (b"\xff\xfe not json", "not JSON"),
        (b"[1, 2]", "not a dlviz progress file"),
        (json.dumps({"format": "dlviz-progress", "version": 9}), "version"),
        (json.dumps({"format": "dlviz-progress", "version": 1, "visited": ["nowhere"]}), "page"),
        (
            json.dumps({"format": "dlviz-progress", "version": 1, "answers": {"x/y": {}}}),
            "question",
        ),
        (
            json.dumps(
                {
                    "format": "dlviz-progress",
                    "version": 1,
                    "answers": {"loss/mse-or-ce": {"prediction": [1], "correct": True}},
                }
            ),
            "not a choice or a number",
        ),
        (b" " * 300_000, "too large"),
    ],
)
def test_a_bad_progress_file_is_refused_in_plain_words(text, words):
    with pytest.raises(ProgressError, match=words):
        from_json(text, PAGE_PATHS)


@given(st.binary(max_size=300) | st.text(max_size=300))
def test_any_upload_either_loads_or_says_why(data):
    try:
        from_json(data, PAGE_PATHS)
    except ProgressError as err:
        assert str(err)
