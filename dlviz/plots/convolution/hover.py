"""Hover text of the sliding-window figure: every padded input pixel (or the padding it is), and
every output cell with the window it came from and the patch under it."""

from __future__ import annotations

import functools

from dlviz.convolution import ConvResult
from dlviz.display import number

repeated = functools.lru_cache(maxsize=1 << 16)(number)
"""``number`` remembered: a pixel appears in up to k² windows, a weight in every frame."""

CHANNEL_NAMES = ("R", "G", "B")


def input_hover(result: ConvResult) -> list[list[str]]:
    padded, p = result.padded, result.spec.padding
    h, w = result.image.shape[-2:]
    hover = []
    for r in range(padded.shape[-2]):
        row = []
        for c in range(padded.shape[-1]):
            inside = p <= r < p + h and p <= c < p + w
            where = (
                f"pixel ({r - p}, {c - p})" if inside else f"padding ({result.spec.padding_mode})"
            )
            row.append(f"{where}: " + " / ".join(number(v, 3) for v in padded[:, r, c].tolist()))
        hover.append(row)
    return hover


def _patch_text(result: ConvResult, r: int, c: int) -> str:
    window = result.windows[..., r, c]
    if window.numel() > 75:
        return ""
    lines = []
    for ch in range(window.shape[0]):
        if window.shape[0] > 1:
            lines.append(f"{CHANNEL_NAMES[ch % 3]}:")
        lines.extend("  ".join(repeated(v, 2) for v in row) for row in window[ch].tolist())
    return "<br>patch:<br>" + "<br>".join(lines)


def output_hover(result: ConvResult, channel: int) -> list[list[str]]:
    out = result.output[channel]
    ext = result.spec.extent
    hover = []
    for r in range(out.shape[0]):
        row = []
        for c in range(out.shape[1]):
            r0, c0 = result.origin(r, c)
            row.append(
                f"output ({r}, {c}) = {number(float(out[r, c]), 4)}<br>window: padded rows "
                f"{r0}–{r0 + ext - 1}, columns {c0}–{c0 + ext - 1}" + _patch_text(result, r, c)
            )
        hover.append(row)
    return hover
