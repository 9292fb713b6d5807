"""Servers under benchmark: a free port, a GET, wait until a server answers, stop it.

Shared by ``bench_sparql.py`` and ``bench_explorer.py``.
"""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path


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
