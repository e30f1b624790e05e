"""Process-wide PyTorch tuning for small CPUs, applied once on request (never at import).

What it sets and why is measured in the project's performance notes: thread count from the CPU
quota, flushing denormals, and glibc allocator thresholds that stop page-fault storms.
"""

from __future__ import annotations

import ctypes
import functools
import os
import platform

_configured = False


def _read(path: str) -> str:
    with open(path) as f:
        return f.read()


def _cgroup_cpus() -> int | None:
    """CPUs allowed by the cgroup quota (v2 ``cpu.max``, else v1), or None when unlimited."""
    try:
        quota, period = _read("/sys/fs/cgroup/cpu.max").split()[:2]
        if quota != "max":
            return max(1, int(quota) // int(period))
    except (OSError, ValueError):
        pass
    try:
        quota = int(_read("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"))
        period = int(_read("/sys/fs/cgroup/cpu/cpu.cfs_period_us"))
        if quota > 0:
            return max(1, quota // period)
    except (OSError, ValueError):
        pass
    return None


def cpu_quota(default: int | None = None) -> int:
    """Number of CPUs this process may use: min(cgroup quota, CPU affinity)."""
    try:
        affinity = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        affinity = default or os.cpu_count() or 1
    quota = _cgroup_cpus()
    return max(1, min(affinity, quota) if quota else affinity)


def tune_glibc_malloc() -> bool:
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


_OMP_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p)


@functools.cache
def torch_libgomp() -> ctypes.CDLL | None:
    """The GNU OpenMP runtime torch itself loaded (Linux), or None (another runtime, or none).

    Other packages bring their own copy (scikit-learn's wheels do): only torch's runs torch's
    worker threads, so prefer the one inside torch's package folder.
    """
    import torch

    try:
        maps = _read("/proc/self/maps")
    except OSError:
        return None
    paths = sorted({ln.split()[-1] for ln in maps.splitlines() if "/libgomp" in ln})
    own = [p for p in paths if p.startswith(os.path.dirname(torch.__file__) + os.sep)]
    path = own[0] if own else (paths[0] if len(paths) == 1 else None)
    if path is None:
        return None
    try:
        lib = ctypes.CDLL(path)
        lib.GOMP_parallel.argtypes = [_OMP_FN, ctypes.c_void_p, ctypes.c_uint, ctypes.c_uint]
    except (OSError, AttributeError):
        return None
    lib.GOMP_parallel.restype = None
    return lib


def on_omp_threads(fn, threads: int) -> list | None:
    """Run ``fn()`` once on each of the calling thread's ``threads`` OpenMP threads; their results.

    OpenMP workers keep the FPU flags (flush-denormal) they were created with, and only code running
    on them can change that. None when torch does not use GNU OpenMP here (nothing was run).
    """
    if threads < 2:
        return [fn()]
    lib = torch_libgomp()
    if lib is None:
        return None
    results: list = []
    callback = _OMP_FN(lambda _data: results.append(fn()))  # takes the GIL on each thread
    lib.GOMP_parallel(callback, None, threads, 0)  # ctypes releases the GIL during the call
    return results


def name_os_thread(name: str) -> bool:
    """Give the calling thread ``name`` (15 bytes at most) in the OS, as ``ps -L``, ``top -H`` and
    /proc/<pid>/task/*/comm show it (Linux; Python does not do it). False where unsupported."""
    if platform.system() != "Linux":
        return False
    try:
        libc = ctypes.CDLL(None)
        pr_set_name = 15
        return libc.prctl(pr_set_name, name.encode()[:15], 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def denormals_flushed() -> bool:
    """True when the calling thread's FPU flushes denormals (tested with a subnormal product)."""
    tiny, half = 1e-310, 0.5  # 1e-310 is subnormal in float64
    return tiny * half == 0.0


def configure_torch(threads: int | None = None, tune_malloc: bool = True) -> int:
    """Set torch threads (first call: the CPU quota), flush denormals, tune malloc. Returns threads.

    ``tune_malloc=False`` leaves glibc's allocator as it is: its tuning keeps freed memory in the
    process (fast for training, wrong for a web server that should give memory back).

    Idempotent: later calls without ``threads`` keep whatever thread count is set, so a caller
    (a benchmark, a test) can choose its own with ``configure_torch(threads=n)``.
    """
    global _configured
    import torch

    if threads is not None or not _configured:
        n = threads or cpu_quota()
        if torch.get_num_threads() != n:
            torch.set_num_threads(n)
    # The denormal flag lives in the calling thread's FPU state (new threads inherit it from their
    # creator), and Streamlit runs every script run on a fresh thread: set it on every call.
    torch.set_flush_denormal(True)
    # OpenMP workers created before this call (by torch work done earlier on this thread) kept
    # the flags they were born with; set it in each of them too.
    on_omp_threads(lambda: torch.set_flush_denormal(True), torch.get_num_threads())
    if not _configured:
        if tune_malloc:
            tune_glibc_malloc()
        _configured = True
    return torch.get_num_threads()


@functools.cache
def bf16_native() -> bool:
    """True when oneDNN runs bfloat16 natively on this CPU (AVX512-BF16 or AMX), so bf16 pays off."""
    import torch

    try:
        return bool(
            torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported()
        )
    except (AttributeError, RuntimeError):
        return False


def warm_up_optimizers() -> None:
    """Build one throwaway optimizer: torch imports torch._dynamo (1.5-5 s) on the first one."""
    import torch

    torch.optim.SGD(torch.nn.Linear(1, 1).parameters(), lr=0.1)


DEVICES: tuple[str, ...] = ("auto", "cpu", "cuda", "mps")
"""Where a run may train: ``auto`` picks CUDA, then Apple's MPS, then the CPU."""


def resolve_device(name: str = "auto"):
    """``torch.device`` for a DEVICES name; an accelerator that is not here raises ValueError
    with a sentence saying so (``auto`` never does)."""
    import torch

    cuda = torch.cuda.is_available()
    mps = bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())
    if name == "auto":
        return torch.device("cuda" if cuda else "mps" if mps else "cpu")
    if name not in DEVICES:
        raise ValueError(f"Unknown device {name!r}; choose one of {', '.join(DEVICES)}.")
    if (name == "cuda" and not cuda) or (name == "mps" and not mps):
        words = {"cuda": "CUDA (an NVIDIA GPU)", "mps": "MPS (Apple silicon)"}[name]
        raise ValueError(f"{words} is not available on this machine; use --device cpu or auto.")
    return torch.device(name)


def device_label(device) -> str:
    """'CPU (2 threads)', 'CUDA: NVIDIA H200', 'MPS (Apple silicon)'."""
    import torch

    device = torch.device(device)
    if device.type == "cuda":
        return f"CUDA: {torch.cuda.get_device_name(device)}"
    if device.type == "mps":
        return "MPS (Apple silicon)"
    threads = torch.get_num_threads()
    return f"CPU ({threads} thread{'s' if threads != 1 else ''})"
