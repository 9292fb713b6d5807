"""Lint (ruff) and strict typing (mypy) of the library and the app, as part of the suite."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import ROOT


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_ruff_is_clean() -> None:
    r = _run("ruff", "check", "kg", "api", "tests", "benchmarks")
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.slow
def test_mypy_strict_is_clean() -> None:
    r = _run("mypy")
    assert r.returncode == 0, r.stdout + r.stderr


def test_library_never_imports_the_app() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "kg").rglob("*.py")
        if any(
            line.lstrip().startswith(("import api", "from api"))
            for line in p.read_text().splitlines()
        )
    ]
    assert offenders == []
