"""Transfer learning: a CNN trained on Fashion-MNIST (or MNIST) reused for Digits (upsampled to
28 x 28).

Three ways to learn Digits from ``n`` labelled images, compared at one or several ``n``: from
scratch (random initial weights), with the source network's layers frozen as a feature extractor
(only a new output layer learns), and fine-tuned (every layer starts from the source weights and
keeps learning). The source run is an ordinary ``TrainConfig`` (``TransferStudy.source_config``),
so it comes from the run store when the page or anyone else trained it. Every run here is a few
seconds of a small loop; nothing draws. Results at different sizes merge into one curve
(``TransferResult.merged``), so a learner can add sizes one at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from dlviz.data import Dataset, dataset_info, normalize
from dlviz.training import TrainConfig, TrainResult
from dlviz.training.models import ModelSpec, build_model

MODES: dict[str, str] = {
    "scratch": "From scratch",
    "frozen": "Frozen source features",
    "fine-tune": "Fine-tuned from the source",
}
SOURCES: tuple[str, ...] = ("fashion-mnist", "mnist")
"""Datasets whose network can be the source: 28 x 28 grey images like upsampled Digits."""
SIZES: tuple[int, ...] = (10, 20, 50, 100, 200, 500, 1000, 1437)
"""The labelled-image counts a learner can pick (1,437 is all of Digits' training split)."""


def mode_label(mode: str, source: str) -> str:
    """'Frozen Fashion-MNIST features', 'Fine-tuned from MNIST', 'From scratch'."""
    name = dataset_info(source).label
    return {"frozen": f"Frozen {name} features", "fine-tune": f"Fine-tuned from {name}"}.get(
        mode, MODES[mode]
    )


SOURCE_SPEC = ModelSpec(kind="cnn", hidden=(128,), channels=(32,))
"""The source network: seed-cnn's layers (conv 32, pool, fully connected 128, output)."""


def upsample(images: torch.Tensor, size: int = 28) -> torch.Tensor:
    """``uint8 [N, 1, 8, 8]`` Digits -> ``uint8 [N, 1, size, size]`` (bilinear)."""
    x = F.interpolate(images.float(), size=(size, size), mode="bilinear", align_corners=False)
    return x.round().clamp(0, 255).to(torch.uint8)


@dataclass(frozen=True)
class TransferResult:
    """Test accuracy on Digits after training, per mode and per number of labelled images."""

    sizes: tuple[int, ...]
    accuracy: dict[str, tuple[float, ...]]  # mode -> one accuracy per size
    source_acc: float  # the source network's test accuracy on its own dataset
    test_images: int
    source: str = "fashion-mnist"

    def __hash__(self) -> int:
        items = tuple(sorted(self.accuracy.items()))
        return hash((self.sizes, items, self.source_acc, self.source))

    def at(self, size: int) -> dict[str, float] | None:
        """Each mode's accuracy with ``size`` labelled images, or None when not run."""
        if size not in self.sizes:
            return None
        i = self.sizes.index(size)
        return {mode: acc[i] for mode, acc in self.accuracy.items()}

    def merged(self, other: TransferResult) -> TransferResult:
        """One curve from two studies of the same source: every size of both, sorted (``other``
        wins where both ran a size). A different source replaces this one."""
        if other.source != self.source or other.test_images != self.test_images:
            return other
        points = {n: self.at(n) for n in self.sizes} | {n: other.at(n) for n in other.sizes}
        sizes = tuple(sorted(points))
        accuracy = {m: tuple(points[n][m] for n in sizes) for m in MODES}
        return TransferResult(sizes, accuracy, other.source_acc, other.test_images, other.source)


@dataclass(frozen=True)
class TransferStudy:
    """Scratch vs frozen vs fine-tuned, at each training-set size, same seed and same images."""

    sizes: tuple[int, ...] = (20, 50, 100, 300)
    source: str = "fashion-mnist"  # one of SOURCES
    steps: int = 150  # the same number of steps at every size (few images: many epochs)
    lr: float = 1e-3
    batch_size: int = 32
    source_images: int = 10_000
    seed: int = 0

    def source_config(self) -> TrainConfig:
        """The source run (Fashion-MNIST or MNIST) whose weights are transferred."""
        return TrainConfig(
            dataset=self.source, model=SOURCE_SPEC, optimizer="adam", lr=2e-3,
            batch_size=256, epochs=3, train_subset=self.source_images, seed=self.seed,
            precision="fp32",
        )  # fmt: skip

    def label(self) -> str:
        """'Transfer study (15 runs)'."""
        return f"Transfer study ({len(self.sizes) * len(MODES)} runs)"

    def run(
        self,
        source: TrainResult,
        digits: Dataset,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> TransferResult:
        """Every mode at every size; ``progress(done, total, words)`` between runs."""
        train_x, test_x = upsample(digits.train_x), upsample(digits.test_x)
        order = torch.randperm(len(digits.train_y), generator=torch.Generator().manual_seed(0))
        accuracy: dict[str, list[float]] = {mode: [] for mode in MODES}
        total, done = len(MODES) * len(self.sizes), 0
        for size in self.sizes:
            idx = order[: min(size, len(order))]
            for mode in MODES:
                model = self._model(source, mode)
                self._fit(model, train_x[idx], digits.train_y[idx])
                accuracy[mode].append(_accuracy(model, test_x, digits.test_y, self.source))
                done += 1
                if progress is not None:
                    words = mode_label(mode, self.source)
                    progress(done, total, f"{words}, {size:,} labelled images")
        return TransferResult(
            self.sizes,
            {m: tuple(a) for m, a in accuracy.items()},
            source.test_acc,
            len(digits.test_y),
            self.source,
        )

    def _model(self, source: TrainResult, mode: str) -> torch.nn.Module:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.seed + 1)
            model = build_model(SOURCE_SPEC, (1, 28, 28), 10)
        if mode != "scratch":
            kept = {k: v for k, v in source.final_state.items() if not k.startswith("out.")}
            model.load_state_dict(kept, strict=False)
        if mode == "frozen":
            for name, p in model.named_parameters():
                p.requires_grad_(name.startswith("out."))
        return model

    def _fit(self, model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> None:
        info = dataset_info(self.source)  # the source's input normalisation
        params = [p for p in model.parameters() if p.requires_grad]
        opt = torch.optim.Adam(params, lr=self.lr)
        g = torch.Generator().manual_seed(self.seed + 2)
        model.train()
        perm, at = torch.randperm(len(y), generator=g), 0
        for _ in range(self.steps):
            if at >= len(perm):  # a new epoch: a new order
                perm, at = torch.randperm(len(y), generator=g), 0
            b = perm[at : at + self.batch_size]
            at += self.batch_size
            loss = F.cross_entropy(model(normalize(x[b], info)), y[b])
            opt.zero_grad()
            loss.backward()
            opt.step()


def _accuracy(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, source: str) -> float:
    model.eval()
    with torch.inference_mode():
        pred = model(normalize(x, dataset_info(source))).argmax(1)
    return float((pred == y).float().mean())
