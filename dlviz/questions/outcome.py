"""What an experiment returns and how a prediction is judged against it.

``Outcome.value`` is the computed answer: a number, or the key of a choice. A numeric outcome of a
choice question selects the choice whose interval [low, high) holds it. ``truth`` is the key (or
number) the computation gives; ``judge`` compares a learner's prediction with it. The answer key
in a question file is never used to judge a learner: the unit tests check it equals ``truth``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from dlviz.questions.model import Question, QuestionError


@dataclass(frozen=True)
class Outcome:
    """The result of one experiment: the answer, a sentence with its key numbers (Markdown), and
    optionally the curve it measured (x, y, and what the axes are)."""

    value: float | str
    summary: str
    curve: tuple[tuple[float, ...], tuple[float, ...]] | None = None
    x_title: str = ""
    y_title: str = ""
    log_y: bool = False


Experiment = Callable[..., Outcome]
EXPERIMENTS: dict[str, Experiment] = {}
"""Experiment name -> function(**args) -> Outcome; filled by ``experiment``."""


def experiment(name: str) -> Callable[[Experiment], Experiment]:
    """Register ``fn`` as the experiment ``name`` (names are unique)."""

    def register(fn: Experiment) -> Experiment:
        if name in EXPERIMENTS:
            raise ValueError(f"experiment {name!r} registered twice")
        EXPERIMENTS[name] = fn
        return fn

    return register


def run(question: Question) -> Outcome:
    """Run the experiment a question names, with its arguments."""
    from dlviz.questions import experiments  # noqa: F401  (registers every experiment)

    fn = EXPERIMENTS.get(question.experiment)
    if fn is None:
        raise QuestionError(f"{question.uid}: unknown experiment {question.experiment!r}.")
    return fn(**dict(question.args))


def truth(question: Question, outcome: Outcome) -> str | float:
    """The right answer by the computation: a choice key, or the number itself."""
    value = outcome.value
    if question.kind == "number":
        return float(value)
    if isinstance(value, str):
        if question.choice(value) is None:
            raise QuestionError(f"{question.uid}: the experiment gave {value!r}, not a choice.")
        return value
    for c in question.choices:
        if c.low <= float(value) < c.high:
            return c.key
    raise QuestionError(f"{question.uid}: no choice covers the computed value {value!r}.")


def key_matches(question: Question, outcome: Outcome) -> bool:
    """Whether the file's answer key is what the computation gives (within ``tolerance``)."""
    right = truth(question, outcome)
    if question.kind == "number":
        return math.isclose(float(question.answer), float(right), abs_tol=question.tolerance)
    return question.answer == right


def judge(question: Question, prediction: str | float, outcome: Outcome) -> bool:
    """Whether the learner's prediction is right: the computed choice, or a number close enough
    (within ``accept_rel`` of it, or ``accept_abs``)."""
    right = truth(question, outcome)
    if question.kind != "number":
        return prediction == right
    p = float(prediction)
    if not math.isfinite(p):
        return False
    allowed = max(question.accept_abs, question.accept_rel * abs(float(right)))
    return abs(p - float(right)) <= allowed + 1e-12
