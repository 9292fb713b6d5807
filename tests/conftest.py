"""Shared fixtures: the spaCy model and a seeded store (once per run), the real
HTTP server on a free port, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlparse

import pytest

from benchmarks.serving import CHROMIUM, CHROMIUM_FLAGS

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"

SHOTS = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "artifacts" / "screenshots"))


@pytest.fixture(scope="session")
def settings_factory() -> Any:
    from kg.config import Settings

    def make(store: str | Path) -> Settings:
        return Settings(store=str(store))

    return make


@pytest.fixture(scope="session")
def seeded_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store on disk holding every article of seeds/ (built once per run, then closed)."""
    from kg.config import Settings
    from kg.pipeline import ingest
    from kg.store import open_store

    path = tmp_path_factory.mktemp("seeded") / "store"
    store = open_store(path)
    try:
        report = ingest([SEEDS], store, Settings(store=str(path)))
        assert report.articles_ingested >= 25, report
    finally:
        store.close()
    return path


@pytest.fixture(scope="session")
def seeded_store(seeded_store_path: Path) -> Iterator[Any]:
    """The seeded store opened read-only for queries (safe to share)."""
    from kg.store import open_store

    store = open_store(seeded_store_path, read_only=True)
    yield store
    store.close()


def kill_group(proc: subprocess.Popen[Any]) -> str:
    """SIGKILL a process started in its own session, and its children (a no-op once
    it has exited); its standard error."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    _, err = proc.communicate(timeout=60)
    return err.decode(errors="replace") if isinstance(err, bytes) else err or ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """uvicorn serving an app in a thread, on a free port of 127.0.0.1."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="session")
def live_server(seeded_store: Any) -> Iterator[str]:
    """The real API over the seeded store, served over HTTP."""
    from api.main import create_app
    from kg.config import Settings

    app = create_app(Settings(store="unused"), store=seeded_store)
    with LiveServer(app) as server:
        yield server.url


@pytest.fixture(scope="session")
def browser_context() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} missing: apt-get install -y chromium")
        pytest.skip(f"{CHROMIUM} not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p, tempfile.TemporaryDirectory(prefix="pw-") as profile:
        ctx = p.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1280, "height": 800},
        )
        ctx.set_default_timeout(20_000)
        yield ctx
        ctx.close()


@pytest.fixture
def browser_page(browser_context: Any) -> Iterator[SimpleNamespace]:
    """A page that records console errors, failed requests and any off-host request."""
    rec = SimpleNamespace(offhost=[], errors=[], failed=[])

    def guard(route: Any) -> None:
        url = route.request.url
        host = urlparse(url).hostname
        if url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            rec.offhost.append(url)
            route.abort("blockedbyclient")

    page = browser_context.new_page()
    page.route("**/*", guard)
    page.on(
        "console",
        lambda m: (
            m.type == "error"
            and "ERR_BLOCKED_BY_CLIENT" not in m.text
            and rec.errors.append(m.text)
        ),
    )
    page.on("pageerror", lambda e: rec.errors.append(f"pageerror: {e}"))
    page.on(
        "requestfailed",
        lambda r: (
            r.url not in rec.offhost and rec.failed.append(f"{r.url} {r.failure}")
        ),
    )
    page.on(
        "response",
        lambda r: r.status >= 400 and rec.failed.append(f"{r.url} HTTP {r.status}"),
    )
    rec.page = page
    yield rec
    page.close()


def shot(page: Any, name: str) -> Path:
    """Save a screenshot under artifacts/screenshots/ and return its path."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def start_kg_serve(
    store: str, *args: str, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[str], str]:
    """`kg serve` as a user starts it, on a free port; waits until it answers."""
    import urllib.request

    port = free_port()
    exe = Path(sys.executable).with_name("kg")
    proc = subprocess.Popen(
        [str(exe), "serve", "--store", store, "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=None if env is None else {**os.environ, **env},
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{base}/sparql", timeout=2).close()
            return proc, base
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise AssertionError(proc.communicate()[0]) from None
            time.sleep(0.2)
