"""Cold start under concurrency: no chart may see a half-imported module.

plotly looks pandas up with ``sys.modules.get("pandas")`` (``_plotly_utils.optional_imports.
get_module(..., should_load=False)``, in its validators and JSON encoder). While one learner's
first visit imports pandas, another learner's chart would find it half-made: "partially
initialized module 'pandas' has no attribute 'Series'". app.py starts the warm-up
(``dlviz.ui.warmup``, the imports in a background thread) and every page that draws waits for
it in ``page_header`` before it draws anything.

Each check runs in a fresh interpreter, so the imports are really cold: thread A is a first visit
that imports pandas; thread B is another session that draws a chart the moment pandas appears in
``sys.modules``. Both first run app.py's prelude and a page's header, as every page run does.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

TWO_SESSIONS = r"""
import ast, json, sys, threading, time
import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

assert "pandas" not in sys.modules, "pandas must be cold"
PRELUDE = compile(sys.argv[1], "entry", "exec")  # what a page run does before it draws
result = {"errors": [], "renders": 0, "while_half_made": 0}

def first_visit():  # a page that needs pandas, on a cold server
    exec(PRELUDE, {})
    import pandas  # noqa: F401

def chart():  # what st.plotly_chart does with a figure
    fig = go.Figure(go.Scatter(x=np.arange(50.0), y=np.arange(50.0) ** 2))
    pio.to_json(fig, validate=False)

def other_session():
    deadline = time.monotonic() + 120
    while "pandas" not in sys.modules and time.monotonic() < deadline:
        pass  # the worst moment: pandas is in sys.modules and still running its body
    try:
        exec(PRELUDE, {})
        while True:
            half_made = sys.modules["pandas"].__spec__._initializing
            chart()
            result["renders"] += 1
            result["while_half_made"] += bool(half_made)
            if not half_made:
                break
    except Exception as e:
        result["errors"].append(f"{type(e).__name__}: {e}")

b = threading.Thread(target=other_session)
a = threading.Thread(target=first_visit)
b.start(); a.start(); a.join(); b.join()
print(json.dumps(result))
"""


def app_prelude(app: Path) -> str:
    """What app.py does before its first Streamlit call (``st.set_page_config``) in a learner's
    script run (its ``if __name__ == "__main__"`` branch)."""
    body = []
    for node in ast.parse(app.read_text()).body[1:]:  # after the docstring
        if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test):
            body.extend(node.body)
        else:
            body.append(node)
    first_st = next(i for i, n in enumerate(body) if "set_page_config" in ast.unparse(n))
    return ast.unparse(ast.Module(body=body[:first_st], type_ignores=[]))


# a page's first call (a fresh server runs a deep link's page without app.py, in Streamlit's
# legacy pages/ mode, until app.py has called st.navigation once: then this is all there is)
PAGE_PRELUDE = "from dlviz.ui.common import page_header\npage_header('A page', 'Its intro.')"


def run_two_sessions(prelude: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", TWO_SESSIONS, prelude],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


# a real page imports its ui module (and with it dlviz.plots and plotly) before its header
PAGE_WITH_IMPORTS = "from dlviz.ui import depth as ui\nui.page_header('A page', 'Its intro.')"


@pytest.mark.parametrize("entry", ["app.py and a page", "a page on its own", "a page's imports"])
def test_a_chart_never_sees_a_half_imported_pandas(entry):
    prelude = {
        "app.py and a page": app_prelude(ROOT / "app.py") + "\n" + PAGE_PRELUDE,
        "a page on its own": PAGE_PRELUDE,
        "a page's imports": PAGE_WITH_IMPORTS,
    }[entry]
    result = run_two_sessions(prelude)
    assert result["errors"] == []
    assert result["renders"] >= 1 and result["while_half_made"] == 0


def test_without_waiting_for_the_warm_up_the_same_race_breaks_the_chart():
    """The check above can fail: start the warm-up without waiting and the race is back."""
    result = run_two_sessions("from dlviz.ui import warmup\nwarmup.start()")
    assert result["while_half_made"] >= 1 or result["errors"]
    assert any("partially initialized module 'pandas'" in e for e in result["errors"])


def test_every_page_but_home_waits_for_the_warm_up_before_it_runs():
    source = (ROOT / "dlviz" / "ui" / "registry.py").read_text()
    run_page = source[source.index("def run_page") :]
    assert run_page.index("warmup.wait()") < run_page.rindex("page.run()")


def test_server_start_serves_app_py_as_an_st_app_whose_lifespan_starts_the_warm_up():
    """``streamlit run app.py`` finds ``app`` (an ``st.App``) and imports app.py as a module at
    server start, without running the page script; its lifespan starts the warm-up then, before
    any learner connects."""
    from streamlit.web.server.app_discovery import discover_asgi_app

    found = discover_asgi_app(ROOT / "app.py")
    assert found.is_asgi_app and found.import_string == "app:app"
    code = (
        "import asyncio, importlib.util, sys, threading\n"
        "spec = importlib.util.spec_from_file_location('app', 'app.py')\n"
        "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)\n"
        "import streamlit as st\n"
        "assert isinstance(module.app, st.App)\n"
        "assert 'dlviz.ui.registry' not in sys.modules  # no page script ran\n"
        "from dlviz.ui import warmup\n"
        "async def serve():\n"
        "    async with warmup.lifespan(module.app):\n"
        "        return any(t.name == 'dlviz-warmup' for t in threading.enumerate())\n"
        "print(asyncio.run(serve()))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "True"


def test_home_needs_none_of_the_heavy_modules():
    """Home is served while the warm-up runs: app.py's and Home's imports stay light."""
    code = (
        "import sys, streamlit\n"  # the server has imported Streamlit before any page runs
        "import dlviz.ui.home, dlviz.ui.registry, dlviz.ui.common, dlviz.ui.warmup\n"
        "print(sorted(m for m in ('torch', 'pandas', 'numpy', 'sklearn', 'dlviz.plots')"
        " if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


TEXT_ONLY = {"text_sections", "load_text"}  # read markdown files; draw nothing


def _first_call(path: Path) -> str:
    """The first function a page file calls at its top level, past the text-only helpers."""
    for node in ast.parse(path.read_text()).body:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call):
                func = sub.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name not in TEXT_ONLY:
                    return name
    return ""


@pytest.mark.parametrize("page", sorted(p.name for p in (ROOT / "pages").glob("*.py")))
def test_every_page_passes_the_import_gate_before_it_draws(page):
    """page_header waits for the shared imports: it must come before anything else a page does."""
    assert _first_call(ROOT / "pages" / page) == "page_header"


def _imports(path: Path) -> set[str]:
    """Every module named by an import statement in ``path``, function bodies too."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_warm_up_imports_every_package_the_pages_and_dlviz_use():
    """Lazy imports inside functions included, plus what plotly and Streamlit probe."""
    wanted: set[str] = {"pandas", "numpy", "PIL", "pyarrow", "narwhals"}
    ui = [*(ROOT / "dlviz" / "ui").glob("*.py"), *(ROOT / "pages").glob("*.py")]
    for path in [*(ROOT / "dlviz").rglob("*.py"), *(ROOT / "pages").glob("*.py")]:
        wanted |= {m.split(".")[0] for m in _imports(path)}
    # a Streamlit component registers itself with the running app on import, and nothing probes
    # it in sys.modules: its one lazy ``import`` statement waits on the import lock like any other
    wanted -= set(sys.stdlib_module_names) | {"dlviz", "__future__", "streamlit_drawable_canvas"}
    # Ray is imported only with DLVIZ_RAY_ADDRESS set (never otherwise: tests/unit/test_jobs_ray)
    wanted.discard("ray")
    # and dlviz's own modules that a page or its ui helpers import, lazily or not
    wanted |= {m for path in ui for m in _imports(path) if m.startswith("dlviz.")}
    wanted.discard("dlviz.ui.warmup")
    code = (
        "import sys, dlviz.ui.warmup\n"
        "dlviz.ui.warmup.wait(everything=True)\n"
        f"print(sorted(m for m in {sorted(wanted)!r} if m not in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]", f"not warmed up: {out.stdout.strip()}"


def test_the_first_stage_covers_everything_probed_and_freezes_the_heap():
    """Pages that draw wait only for stage 1: it must hold every module plotly and Streamlit
    look up in sys.modules; and after it a full collection is cheap (gc.freeze): it walks only
    the objects left unfrozen, a small fraction of the heap (counted, not timed)."""
    code = (
        "import gc, sys, dlviz.ui.warmup as w\n"
        "w.wait()\n"
        "print(sorted(m for m in ('pandas', 'numpy', 'PIL', 'pyarrow', 'narwhals', 'torch',"
        " 'plotly.graph_objects') if m not in sys.modules))\n"
        "w.wait(everything=True)\n"
        "frozen, walked = gc.get_freeze_count(), len(gc.get_objects())\n"
        "print(frozen > 100_000, walked < frozen // 4)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-2:] == ["[]", "True True"]
