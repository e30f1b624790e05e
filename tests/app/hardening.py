"""What every page must satisfy after any widget move: the checks the property tests share.

``assert_clean(at)`` fails when the page shows an exception element, or writes NaN, inf, None or
a negative zero where a number belongs: a metric's value or delta, a table cell, or a number
inside a message or caption ("loss = nan", "f(x) = -0"). Prose that names NaN as a concept ("the
loss became NaN") is allowed; a value printed as ``nan`` is not.

``PAGE_SETTINGS`` is the hypothesis profile of the per-page property tests: the number of examples
comes from ``DLVIZ_PROPERTY_EXAMPLES`` (default 20) so CI keeps its time budget and a developer
can run thousands locally.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterator

from hypothesis import HealthCheck, settings

PAGE_SETTINGS = settings(
    max_examples=int(os.environ.get("DLVIZ_PROPERTY_EXAMPLES", "20")),
    deadline=None,
    derandomize=bool(os.environ.get("CI")),  # CI: the same examples every run, no flaky reds
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# A word that stands where a number should: "= nan", ": inf", "is -inf", "(None", "≈ NaN".
# Not prose: "is nan-safe", "of none left", or a word used as a label ("(none: Adagrad has...").
# After "is" / "of", NaN spelled so is prose ("∞/∞ is NaN"): Python writes nan or NAN, never NaN.
_WORD = r"(?:nan|inf(?:inity)?|none)"
_NUMBER_WORD = re.compile(
    rf"(?:[=:≈(]\s*[-+−]?\s*{_WORD}|(?:\bis|\bof)\s*[-+−]?\s*(?-i:(?!NaN\b)){_WORD})"
    r"\b(?![ -]?[a-z]{3}|:\s+[a-z]{3})",
    re.IGNORECASE,
)
# A negative zero: "-0", "-0.000", "−0.0%", but not "-0.5", "10-0" or "x-0.1".
_NEGATIVE_ZERO = re.compile(r"(?<![\w.\d)])[-−]0(?:\.0+)?(?![\d.]*[1-9])(?![\w])")
_MARKDOWN_ESCAPE = re.compile(r"\\([^\w\s])")
# Inline code quotes what a learner typed (a link's `act_x="nan"`, a formula): their text, not
# a number the page wrote, so it is left out of the checks.
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_BAD_CELL = {"nan", "inf", "-inf", "+inf", "none", "infinity", "-infinity", "-0", "−0"}


def _texts(at) -> Iterator[tuple[str, str]]:
    """(kind, text) for every dynamic text element: alerts, captions, markdown, metrics."""
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "text", "toast"):
        for element in at.get(kind):
            value = getattr(element, "value", None)
            if isinstance(value, str):
                yield kind, value


def _metric_problems(at) -> Iterator[str]:
    for m in at.metric:
        for part, text in (("value", m.value), ("delta", m.proto.delta)):
            t = str(text or "").strip()
            if t.lower() in _BAD_CELL or _NEGATIVE_ZERO.fullmatch(t):
                yield f"metric {m.label!r} {part} reads {t!r}"


def _cell_bad(v) -> bool:
    if v is None:
        return True
    if isinstance(v, float):
        return not math.isfinite(v)
    if isinstance(v, str):
        return v.strip().lower() in _BAD_CELL
    return False


def _table_problems(at) -> Iterator[str]:
    for kind in ("dataframe", "table"):
        for element in at.get(kind):
            frame = element.value
            if hasattr(frame, "data"):  # a pandas Styler
                frame = frame.data
            for column in frame.columns:
                for i, v in enumerate(frame[column].tolist()):
                    if _cell_bad(v):
                        yield f"{kind} column {column!r} row {i} shows {v!r}"


def problems(at) -> list[str]:
    """Everything on the page that breaks the rules above, as readable lines."""
    found = [f"exception: {e.message}" for e in at.exception]
    for kind, markdown in _texts(at):
        # Read Markdown escapes (dlviz.display.escape_markdown) as the reader sees them:
        # "\-0\.5" is -0.5, not a negative zero; "\-0" is still one.
        text = _MARKDOWN_ESCAPE.sub(r"\1", _INLINE_CODE.sub("`…`", markdown))
        for pattern in (_NUMBER_WORD, _NEGATIVE_ZERO):
            match = pattern.search(text)
            if match:
                start = max(0, match.start() - 40)
                found.append(
                    f"{kind} shows {match.group(0)!r} in …{text[start : match.end() + 40]}…"
                )
    found.extend(_metric_problems(at))
    found.extend(_table_problems(at))
    return found


def text_problem(text: str) -> str | None:
    """The first NaN, inf, None or -0 written where a number belongs in ``text``, else None."""
    for pattern in (_NUMBER_WORD, _NEGATIVE_ZERO):
        match = pattern.search(text)
        if match:
            return match.group(0)
    return None


def assert_clean(at, context: str = "") -> None:
    """No exception element and no NaN / inf / None / -0 where a number belongs."""
    found = problems(at)
    assert not found, (context + "\n" if context else "") + "\n".join(found)


def enter_text(at, key: str, text: str):
    """Type ``text`` into the text input ``key``, rerun, and check the page stays clean."""
    at.text_input(key=key).set_value(text).run()
    assert_clean(at, text)
    return at
