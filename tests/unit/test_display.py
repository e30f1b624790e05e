"""dlviz.display: numbers are written for what they are, and learner text prints literally."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlviz.display import count, escape_markdown, exact, fixed, number, percent, signed


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.000123, "0.000123"),
        (1.5e-9, "1.5e-09"),
        (-0.0, "0"),
        (-1e-20, "-1e-20"),
        (2.0, "2"),
        (math.nan, "n/a"),
        (math.inf, "overflow"),
        (-math.inf, "-overflow"),
        (None, "n/a"),
    ],
)
def test_number(value, text):
    assert number(value) == text


def test_words_can_be_chosen():
    assert number(math.inf, inf="diverged") == "diverged"
    assert number(-math.inf, inf="diverged") == "diverged"
    assert number(math.nan, nan="undefined") == "undefined"


def test_fixed_never_reads_zero_for_a_non_zero_value():
    assert fixed(4e-4) == "0.0004"
    assert fixed(-4e-4) == "-0.0004"
    assert fixed(0.0) == "0"
    assert fixed(-0.0001, 1) == "-0.0001"
    assert fixed(0.25) == "0.250"


def test_percent_and_count():
    assert percent(0.25) == "25.0%"
    assert percent(-1e-9) == "0.0%"
    assert percent(math.nan) == "n/a"
    assert count(None) == "never"
    assert count(math.inf) == "never"
    assert count(1234.0) == "1,234"


@given(st.floats(allow_nan=True, allow_infinity=True) | st.floats(-1e300, 1e300))
def test_number_never_prints_raw_specials_or_negative_zero(v):
    text = number(v)
    assert text.lower() not in {"nan", "inf", "-inf", "-0"}
    if math.isfinite(v) and v != 0 and abs(v) < 1e300:  # rounding 1.7975e308 up overflows
        assert math.isclose(float(text), v, rel_tol=1e-3)


def test_escape_markdown_keeps_powers_and_underscores():
    assert escape_markdown("write x**2, not x**y") == r"write x\*\*2, not x\*\*y"
    assert escape_markdown("a_b $5") == r"a\_b \$5"


def test_exact_keeps_every_digit_but_no_negative_zero():
    assert exact(0.1 + 0.2) == "0.30000000000000004"
    assert exact(-0.0) == "0.0"
    assert exact(1e-5) == "1e-05"
    assert exact(math.nan) == "n/a" and exact(None) == "n/a"


@pytest.mark.parametrize(
    ("text", "out"),
    [("0.25", "+0.25"), ("-0.3", "-0.3"), ("0", "0"), ("1e-05", "+1e-05"), ("n/a", "n/a")],
)
def test_signed_marks_positive_numbers_only(text, out):
    assert signed(text) == out
