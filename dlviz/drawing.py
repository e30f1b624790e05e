"""Turn a hand-drawn or uploaded picture into the input a trained model expects.

MNIST's own recipe (LeCun et al.): crop the ink, scale its longer side to 20 pixels keeping the
aspect ratio, then place it in a 28x28 frame so that its centre of mass sits at the centre. The
scikit-learn digits are different: 32x32 bitmaps whose ink fills the frame, counted in 4x4 blocks
into 8x8 images with values 0..16. This module does both, with numpy and Pillow only; it knows
nothing about the canvas widget or Streamlit.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

INK_THRESHOLD = 0.1  # fraction of the brightest ink below which a pixel counts as background


def ink_map(image: np.ndarray) -> np.ndarray:
    """Float [H, W] in [0, 1] where 1 is ink, from a gray, RGB or RGBA uint8/float image.

    A transparent background (canvas) uses the alpha channel as ink; otherwise luminance
    0.299 R + 0.587 G + 0.114 B, inverted when the border is brighter than the middle
    (dark ink on white paper).
    """
    img = np.asarray(image)
    if img.ndim not in (2, 3):
        raise ValueError(f"expected an image of shape (H, W) or (H, W, C), got {img.shape}")
    integer = np.issubdtype(img.dtype, np.integer)
    img = img.astype(np.float32)
    if integer or (img.size and img.max() > 1.0):
        img = img / 255.0
    if img.ndim == 2:
        gray = img
    else:
        channels = img.shape[2]
        if channels == 4 and img[..., 3].min() < 0.99:
            return np.clip(img[..., 3] * _contrast(img[..., :3]), 0.0, 1.0)
        rgb = img[..., :3] if channels >= 3 else np.repeat(img[..., :1], 3, axis=2)
        gray = rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    if _border_mean(gray) > 0.5:
        gray = 1.0 - gray
    return np.clip(gray, 0.0, 1.0)


def _contrast(rgb: np.ndarray) -> np.ndarray:
    """Per-pixel ink strength of coloured strokes on a transparent canvas (any colour counts)."""
    gray = rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    # dark strokes and bright strokes are both ink: distance from mid-gray, rescaled to [0.5, 1]
    return 0.5 + np.abs(gray - 0.5)


def _border_mean(gray: np.ndarray) -> float:
    """Mean of the outermost rows and columns."""
    edge = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    return float(edge.mean()) if edge.size else 0.0


def ink_box(ink: np.ndarray, threshold: float = INK_THRESHOLD) -> tuple[int, int, int, int] | None:
    """Bounding box (top, bottom, left, right), end-exclusive, of pixels above threshold x max."""
    if ink.size == 0 or ink.max() <= 0:
        return None
    rows, cols = np.nonzero(ink > threshold * ink.max())
    return int(rows.min()), int(rows.max()) + 1, int(cols.min()), int(cols.max()) + 1


def _resize(ink: np.ndarray, height: int, width: int) -> np.ndarray:
    """Anti-aliased resize of a float image in [0, 1] (Pillow's LANCZOS on 32-bit floats)."""
    img = Image.fromarray(ink.astype(np.float32), mode="F")
    out = np.asarray(img.resize((width, height), Image.Resampling.LANCZOS), dtype=np.float32)
    return np.clip(out, 0.0, 1.0)


def _scaled_crop(ink: np.ndarray, box_size: int) -> np.ndarray | None:
    """The ink's bounding box, resized so its longer side is ``box_size``; None when blank."""
    box = ink_box(ink)
    if box is None:
        return None
    top, bottom, left, right = box
    crop = ink[top:bottom, left:right]
    h, w = crop.shape
    scale = box_size / max(h, w)
    return _resize(crop, max(1, round(h * scale)), max(1, round(w * scale)))


def center_of_mass(img: np.ndarray) -> tuple[float, float]:
    """Intensity-weighted centre (row, col) = sum(i * x_i) / sum(x_i); the middle for a blank image."""
    total = float(img.sum())
    if total <= 0:
        return (img.shape[0] - 1) / 2, (img.shape[1] - 1) / 2
    rows = np.arange(img.shape[0], dtype=np.float64)
    cols = np.arange(img.shape[1], dtype=np.float64)
    return float(rows @ img.sum(axis=1) / total), float(cols @ img.sum(axis=0) / total)


def mnist_like(image: np.ndarray, size: int = 28, box_size: int = 20) -> np.ndarray:
    """MNIST preprocessing: crop ink, scale longer side to 20, centre of mass at the middle of 28x28.

    Returns float32 [size, size] in [0, 1] (ink = 1); all zeros for a blank picture.
    """
    digit = _scaled_crop(ink_map(image), box_size)
    out = np.zeros((size, size), dtype=np.float32)
    if digit is None:
        return out
    h, w = digit.shape
    com_r, com_c = center_of_mass(digit)
    mid = (size - 1) / 2
    # place so the centre of mass lands on the middle, without pushing ink out of the frame
    top = int(np.clip(round(mid - com_r), 0, size - h))
    left = int(np.clip(round(mid - com_c), 0, size - w))
    out[top : top + h, left : left + w] = digit
    return out


def digits_like(image: np.ndarray) -> np.ndarray:
    """scikit-learn digits preprocessing: ink fitted into 32x32, then 4x4 block sums -> 8x8 in 0..16."""
    digit = _scaled_crop(ink_map(image), 32)
    canvas = np.zeros((32, 32), dtype=np.float32)
    if digit is not None:
        h, w = digit.shape
        top, left = (32 - h) // 2, (32 - w) // 2
        canvas[top : top + h, left : left + w] = digit
    # each 8x8 cell counts how many of its 16 bitmap pixels are on (here: summed ink)
    return canvas.reshape(8, 4, 8, 4).sum(axis=(1, 3))


def prepare_input(image: np.ndarray, shape: tuple[int, int, int]) -> np.ndarray:
    """The picture as a uint8 [C, H, W] array in the dataset's own scale (ink bright, 0..255).

    Supports the 28x28 gray datasets (MNIST recipe) and the 8x8 digits (values 0..16 stored as
    round(v * 255 / 16)); raises ValueError for other shapes.
    """
    c, h, w = shape
    if c == 1 and (h, w) == (28, 28):
        x = mnist_like(image) * 255.0
    elif c == 1 and (h, w) == (8, 8):
        x = digits_like(image) * (255.0 / 16.0)
    else:
        raise ValueError(
            f"drawing works for 28x28 and 8x8 gray images, not for input shape {shape}; "
            "train on MNIST or Digits to draw your own digits"
        )
    return np.clip(np.rint(x), 0, 255).astype(np.uint8)[None]


def is_blank(image: np.ndarray | None) -> bool:
    """True when the picture has no ink worth classifying."""
    return image is None or ink_box(ink_map(image)) is None
