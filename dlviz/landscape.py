"""The loss landscape of a trained model, after Li et al. (2018), "Visualizing the Loss Landscape".

Two views of the loss as a function of the weights theta, evaluated on a fixed set of test images:

- a 1-D line through weight space, theta(t) = theta_0 + t (theta_1 - theta_0), from the initial
  weights (t = 0) to the trained ones (t = 1) and a little past both ends;
- a 2-D plane through the trained weights, theta(a, b) = theta_1 + a d_1 + b d_2, spanned by two
  random Gaussian directions with *filter-wise normalization*: every filter (row of a weight
  matrix, output channel of a convolution) of a direction is rescaled to the norm of the same
  filter of the trained weights, so the picture does not depend on how each layer is scaled.

Every point is a full forward pass of the real model (``torch.func.functional_call`` with the
shifted weights, eval mode, ``inference_mode``, image chunks). It knows nothing of the run store
or of Streamlit; ``LandscapeStore`` is a small disk cache keyed by run key + settings.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import os
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call

State = dict[str, torch.Tensor]
Progress = Callable[[int, int], None]
"""Called with (points done, points in all) as the evaluation proceeds."""

MIN_RESOLUTION, MAX_RESOLUTION = 5, 51
MAX_TEST_IMAGES = 10_000


@dataclass(frozen=True)
class LandscapeConfig:
    """What to evaluate: grid sizes, how far to go, on how many test images, which directions."""

    resolution: int = 21  # grid points per axis of the plane (odd: the centre is a grid point)
    span: float = 1.0  # the plane covers a, b in [-span, span] (units of filter-normalized d)
    line_points: int = 41  # points on the initial -> final line
    line_margin: float = 0.25  # the line covers t in [-margin, 1 + margin]
    test_images: int = 1000  # first N test images
    seed: int = 0  # of the two random directions

    def __post_init__(self) -> None:
        if not MIN_RESOLUTION <= self.resolution <= MAX_RESOLUTION or self.resolution % 2 == 0:
            raise ValueError(
                f"resolution must be odd and between {MIN_RESOLUTION} and {MAX_RESOLUTION}, "
                f"got {self.resolution}."
            )
        if not (math.isfinite(self.span) and self.span > 0):
            raise ValueError(f"span must be a positive number, got {self.span}.")
        if self.line_points < 3 or not 0 <= self.line_margin <= 2:
            raise ValueError("line_points must be >= 3 and line_margin between 0 and 2.")
        if not 1 <= self.test_images <= MAX_TEST_IMAGES:
            raise ValueError(f"test_images must be between 1 and {MAX_TEST_IMAGES}.")

    def key(self) -> str:
        """sha256 hex of the sorted JSON of the settings."""
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True, eq=False)
class Landscape:
    """Loss and accuracy along the line and over the plane (float64 tensors; NaN/inf kept)."""

    config: LandscapeConfig
    line_t: torch.Tensor  # [L] line coordinate t (0 = initial, 1 = trained)
    line_loss: torch.Tensor  # [L]
    line_acc: torch.Tensor  # [L]
    coords: torch.Tensor  # [R] plane coordinates a (columns) and b (rows)
    plane_loss: torch.Tensor  # [R, R], plane_loss[i, j] at (a = coords[j], b = coords[i])
    plane_acc: torch.Tensor  # [R, R]
    trained_loss: float  # loss of the trained weights, evaluated directly
    trained_acc: float
    images: int  # test images actually used
    seconds: float  # wall time of the evaluation

    @property
    def centre_loss(self) -> float:
        """The plane's value at (0, 0), i.e. at the trained weights."""
        mid = len(self.coords) // 2
        return float(self.plane_loss[mid, mid])

    @property
    def initial_loss(self) -> float:
        """The line's value at t = 0, i.e. at the initial weights."""
        return float(self.line_loss[self.line_t.tolist().index(0.0)])

    @property
    def lowest_loss(self) -> float:
        """The smallest finite loss on the plane (nan when none is finite)."""
        finite = self.plane_loss[torch.isfinite(self.plane_loss)]
        return float(finite.min()) if finite.numel() else float("nan")

    @property
    def nonfinite(self) -> int:
        """How many evaluated points gave an inf/NaN loss."""
        both = torch.cat([self.line_loss.flatten(), self.plane_loss.flatten()])
        return int((~torch.isfinite(both)).sum())


def perturbable(model: nn.Module) -> list[str]:
    """Names of the model's parameters (buffers such as BN running stats stay as trained)."""
    return [name for name, _ in model.named_parameters()]


def normalize_filterwise(
    direction: Mapping[str, torch.Tensor], weights: Mapping[str, torch.Tensor]
) -> State:
    """d_i <- d_i * ||theta_i|| / ||d_i|| per filter i (first dim) of every >=2-D tensor; 1-D -> 0.

    Biases and batch-norm scales/shifts get a zero direction, as in Li et al.'s default.
    """
    out: State = {}
    for name, d in direction.items():
        w = weights[name]
        if d.dim() <= 1:
            out[name] = torch.zeros_like(d)
            continue
        d_norm = d.flatten(1).norm(dim=1).clamp_min(1e-12)
        w_norm = w.flatten(1).norm(dim=1)
        scale = (w_norm / d_norm).view(-1, *([1] * (d.dim() - 1)))
        out[name] = d * scale
    return out


def random_direction(weights: Mapping[str, torch.Tensor], seed: int) -> State:
    """A Gaussian direction N(0, 1) shaped like ``weights``, filter-wise normalized to them."""
    g = torch.Generator().manual_seed(seed)
    raw = {
        name: torch.randn(w.shape, generator=g, dtype=torch.float32).to(w.dtype)
        for name, w in weights.items()
    }
    return normalize_filterwise(raw, weights)


def _float_state(state: Mapping[str, torch.Tensor]) -> State:
    return {k: v.detach().float() if v.is_floating_point() else v for k, v in state.items()}


class Evaluator:
    """Mean cross-entropy and accuracy of one architecture on fixed images, for any weights.

    Built once per (model, images); calling it with a state_dict evaluates the model with those
    weights (``functional_call``, eval mode, ``inference_mode``, chunks of images). CPU speed-ups
    that do not change the result: every convolution output is kept channels_last (max-pooling is
    ~10x faster there), and when the model is a ``Sequential`` starting with a ``Conv2d`` the
    input patches of that layer are unfolded once (``ConvHead``), fused with a following
    ``MaxPool2d`` when there is one.
    """

    def __init__(self, model: nn.Module, x: torch.Tensor, y: torch.Tensor, chunk: int = 250):
        self.model = copy.deepcopy(model).eval()
        for m in self.model.modules():
            if isinstance(m, nn.Conv2d):
                m.register_forward_hook(_channels_last_output)
        self.y = [y[i : i + chunk] for i in range(0, len(y), chunk)]
        self.n = len(y)
        self.head = ConvHead.build(self.model, x)
        self.rest = self.model[self.head.layers :] if self.head else self.model
        chunks = [x[i : i + chunk] for i in range(0, len(y), chunk)]
        self.inputs = [self.head.prepare(c) for c in chunks] if self.head else chunks

    def __call__(self, state: Mapping[str, torch.Tensor]) -> tuple[float, float]:
        """``(mean cross-entropy, accuracy)`` of the model with the weights ``state``."""
        loss_sum, correct = 0.0, 0
        rest = self.head.rest_state(state) if self.head else dict(state)
        with torch.inference_mode():
            for inputs, y in zip(self.inputs, self.y, strict=True):
                h = self.head(state, inputs) if self.head else inputs
                logits = functional_call(self.rest, rest, (h,)).float()
                loss_sum += float(F.cross_entropy(logits, y, reduction="sum"))
                correct += int((logits.argmax(1) == y).sum())
        return loss_sum / self.n, correct / self.n


@dataclass(frozen=True)
class ConvHead:
    """A model's first ``Conv2d`` (and a ``MaxPool2d(k, stride=k)`` right after it) as matmuls.

    The input never changes between weight settings, so its patches are unfolded once (im2col).
    conv(x; W, b) at every output pixel is then ``patches @ W^T + b``; a following k x k max-pool
    is ``max`` over the k*k offsets of the products (+ b after the max, since b is per channel).
    """

    name: str  # the conv's name in the Sequential
    conv: nn.Conv2d
    pool: int  # fused pooling window k (1 = no pooling fused)
    layers: int  # how many leading modules the head replaces (1 or 2)
    out_hw: tuple[int, int]  # spatial size of the head's output (after the fused pooling)

    @classmethod
    def build(cls, model: nn.Module, x: torch.Tensor, max_bytes: int = 256 * 2**20):
        """The head of ``model`` for inputs like ``x``, or None when the fast path does not apply."""
        if not isinstance(model, nn.Sequential) or len(model) < 2 or x.dim() != 4:
            return None
        (name, conv), (_, nxt) = list(model.named_children())[:2]
        if not isinstance(conv, nn.Conv2d) or conv.groups != 1 or conv.padding_mode != "zeros":
            return None
        if isinstance(conv.padding, str):
            return None
        h, w = _conv_out_hw(conv, x.shape[-2:])
        if len(x) * h * w * conv.in_channels * math.prod(conv.kernel_size) * 4 > max_bytes:
            return None
        k = _plain_pool(nxt)
        if k > 1 and min(h, w) >= k:
            return cls(name, conv, k, 2, (h // k, w // k))
        return cls(name, conv, 1, 1, (h, w))

    def prepare(self, x: torch.Tensor) -> torch.Tensor:
        """Patches ``[k*k, N * H' * W', C_in*kh*kw]``: one slab per offset in the pooling window."""
        c = self.conv
        cols = F.unfold(x.float(), c.kernel_size, c.dilation, c.padding, c.stride)  # [N, K, L]
        h, w = _conv_out_hw(c, x.shape[-2:])
        grid = cols.transpose(1, 2).reshape(len(x), h, w, -1)
        k, (hp, wp) = self.pool, self.out_hw
        slabs = [grid[:, i : hp * k : k, j : wp * k : k] for i in range(k) for j in range(k)]
        return torch.stack(slabs).reshape(k * k, -1, grid.shape[-1]).contiguous()

    def __call__(self, state: Mapping[str, torch.Tensor], patches: torch.Tensor) -> torch.Tensor:
        """The head's output for the weights in ``state``: [N, C_out, H', W'] (channels_last)."""
        w = state[f"{self.name}.weight"]
        wt = w.reshape(w.shape[0], -1).t().contiguous()  # a strided W^T makes mm ~3x slower
        out = patches[0] @ wt
        for slab in patches[1:]:
            torch.maximum(out, slab @ wt, out=out)
        b = state.get(f"{self.name}.bias")
        if b is not None:
            out += b
        hp, wp = self.out_hw
        return out.view(-1, hp, wp, w.shape[0]).permute(0, 3, 1, 2)

    def rest_state(self, state: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """The entries of ``state`` that belong to the modules after the head."""
        return {k: v for k, v in state.items() if not k.startswith(f"{self.name}.")}


def _plain_pool(m: nn.Module) -> int:
    """k for a ``MaxPool2d(k)`` with stride k, no padding/dilation/ceil mode; else 1."""
    if not isinstance(m, nn.MaxPool2d) or m.return_indices or m.ceil_mode:
        return 1
    k, s, p, d = (
        v if isinstance(v, int) else (v[0] if len(set(v)) == 1 else -1)
        for v in (m.kernel_size, m.stride or m.kernel_size, m.padding, m.dilation)
    )
    return k if k > 1 and k == s and p == 0 and d == 1 else 1


def _channels_last_output(_module: nn.Module, _inputs, out: torch.Tensor) -> torch.Tensor:
    return out.contiguous(memory_format=torch.channels_last) if out.dim() == 4 else out


def _conv_out_hw(m: nn.Conv2d, hw) -> tuple[int, int]:
    return tuple(
        (hw[i] + 2 * m.padding[i] - m.dilation[i] * (m.kernel_size[i] - 1) - 1) // m.stride[i] + 1
        for i in range(2)
    )


def losses_at(
    evaluate: Evaluator,
    base: Mapping[str, torch.Tensor],
    directions: list[Mapping[str, torch.Tensor]],
    coeffs: torch.Tensor,
    progress: Progress | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean cross-entropy and accuracy at theta = base + sum_k c_k d_k for each row c of coeffs.

    ``base`` holds every entry of the model's state_dict; directions may cover any subset of it.
    Returns two float64 tensors of length ``len(coeffs)``.
    """
    losses = torch.empty(len(coeffs), dtype=torch.float64)
    accs = torch.empty(len(coeffs), dtype=torch.float64)
    names = sorted(set().union(*(d.keys() for d in directions)))
    for p, c in enumerate(coeffs.tolist()):
        state = dict(base)
        for name in names:
            shifted = base[name].clone()
            for ck, d in zip(c, directions, strict=True):
                if name in d and ck != 0:
                    shifted.add_(d[name], alpha=ck)
            state[name] = shifted
        losses[p], accs[p] = evaluate(state)
        if progress is not None:
            progress(p + 1, len(coeffs))
    return losses, accs


def line_coords(cfg: LandscapeConfig) -> torch.Tensor:
    """t values from -margin to 1 + margin, always containing exactly 0 and 1."""
    t = torch.linspace(-cfg.line_margin, 1 + cfg.line_margin, cfg.line_points, dtype=torch.float64)
    for anchor in (0.0, 1.0):
        t[(t - anchor).abs().argmin()] = anchor
    return t


def plane_coords(cfg: LandscapeConfig) -> torch.Tensor:
    """a (and b) values: ``resolution`` points on [-span, span], the middle one exactly 0."""
    c = torch.linspace(-cfg.span, cfg.span, cfg.resolution, dtype=torch.float64)
    c[cfg.resolution // 2] = 0.0
    return c


def loss_landscape(
    model: nn.Module,
    initial_state: Mapping[str, torch.Tensor],
    final_state: Mapping[str, torch.Tensor],
    x: torch.Tensor,
    y: torch.Tensor,
    cfg: LandscapeConfig = LandscapeConfig(),
    progress: Progress | None = None,
) -> Landscape:
    """The 1-D line from the initial to the trained weights and the 2-D filter-normalized plane.

    ``x`` are model-ready float inputs (normalized), ``y`` labels; the first ``cfg.test_images``
    are used. ``model`` only provides the architecture: its own weights are never modified.
    """
    t0 = time.perf_counter()
    x, y = x[: cfg.test_images], y[: cfg.test_images]
    evaluate = Evaluator(model, x, y)
    final, initial = _float_state(final_state), _float_state(initial_state)
    names = perturbable(model)
    params = {n: final[n] for n in names}
    d1 = random_direction(params, cfg.seed * 2 + 1)
    d2 = random_direction(params, cfg.seed * 2 + 2)
    t = line_coords(cfg)
    c = plane_coords(cfg)
    grid = torch.cartesian_prod(c, c).flip(1)  # rows (b, a): b varies slowest -> [R, R] row-major
    total = len(t) + len(grid) + 1

    def report(offset: int) -> Progress | None:
        return None if progress is None else (lambda done, _n: progress(offset + done, total))

    trained_loss, trained_acc = evaluate(final)
    to_final = {
        k: final[k] - initial[k] for k in final if final[k].is_floating_point() and k in initial
    }
    line_loss, line_acc = losses_at(evaluate, initial, [to_final], t[:, None], report(1))
    plane_loss, plane_acc = losses_at(evaluate, final, [d1, d2], grid, report(1 + len(t)))
    r = cfg.resolution
    return Landscape(
        config=cfg,
        line_t=t,
        line_loss=line_loss,
        line_acc=line_acc,
        coords=c,
        plane_loss=plane_loss.view(r, r),
        plane_acc=plane_acc.view(r, r),
        trained_loss=trained_loss,
        trained_acc=trained_acc,
        images=len(y),
        seconds=time.perf_counter() - t0,
    )


class LandscapeStore:
    """Finished landscapes on disk, one small file per (run key, settings); corrupt -> None."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def path(self, run_key: str, cfg: LandscapeConfig) -> Path:
        """``<root>/<run key>-<settings key>.pt`` (both shortened)."""
        return self.root / f"{run_key[:24]}-{cfg.key()[:16]}.pt"

    def get(self, run_key: str, cfg: LandscapeConfig) -> Landscape | None:
        """The stored landscape, or None when absent or unreadable."""
        path = self.path(run_key, cfg)
        if not path.is_file():
            return None
        try:
            d = torch.load(path, map_location="cpu", weights_only=True)
            return Landscape(config=LandscapeConfig(**d.pop("config")), **d)
        except Exception:  # noqa: BLE001 - a damaged cache file is just a cache miss
            return None

    def put(self, run_key: str, landscape: Landscape) -> None:
        """Write atomically (temp file + os.replace)."""
        self.root.mkdir(parents=True, exist_ok=True)
        payload = {k: getattr(landscape, k) for k in landscape.__dataclass_fields__}
        payload["config"] = asdict(landscape.config)
        fd, tmp = tempfile.mkstemp(dir=self.root, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                torch.save(payload, f)
            os.replace(tmp, self.path(run_key, landscape.config))
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
