"""Turn a hand-drawn or uploaded picture into the input a trained model expects.

MNIST's own recipe (LeCun et al.): crop the ink, scale its longer side to 20 pixels keeping the
aspect ratio, then place it in a 28x28 frame so that its centre of mass sits at the centre. The
scikit-learn digits are different: 32x32 bitmaps whose ink fills the frame, counted in 4x4 blocks
into 8x8 images with values 0..16. This module does both, with numpy and Pillow only; it knows
nothing about the canvas widget or Streamlit. ``decode_picture`` turns an uploaded file's bytes
into an array safely: the pixel size is checked before anything is decoded, and every error
Pillow raises becomes one ``PictureError`` whose message a learner can act on.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from dlviz.display import count

INK_THRESHOLD = 0.1  # fraction of the brightest ink below which a pixel counts as background
PICTURE_FORMATS: tuple[str, ...] = ("PNG", "JPEG")
MAX_PICTURE_PIXELS = 5_000_000  # a 2560x1600 screenshot; JPEGs are first decoded at 1/2..1/8
WORKING_SIDE = 1024  # longest side kept after decoding: the model itself sees 28x28 at most
_OTHER_FORMATS = {b"GIF8": "a GIF", b"RIFF": "a WebP", b"II*\x00": "a TIFF", b"MM\x00*": "a TIFF",
                  b"BM": "a BMP"}  # fmt: skip


class PictureError(ValueError):
    """An uploaded file that is no picture dlviz can use; the message says what to do instead."""


def decode_picture(data: bytes, max_pixels: int = MAX_PICTURE_PIXELS) -> np.ndarray:
    """PNG or JPEG bytes -> uint8 array [H, W] (gray), [H, W, 3] (RGB) or [H, W, 4] (RGBA).

    The size in the file's header is checked before any pixel is decoded (a JPEG is first asked
    for a reduced draft), so a small file that would expand to gigabytes is refused at once. The
    result is at most ``WORKING_SIDE`` pixels on its longer side. Raises ``PictureError``.
    """
    try:
        with Image.open(io.BytesIO(data), formats=PICTURE_FORMATS) as im:
            if im.format == "JPEG":  # decode at 1/2, 1/4 or 1/8 scale when that is still large
                im.draft(None, (WORKING_SIDE, WORKING_SIDE))
            _check_size(im.size, max_pixels)
            im.load()
            return _to_array(im)
    except PictureError:
        raise
    except Image.DecompressionBombError as err:
        raise PictureError(_too_big_message(None, max_pixels)) from err
    except UnidentifiedImageError as err:
        raise PictureError(_not_a_picture_message(data)) from err
    except MemoryError as err:
        raise PictureError(_too_big_message(None, max_pixels)) from err
    except Exception as err:  # Pillow raises OSError, ValueError, SyntaxError, EOFError, ...
        raise PictureError(
            "That picture is damaged or incomplete (maybe the upload was cut short), so it "
            "cannot be read. Save it again as PNG or JPEG and upload it again."
        ) from err


def _check_size(size: tuple[int, int], max_pixels: int) -> None:
    width, height = size
    if width < 1 or height < 1 or width * height > max_pixels:
        raise PictureError(_too_big_message(size, max_pixels))


def _too_big_message(size: tuple[int, int] | None, max_pixels: int) -> str:
    what = f"{count(size[0])} × {count(size[1])} pixels" if size else "far too many pixels"
    return (
        f"That picture has {what}; pictures up to {count(max_pixels / 1e6)} megapixels are "
        "accepted. Crop it to the digit or save a smaller copy, then upload that."
    )


def _not_a_picture_message(data: bytes) -> str:
    kind = next((name for magic, name in _OTHER_FORMATS.items() if data.startswith(magic)), None)
    what = f"{kind} file" if kind else "not a PNG or JPEG picture"
    return f"That file is {what}. Save the picture as PNG or JPEG and upload that file."


def _to_array(im: Image.Image) -> np.ndarray:
    """The decoded picture upright, as 8-bit L, RGB or RGBA, shrunk to ``WORKING_SIDE``."""
    im = ImageOps.exif_transpose(im) or im  # phone photos store their rotation in EXIF
    if im.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):  # 16/32-bit gray
        wide = np.asarray(im, dtype=np.float32)
        scale = 257.0 if im.mode.startswith("I;16") or wide.max(initial=0) > 255 else 1.0
        im = Image.fromarray(np.clip(np.rint(wide / scale), 0, 255).astype(np.uint8))
    elif im.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in im.info:
        im = im.convert("RGBA")
    elif im.mode in ("1", "L"):
        im = im.convert("L")
    else:  # RGB, P, CMYK, YCbCr, LAB, HSV
        im = im.convert("RGB")
    im.thumbnail((WORKING_SIDE, WORKING_SIDE), Image.Resampling.BOX)
    return np.asarray(im)


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
