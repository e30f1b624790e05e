"""Cold start: a fresh ``streamlit run app.py`` until the first page is rendered in Chromium.

Each repeat starts a new server process (so every import is cold), waits for its health check,
then opens the root URL in Debian's Chromium and waits until the script run is over and the Home
title is on screen. A second page (the Playground, the heaviest first render) is then opened in
the same session. Prints seconds per repeat and the median; never asserts. Other processes on the
machine change the numbers: say how busy it was when you report them.

Run from the repo root: ``python -m benchmarks.cold_start [repeats]``.
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DONE = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const state = app && app.getAttribute('data-test-script-state');
    return state && !['initial', 'running', 'rerunRequested'].includes(state)
        && document.querySelector('h1') !== null;
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("streamlit did not become healthy")


def one_cold_start(browser, cache: str) -> tuple[float, float, float]:
    """(seconds to health, to the first rendered Home page, then to the Playground) for one run."""
    port = _free_port()
    env = dict(os.environ, DLVIZ_CACHE_DIR=cache, DLVIZ_OFFLINE="1")
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
    cmd += ["--server.address", "127.0.0.1", "--server.port", str(port)]
    url = f"http://127.0.0.1:{port}"
    start = time.monotonic()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        _wait_healthy(url, start + 120)
        healthy = time.monotonic() - start
        page = browser.new_page()
        page.goto(url)
        page.wait_for_function(DONE, timeout=300_000)
        home = time.monotonic() - start
        t = time.monotonic()
        page.goto(f"{url}/playground")
        page.wait_for_selector('[data-testid="stPlotlyChart"]', timeout=300_000)
        page.wait_for_function(DONE, timeout=300_000)
        playground = time.monotonic() - t
        page.close()
        return healthy, home, playground
    finally:
        proc.terminate()
        proc.wait(20)


def main(repeats: int = 3) -> None:
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as p, tempfile.TemporaryDirectory() as cache:
        exe = shutil.which("chromium") or shutil.which("chromium-browser")
        browser = p.chromium.launch(executable_path=exe, args=["--no-sandbox", "--disable-gpu"])
        for i in range(repeats):
            rows.append(one_cold_start(browser, cache))
            h, home, pg = rows[-1]
            print(
                f"run {i + 1}: healthy {h:5.2f} s, Home rendered {home:5.2f} s, "
                f"then Playground {pg:5.2f} s",
                flush=True,
            )
        browser.close()
    for name, col in zip(
        ("healthy", "Home rendered", "then Playground"), zip(*rows, strict=True), strict=True
    ):
        print(f"median {name}: {statistics.median(col):.2f} s")
    print(f"load average (1, 5, 15 min): {os.getloadavg()}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
