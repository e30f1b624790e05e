"""Playground datasets and input features: shapes, classes, seeds, and the feature formulas."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlviz.playground.data import (
    CLASS_RANGE,
    DATASETS,
    FEATURE_NAMES,
    DataConfig,
    feature_map,
    make_dataset,
    make_points,
    plane_grid,
)


@pytest.mark.parametrize("name", list(DATASETS))
def test_every_dataset_has_balanced_classes_split_and_fits_the_plane(name):
    hi = CLASS_RANGE[name][1]
    d = make_dataset(DataConfig(name=name, n_classes=hi, n_samples=300, test_fraction=0.2))
    assert d.n_classes == hi
    assert len(d.x_train) + len(d.x_test) == 300
    assert len(d.x_test) == 60
    assert d.x_train.dtype == torch.float32 and d.y_train.dtype == torch.int64
    counts = torch.bincount(torch.cat([d.y_train, d.y_test]), minlength=hi)
    assert counts.min() >= 300 // hi * 0.8  # roughly balanced
    assert set(d.y_test.tolist()) == set(range(hi))  # stratified: every class is tested
    assert float(torch.cat([d.x_train, d.x_test]).abs().max()) <= d.limit


def test_class_count_is_clipped_to_what_the_dataset_supports():
    assert make_points(DataConfig(name="moons", n_classes=4))[2] == 2
    assert make_points(DataConfig(name="spiral", n_classes=5))[2] == 3
    assert make_points(DataConfig(name="blobs", n_classes=5))[2] == 5
    assert make_points(DataConfig(name="blobs", n_classes=1))[2] == 2


def test_same_seed_same_points_other_seed_other_points():
    a = make_points(DataConfig(name="spiral", seed=3))
    b = make_points(DataConfig(name="spiral", seed=3))
    c = make_points(DataConfig(name="spiral", seed=4))
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])


def test_noise_moves_points_off_the_clean_shape():
    clean, y, _ = make_points(DataConfig(name="circles", noise=0.0))
    radius = np.linalg.norm(clean, axis=1)
    # without noise every point sits exactly on one of the two circles
    assert np.allclose(np.sort(np.unique(radius.round(4))), [1.215, 2.7], atol=1e-3)
    noisy, _, _ = make_points(DataConfig(name="circles", noise=0.3))
    assert np.unique(np.linalg.norm(noisy, axis=1).round(4)).size > 100


def test_xor_labels_follow_the_sign_of_x1_times_x2_without_noise():
    x, y, _ = make_points(DataConfig(name="xor", noise=0.0))
    np.testing.assert_array_equal(y, (x[:, 0] * x[:, 1] > 0).astype(int))


def test_unknown_dataset_is_refused():
    with pytest.raises(ValueError, match="Unknown dataset"):
        make_points(DataConfig(name="swiss-roll"))


def test_feature_map_computes_each_formula_in_order():
    p = torch.tensor([[1.0, 2.0], [-0.5, 3.0]])
    f = feature_map(p, FEATURE_NAMES)
    x1, x2 = p[:, 0], p[:, 1]
    expected = torch.stack([x1, x2, x1**2, x2**2, x1 * x2, torch.sin(x1), torch.sin(x2)], 1)
    torch.testing.assert_close(f, expected)
    torch.testing.assert_close(feature_map(p, ("x2",)), x2[:, None])


def test_feature_map_needs_known_features():
    with pytest.raises(ValueError):
        feature_map(torch.zeros(3, 2), ())
    with pytest.raises(ValueError):
        feature_map(torch.zeros(3, 2), ("x3",))


def test_plane_grid_rows_are_x2_and_columns_are_x1():
    axis, pts = plane_grid(2.0, 5)
    grid = pts.reshape(5, 5, 2)
    assert axis[0] == -2.0 and axis[-1] == 2.0
    assert torch.all(grid[:, 0, 0] == -2.0)  # first column: x1 = -2
    torch.testing.assert_close(grid[:, 0, 1], torch.from_numpy(axis))  # x2 grows with the row


def test_a_negative_zero_noise_is_no_noise():
    """A link can hold ``pg_noise=-0``; numpy's normal() refuses a scale of -0.0."""
    from dlviz.playground.data import DataConfig, make_points

    for name in ("moons", "xor", "spiral", "blobs", "circles"):
        x, y, _ = make_points(DataConfig(name=name, noise=-0.0))
        x0, y0, _ = make_points(DataConfig(name=name, noise=0.0))
        assert (x == x0).all() and (y == y0).all()
