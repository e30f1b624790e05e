"""The server's warm-up: heavy imports in a background thread, so Home shows at once and every
other page waits, before it draws anything, until what it needs is completely imported.

Why a gate at all: plotly (like narwhals and Streamlit's dataframe helpers) looks optional
libraries up in ``sys.modules`` instead of importing them (``_plotly_utils.optional_imports.
get_module("pandas", should_load=False)`` is ``sys.modules.get("pandas")``, called by the figure
validators and the JSON encoder). Python puts a module in ``sys.modules`` *before* running its
body, so while one thread imports pandas, a chart drawn by another finds a half-made pandas:
"partially initialized module 'pandas' has no attribute 'Series'". So the modules that anything
probes are imported here, and a page that draws waits for ``wait()`` first.

Why in the background: importing torch, pandas, plotly and friends takes seconds; Home needs
none of them, so app.py only calls ``start()`` (instant) and Home is served at once while the
imports run. Concept pages wait for the first stage (what they draw with); the second stage
(torchvision, scikit-learn, the rest of dlviz) follows without holding them up.

Why ``gc.freeze()``: Streamlit runs a full ``gc.collect(2)`` after every script run
(``runner.postScriptGC``). With these libraries imported that walks ~480k objects, ~210 ms
holding the GIL per rerun here; a burst of slider moves then starved the server's event loop and
left pages out of sync for seconds. Freezing everything the imports created moves it out of the
collector's reach (a full collection then costs a few ms).
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import pkgutil
import threading

# Stage 1: what the concept pages draw with, and everything plotly, narwhals and Streamlit probe
# in sys.modules (they must never see one of these half-made).
PROBED: tuple[str, ...] = (
    "numpy",
    "pandas",
    "pandas.io.formats.style",  # DataFrame.style (jinja2) for st.dataframe
    "pyarrow",  # st.dataframe / st.table serialise through Arrow
    "narwhals",
    "PIL.Image",
    "plotly.graph_objects",
    "plotly.io",
    "plotly.subplots",
    "torch",
)
# Stage 2: the rest, warmed so the training pages open fast (nothing probes these).
LATER: tuple[str, ...] = (
    "torchvision.datasets",
    "sklearn.datasets",
    "sklearn.metrics",
    "sklearn.model_selection",
    "nbformat",  # the notebooks of "Show the code"
    "fsspec",  # the run store's folders (dlviz.storage)
)
OPTIONAL: tuple[str, ...] = ("orjson",)  # plotly's faster JSON engine, when installed

_lock = threading.Lock()
_thread: threading.Thread | None = None
_drawable = threading.Event()  # stage 1 done
_complete = threading.Event()  # stage 2 done
_failure: BaseException | None = None


def start() -> None:
    """Start the warm-up thread once per process (instant; safe from any thread)."""
    global _thread
    with _lock:
        if _thread is None:
            _thread = threading.Thread(target=_warm_up, name="dlviz-warmup", daemon=True)
            _thread.start()


@contextlib.asynccontextmanager
async def lifespan(_app):
    """``st.App``'s lifespan: the warm-up starts when the server starts, before any learner."""
    start()
    yield None


def wait(everything: bool = False, timeout: float | None = None) -> None:
    """Block until the modules pages draw with are imported (``everything``: all of them).

    Raises what the warm-up raised (an ImportError, say) instead of waiting forever.
    """
    start()
    (_complete if everything else _drawable).wait(timeout)
    if _failure is not None:
        raise RuntimeError(f"dlviz could not import what its pages need: {_failure}") from _failure


def ready(everything: bool = False) -> bool:
    """True once ``wait`` would return at once."""
    return (_complete if everything else _drawable).is_set()


def configure_torch_for_the_app() -> int:
    """torch's threads for the web server's own light work (DLVIZ_THREADS, else the CPU quota).

    The allocator is left alone here: the tuning that makes training fast also keeps freed
    memory in the process, and the server trains nothing itself (worker processes do).
    """
    from dlviz.runtime import configure_torch, warm_up_optimizers
    from dlviz.settings import get_settings

    threads = configure_torch(threads=get_settings().threads, tune_malloc=False)
    warm_up_optimizers()
    return threads


def _import_all(names: tuple[str, ...]) -> None:
    for name in names:
        importlib.import_module(name)


def _dlviz_modules() -> None:
    import dlviz

    skip = {"dlviz.__main__", __name__}
    for module in pkgutil.walk_packages(dlviz.__path__, "dlviz."):
        if module.name not in skip:
            importlib.import_module(module.name)


def _warm_up() -> None:
    global _failure
    try:
        _import_all(PROBED)
        for name in OPTIONAL:
            with contextlib.suppress(ImportError):
                importlib.import_module(name)
        configure_torch_for_the_app()
        gc.collect()
        gc.freeze()
        _drawable.set()
        _import_all(LATER)
        _dlviz_modules()
        gc.collect()
        gc.freeze()
    except BaseException as err:  # noqa: BLE001 - reported to every page through wait()
        _failure = err
    finally:
        _drawable.set()
        _complete.set()
