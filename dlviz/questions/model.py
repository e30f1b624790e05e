"""Predict-then-reveal questions as data: one TOML file per page in ``dlviz/questions/data``.

A question asks the learner to commit to a prediction (a ``choice``, a ``number``, or a ``curve``
picked among small sketches) and names the *experiment* that answers it: a registered function of
``dlviz.questions.experiments`` run with the question's ``args`` through the real dlviz / torch
code. Its ``Outcome`` is the truth; the answer key in the file is only checked against it (the
unit tests run every experiment), so a wrong key fails CI instead of misleading a learner.
Streamlit-free; the page side is ``dlviz.ui.quiz``.
"""

from __future__ import annotations

import importlib
import math
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

# Python 3.11+ has tomllib; on 3.10 the same parser is the tomli package (requirements.txt)
tomllib = importlib.import_module("tomllib" if sys.version_info >= (3, 11) else "tomli")

DATA_DIR = Path(__file__).parent / "data"
KINDS = ("choice", "number", "curve")
SKETCHES = ("decay", "zigzag-decay", "zigzag-grow", "plateau", "flat")
"""The shapes a ``curve`` choice can be drawn as (``dlviz.questions.sketches``)."""


class QuestionError(ValueError):
    """A question file that does not follow the format (raised when it is loaded)."""


@dataclass(frozen=True)
class Choice:
    """One option: its key, its label, an optional interval [low, high) of a numeric outcome that
    selects it, and the sketch a ``curve`` question draws for it."""

    key: str
    label: str
    low: float = -math.inf
    high: float = math.inf
    sketch: str = ""


@dataclass(frozen=True)
class Question:
    """One prediction: what is asked, how the learner answers, the key, and the experiment."""

    page: str
    id: str
    prompt: str
    kind: str
    experiment: str
    args: tuple[tuple[str, object], ...]
    explanation: str
    choices: tuple[Choice, ...] = ()
    answer: str | float = ""
    tolerance: float = 1e-6  # the key may differ from the computed number by this much
    accept_rel: float = 0.1  # a learner's number within 10 % of the truth counts as right ...
    accept_abs: float = 0.0  # ... or within this absolute distance
    unit: str = ""
    min_value: float = -1e9
    max_value: float = 1e9
    step: float = 0.01

    @property
    def uid(self) -> str:
        """``page/id``, unique over the app (progress is kept under it)."""
        return f"{self.page}/{self.id}"

    def choice(self, key: str) -> Choice | None:
        """The choice with this key, if any."""
        return next((c for c in self.choices if c.key == key), None)


def _choice(raw: object, where: str) -> Choice:
    if isinstance(raw, str):
        return Choice(raw, raw)
    if not isinstance(raw, dict) or "key" not in raw:
        raise QuestionError(f"{where}: a choice is a string or a table with a key.")
    low, high = raw.get("range", (-math.inf, math.inf))
    return Choice(
        str(raw["key"]),
        str(raw.get("label", raw["key"])),
        float(low),
        float(high),
        str(raw.get("sketch", "")),
    )


def _check(q: Question, where: str) -> None:
    if q.kind not in KINDS:
        raise QuestionError(f"{where}: kind must be one of {', '.join(KINDS)}, not {q.kind!r}.")
    if not q.prompt.strip() or not q.explanation.strip():
        raise QuestionError(f"{where}: a question needs a prompt and an explanation.")
    if q.kind == "number":
        if not isinstance(q.answer, float) or not math.isfinite(q.answer):
            raise QuestionError(f"{where}: a number question's answer is a finite number.")
        return
    keys = [c.key for c in q.choices]
    if len(keys) < 2 or len(set(keys)) != len(keys):
        raise QuestionError(f"{where}: at least two choices with different keys.")
    if q.answer not in keys:
        raise QuestionError(f"{where}: the answer {q.answer!r} is not one of the choices.")
    if q.kind == "curve" and any(c.sketch not in SKETCHES for c in q.choices):
        raise QuestionError(f"{where}: every curve choice needs a sketch from {SKETCHES}.")


def parse_question(page: str, raw: dict, where: str = "") -> Question:
    """A ``Question`` from one ``[[question]]`` table; ``QuestionError`` says what is wrong."""
    where = where or f"{page}/{raw.get('id', '?')}"
    try:
        kind = str(raw["kind"])
        answer = raw["answer"]
        q = Question(
            page=page,
            id=str(raw["id"]),
            prompt=str(raw["prompt"]),
            kind=kind,
            experiment=str(raw["experiment"]),
            args=tuple(sorted(dict(raw.get("args", {})).items())),
            explanation=str(raw["explanation"]),
            choices=tuple(_choice(c, where) for c in raw.get("choices", ())),
            answer=float(answer) if kind == "number" else str(answer),
            tolerance=float(raw.get("tolerance", 1e-6)),
            accept_rel=float(raw.get("accept_rel", 0.1)),
            accept_abs=float(raw.get("accept_abs", 0.0)),
            unit=str(raw.get("unit", "")),
            min_value=float(raw.get("min", -1e9)),
            max_value=float(raw.get("max", 1e9)),
            step=float(raw.get("step", 0.01)),
        )
    except KeyError as err:
        raise QuestionError(f"{where}: missing field {err.args[0]!r}.") from None
    except (TypeError, ValueError) as err:
        raise QuestionError(f"{where}: {err}") from None
    _check(q, where)
    return q


def pages() -> tuple[str, ...]:
    """The pages (URL paths) that have a question file, sorted."""
    return tuple(sorted(p.stem for p in DATA_DIR.glob("*.toml")))


@cache
def load_page(page: str) -> tuple[Question, ...]:
    """The questions of one page (its URL path), in file order; () when it has no file."""
    path = DATA_DIR / f"{page}.toml"
    if not path.is_file():
        return ()
    with path.open("rb") as f:
        raw = tomllib.load(f)
    questions = tuple(parse_question(page, q) for q in raw.get("question", ()))
    ids = [q.id for q in questions]
    if len(set(ids)) != len(ids):
        raise QuestionError(f"{page}: two questions share an id.")
    return questions


def all_questions() -> tuple[Question, ...]:
    """Every question of every page."""
    return tuple(q for page in pages() for q in load_page(page))
