"""Servers under benchmark: a free port, a GET, wait until a server answers, stop it;
the headless Chromium flags (shared with the browser tests) and the report writer.

Shared by ``bench_sparql.py``, ``bench_explorer.py``, ``bench_ingest.py`` and
``tests/conftest.py``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # nothing can leave the machine: no host name resolves except loopback
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost, EXCLUDE 127.0.0.1",
]


def write_report(path: Path, text: str, marker: str) -> None:
    """Write a Markdown report; what follows ``marker`` in the old file is kept (the
    hand-written notes), and a new file gets the marker."""
    path.parent.mkdir(parents=True, exist_ok=True)
    notes = marker + "\n"
    if path.exists() and marker in (old := path.read_text(encoding="utf-8")):
        notes = old[old.index(marker) :]
    path.write_text(text + "\n" + notes, encoding="utf-8")


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_get(
    url: str, timeout: float = 30.0, accept: str | None = None
) -> tuple[int, bytes]:
    """Status and body of a GET (an HTTP error status is returned, not raised)."""
    req = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:  # noqa: S310 (127.0.0.1)
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def wait_ready(
    name: str, proc: subprocess.Popen, log: Path, probe: str, timeout: float
) -> None:
    """Poll ``probe`` until it answers 200; exit with the server's log if it died."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise SystemExit(
                f"{name} exited with {proc.returncode}:\n{log.read_text()}"
            )
        try:
            if http_get(probe, timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{name} did not answer within {timeout} s")


def stop(proc: subprocess.Popen) -> None:
    """Terminate, then kill if it is still there after 15 s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
