"""Drawing preprocessing: MNIST's crop / scale-to-20 / centre-of-mass recipe and the 8x8 digits."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_digits

from dlviz.training.drawing import (
    center_of_mass,
    digits_like,
    ink_box,
    ink_map,
    is_blank,
    mnist_like,
    prepare_input,
)


def stroke_image(top=30, bottom=200, left=40, right=70, size=280) -> np.ndarray:
    """White ink on a black canvas, like the page's drawing canvas."""
    img = np.zeros((size, size), np.uint8)
    img[top:bottom, left:right] = 255
    return img


def test_blank_picture_gives_zeros_and_is_blank():
    blank = np.zeros((280, 280, 4), np.uint8)
    assert is_blank(blank)
    assert is_blank(None)
    assert mnist_like(blank).sum() == 0
    assert digits_like(blank).sum() == 0


def test_mnist_like_longer_side_is_20_and_mass_is_centred():
    out = mnist_like(stroke_image())
    assert out.shape == (28, 28) and out.dtype == np.float32
    top, bottom, left, right = ink_box(out, threshold=0.5)
    assert bottom - top == 20  # the taller side fills the 20-pixel box
    assert right - left < 20 / 3  # aspect ratio kept: a thin bar stays thin
    r, c = center_of_mass(out)
    assert abs(r - 13.5) <= 0.5 and abs(c - 13.5) <= 0.5


def test_mnist_like_is_independent_of_where_and_how_big_the_digit_is():
    a = mnist_like(stroke_image(10, 100, 10, 40))
    b = mnist_like(stroke_image(150, 240, 200, 230))
    assert np.abs(a - b).max() < 1e-5


@settings(max_examples=25, deadline=None)
@given(
    top=st.integers(0, 200),
    left=st.integers(0, 200),
    height=st.integers(3, 79),
    width=st.integers(3, 79),
)
def test_mnist_like_keeps_all_ink_inside_the_frame(top, left, height, width):
    out = mnist_like(stroke_image(top, top + height, left, left + width))
    assert out.min() >= 0.0 and out.max() <= 1.0
    box = ink_box(out, threshold=0.5)
    assert box is not None
    t, b, lft, r = box
    assert max(b - t, r - lft) <= 21


def test_dark_ink_on_white_paper_is_inverted():
    photo = 255 - stroke_image()
    rgb = np.stack([photo] * 3, axis=-1)
    assert np.abs(mnist_like(rgb) - mnist_like(stroke_image())).max() < 1e-5


def test_transparent_canvas_uses_alpha_as_ink():
    rgba = np.zeros((280, 280, 4), np.uint8)
    rgba[30:200, 40:70, 3] = 255  # black strokes, transparent background
    assert ink_map(rgba).max() == pytest.approx(1.0)
    assert np.abs(mnist_like(rgba) - mnist_like(stroke_image())).max() < 1e-5


def test_digits_like_recovers_sklearn_digits_from_big_drawings():
    data = load_digits()
    corr = []
    for img in data.images[:40]:
        big = np.kron(img / 16.0, np.ones((16, 16)))  # an 8x8 digit drawn on a 128x128 canvas
        out = digits_like((big * 255).astype(np.uint8))
        assert out.shape == (8, 8) and out.min() >= 0 and out.max() <= 16 + 1e-4
        corr.append(np.corrcoef(out.ravel(), img.ravel())[0, 1])
    assert np.mean(corr) > 0.85


def test_prepare_input_matches_the_dataset_layout():
    x = prepare_input(stroke_image(), (1, 28, 28))
    assert x.shape == (1, 28, 28) and x.dtype == np.uint8 and x.max() == 255
    d = prepare_input(stroke_image(), (1, 8, 8))
    assert d.shape == (1, 8, 8) and d.dtype == np.uint8 and d.max() > 100
    with pytest.raises(ValueError, match="MNIST or Digits"):
        prepare_input(stroke_image(), (3, 32, 32))


def test_center_of_mass_matches_numpy_average():
    rng = np.random.default_rng(0)
    img = rng.random((28, 28))
    r, c = center_of_mass(img)
    rows, cols = np.indices(img.shape)
    assert r == pytest.approx(np.average(rows, weights=img))
    assert c == pytest.approx(np.average(cols, weights=img))
