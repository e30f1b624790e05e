"""Run tiny tensor work on one MKL thread, only in the calling thread.

The Playground's network is so small (batches of 16 x 8) that multi-threaded MKL kernels (matrix
products, exp, log, tanh) only add synchronisation; on a busy 2-core host they were measured
10-100x slower than single-threaded ones. ``torch.set_num_threads`` is process-wide (and other
pages want their threads), so this uses MKL's own per-thread setting when torch ships MKL, and
does nothing elsewhere.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
from collections.abc import Iterator
from functools import cache

import torch


@cache
def _mkl_set_local():
    """MKL's C ``MKL_Set_Num_Threads_Local(int) -> int`` inside libtorch_cpu, or None."""
    if not torch.backends.mkl.is_available():
        return None
    try:
        lib = ctypes.CDLL(os.path.join(os.path.dirname(torch.__file__), "lib", "libtorch_cpu.so"))
        fn = lib.MKL_Set_Num_Threads_Local
    except (OSError, AttributeError):
        return None
    fn.argtypes, fn.restype = [ctypes.c_int], ctypes.c_int
    return fn


@contextlib.contextmanager
def single_thread_math() -> Iterator[None]:
    """Inside the block, MKL kernels called from this thread use one thread (restored after)."""
    fn = _mkl_set_local()
    previous = fn(1) if fn is not None else None
    try:
        yield
    finally:
        if fn is not None:
            fn(previous)  # 0 restores the process-wide setting
