"""A loss landscape computed in parts (the line, blocks of plane rows) that any worker can compute.

``split_landscape`` gives what ``loss_landscape`` gives, number for number: ``plan`` does the
setup once (the states as float, the two random directions, the line and grid coordinates) into a
picklable ``Plan``; ``landscape_part`` evaluates one part of it (``("line", 0, 0)``: the trained
weights and the line; ``("plane", r0, r1)``: plane rows r0..r1-1) with the same ``losses_at`` and
``Evaluator`` as the whole, so every point is the same computation; ``assemble`` puts the parts
back in order. Who computes the parts is the caller's ``PartsMap`` (``dlviz.jobs.fanout.Spread``
on a Ray cluster); it knows nothing of Ray or jobs.
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import torch
from torch import nn

from dlviz.landscape.compute import (
    Landscape,
    LandscapeConfig,
    PointsDone,
    _float_state,
    line_coords,
    losses_at,
    plane_coords,
)
from dlviz.landscape.directions import State, perturbable, random_direction
from dlviz.landscape.evaluator import Evaluator

Part = tuple[str, int, int]


class PartsMap(Protocol):
    """Computes ``[fn(shared, part, tick) for part in parts]`` somewhere, calling ``on_done(i,
    result)`` as each part finishes (``dlviz.jobs.fanout.Spread``)."""

    @property
    def cpus(self) -> int:
        """How many parts can run at once."""

    def map(
        self,
        fn: Callable[[Any, Any, Callable[[], None] | None], Any],
        shared: Any,
        parts: Sequence[Any],
        on_done: Callable[[int, Any], None] | None = None,
    ) -> list[Any]:
        """The parts' results, in order."""


@dataclass(frozen=True, eq=False)
class Plan:
    """Everything a part needs (picklable; ``token`` names it for the per-process evaluator)."""

    token: str
    cfg: LandscapeConfig
    model: nn.Module
    x: torch.Tensor
    y: torch.Tensor
    initial: State
    final: State
    to_final: State
    d1: State
    d2: State
    t: torch.Tensor
    grid: torch.Tensor


def plan(
    model: nn.Module,
    initial_state: Mapping[str, torch.Tensor],
    final_state: Mapping[str, torch.Tensor],
    x: torch.Tensor,
    y: torch.Tensor,
    cfg: LandscapeConfig,
) -> Plan:
    """The setup of ``loss_landscape``, done once for every part."""
    final, initial = _float_state(final_state), _float_state(initial_state)
    params = {n: final[n] for n in perturbable(model)}
    to_final = {
        k: final[k] - initial[k] for k in final if final[k].is_floating_point() and k in initial
    }
    c = plane_coords(cfg)
    return Plan(
        token=uuid.uuid4().hex,
        cfg=cfg,
        model=model,
        x=x[: cfg.test_images],
        y=y[: cfg.test_images],
        initial=initial,
        final=final,
        to_final=to_final,
        d1=random_direction(params, cfg.seed * 2 + 1),
        d2=random_direction(params, cfg.seed * 2 + 2),
        t=line_coords(cfg),
        grid=torch.cartesian_prod(c, c).flip(1),  # rows (b, a), as loss_landscape
    )


def parts_of(cfg: LandscapeConfig, cpus: int) -> list[Part]:
    """The line, then the plane in blocks of rows: about three blocks per CPU, two rows at least."""
    rows = max(2, math.ceil(cfg.resolution / (3 * max(1, cpus))))
    blocks = [("plane", r, min(r + rows, cfg.resolution)) for r in range(0, cfg.resolution, rows)]
    return [("line", 0, 0), *blocks]


def part_points(cfg: LandscapeConfig, part: Part) -> int:
    """Weight settings a part evaluates."""
    kind, r0, r1 = part
    return 1 + cfg.line_points if kind == "line" else (r1 - r0) * cfg.resolution


_EVALUATOR: dict[str, Evaluator] = {}


def _evaluator(p: Plan) -> Evaluator:
    """The plan's evaluator, built once per process (a worker computes several parts)."""
    if p.token not in _EVALUATOR:
        _EVALUATOR.clear()
        _EVALUATOR[p.token] = Evaluator(p.model, p.x, p.y)
    return _EVALUATOR[p.token]


def landscape_part(p: Plan, part: Part, tick: Callable[[], None] | None = None) -> tuple:
    """One part's numbers; ``tick()`` is called after every weight setting (it may raise)."""
    evaluate = _evaluator(p)
    progress = None if tick is None else (lambda _done, _n: tick())
    kind, r0, r1 = part
    if kind == "line":
        trained = evaluate(p.final)
        return trained, *losses_at(evaluate, p.initial, [p.to_final], p.t[:, None], progress)
    r = p.cfg.resolution
    return losses_at(evaluate, p.final, [p.d1, p.d2], p.grid[r0 * r : r1 * r], progress)


def assemble(p: Plan, results: Sequence[tuple], seconds: float) -> Landscape:
    """The landscape from the parts' results (the line first, then the blocks in order)."""
    (trained_loss, trained_acc), line_loss, line_acc = results[0]
    r = p.cfg.resolution
    return Landscape(
        config=p.cfg,
        line_t=p.t,
        line_loss=line_loss,
        line_acc=line_acc,
        coords=plane_coords(p.cfg),
        plane_loss=torch.cat([loss for loss, _ in results[1:]]).view(r, r),
        plane_acc=torch.cat([acc for _, acc in results[1:]]).view(r, r),
        trained_loss=trained_loss,
        trained_acc=trained_acc,
        images=len(p.y),
        seconds=seconds,
    )


def split_landscape(
    model: nn.Module,
    initial_state: Mapping[str, torch.Tensor],
    final_state: Mapping[str, torch.Tensor],
    x: torch.Tensor,
    y: torch.Tensor,
    cfg: LandscapeConfig,
    mapper: PartsMap,
    progress: PointsDone | None = None,
) -> Landscape:
    """``loss_landscape`` computed in parts by ``mapper``; ``progress`` as parts finish."""
    t0 = time.perf_counter()
    p = plan(model, initial_state, final_state, x, y, cfg)
    parts = parts_of(cfg, mapper.cpus)
    done = 0

    def finished(i: int, _result: Any) -> None:
        nonlocal done
        done += part_points(cfg, parts[i])
        if progress is not None:
            progress(done, cfg.points)

    results = mapper.map(landscape_part, p, parts, finished)
    return assemble(p, results, time.perf_counter() - t0)
