"""Unit-test fixtures shared by the training-related modules."""

from __future__ import annotations

import pytest
import torch

from dlviz.runtime import configure_torch


@pytest.fixture(scope="module")
def one_torch_thread():
    """One torch thread for a module: on an oversubscribed machine two threads spin-wait and stall."""
    before = torch.get_num_threads()
    configure_torch(threads=1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def data():
    """A small synthetic Digits-shaped dataset (400 train, 100 test images), the same every time."""
    from dlviz.data import synthetic_dataset

    return synthetic_dataset("digits", n_train=400, n_test=100, seed=0)
