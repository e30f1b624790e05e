"""Training-page figures and result helpers, on small fake runs (no training needed)."""

from __future__ import annotations

import base64
import io
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from PIL import Image
from sklearn import metrics

from dlviz.metrics import confusion_matrix, per_class_accuracy
from dlviz.plots.images import image_grid_figure, png_data_uri
from dlviz.plots.style import BAD, GOOD
from dlviz.plots.training.curves import learning_curves_figure, runs_overlay_figure
from dlviz.plots.training.data import (
    class_balance_figure,
    per_class_columns,
    pick_per_class,
    sample_grid_figure,
)
from dlviz.plots.training.inspect import (
    feature_maps_figure,
    first_layer_weights_figure,
    probability_bars_figure,
)
from dlviz.plots.training.results import (
    confusion_matrix_figure,
    per_class_accuracy_figure,
    prediction_grid_figure,
    selected_cell,
)
from dlviz.training.results import (
    cell_indices,
    classification_report_frame,
    differing_fields,
    grid_indices,
    history_csv,
    run_label,
    state_dict_bytes,
    top_k,
)

CLASSES = tuple(str(i) for i in range(10))


def fake_run(n=200, k=10, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    logits = rng.normal(size=(n, k))
    logits[np.arange(n), y] += 2.5  # mostly right
    probs = torch.softmax(torch.tensor(logits), dim=1).to(torch.float16)
    images = torch.tensor(rng.integers(0, 256, (n, 1, 8, 8)), dtype=torch.uint8)
    return images, torch.tensor(y), probs


def history(epochs=4):
    return [
        SimpleNamespace(
            epoch=e, train_loss=1 / e, train_acc=1 - 0.5 / e, val_loss=1.2 / e,
            val_acc=1 - 0.6 / e, test_loss=1.3 / e, test_acc=1 - 0.7 / e, seconds=0.1,
        )
        for e in range(1, epochs + 1)
    ]  # fmt: skip


def decode(fig) -> np.ndarray:
    src = fig.data[0].source
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1]))))


def test_confusion_matrix_matches_sklearn():
    _, y, probs = fake_run()
    pred = probs.float().argmax(1)
    cm = confusion_matrix(y, pred, 10)
    np.testing.assert_array_equal(cm, metrics.confusion_matrix(y, pred, labels=range(10)))
    np.testing.assert_allclose(
        np.nan_to_num(per_class_accuracy(cm)),
        metrics.recall_score(y, pred, labels=range(10), average=None, zero_division=0),
    )


def test_cell_indices_are_exactly_that_cell():
    _, y, probs = fake_run()
    pred = probs.float().argmax(1).numpy()
    cm = confusion_matrix(y, pred, 10)
    t, p = np.unravel_index(np.argmax(cm - np.diag(np.diag(cm))), cm.shape)
    idx = cell_indices(y, pred, t, p)
    assert len(idx) == cm[t, p] > 0
    assert (y.numpy()[idx] == t).all() and (pred[idx] == p).all()


def test_classification_report_frame_has_sklearn_numbers():
    _, y, probs = fake_run()
    pred = probs.float().argmax(1)
    frame = classification_report_frame(y, pred, CLASSES)
    assert list(frame.columns) == ["precision", "recall", "f1-score", "support"]
    assert frame.loc["3", "recall"] == pytest.approx(
        metrics.recall_score(y, pred, labels=[3], average=None)[0]
    )
    assert frame.attrs["accuracy"] == pytest.approx(metrics.accuracy_score(y, pred))


def test_top_k_and_grid_indices():
    probs = torch.tensor([[0.1, 0.7, 0.2], [0.5, 0.2, 0.3]], dtype=torch.float16)
    idx, val = top_k(probs, 2)
    assert idx.tolist() == [[1, 2], [0, 2]]
    assert val[0, 0] == pytest.approx(0.7, abs=1e-3)
    y, pred = np.array([0, 1, 2, 3, 4]), np.array([0, 0, 2, 0, 4])
    assert grid_indices(y, pred, 10, mistakes_only=True).tolist() == [1, 3]
    assert len(grid_indices(y, pred, 3)) == 3


def test_prediction_grid_colours_right_green_and_wrong_red_with_top3_hover():
    images, y, probs = fake_run(n=20)
    fig = prediction_grid_figure(images, y, probs, CLASSES, cols=5)
    pred = probs.float().argmax(1)
    title_colors = [a.font.color for a in fig.layout.annotations]
    expected = [GOOD if p == t else BAD for p, t in zip(pred, y, strict=True)]
    assert title_colors == expected
    assert {s.line.color for s in fig.layout.shapes} <= {GOOD, BAD}
    hovers = fig.data[1].hovertext
    assert len(hovers) == 20 and all("top 3" in h and h.count("%") == 3 for h in hovers)
    # true aspect ratio: square pixels on screen, each 8x8 image upscaled 8x in both directions
    assert fig.layout.yaxis.scaleanchor == "x"
    mosaic = decode(fig)
    first = np.kron(images[0, 0].numpy(), np.ones((8, 8), np.uint8))
    head = 32  # room for the title above the first row
    np.testing.assert_array_equal(mosaic[head : head + 64, :64, 0], first)


def test_image_grid_is_a_crisp_png_of_the_pixels():
    img = np.zeros((2, 1, 4, 4), np.uint8)
    img[0, 0, 1, 2] = 255
    fig = image_grid_figure(img, cols=2, tile_px=8)  # upscale x2
    mosaic = decode(fig)
    assert mosaic.dtype == np.uint8 and mosaic.shape[2] == 4  # RGBA: the gaps are transparent
    assert (mosaic[..., :3] == 255).all(axis=2).sum() >= 4  # one white pixel became 2x2
    assert (mosaic[..., 3] == 0).any() and (
        mosaic[..., 3][mosaic[..., :3].any(axis=2)] == 255
    ).all()
    opaque = decode(image_grid_figure(img, cols=2, tile_px=8, background="#FFFFFF"))
    assert opaque.shape[2] == 3 and (opaque[..., 0] == 255).sum() > 4  # a named background
    assert png_data_uri(np.zeros((2, 2, 3), np.uint8)).startswith("data:image/png;base64,")


def test_sample_grid_titles_are_labels_and_pick_per_class():
    images, y, _ = fake_run(n=100)
    pick = pick_per_class(y, 2, 10)
    assert len(pick) == 20 and [int(y[i]) for i in pick[:2]] == [0, 0]
    fig = sample_grid_figure(images[pick], y[pick], CLASSES)
    assert [a.text for a in fig.layout.annotations] == [CLASSES[int(y[i])] for i in pick]
    columns = per_class_columns(y, 2, 10)  # row by row: one image of each class, twice
    assert sorted(columns.tolist()) == sorted(pick.tolist())
    assert [int(y[i]) for i in columns] == [*range(10), *range(10)]


def test_confusion_matrix_scatter_is_clickable_and_selection_maps_back():
    _, y, probs = fake_run()
    cm = confusion_matrix(y, probs.float().argmax(1), 10)
    fig = confusion_matrix_figure(cm, CLASSES, selected=(3, 5))
    scatter = fig.data[-1]
    assert scatter.type == "scatter" and scatter.marker.symbol == "square"
    assert len(scatter.x) == 100
    i = 3 * 10 + 5
    assert (scatter.y[i], scatter.x[i]) == (3, 5)
    assert scatter.text[i] == (str(cm[3, 5]) if cm[3, 5] else "")  # off the diagonal: no mark
    assert scatter.text[3 * 11] == (f"✓ {cm[3, 3]}" if cm[3, 3] else "")
    assert list(scatter.customdata[i]) == [3, 5]
    assert len(fig.layout.shapes) == 1  # the selected cell is outlined
    assert fig.layout.yaxis.title.text == "true class"
    # a browser click event, an injected point index, and an empty selection
    assert selected_cell({"points": [{"x": 5, "y": 3, "customdata": [3, 5]}]}, 10) == (3, 5)
    assert selected_cell({"points": [], "point_indices": [i]}, 10) == (3, 5)
    assert selected_cell({"points": [{"x": 2, "y": 7}]}, 10) == (7, 2)
    assert selected_cell({"points": [], "point_indices": []}, 10) is None
    assert selected_cell(None, 10) is None


def test_learning_curves_mark_the_scrubbed_epoch():
    fig = learning_curves_figure(history(), epoch=2, steps=[(0.5, 2.0), (1.0, 1.4)])
    names = {t.name for t in fig.data}
    assert {"train", "validation", "test", "batch loss"} <= names
    vlines = [s for s in fig.layout.shapes if s.x0 == s.x1 == 2]
    assert len(vlines) == 2  # on the loss and the accuracy panel
    assert fig.layout.yaxis2.tickformat == ".0%"


def test_other_figures_have_the_expected_traces():
    images, y, probs = fake_run()
    acc = per_class_accuracy(confusion_matrix(y, probs.float().argmax(1), 10))
    fig = per_class_accuracy_figure(acc, CLASSES, overall=0.8)
    assert list(fig.data[0].y) == pytest.approx(list(acc))
    bars = probability_bars_figure(probs[0], CLASSES)
    assert bars.data[0].marker.color[int(probs[0].float().argmax())] == GOOD
    balance = class_balance_figure(y, y[:50], CLASSES)
    assert [t.name for t in balance.data] == ["train", "test"]
    assert sum(balance.data[1].y) == 50
    overlay = runs_overlay_figure({"lr=0.1": history(3), "lr=0.01": history(5)})
    assert sum(t.showlegend for t in overlay.data) == 2
    w = first_layer_weights_figure(np.random.default_rng(0).normal(size=(40, 1, 8, 8)))
    assert len(w.layout.annotations) == 32  # capped at max_units
    fm = feature_maps_figure(np.random.default_rng(0).normal(size=(6, 4, 4)))
    assert len(fm.data[1].hovertext) == 6


def test_exports_and_run_labels():
    csv = history_csv(history(3))
    assert csv.splitlines()[0].startswith("epoch,train_loss")
    assert len(csv.splitlines()) == 4
    state = {"w": torch.arange(6.0).reshape(2, 3)}
    loaded = torch.load(io.BytesIO(state_dict_bytes(state)))
    torch.testing.assert_close(loaded["w"], state["w"])

    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Cfg:
        lr: float = 0.1
        seed: int = 0
        epochs: int = 3

    configs = [Cfg(), Cfg(lr=0.01), Cfg(lr=0.01, seed=1)]
    assert differing_fields(configs) == ["lr", "seed"]
    assert run_label(configs[1], ["lr"]) == "lr=0.01"
    # a preset model and a custom one: the preset has no layer fields, and says so without None
    from dlviz.training import TrainConfig
    from dlviz.training.models import ModelSpec

    mixed = [TrainConfig(model="seed-mlp"), TrainConfig(model=ModelSpec(hidden=(16,)))]
    names = differing_fields(mixed)
    assert "model.hidden" in names
    assert "None" not in run_label(mixed[0], names) and "hidden=–" in run_label(mixed[0], names)
