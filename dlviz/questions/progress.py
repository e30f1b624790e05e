"""A learner's progress: answered questions (the prediction and whether it was right) and visited
pages, kept in the browser session and saved or loaded as a small JSON file. No account, no
server storage: the file is the learner's. ``from_json`` checks everything in it and raises
``ProgressError`` with a plain message for a file that is not a dlviz progress file.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

from dlviz.questions.model import all_questions

FORMAT = "dlviz-progress"
VERSION = 1
MAX_BYTES = 200_000


class ProgressError(ValueError):
    """A progress file that cannot be loaded; the message says why in plain words."""


@dataclass
class Answer:
    """One answered question: what the learner predicted and whether the computation agreed."""

    prediction: str | float
    correct: bool


@dataclass
class Progress:
    """Questions answered (by ``page/id``) and pages visited (by URL path)."""

    answers: dict[str, Answer] = field(default_factory=dict)
    visited: set[str] = field(default_factory=set)

    def record(self, uid: str, prediction: str | float, correct: bool) -> None:
        """Remember an answer (the first one counts; a later one replaces it only if right)."""
        if uid not in self.answers or correct:
            self.answers[uid] = Answer(prediction, correct)

    def visit(self, page: str) -> None:
        """Remember that the learner opened ``page``."""
        self.visited.add(page)

    def page_counts(self, page: str, uids: list[str]) -> tuple[int, int]:
        """(answered, right) among the questions ``uids`` of a page."""
        answered = [self.answers[u] for u in uids if u in self.answers]
        return len(answered), sum(a.correct for a in answered)

    def merge(self, other: Progress) -> None:
        """Add a loaded file's progress to this session's (right answers win)."""
        for uid, answer in other.answers.items():
            self.record(uid, answer.prediction, answer.correct)
        self.visited |= other.visited


def to_json(progress: Progress) -> str:
    """The progress as a small, readable JSON document."""
    return json.dumps(
        {
            "format": FORMAT,
            "version": VERSION,
            "visited": sorted(progress.visited),
            "answers": {
                uid: {"prediction": a.prediction, "correct": a.correct}
                for uid, a in sorted(progress.answers.items())
            },
        },
        indent=2,
        ensure_ascii=False,
    )


def _answer(uid: str, raw: object, known: set[str]) -> Answer:
    if uid not in known:
        raise ProgressError(f"It names a question dlviz does not have ({uid[:60]!r}).")
    if not isinstance(raw, dict) or not isinstance(raw.get("correct"), bool):
        raise ProgressError(f"The answer to {uid!r} is not in the expected form.")
    prediction = raw.get("prediction")
    ok_number = isinstance(prediction, int | float) and not isinstance(prediction, bool)
    if ok_number and not math.isfinite(prediction):
        ok_number = False
    if not (ok_number or (isinstance(prediction, str) and len(prediction) <= 100)):
        raise ProgressError(f"The prediction for {uid!r} is not a choice or a number.")
    return Answer(prediction, raw["correct"])


def from_json(data: bytes | str, pages: set[str]) -> Progress:
    """Read a progress file saved by ``to_json``; ``pages`` are the URL paths a visit may name."""
    if len(data) > MAX_BYTES:
        raise ProgressError("The file is too large to be a dlviz progress file.")
    try:
        raw = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ProgressError("The file is not JSON: choose the file dlviz saved.") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise ProgressError("This JSON file is not a dlviz progress file.")
    if raw.get("version") != VERSION:
        raise ProgressError(f"This progress file has version {raw.get('version')!r}; "
                            f"this dlviz reads version {VERSION}.")  # fmt: skip
    visited, answers = raw.get("visited", []), raw.get("answers", {})
    if not isinstance(visited, list) or not all(isinstance(p, str) for p in visited):
        raise ProgressError("The list of visited pages is not in the expected form.")
    unknown = [p for p in visited if p not in pages]
    if unknown:
        raise ProgressError(f"It names a page dlviz does not have ({unknown[0][:60]!r}).")
    if not isinstance(answers, dict):
        raise ProgressError("The answers are not in the expected form.")
    known = {q.uid for q in all_questions()}
    return Progress({u: _answer(u, a, known) for u, a in answers.items()}, set(visited))
