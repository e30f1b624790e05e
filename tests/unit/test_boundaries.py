"""Architecture rules: dlviz (outside dlviz.ui) is Streamlit-free and never imports dlviz.ui;
pages never import torch."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_importing_every_dlviz_module_outside_ui_never_imports_streamlit():
    modules = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in (ROOT / "dlviz").rglob("*.py")
        if "ui" not in p.relative_to(ROOT / "dlviz").parts
    )
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}:\n"
        "    importlib.import_module(m)\n"
        "print('streamlit' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_every_dlviz_module_imports_first_on_its_own():
    """No import cycle hides behind import order: each module is imported with no dlviz module
    loaded before it (third-party packages stay loaded, so this is quick)."""
    modules = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in (ROOT / "dlviz").rglob("*.py")
        if p.name != "__main__.py"
    )
    code = (
        "import importlib, sys\n"
        "failed = []\n"
        f"for m in {modules!r}:\n"
        "    for name in [n for n in sys.modules if n == 'dlviz' or n.startswith('dlviz.')]:\n"
        "        del sys.modules[name]\n"
        "    try:\n"
        "        importlib.import_module(m)\n"
        "    except Exception as err:\n"
        "        failed.append(f'{m}: {err!r}')\n"
        "print(failed)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout


def test_no_dlviz_source_outside_ui_mentions_streamlit_imports():
    for path in (ROOT / "dlviz").rglob("*.py"):
        if "ui" in path.relative_to(ROOT / "dlviz").parts:
            continue
        assert "streamlit" not in imported_modules(path), path


def dlviz_imports(path: Path) -> set[str]:
    """Every dlviz module a file imports, in full (``from dlviz import ui`` counts as dlviz.ui)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names if a.name.startswith("dlviz"))
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.startswith("dlviz"):
                names.update(f"{node.module}.{a.name}" for a in node.names)
                names.add(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            names.add("." * node.level + (node.module or ""))
    return names


def test_the_library_never_imports_dlviz_ui():
    """Only dlviz/ui itself, app.py and pages/ may import dlviz.ui (the library knows no page)."""
    for path in sorted((ROOT / "dlviz").rglob("*.py")):
        if "ui" in path.relative_to(ROOT / "dlviz").parts:
            continue
        found = dlviz_imports(path)
        assert not any(n == "dlviz.ui" or n.startswith("dlviz.ui.") for n in found), path
        assert not any(n.startswith(".") for n in found), f"{path}: use absolute imports"


def test_pages_and_app_never_import_torch():
    for path in [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]:
        mods = imported_modules(path)
        assert "torch" not in mods and "torchvision" not in mods, path


def test_each_page_imports_one_ui_module_and_nothing_else_of_dlviz():
    """A page reads widgets and draws through its concept's ui module only (one name per concept:
    pages/<n>_<...concept...>.py imports dlviz.ui.<concept>)."""
    for path in sorted((ROOT / "pages").glob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        imported = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported += [a.name for a in node.names if a.name.split(".")[0] == "dlviz"]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "dlviz":
                imported += [f"{node.module}.{a.name}" for a in node.names]
        assert len(imported) == 1, (path.name, imported)
        concept = imported[0].removeprefix("dlviz.ui.")
        assert imported[0].startswith("dlviz.ui.") and "." not in concept, (path.name, imported)
        assert concept in path.stem, path.name
