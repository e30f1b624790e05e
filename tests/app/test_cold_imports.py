"""Cold start under concurrency: no chart may see a half-imported module.

plotly looks pandas up with ``sys.modules.get("pandas")`` (``_plotly_utils.optional_imports.
get_module(..., should_load=False)``, in its validators and JSON encoder). While one learner's
first visit imports pandas, another learner's chart would find it half-made: "partially
initialized module 'pandas' has no attribute 'Series'". app.py's first import
(``dlviz.ui.preload``) makes every page run wait until the shared imports are complete.

Each check runs in a fresh interpreter, so the imports are really cold: thread A is a first visit
that imports pandas; thread B is another session that draws a chart the moment pandas appears in
``sys.modules``. Both first run app.py's imports, as every page run does.
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
    """app.py's imports, up to its first other statement (``st.set_page_config``)."""
    body = ast.parse(app.read_text()).body[1:]  # after the docstring
    first_other = next(
        i for i, n in enumerate(body) if not isinstance(n, ast.Import | ast.ImportFrom)
    )
    assert "set_page_config" in ast.unparse(body[first_other])
    return ast.unparse(ast.Module(body=body[:first_other], type_ignores=[]))


# a fresh server runs a deep link's page without app.py (legacy pages/ mode) until app.py has
# called st.navigation once: then the first thing the page does is its page_header call
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


@pytest.mark.parametrize("entry", ["app.py", "a page on its own"])
def test_a_chart_never_sees_a_half_imported_pandas(entry):
    prelude = app_prelude(ROOT / "app.py") if entry == "app.py" else PAGE_PRELUDE
    result = run_two_sessions(prelude)
    assert result["errors"] == []
    assert result["renders"] >= 1 and result["while_half_made"] == 0


def test_without_the_preload_the_same_race_breaks_the_chart(tmp_path):
    """The check above can fail: drop the preload import and the race is back, every time."""
    source = (ROOT / "app.py").read_text()
    assert "import dlviz.ui.preload" in source
    app = tmp_path / "app.py"
    app.write_text(source.replace("import dlviz.ui.preload", "import math"))
    result = run_two_sessions(app_prelude(app))
    assert result["while_half_made"] >= 1 or result["errors"]
    assert any("partially initialized module 'pandas'" in e for e in result["errors"])


def test_app_imports_the_preload_before_any_streamlit_call():
    assert "import dlviz.ui.preload" in app_prelude(ROOT / "app.py")


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


def test_the_preload_imports_every_package_the_pages_and_dlviz_use():
    """Lazy imports inside functions included, plus what plotly and Streamlit probe."""
    wanted: set[str] = {"pandas", "numpy", "PIL", "pyarrow", "narwhals"}
    ui = [*(ROOT / "dlviz" / "ui").glob("*.py"), *(ROOT / "pages").glob("*.py")]
    for path in [*(ROOT / "dlviz").rglob("*.py"), *(ROOT / "pages").glob("*.py")]:
        wanted |= {m.split(".")[0] for m in _imports(path)}
    # a Streamlit component registers itself with the running app on import, and nothing probes
    # it in sys.modules: its one lazy ``import`` statement waits on the import lock like any other
    wanted -= set(sys.stdlib_module_names) | {"dlviz", "__future__", "streamlit_drawable_canvas"}
    # and dlviz's own modules that a page or its ui helpers import, lazily or not
    wanted |= {m for path in ui for m in _imports(path) if m.startswith("dlviz.")}
    wanted.discard("dlviz.ui.preload")
    code = (
        "import sys, dlviz.ui.preload\n"
        f"print(sorted(m for m in {sorted(wanted)!r} if m not in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]", f"not preloaded: {out.stdout.strip()}"
