"""Which files an ingest reads: folders walked safely, odd entries reported.

Folders are walked recursively in name order, following symbolic links to
folders, but never round a loop (a link back to a folder being walked is
reported and not followed). A file reached twice (two links, or a folder named
twice) is read once. Broken links, link loops, unreadable entries and anything
that is not a regular file (a FIFO would block the reader forever) become a
:class:`Skipped` naming the entry; the walk goes on.

File names are shown with control characters escaped (a newline in a name
cannot break the report into two lines) and undecodable bytes as ``\\xNN``.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["SUPPORTED", "Skipped", "iter_files", "shown", "why_unreadable"]

TEXT_SUFFIXES = (".txt",)
JSON_SUFFIXES = (".jsonl", ".json", ".ndjson")
HTML_SUFFIXES = (".html", ".htm")
SUPPORTED = TEXT_SUFFIXES + JSON_SUFFIXES + HTML_SUFFIXES
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


@dataclass(frozen=True)
class Skipped:
    """An input item that was not ingested, and why."""

    source: str
    reason: str


def shown(path: str | os.PathLike[str]) -> str:
    """A path as messages show it: one line, no undecodable characters.

    Example:
        >>> shown("new\\nline.txt")
        'new\\\\nline.txt'
    """
    return _UNSAFE.sub(_escape, os.fspath(path))


def _escape(m: re.Match[str]) -> str:
    ch = m.group()
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    if "\udc80" <= ch <= "\udcff":  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{ord(ch) - 0xDC00:02x}"
    return f"\\u{ord(ch):04x}" if ord(ch) > 0xFF else f"\\x{ord(ch):02x}"


def iter_files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path | Skipped]:
    """Files under the given paths (folders recursively, sorted), ``-`` as-is.

    Folders yield only files with a supported suffix (not ``*.meta.json`` or
    ``README*``); a file named on its own is yielded whatever its suffix.
    """
    seen: set[tuple[int, int]] = set()
    for raw in paths:
        path = Path(raw)
        if os.fspath(raw) == "-":
            yield path
            continue
        try:
            st = path.stat()
        except OSError as exc:
            yield Skipped(shown(path), why_unreadable(exc, path))
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _walk(path, st, seen, ())
        else:
            yield from _file(path, st, seen)


_Chain = tuple[tuple[tuple[int, int], Path], ...]  # the folders above: (key, path)


def _walk(
    top: Path, st: os.stat_result, seen: set[tuple[int, int]], above: _Chain
) -> Iterator[Path | Skipped]:
    """Depth first, files before subfolders; a stack, not recursion (any depth)."""
    stack: list[tuple[Path, os.stat_result, _Chain]] = [(top, st, above)]
    while stack:
        folder, fst, chain = stack.pop()
        key = (fst.st_dev, fst.st_ino)
        loop = next((where for k, where in chain if k == key), None)
        if loop is not None:
            yield Skipped(
                shown(folder),
                f"symbolic link loop: leads back to {shown(loop)}; not followed",
            )
            continue
        if key in seen:  # the same folder by another link: already read
            continue
        seen.add(key)
        subfolders: list[tuple[Path, os.stat_result]] = []
        yield from _entries(folder, seen, subfolders)
        inner = (*chain, (key, folder))
        stack.extend((p, s, inner) for p, s in reversed(subfolders))


def _entries(
    folder: Path,
    seen: set[tuple[int, int]],
    subfolders: list[tuple[Path, os.stat_result]],
) -> Iterator[Path | Skipped]:
    """The wanted files of one folder; its subfolders go into ``subfolders``."""
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        yield Skipped(
            shown(folder), f"cannot list the folder: {why_unreadable(exc, folder)}"
        )
        return
    for entry in entries:
        path = Path(entry.path)
        try:
            est = path.stat()
        except OSError as exc:
            if _wanted(entry.name):
                yield Skipped(shown(path), why_unreadable(exc, path))
            continue
        if stat.S_ISDIR(est.st_mode):
            subfolders.append((path, est))
        elif _wanted(entry.name):
            yield from _file(path, est, seen)


def _wanted(name: str) -> bool:
    lower = name.lower()
    return (
        Path(lower).suffix in SUPPORTED
        and not lower.endswith(".meta.json")
        and not lower.startswith("readme")
    )


def _file(
    path: Path, st: os.stat_result, seen: set[tuple[int, int]]
) -> Iterator[Path | Skipped]:
    if not stat.S_ISREG(st.st_mode):
        kind = _KINDS.get(stat.S_IFMT(st.st_mode), "special file")
        yield Skipped(shown(path), f"not a regular file (a {kind}): not read")
        return
    key = (st.st_dev, st.st_ino)
    if key not in seen:  # the same file by another name is read once
        seen.add(key)
        yield path


_KINDS = {
    stat.S_IFIFO: "FIFO",
    stat.S_IFSOCK: "socket",
    stat.S_IFCHR: "character device",
    stat.S_IFBLK: "block device",
}


def why_unreadable(exc: OSError, path: Path) -> str:
    """A short reason for an OSError met while reading ``path``."""
    if exc.errno == errno.ELOOP:
        return "symbolic link loop: cannot be resolved"
    if exc.errno == errno.ENOENT:
        if path.is_symlink():
            return f"broken symbolic link to {shown(os.readlink(path))}"
        return "no such file or folder"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return f"cannot read: {exc.strerror or exc}"
