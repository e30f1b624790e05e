"""Helpers every test layer and the benchmarks share: Plotly decoding, waits, the app server, the
browser.

- Plotly: ``values`` decodes a JSON array (plain or plotly 6's typed ``bdata``), ``spec_by_key``
  finds an AppTest chart by its widget key, ``metric`` reads a metric by its label.
- Waits: ``wait_until`` polls a condition; nothing here sleeps for a fixed time to "let things
  settle". In the browser, ``rerun`` waits for the Streamlit run that an action starts (counted
  by Streamlit's ``script_finished`` message on the app's websocket), and ``wait_idle`` for no
  run in progress.
- The server: ``running_app`` starts ``streamlit run app.py`` on a free loopback port and yields
  its URL once ``/_stcore/health`` answers (``app_server`` yields its process too).
- The browser: ``launch_chromium`` starts Debian's Chromium through Playwright with the flags this
  machine needs; ``open_app_page``, ``assert_no_exception`` and ``screenshot`` drive a page.
  ``tests.support_async`` is the twin of the browser part for Playwright's async API.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"

# --- Plotly specs ---------------------------------------------------------------------------


def values(arr: Any) -> np.ndarray:
    """A plotly JSON array: a plain list or plotly 6's typed ``{"dtype", "bdata"}`` form."""
    if isinstance(arr, dict):
        flat = np.frombuffer(base64.b64decode(arr["bdata"]), dtype=np.dtype(arr["dtype"]))
        shape = arr.get("shape")
        if shape:
            dims = [int(d) for d in (shape if isinstance(shape, list) else str(shape).split(","))]
            return flat.reshape(dims)
        return flat
    return np.asarray(arr, dtype=float)


def plotly_specs(at) -> list[dict]:
    """The JSON specs of every plotly chart on an AppTest page."""
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def spec_by_key(at, key: str) -> dict:
    """The spec of the AppTest chart created with ``key=key`` (its element id ends in the key)."""
    for chart in at.get("plotly_chart"):
        if chart.proto.id.endswith(f"-{key}"):
            return json.loads(chart.proto.spec)
    raise AssertionError(f"no chart with key {key!r}")


def metric(at, label: str) -> str:
    """The displayed value of the AppTest metric with this label."""
    return next(m.value for m in at.metric if m.label == label)


# --- waiting on conditions --------------------------------------------------------------------


def wait_until(condition: Callable[[], Any], timeout: float = 60.0, poll: float = 0.02) -> Any:
    """Poll ``condition`` until it returns something truthy and return that; False on timeout
    (so ``assert wait_until(...)`` reads as the condition)."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            return False
        time.sleep(poll)


def playground_workers() -> list:
    """The Playground's live training threads (named ``dlviz-playground``)."""
    import threading

    return [t for t in threading.enumerate() if t.name == "dlviz-playground" and t.is_alive()]


# --- the app server ---------------------------------------------------------------------------


def free_port() -> int:
    """An unused loopback TCP port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SERVERS: dict[str, int] = {}
"""URL -> process id of every server ``running_app`` started."""


def server_threads(url: str, name: str | None = None) -> int:
    """How many threads the server at ``url`` runs now (from /proc); only those whose OS name is
    ``name`` when given (dlviz names its long-lived threads, see ``dlviz.runtime.name_os_thread``)."""
    tasks = Path(f"/proc/{SERVERS[url]}/task")
    if name is None:
        return sum(1 for _ in tasks.iterdir())
    count = 0
    for task in tasks.iterdir():
        with contextlib.suppress(OSError):  # a thread that ended while we looked
            count += (task / "comm").read_text().strip() == name
    return count


def _healthy(url: str) -> bool:
    try:
        return urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok"
    except OSError:
        return False


@dataclass(frozen=True)
class AppServer:
    """A running ``streamlit run app.py``: its URL and its process (the benchmarks watch it)."""

    url: str
    process: subprocess.Popen


def offline_env(base: Path) -> dict[str, str]:
    """A test or benchmark server's environment: offline, empty caches in ``base``, the run log
    (DLVIZ_RUN_LOG) in ``base / "runs.jsonl"``; the real data folder if the tests have one
    (DLVIZ_TEST_DATA_DIR), else none (the Training page falls back to Digits)."""
    return {
        "DLVIZ_CACHE_DIR": str(base / "cache"),
        "DLVIZ_DATA_DIR": os.environ.get("DLVIZ_TEST_DATA_DIR", str(base / "data")),
        "DLVIZ_OFFLINE": "1",
        "DLVIZ_RUN_LOG": str(base / "runs.jsonl"),
    }


@contextmanager
def app_server(
    env: dict[str, str] | None = None,
    log: Path | None = None,
    timeout: float = 90.0,
    prefix: tuple[str, ...] = (),
) -> Iterator[AppServer]:
    """``streamlit run app.py`` on a free loopback port, once ``/_stcore/health`` answers.

    ``prefix`` runs the server under another command (``("taskset", "-c", "0")``, which execs
    it: the process is the server's).
    """
    port = free_port()
    cmd = [
        *prefix,
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
    ]
    out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=out, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        if not wait_until(lambda: proc.poll() is not None or _healthy(url), timeout, poll=0.1):
            raise RuntimeError(f"streamlit did not become healthy in {timeout:g} s")
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode}")
        SERVERS[url] = proc.pid
        yield AppServer(url, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        if log:
            out.close()


@contextmanager
def running_app(
    env: dict[str, str] | None = None,
    log: Path | None = None,
    timeout: float = 90.0,
    prefix: tuple[str, ...] = (),
) -> Iterator[str]:
    """``app_server``, yielding only its URL."""
    with app_server(env, log, timeout, prefix) as server:
        yield server.url


# --- the browser ------------------------------------------------------------------------------

CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--use-gl=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)


def chromium_path() -> str:
    """Debian's Chromium (``apt-get install -y chromium``); Playwright cannot download one here."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        raise RuntimeError("Debian's chromium is not installed (apt-get install -y chromium)")
    return exe


def launch_chromium(playwright, **kwargs: Any):
    """Headless Chromium with software WebGL (3-D plotly) and no background network traffic."""
    return playwright.chromium.launch(
        executable_path=chromium_path(), headless=True, args=list(CHROMIUM_ARGS), **kwargs
    )


IDLE = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const state = app && app.getAttribute('data-test-script-state');
  return Boolean(state) && !['initial', 'running', 'rerunRequested'].includes(state);
}"""


def new_page(browser, width: int = 1400, height: int = 1000, color_scheme: str = "light"):
    """A fresh context and page that keeps a handle on the app's websocket (see ``rerun``);
    ``color_scheme`` is the system preference the page reports ("dark": the app's dark theme)."""
    ctx = browser.new_context(
        viewport={"width": width, "height": height}, color_scheme=color_scheme
    )
    page = ctx.new_page()
    page.set_default_timeout(60_000)

    def remember(ws) -> None:
        if "/_stcore/stream" in ws.url:
            page.dlviz_stream = ws  # the page's current connection (a reload opens a new one)

    page.on("websocket", remember)
    return page


def script_finished(payload: bytes | str) -> bool:
    """True for the message the server sends when a script (or fragment) run ends."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    if isinstance(payload, str):
        return False
    return ForwardMsg.FromString(bytes(payload)).WhichOneof("type") == "script_finished"


def wait_idle(page, timeout: float = 120) -> None:
    """Wait until no script run is in progress."""
    page.wait_for_function(IDLE, timeout=timeout * 1000)


@contextmanager
def rerun(page, timeout: float = 120) -> Iterator[None]:
    """Wait, after the ``with`` body, for the run it started to finish and the page to settle.

    Listens on the app's websocket for Streamlit's own ``script_finished`` message (set up
    before the action, so even a run that ends within a frame is seen), then waits until the
    page shows no run in progress.
    """
    with page.dlviz_stream.expect_event(
        "framereceived", predicate=script_finished, timeout=timeout * 1000
    ):
        yield
    wait_idle(page, timeout)


_warmed: set[str] = set()


def open_app_page(page, app_url: str, url_path: str) -> Any:
    """Open ``/<url_path>`` and wait until its first run is over and its title is drawn.

    A fresh server serves a deep link from the legacy ``pages/`` discovery until app.py has run
    once, so the first visit of a session goes through the root URL.
    """
    if app_url not in _warmed:
        page.goto(app_url)
        page.wait_for_selector('[data-testid="stSidebarNav"]', state="attached")  # phone: closed
        wait_idle(page)  # until app.py has reached st.navigation (the legacy nav shows earlier)
        _warmed.add(app_url)
    page.goto(f"{app_url}/{url_path}")
    page.wait_for_selector('[data-testid="stApp"]')
    page.locator("h1").first.wait_for(state="visible")
    wait_idle(page)
    wait_drawn(page)
    return page


DRAWN = """() => !document.querySelector(
    '[data-testid="stSkeleton"], [data-testid="stSkeletonElement"], [data-testid="stAppSkeleton"]'
  ) && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
        .every(c => c.querySelector('.main-svg'))"""


# The Activations page shows probe x: the chart's probe dot (its trace 2) is at x and the verdict
# under the metrics names it ("At x = 4.00 the gradient ...", "x = 4.00 lies in the ...").
PROBE_SHOWN = """(x) => {
  const gd = document.querySelector('.st-key-act_chart .js-plotly-plot');
  const probe = gd && gd._fullData && gd._fullData[2];
  const verdict = `x = ${x.toFixed(2)} `;
  return Boolean(probe && probe.x && Math.abs(probe.x[0] - x) < 1e-9
    && gd.querySelector('.main-svg')
    && [...document.querySelectorAll('[data-testid="stAlert"]')]
      .some(a => a.textContent.includes(verdict)));
}"""


# The Backprop graph as drawn (null until it is): the step its slider is at, the number of steps,
# the text above the graph, and every value box's text ("w", "data 0.75", "grad 2" or "grad ?").
BACKPROP_STEP = """() => {
  const gd = document.querySelector('.st-key-bp_graph .js-plotly-plot');
  const slider = gd && gd._fullLayout && gd._fullLayout.sliders && gd._fullLayout.sliders[0];
  if (!slider || !gd.querySelector('.main-svg')) return null;
  const text = gd.querySelector('.annotation-text');
  const boxes = [...gd.querySelectorAll('.barlayer .bartext')].map(t => t.textContent)
    .filter(t => t.includes('data'));
  return {step: slider.active, total: slider.steps.length - 1,
          text: text ? text.textContent : '', boxes};
}"""
# Step k is drawn: the slider is at k, the text above says "Step k", and exactly the boxes the
# backward pass has not reached yet show "grad ?".
BACKPROP_STEP_SHOWN = f"""(k) => {{
  const s = ({BACKPROP_STEP})();
  return Boolean(s) && s.step === k && s.text.startsWith(k ? `Step ${{k}} of` : 'Step 0:')
    && s.boxes.filter(b => b.includes('grad ?')).length === s.total - k;
}}"""


# A cheap checksum of a plotly chart's drawn data, annotations and title (null until drawn):
# it changes when the chart shows new values, whatever kind of traces it has.
CHART_SIGNATURE = """key => {
  const gd = document.querySelector(`.st-key-${key} .js-plotly-plot`);
  if (!gd || !gd._fullData || !gd.querySelector('.main-svg')) return null;
  let s = 0, n = 0;
  const walk = v => {
    if (typeof v === 'number') { n += 1; s += v * (n % 7 + 1); }
    else if (v && typeof v !== 'string' && v.length !== undefined) {
      for (let i = 0; i < v.length; i++) walk(v[i]);
    }
  };
  for (const t of gd._fullData) { walk(t.x); walk(t.y); walk(t.z); }
  const notes = (gd._fullLayout.annotations || []).map(a => a.text).join('|');
  const title = (gd._fullLayout.title && gd._fullLayout.title.text) || '';
  return `${n}:${s}:${notes}:${title}`;
}"""


def wait_drawn(page, timeout: float = 60) -> None:
    """Wait until every element has replaced its loading skeleton and every chart is drawn."""
    page.wait_for_function(DRAWN, timeout=timeout * 1000)


def assert_no_exception(page) -> None:
    """No Streamlit exception element on the page."""
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.first.inner_text()


def screenshot(page, name: str) -> Path:
    """A full-page PNG in test-artifacts/ (Streamlit scrolls inside its own container), taken once
    every element is drawn."""
    wait_drawn(page)
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    height = page.evaluate(
        """() => {
            const main = document.querySelector('[data-testid="stMain"]')
                || document.querySelector('section.main');
            return main ? main.scrollHeight : document.body.scrollHeight;
        }"""
    )
    size = page.viewport_size or {"width": 1400, "height": 1000}
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], int(height))})
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    return path
