"""Uploaded pictures: decompression bombs refused before decoding, odd files give a message.

``decode_picture`` is what the Training page's uploader calls; every file either becomes an array
that ``prepare_input`` turns into a model input, or raises one ``PictureError`` in plain words.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from dlviz.training.drawing import (
    MAX_PICTURE_PIXELS,
    WORKING_SIDE,
    PictureError,
    decode_picture,
    is_blank,
    prepare_input,
)
from tests.pictures import encoded, huge_png, picture_bytes

ROOT = Path(__file__).resolve().parents[2]
MEASURE = """
import resource, sys, time
from dlviz.training.drawing import PictureError, decode_picture
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
try:
    decode_picture(data)
    outcome = "decoded"
except PictureError as err:
    outcome = "refused: " + str(err)
seconds = time.perf_counter() - t0
grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
print(f"{seconds} {grown_mb} {outcome}")
"""


@pytest.fixture(scope="module")
def bombs(tmp_path_factory) -> dict[int, Path]:
    """13000² and 20000² single-colour PNGs (about 160 and 390 KB), built without the pixels."""
    folder = tmp_path_factory.mktemp("bombs")
    paths = {}
    for side in (13_000, 20_000):
        paths[side] = folder / f"bomb{side}.png"
        paths[side].write_bytes(huge_png(side, side))
    return paths


@pytest.mark.parametrize("side", [13_000, 20_000])
def test_a_decompression_bomb_is_refused_fast_without_memory(bombs, side):
    """In a fresh process, so its peak memory measures the refusal alone (it was 1.6 GB)."""
    path = bombs[side]
    assert path.stat().st_size < 500_000  # small enough for the 5 MB upload limit
    run = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)], capture_output=True, text=True, cwd=ROOT
    )
    assert run.returncode == 0, run.stderr
    _seconds, grown_mb, outcome = run.stdout.strip().split(" ", 2)
    assert outcome.startswith("refused: That picture has"), outcome
    assert "megapixels are accepted" in outcome and "Crop it" in outcome
    if side == 13_000:
        assert "13,000 × 13,000 pixels" in outcome
    assert float(grown_mb) < 200, f"peak memory grew by {grown_mb} MB: it was decoded"


def test_the_size_limit_is_checked_before_decoding_in_process(bombs):
    data = bombs[13_000].read_bytes()
    before = _rss_mb()
    with pytest.raises(PictureError, match="13,000 × 13,000"):
        decode_picture(data)
    assert _rss_mb() - before < 200


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def test_just_under_the_limit_decodes_and_is_shrunk_to_the_working_size():
    side = int(MAX_PICTURE_PIXELS**0.5) - 1
    out = decode_picture(huge_png(side, side, value=255))
    assert out.shape == (WORKING_SIDE, WORKING_SIDE) and out.dtype == np.uint8
    with pytest.raises(PictureError, match="megapixels"):
        decode_picture(huge_png(side + 2, side + 2))


def test_a_large_jpeg_photo_is_decoded_at_a_reduced_draft_size():
    photo = np.full((3000, 4000), 255, np.uint8)  # 12 megapixels: over the limit as a PNG
    photo[500:2500, 1800:2200] = 0
    out = decode_picture(encoded(Image.fromarray(photo), "JPEG"))
    assert max(out.shape) <= WORKING_SIDE
    assert prepare_input(out, (1, 8, 8)).max() > 100  # the dark bar is the ink


@pytest.mark.parametrize(
    "mode, fmt",
    [("L", "PNG"), ("RGB", "PNG"), ("RGBA", "PNG"), ("P", "PNG"), ("LA", "PNG"), ("1", "PNG"),
     ("I;16", "PNG"), ("RGB", "JPEG"), ("L", "JPEG"), ("CMYK", "JPEG")],
)  # fmt: skip
def test_every_colour_mode_gives_the_same_digit(mode, fmt):
    reference = prepare_input(decode_picture(picture_bytes("L", "PNG")), (1, 28, 28))
    x = prepare_input(decode_picture(picture_bytes(mode, fmt)), (1, 28, 28))
    assert x.shape == (1, 28, 28)
    assert np.corrcoef(x.ravel(), reference.ravel())[0, 1] > 0.95


@pytest.mark.parametrize(
    "fmt, name", [("GIF", "a GIF"), ("WEBP", "a WebP"), ("TIFF", "a TIFF"), ("BMP", "a BMP")]
)
def test_other_formats_renamed_to_png_name_their_format(fmt, name):
    with pytest.raises(PictureError, match=f"That file is {name} file.*PNG or JPEG"):
        decode_picture(picture_bytes("RGB", fmt))


@pytest.mark.parametrize("data", [b"", b"hello, this is a text file\n", b"\x89PNG\r\n\x1a\n"])
def test_text_and_empty_files_are_not_pictures(data):
    with pytest.raises(PictureError, match="not a PNG or JPEG picture"):
        decode_picture(data)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated_files_give_a_message(fmt):
    data = picture_bytes("RGB", fmt, size=128)
    for cut in (30, 100, len(data) // 2):
        try:
            out = decode_picture(data[:cut])
        except PictureError as err:
            assert "PNG or JPEG" in str(err)
        else:  # Pillow may accept a cut-off tail: then it is still a usable picture
            assert out.dtype == np.uint8 and out.ndim in (2, 3)


@pytest.mark.parametrize("value", [0, 90, 255])
def test_a_one_pixel_picture_is_blank_or_a_digit(value):
    out = decode_picture(encoded(Image.new("L", (1, 1), value)))
    assert out.shape == (1, 1)
    if not is_blank(out):
        assert prepare_input(out, (1, 8, 8)).shape == (1, 8, 8)


@settings(max_examples=60, deadline=None)
@given(
    cut=st.integers(0, 2_000),
    flips=st.lists(st.tuples(st.integers(0, 2_000), st.integers(0, 255)), max_size=4),
    fmt=st.sampled_from(["PNG", "JPEG"]),
)
def test_damaged_files_never_raise_anything_but_picture_error(cut, flips, fmt):
    data = bytearray(picture_bytes("RGB", fmt, size=48))
    for at, byte in flips:
        if at < len(data):
            data[at] = byte
    try:
        out = decode_picture(bytes(data[: max(cut, 8)] if cut < len(data) else data))
    except PictureError:
        return
    if not is_blank(out):
        assert prepare_input(out, (1, 28, 28)).dtype == np.uint8
