"""Shared fixtures: the spaCy model and a seeded store (once per run), the real
HTTP server on a free port, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import json
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


def many_reports(path: Path, copies: int = 10) -> int:
    """The 24 Wikinews reports ``copies`` times under other ids (and a line more of
    text: the same text twice is a duplicate), as JSON Lines; how many articles."""
    lines = (SEEDS / "wikinews-demo.jsonl").read_text(encoding="utf-8").splitlines()
    with path.open("w", encoding="utf-8") as fh:
        for k in range(copies):
            for line in lines:
                obj = json.loads(line)
                obj["id"] = f"{obj['id']}-copy{k}"
                obj["text"] += f"\n\nEdition {k}."
                fh.write(json.dumps(obj) + "\n")
    return copies * len(lines)


def interrupt_and_resume(
    command: Any,
    tmp_path: Path,
    waits: tuple[float, ...],
    *,
    group: bool = False,
    no_traceback: bool = False,
) -> tuple[Path, dict[str, Any]]:
    """Ctrl-C a ``kg ingest`` (``command(store)``) ``wait`` s in, check that it stops
    cleanly and says how to resume, and run it again with ``--json``.

    Each longer wait is a fresh try, for a slow or busy machine where nothing was
    built yet when the signal came; a run that finished before the signal is tried
    again with a third of its wait (a fast machine). Returns the store and the
    resumed run's report of the first try that kept something
    (``articles_unchanged`` > 0). ``group``: the signal goes to the process group,
    as a terminal's Ctrl-C does, counted from when the store exists.
    """
    tries = list(waits)
    while tries:
        wait = tries.pop(0)
        store = tmp_path / f"store-{wait:g}"
        cmd = command(store)
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=group,
            # a suite run in the background (`pytest &`) ignores SIGINT, and so
            # would the child, which then finishes: Ctrl-C as in a terminal
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        deadline = time.monotonic() + 60
        while group and not store.exists() and time.monotonic() < deadline:
            time.sleep(0.2)  # the store is opened once the cluster is up
        time.sleep(wait)  # workers started, some batches built
        if group:
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
        if proc.returncode == 0:  # finished before the signal came
            if wait >= 1:
                tries.insert(0, wait / 3)
                continue
            pytest.fail(f"the ingest finished within {wait:g} s: too small to stop")
        assert proc.returncode == 130, (proc.returncode, err)
        assert "Run the same command again" in err
        assert not (no_traceback and "Traceback" in err), err
        again = subprocess.run(
            [*cmd, "--json"], capture_output=True, text=True, timeout=300
        )
        assert again.returncode == 0, again.stderr
        report: dict[str, Any] = json.loads(again.stdout)
        if report["articles_unchanged"] > 0:  # what the first run stored is kept
            return store, report
    pytest.fail(
        f"nothing was kept after a {waits[-1]:g} s run: the built batches were lost"
    )
