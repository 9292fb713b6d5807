"""Read news files into :class:`Article` objects.

Supported: ``.txt`` (body text; metadata from a sidecar ``NAME.meta.json`` or from
defaults given by the caller), ``.jsonl`` / ``.json`` (objects with
``id, title, date, source, url, text``), ``.html`` / ``.htm`` (main text and
metadata by trafilatura) and ``-`` for standard input (text, or JSON lines when
it starts with ``{``). Every problem becomes a :class:`Skipped` naming the file,
line or field; reading goes on with the next item.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.types import Article

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt",)
JSON_SUFFIXES = (".jsonl", ".json", ".ndjson")
HTML_SUFFIXES = (".html", ".htm")
SUPPORTED = TEXT_SUFFIXES + JSON_SUFFIXES + HTML_SUFFIXES
_FIELDS = ("id", "title", "date", "source", "url", "text")


@dataclass(frozen=True)
class Skipped:
    """An input item that was not ingested, and why."""

    source: str
    reason: str


def iter_files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path | Skipped]:
    """Files under the given paths (folders recursively, sorted), ``-`` as-is."""
    for raw in paths:
        path = Path(raw)
        if str(raw) == "-":
            yield path
        elif path.is_dir():
            seen: set[Path] = set()
            for root, dirs, files in os.walk(path, followlinks=False):
                dirs.sort()
                for name in sorted(files):
                    f = Path(root) / name
                    if name.endswith(".meta.json") or f.suffix.lower() not in SUPPORTED:
                        continue
                    if name.lower().startswith("readme"):
                        continue
                    real = f.resolve()
                    if real not in seen:
                        seen.add(real)
                        yield f
        elif path.exists():
            yield path
        else:
            yield Skipped(str(path), "no such file or folder")


def read_articles(
    paths: Iterable[str | os.PathLike[str]],
    *,
    defaults: Mapping[str, str | None] | None = None,
) -> Iterator[Article | Skipped]:
    """Articles from files and folders, in a stable order.

    Args:
        paths: files, folders (recursive) or ``-`` for stdin.
        defaults: title/date/source/url for ``.txt`` and stdin input (flags).
    """
    defaults = dict(defaults or {})
    for item in iter_files(paths):
        if isinstance(item, Skipped):
            yield item
            continue
        try:
            yield from _read_one(item, defaults)
        except (OSError, UnicodeDecodeError) as exc:
            yield Skipped(str(item), f"cannot read: {exc}")


def count_articles(paths: Iterable[str | os.PathLike[str]]) -> int | None:
    """How many articles the input holds, cheaply (for a progress bar's ETA).

    Lines of JSON Lines files, one per text or HTML file; None for stdin.
    """
    total = 0
    for item in iter_files(paths):
        if isinstance(item, Skipped):
            continue
        if str(item) == "-":
            return None
        if item.suffix.lower() == ".jsonl":
            try:
                with item.open("rb") as fh:
                    total += sum(1 for line in fh if line.strip())
            except OSError:
                continue
        else:
            total += 1
    return total


def _read_one(
    path: Path, defaults: dict[str, str | None]
) -> Iterator[Article | Skipped]:
    if str(path) == "-":
        data = sys.stdin.read()
        if data.lstrip().startswith("{"):
            yield from _from_json_lines(data.splitlines(), "<stdin>")
        else:
            yield from _from_text(
                data,
                "<stdin>",
                {"id": defaults.get("id") or "stdin", **_clean(defaults)},
            )
        return
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        meta = {**_clean(defaults), **_sidecar(path)}
        meta.setdefault("id", path.stem)
        yield from _from_text(path.read_text(encoding="utf-8"), str(path), meta)
    elif suffix == ".jsonl":  # streamed: never the whole file in memory
        with path.open(encoding="utf-8") as lines:
            yield from _from_json_lines(lines, str(path))
    elif suffix in JSON_SUFFIXES:
        text = path.read_text(encoding="utf-8")
        stripped = text.lstrip()
        if suffix == ".json" and stripped.startswith("["):
            try:
                items = json.loads(text)
            except json.JSONDecodeError as exc:
                yield Skipped(
                    str(path), f"invalid JSON at line {exc.lineno}: {exc.msg}"
                )
                return
            for k, obj in enumerate(items, 1):
                yield _from_object(obj, f"{path}[{k}]")
        elif suffix == ".json" and not _is_json_lines(text):
            try:
                yield _from_object(json.loads(text), str(path))
            except json.JSONDecodeError as exc:
                yield Skipped(
                    str(path), f"invalid JSON at line {exc.lineno}: {exc.msg}"
                )
        else:
            yield from _from_json_lines(text.splitlines(), str(path))
    elif suffix in HTML_SUFFIXES:
        yield _from_html(
            path.read_text(encoding="utf-8", errors="replace"), path, defaults
        )
    else:
        yield Skipped(
            str(path),
            f"unsupported file type {suffix!r}; use one of {', '.join(SUPPORTED)}",
        )


def _is_json_lines(text: str) -> bool:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return len(lines) > 1 and all(ln.lstrip().startswith("{") for ln in lines[:2])


def _clean(meta: Mapping[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in meta.items() if v not in (None, "")}


def _sidecar(path: Path) -> dict[str, str]:
    side = path.with_name(path.stem + ".meta.json")
    if not side.exists():
        return {}
    try:
        meta = json.loads(side.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        log.warning("%s: ignoring unreadable sidecar: %s", side, exc)
        return {}
    return (
        _clean({k: meta.get(k) for k in _FIELDS if k != "text"})
        if isinstance(meta, dict)
        else {}
    )


def _from_text(
    text: str, source: str, meta: Mapping[str, str]
) -> Iterator[Article | Skipped]:
    if not text.strip():
        yield Skipped(source, "empty file: no text to ingest")
        return
    yield _article(meta["id"], text, meta, source)


def _article(art_id: str, text: str, meta: Mapping[str, Any], origin: str) -> Article:
    return Article(
        id=art_id,
        text=text,
        title=meta.get("title"),
        date=meta.get("date"),
        source=meta.get("source"),
        url=meta.get("url"),
        origin=origin,
    )


def _from_json_lines(lines: Iterable[str], source: str) -> Iterator[Article | Skipped]:
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{source}:{n}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Skipped(where, f"invalid JSON: {exc.msg} (column {exc.colno})")
            continue
        yield _from_object(obj, where)


def _from_object(obj: Any, where: str) -> Article | Skipped:
    if not isinstance(obj, dict):
        return Skipped(
            where, f"expected a JSON object with fields {', '.join(_FIELDS)}"
        )
    for field in _FIELDS:
        value = obj.get(field)
        if value is not None and not isinstance(value, str):
            return Skipped(
                where, f"field {field!r} must be a string, got {type(value).__name__}"
            )
    text = obj.get("text")
    if not text or not text.strip():
        return Skipped(where, "field 'text' is missing or empty")
    art_id = obj.get("id") or obj.get("url")
    if not art_id:
        return Skipped(
            where, "neither 'id' nor 'url' is given: cannot identify the article"
        )
    return _article(art_id, text, obj, where)


def _from_html(
    html: str, path: Path, defaults: Mapping[str, str | None]
) -> Article | Skipped:
    import trafilatura

    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    text = getattr(doc, "text", None) if doc is not None else None
    if not text or not text.strip():
        return Skipped(str(path), "no article text found in the HTML")
    meta = {**_clean(defaults), **_sidecar(path)}
    url = meta.get("url") or getattr(doc, "url", None)
    return Article(
        id=meta.get("id") or url or path.stem,
        text=text,
        title=meta.get("title") or getattr(doc, "title", None),
        date=meta.get("date") or getattr(doc, "date", None),
        source=meta.get("source") or getattr(doc, "sitename", None),
        url=url,
        origin=str(path),
    )
