"""Process-wide PyTorch tuning for small CPUs, applied once on request (never at import).

What it sets and why is measured in the project's performance notes: thread count from the CPU
quota, flushing denormals, and glibc allocator thresholds that stop page-fault storms.
"""

from __future__ import annotations

import ctypes
import os
import platform

_configured = False


def cpu_quota(default: int | None = None) -> int:
    """Number of CPUs this process may use: cgroup v2 ``cpu.max`` or v1 quota, else affinity."""
    try:
        quota, period = open("/sys/fs/cgroup/cpu.max").read().split()[:2]
        if quota != "max":
            return max(1, int(int(quota) / int(period)))
    except (OSError, ValueError):
        pass
    try:
        quota = int(open("/sys/fs/cgroup/cpu/cpu.cfs_quota_us").read())
        period = int(open("/sys/fs/cgroup/cpu/cpu.cfs_period_us").read())
        if quota > 0:
            return max(1, quota // period)
    except (OSError, ValueError):
        pass
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return default or os.cpu_count() or 1


def _tune_glibc_malloc() -> bool:
    """Keep large activation buffers on the heap instead of mmap/munmap on every step."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    m_trim_threshold, m_top_pad, m_mmap_threshold = -1, -2, -3
    ok = libc.mallopt(m_mmap_threshold, 32 * 1024 * 1024)
    ok &= libc.mallopt(m_trim_threshold, 1024 * 1024 * 1024)
    ok &= libc.mallopt(m_top_pad, 256 * 1024 * 1024)
    return bool(ok)


def configure_torch(threads: int | None = None) -> int:
    """Set torch threads to the CPU quota, flush denormals, tune malloc; idempotent. Returns threads."""
    global _configured
    import torch

    n = threads or cpu_quota()
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)
    if not _configured:
        torch.set_flush_denormal(True)
        _tune_glibc_malloc()
        _configured = True
    return n
