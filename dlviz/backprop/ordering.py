"""Two small solvers of the layered graph drawing (``dlviz.backprop.layout``), on plain lists.

``order_layers`` orders the items of each layer to cut edge crossings (barycenter sweeps down and
up, keeping the best order seen); ``isotonic`` places a row of items as close to their targets as
the gaps between them allow (a least-squares isotonic regression, pool adjacent violators). Items
are only keys here: nothing knows about nodes, boxes or plotly.
"""

from __future__ import annotations

from collections.abc import Sequence

SWEEPS = 10  # ordering sweeps (each one down and one up)


def crossings(order: list[list[str]], down: dict[str, list[str]]) -> int:
    """How many pairs of edge segments cross between consecutive layers."""
    total = 0
    for upper, lower in zip(order, order[1:], strict=False):
        rank = {k: i for i, k in enumerate(lower)}
        seq = [t for s in upper for t in sorted(rank[x] for x in down[s])]
        total += inversions(seq)
    return total


def inversions(seq: list[int]) -> int:
    """Pairs i < j with seq[i] > seq[j] (merge sort, n log n)."""
    if len(seq) < 2:
        return 0
    mid = len(seq) // 2
    left, right = sorted(seq[:mid]), sorted(seq[mid:])
    count = inversions(seq[:mid]) + inversions(seq[mid:])
    j = 0
    for x in left:
        while j < len(right) and right[j] < x:
            j += 1
        count += j
    return count


def sweep(order: list[list[str]], nbrs: dict[str, list[str]], indices: range) -> None:
    """Sort the layers in ``indices`` by the mean rank of each item's neighbours in the layer
    before (in sweep direction); an item without any keeps its relative place (stable)."""
    for li in indices:
        ref = order[li - indices.step]
        rank = {k: i for i, k in enumerate(ref)}
        layer = order[li]
        keys = {}
        for i, key in enumerate(layer):
            ranks = [rank[n] for n in nbrs[key] if n in rank]
            bary = sum(ranks) / len(ranks) if ranks else i * len(ref) / len(layer)
            keys[key] = (bary, i)
        layer.sort(key=keys.__getitem__)


def order_layers(
    order: list[list[str]], down: dict[str, list[str]], up: dict[str, list[str]]
) -> list[list[str]]:
    """Barycenter sweeps down and up; the order with the fewest crossings (the first on ties)."""
    best, fewest = [list(layer) for layer in order], crossings(order, down)
    current = [list(layer) for layer in order]
    for _ in range(SWEEPS):
        sweep(current, up, range(1, len(current)))
        sweep(current, down, range(len(current) - 2, -1, -1))
        now = crossings(current, down)
        if now < fewest:
            best, fewest = [list(layer) for layer in current], now
        if fewest == 0:
            break
    return best


def isotonic(targets: Sequence[float], seps: Sequence[float]) -> list[float]:
    """Positions p closest to ``targets`` (least squares) with p[i+1] - p[i] >= seps[i]."""
    offsets = [0.0]
    for s in seps:
        offsets.append(offsets[-1] + s)
    blocks: list[list[float]] = []  # [mean, count]
    for t, c in zip(targets, offsets, strict=True):
        blocks.append([t - c, 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, n2 = blocks.pop()
            m1, n1 = blocks.pop()
            blocks.append([(m1 * n1 + m2 * n2) / (n1 + n2), n1 + n2])
    out = []
    for mean, n in blocks:
        out.extend([mean] * int(n))
    return [q + c for q, c in zip(out, offsets, strict=True)]
