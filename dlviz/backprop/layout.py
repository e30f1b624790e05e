"""A layered drawing of a traced graph: where every value box and operation goes, and edge routes.

The drawn graph has one *value* item per node and one *op* item per operation; an edge runs from
each parent's value into the op, and from the op into its result. ``layout_graph`` places them
Sugiyama-style, in plain Python and deterministically (the same graph gives the same layout):

1. layers: longest path from the leaves, so the output is last and every edge goes to a later
   layer; then each item moves as late as its consumers allow, so a bias or a constant sits next
   to the op that uses it instead of in the first column;
2. an edge that spans several layers gets a *bend* in each layer it crosses, so it is routed
   around the boxes in between; the edges out of one value share their bends (a trunk that
   branches off at each use, like graphviz's ``concentrate``), so a variable used ten times
   draws one line down the graph, not ten;
3. order within a layer: barycenter sweeps down and up, keeping the order with fewest crossings
   (the solvers of 3 and 4 are in ``dlviz.backprop.ordering``);
4. coordinates: layers one after the other along the flow (left to right or top to bottom),
   items across as close to the mean of their neighbours as the order and the gaps allow (an
   isotonic regression per layer), which straightens the edges.

Sizes come from the caller (``size(node, kind)``, the drawing knows its fonts); nothing here draws.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dlviz.backprop.graph import Graph, Node
from dlviz.backprop.ordering import isotonic, order_layers

VALUE, OP, BEND = "value", "op", "bend"
DIRECTIONS = ("LR", "TB")  # left to right ("wide") or top to bottom ("tall")
ROUNDS = 8  # coordinate rounds (each one down and one up)

Size = Callable[[Node, str], tuple[float, float]]
"""(width, height) of a node drawn as ``VALUE`` or ``OP``."""


@dataclass(frozen=True)
class Spacing:
    """Gaps of the drawing, in the units of the sizes."""

    layer_gap: float = 18.0  # between two layers, along the flow
    node_gap: float = 10.0  # between two boxes of one layer
    bend_gap: float = 7.0  # between a bend and its neighbours


@dataclass(frozen=True)
class Placed:
    """One drawn item: its centre (x right, y down), size and layer."""

    key: str  # "v3": the value of node 3; "o3": the operation that made it; "bv3@5": a bend
    kind: str  # VALUE, OP or BEND
    node: int  # the graph node it draws (a bend: the node whose op its edge leads to)
    layer: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Route:
    """An edge from ``source`` to ``target`` (item keys) as a polyline, exit point to entry."""

    source: str
    target: str
    points: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Layout:
    """Every value and op item (bends are only in the routes), every edge, the total size."""

    direction: str
    items: tuple[Placed, ...]
    routes: tuple[Route, ...]
    width: float
    height: float

    def item(self, key: str) -> Placed:
        """The item with this key."""
        return next(p for p in self.items if p.key == key)


def value_key(node: int) -> str:
    """The key of node ``node``'s value box."""
    return f"v{node}"


def op_key(node: int) -> str:
    """The key of the operation that made node ``node``."""
    return f"o{node}"


def links(graph: Graph) -> list[tuple[str, str]]:
    """The drawn edges: parent value -> op (one per operand, so a*a has two), op -> its value."""
    out = []
    for n in graph.nodes:
        if n.op:
            out.extend((value_key(p), op_key(n.id)) for p in n.parents)
            out.append((op_key(n.id), value_key(n.id)))
    return out


def layers(graph: Graph) -> dict[str, int]:
    """The layer of every value and op item: longest path from the leaves, then as late as the
    consumers allow (the output keeps its layer, so the drawing is no longer than the path)."""
    first: dict[str, int] = {}
    for n in graph.nodes:  # topological order: parents first
        if n.op:
            first[op_key(n.id)] = 1 + max((first[value_key(p)] for p in n.parents), default=-1)
            first[value_key(n.id)] = first[op_key(n.id)] + 1
        else:
            first[value_key(n.id)] = 0
    consumers: dict[int, list[int]] = {n.id: [] for n in graph.nodes}
    for n in graph.nodes:
        for p in n.parents:
            consumers[p].append(n.id)
    layer = dict(first)
    for n in reversed(graph.nodes):  # consumers first
        uses = [layer[op_key(c)] for c in consumers[n.id]]
        if uses:
            layer[value_key(n.id)] = min(uses) - 1
        if n.op:
            layer[op_key(n.id)] = layer[value_key(n.id)] - 1
    return layer


@dataclass
class _Item:
    key: str
    kind: str
    node: int
    layer: int
    width: float = 0.0
    height: float = 0.0
    across: float = 0.0


def _chains(
    graph: Graph, layer: dict[str, int], size: Size, direction: str
) -> tuple[dict[str, _Item], list[list[str]]]:
    """The items (bends added) and, for every edge, its chain of item keys source -> target."""
    items: dict[str, _Item] = {}
    for n in graph.nodes:
        kinds = [(value_key(n.id), VALUE)] + ([(op_key(n.id), OP)] if n.op else [])
        for key, kind in kinds:
            w, h = size(n, kind)
            items[key] = _Item(key, kind, n.id, layer[key], w, h)
    chains = []
    for source, target in links(graph):
        chain = [source]
        for lay in range(layer[source] + 1, layer[target]):
            key = f"b{source}@{lay}"  # shared by every edge out of ``source``: one trunk
            items.setdefault(key, _Item(key, BEND, items[target].node, lay))
            chain.append(key)
        chains.append([*chain, target])
    return items, chains


def _initial_order(graph: Graph, items: dict[str, _Item], count: int) -> list[list[str]]:
    """Layers ordered by a depth-first walk from the output over the parents (a tree-like start)."""
    visit: dict[int, int] = {}
    stack = [graph.root.id]
    while stack:
        i = stack.pop()
        if i in visit:
            continue
        visit[i] = len(visit)
        stack.extend(reversed(graph.nodes[i].parents))
    order: list[list[str]] = [[] for _ in range(count)]
    for key in sorted(items, key=lambda k: (visit.get(items[k].node, 0), k)):
        order[items[key].layer].append(key)
    return order


def _place_across(
    order: list[list[str]],
    items: dict[str, _Item],
    nbrs: tuple[dict[str, list[str]], dict[str, list[str]]],
    extent: Callable[[_Item], float],
    spacing: Spacing,
) -> None:
    """Across-coordinates: packed, then pulled towards the mean of the neighbours, in rounds."""

    def sep(a: _Item, b: _Item) -> float:
        gap = spacing.bend_gap if BEND in (a.kind, b.kind) else spacing.node_gap
        return (extent(a) + extent(b)) / 2 + gap

    def settle(layer: list[str], sources: Sequence[dict[str, list[str]]]) -> None:
        row = [items[k] for k in layer]
        targets = []
        for it in row:
            near = [items[n] for nb in sources for n in nb[it.key]]
            if it.kind == BEND:  # a trunk runs straight: only its own line pulls it
                near = [n for n in near if n.kind != OP] or near
            targets.append(sum(n.across for n in near) / len(near) if near else it.across)
        seps = [sep(a, b) for a, b in zip(row, row[1:], strict=False)]
        for it, p in zip(row, isotonic(targets, seps), strict=True):
            it.across = p

    up, down = nbrs
    for layer in order:
        settle(layer, ())  # packed from 0 in order
    for _ in range(ROUNDS):
        for layer in order[1:]:
            settle(layer, (up,))
        for layer in reversed(order[:-1]):
            settle(layer, (down,))
    for layer in order:
        settle(layer, (up, down))


def layout_graph(
    graph: Graph, size: Size, direction: str = "LR", spacing: Spacing | None = None
) -> Layout:
    """Place ``graph``'s value and op items in layers along ``direction`` ("LR" or "TB")."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be 'LR' or 'TB', not {direction!r}")
    spacing = spacing or Spacing()
    items, chains = _chains(graph, layers(graph), size, direction)
    down: dict[str, list[str]] = {k: [] for k in items}
    up: dict[str, list[str]] = {k: [] for k in items}
    for chain in chains:
        for a, b in zip(chain, chain[1:], strict=False):
            if b not in down[a]:
                down[a].append(b)
                up[b].append(a)
    count = 1 + max(it.layer for it in items.values())
    order = order_layers(_initial_order(graph, items, count), down, up)
    tall = direction == "TB"

    def flow(it: _Item) -> float:
        return it.height if tall else it.width

    def across(it: _Item) -> float:
        return it.width if tall else it.height

    _place_across(order, items, (up, down), across, spacing)
    low = min(it.across - across(it) / 2 for it in items.values())
    starts, thick, pos = [], [], 0.0
    for layer in order:
        thick.append(max((flow(items[k]) for k in layer), default=0.0))
        starts.append(pos)
        pos += thick[-1] + spacing.layer_gap
    length = pos - spacing.layer_gap
    breadth = max(it.across + across(it) / 2 for it in items.values()) - low

    def point(f: float, a: float) -> tuple[float, float]:
        return (a - low, f) if tall else (f, a - low)

    placed = []
    for it in items.values():
        if it.kind != BEND:
            x, y = point(starts[it.layer] + thick[it.layer] / 2, it.across)
            placed.append(Placed(it.key, it.kind, it.node, it.layer, x, y, it.width, it.height))
    routes = [_route(chain, items, starts, thick, flow, point) for chain in chains]
    width, height = (breadth, length) if tall else (length, breadth)
    return Layout(direction, tuple(placed), _spread_twins(routes, tall), width, height)


def _route(chain, items, starts, thick, flow, point) -> Route:
    """An edge's polyline: out of the source's far side, straight through each bend's layer,
    into the target's near side."""
    source, target = items[chain[0]], items[chain[-1]]
    centre = starts[source.layer] + thick[source.layer] / 2
    points = [point(centre + flow(source) / 2, source.across)]
    for key in chain[1:-1]:
        bend = items[key]
        points.append(point(starts[bend.layer], bend.across))
        points.append(point(starts[bend.layer] + thick[bend.layer], bend.across))
    centre = starts[target.layer] + thick[target.layer] / 2
    points.append(point(centre - flow(target) / 2, target.across))
    return Route(source.key, target.key, tuple(points))


def _spread_twins(routes: list[Route], tall: bool, gap: float = 9.0) -> tuple[Route, ...]:
    """Edges with the same ends (a*a) bow apart around the middle so both stay visible."""
    groups: dict[tuple[str, str], list[int]] = {}
    for i, r in enumerate(routes):
        groups.setdefault((r.source, r.target), []).append(i)
    out = list(routes)
    for members in groups.values():
        if len(members) < 2 or any(len(routes[i].points) > 2 for i in members):
            continue  # twins through bends already run side by side
        for j, i in enumerate(members):
            shift = (j - (len(members) - 1) / 2) * gap
            (x0, y0), (x1, y1) = routes[i].points[0], routes[i].points[-1]
            mid = ((x0 + x1) / 2 + (shift if tall else 0), (y0 + y1) / 2 + (0 if tall else shift))
            out[i] = Route(routes[i].source, routes[i].target, ((x0, y0), mid, (x1, y1)))
    return tuple(out)
