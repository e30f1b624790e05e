"""How numbers and learner input are written on screen: one set of rules for every page.

``number`` formats a float for what it is: significant digits, scientific notation where it is
tiny or huge, never ``-0``, and a word instead of ``nan`` or ``inf``. ``count`` does the same for
"how many steps" style values, where ``None`` means it never happened. ``escape_markdown`` makes
learner input and syntax examples (``x**2``, ``a_b``) print literally inside Markdown. It is plain
Python with no Streamlit in it, so figure builders, the CLI and the ui layer share it.
"""

from __future__ import annotations

import math
import re

NAN_WORD = "n/a"
INF_WORD = "overflow"

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$^=:])")


def number(
    value: float | int | None,
    digits: int = 4,
    *,
    nan: str = NAN_WORD,
    inf: str = INF_WORD,
    none: str = NAN_WORD,
) -> str:
    """``value`` with ``digits`` significant digits; a word for None, NaN and ±inf; no ``-0``.

    ``number(0.000123) == "0.000123"``, ``number(1.5e-9) == "1.5e-09"``,
    ``number(-0.0) == "0"``, ``number(float("nan")) == "n/a"``, ``number(float("-inf")) ==
    "-overflow"`` (the sign of an overflow is kept: it says which way it went).
    """
    if value is None:
        return none
    v = float(value)
    if math.isnan(v):
        return nan
    if math.isinf(v):
        if v > 0 or inf != INF_WORD:
            return inf
        return f"-{inf}"
    text = f"{v:.{max(1, digits)}g}"
    return _drop_negative_zero(text)


def fixed(value: float | None, decimals: int = 3, **words: str) -> str:
    """``value`` with a fixed number of decimals, or scientific notation when that would read 0.

    A value that rounds to zero at ``decimals`` places but is not zero (``4e-4`` at 3 places)
    switches to ``number`` so a non-zero value never reads ``0.000``; exact zeros read ``0``.
    """
    if value is None or not math.isfinite(float(value)):
        return number(value, **words)
    v = float(value)
    if v == 0:
        return "0"
    if abs(v) < 0.5 * 10.0**-decimals:
        return number(v, 2)
    return _drop_negative_zero(f"{v:.{decimals}f}")


def percent(value: float | None, decimals: int = 1, **words: str) -> str:
    """A fraction as a percentage (``0.25 -> "25.0%"``); a word for None, NaN and inf."""
    if value is None or not math.isfinite(float(value)):
        return number(value, **words)
    return _drop_negative_zero(f"{float(value):.{decimals}%}")


def exact(value: float | None, **words: str) -> str:
    """Every digit of ``value`` (the shortest text that reads back exactly); words, no ``-0``."""
    if value is None or not math.isfinite(float(value)):
        return number(value, **words)
    return _drop_negative_zero(repr(float(value)))


def signed(text: str) -> str:
    """A number already written by this module, with ``+`` in front when it is positive.

    ``signed(number(0.25)) == "+0.25"``; zero, negatives and words are left as they are.
    """
    mantissa = text.split("e")[0]
    if text[:1].isdigit() and any(c in "123456789" for c in mantissa):
        return f"+{text}"
    return text


def count(value: float | int | None, never: str = "never") -> str:
    """A count of steps or epochs; ``never`` for None, NaN or inf (it did not happen)."""
    if value is None:
        return never
    v = float(value)
    if not math.isfinite(v):
        return never
    return f"{int(round(v)):,}"


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, 21st: a place in a queue."""
    n = int(n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def duration(seconds: float | None) -> str:
    """A rough wait for a learner: 'a few seconds', '40 s', '3 min'; 'a while' when unknown."""
    if seconds is None or not math.isfinite(seconds):
        return "a while"
    if seconds < 5:
        return "a few seconds"
    if seconds < 90:
        return f"{int(round(seconds / 5) * 5)} s"
    return f"{int(round(seconds / 60))} min"


def escape_markdown(text: str) -> str:
    """``text`` with Markdown's (and Streamlit's LaTeX ``$``) special characters escaped.

    Use it on anything that quotes learner input or syntax (``x**2`` would otherwise print as a
    bold ``x2``). Inside backticks Markdown prints text literally, so code spans need no escaping.
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def _drop_negative_zero(text: str) -> str:
    """``-0``, ``-0.000`` and ``-0.0%`` read as zero without the sign."""
    if text.startswith("-") and not any(c in "123456789" for c in text.split("e")[0]):
        return text[1:]
    return text
