"""Read news files into :class:`Article` objects.

Supported: ``.txt`` (body text; metadata from a sidecar ``NAME.meta.json`` or from
defaults given by the caller), ``.jsonl`` / ``.ndjson`` / ``.json`` (objects with
``id, title, date, source, url, text``), ``.html`` / ``.htm`` (main text and
metadata by trafilatura) and ``-`` for standard input (text, or JSON lines when
it starts with ``{``).

Nothing in the input stops the reading. What cannot be ingested becomes a
:class:`Skipped` naming the file (``FILE:LINE`` for JSON lines, ``FILE[N]`` for
JSON arrays) and the reason; what can be ingested with a repair comes with
``Article.warnings`` (text that was not clean UTF-8, a date that does not parse,
a metadata field of the wrong type). The outcome of each kind of bad input is
the table in README ("Bad input"), tested by ``tests/test_bad_input.py``. Which
files are read: :mod:`kg.ingest.files`; bytes to text: :mod:`kg.ingest.decode`;
metadata and dates: :mod:`kg.ingest.meta`.

Limits (``Settings``): an article's text may have at most ``max_article_chars``
characters (``KG_MAX_ARTICLE_CHARS``); a file read whole (``.txt``, ``.json``,
``.html``, stdin) at most ``max_file_bytes`` bytes (``KG_MAX_FILE_BYTES``); JSON
Lines are streamed, and a line longer than an article can be is skipped unread.
Within one run an article whose text (whitespace aside) was already read is a
duplicate, and a second, different article under an id already read is skipped.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from kg.config import Settings
from kg.errors import InputError
from kg.ingest.decode import NotTextError, decode_text, sniff_html_charset
from kg.ingest.files import (
    HTML_SUFFIXES,
    JSON_SUFFIXES,
    SUPPORTED,
    TEXT_SUFFIXES,
    Skipped,
    iter_files,
    shown,
    why_unreadable,
)
from kg.ingest.meta import (
    json_error,
    json_type,
    normalise_date,
    read_sidecar,
    repair_surrogates,
    usable_meta,
)
from kg.types import Article

__all__ = [
    "SUPPORTED",
    "Skipped",
    "count_articles",
    "iter_files",
    "normalise_date",
    "read_articles",
]

_FIELDS = ("id", "title", "date", "source", "url", "text")
_MIN_HTML_WORDS = 10  # below that, trafilatura found navigation, not an article


_Line = tuple[str, str | None]  # a decoded line and its decoding warning


class _ProblemError(Exception):
    """A whole file cannot be read; the message is the reason."""


def read_articles(
    paths: Iterable[str | os.PathLike[str]],
    *,
    defaults: Mapping[str, str | None] | None = None,
    settings: Settings | None = None,
) -> Iterator[Article | Skipped]:
    """Articles from files and folders, in a stable order.

    Args:
        paths: files, folders (recursive) or ``-`` for stdin.
        defaults: id/title/date/source/url for ``.txt`` and stdin input (flags).
        settings: the limits (``max_article_chars``, ``max_file_bytes``);
            default ``Settings()``, i.e. the environment.

    Raises:
        InputError: a default (flag) is invalid, e.g. ``date`` is not a date.

    Example:
        >>> [a.id for a in read_articles(["seeds/"])][:1]  # doctest: +SKIP
        ['seed-calais-expulsions']
    """
    reader = _Reader(defaults or {}, settings or Settings())
    seen = _Seen()
    for item in iter_files(paths):
        if isinstance(item, Skipped):
            yield item
            continue
        for out in reader.read(item):
            yield seen.check(out) if isinstance(out, Article) else out


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
        if item.suffix.lower() in (".jsonl", ".ndjson"):
            try:
                with item.open("rb") as fh:
                    lines = _bounded_lines(fh, 1 << 20)
                    total += sum(1 for line in lines if line is None or line.strip())
            except OSError:
                continue
        else:
            total += 1
    return total


class _Seen:
    """Duplicates within one run: the same text, or the same id with another text.

    It grows with the run, so it is kept small: a 16-byte digest per text, which
    points at the article's id; per id, where it was read, as one int (which
    file, which line). 50,000 generated articles: 18.7 MB before (a 32-byte
    digest, tuples and origin strings), 11.7 MB now (tracemalloc).
    """

    def __init__(self) -> None:
        self.texts: dict[bytes, str] = {}  # text digest -> the article's id
        self.ids: dict[str, int | str] = {}  # id -> where it was read, packed
        self.files: dict[str, int] = {}  # "path" of "path:line" -> its number
        self.names: list[str] = []  # number -> "path"

    def check(self, art: Article) -> Article | Skipped:
        text = " ".join(unicodedata.normalize("NFC", art.text).split())
        digest = hashlib.blake2b(text.encode(), digest_size=16).digest()
        origin = art.origin or art.id
        if (first := self.texts.get(digest)) is not None:
            return Skipped(
                origin,
                f"duplicate of {self._unpack(self.ids[first])} (article {first!r}): "
                "same text, not ingested twice",
            )
        if (where := self.ids.get(art.id)) is not None:
            return Skipped(
                origin,
                f"article id {art.id!r} was already read from {self._unpack(where)} "
                "with another text: ids must be unique, this one is not ingested",
            )
        self.texts[digest] = art.id
        self.ids[art.id] = self._pack(origin)
        return art

    def _pack(self, origin: str) -> int | str:
        """An origin "path:line" as one int (the number of path, the line), or as is."""
        path, _, line = origin.rpartition(":")
        if not path or not _LINE.fullmatch(line):
            return origin
        number = self.files.setdefault(path, len(self.names))
        if number == len(self.names):
            self.names.append(path)
        return number << 32 | int(line)

    def _unpack(self, packed: int | str) -> str:
        if isinstance(packed, str):
            return packed
        return f"{self.names[packed >> 32]}:{packed & 0xFFFFFFFF}"


_LINE = re.compile(r"[1-9][0-9]{0,8}")  # a line number that reads back the same


class _Reader:
    """Reads one file at a time; the limits and the flags are fixed per run."""

    def __init__(self, defaults: Mapping[str, str | None], settings: Settings) -> None:
        self.max_chars = settings.max_article_chars
        self.max_bytes = settings.max_file_bytes
        # a JSON line holds the text (escaped: up to 6 bytes a character) + metadata
        self.max_line = 6 * self.max_chars + 65536
        day = defaults.get("date")
        if day and normalise_date(day) is None:
            raise InputError(
                f"--date {day!r} is not a date (use ISO 8601, e.g. 2014-05-28)"
            )
        self.flags = usable_meta(defaults, "option --{}", [])
        if defaults.get("id"):
            self.flags["id"] = str(defaults["id"])

    def read(self, path: Path) -> Iterator[Article | Skipped]:
        where = shown(path) if str(path) != "-" else "<stdin>"
        try:
            yield from self._read(path, where)
        except _ProblemError as exc:
            yield Skipped(where, str(exc))
        except OSError as exc:
            yield Skipped(where, why_unreadable(exc, path))

    def _read(self, path: Path, where: str) -> Iterator[Article | Skipped]:
        suffix = path.suffix.lower()
        if str(path) == "-":
            text, notes = self._decode(self._stdin())
            if text.lstrip().startswith("{"):
                yield from self._json_lines(_split(text), where, notes)
            else:
                meta = {"id": "stdin", **self.flags}
                yield self._text(text, where, meta, notes)
        elif suffix in TEXT_SUFFIXES:
            yield self._txt(path, where)
        elif suffix in (".jsonl", ".ndjson"):
            yield from self._jsonl(path, where)
        elif suffix in JSON_SUFFIXES:
            yield from self._json(path, where)
        elif suffix in HTML_SUFFIXES:
            yield self._html(path, where)
        else:
            raise _ProblemError(
                f"unsupported file type {suffix!r}; use one of {', '.join(SUPPORTED)}"
            )

    # -- bytes -------------------------------------------------------------------

    def _stdin(self) -> bytes:
        buf = getattr(sys.stdin, "buffer", None)
        data = buf.read(self.max_bytes + 1) if buf else sys.stdin.read().encode()
        if len(data) > self.max_bytes:
            raise _ProblemError(self._too_big(len(data), more=True))
        return bytes(data)

    def _bytes(self, path: Path) -> bytes:
        if (size := path.stat().st_size) > self.max_bytes:
            raise _ProblemError(self._too_big(size))
        with path.open("rb") as fh:
            data = fh.read(self.max_bytes + 1)
        if len(data) > self.max_bytes:  # it grew meanwhile
            raise _ProblemError(self._too_big(len(data), more=True))
        return data

    def _too_big(self, size: int, *, more: bool = False) -> str:
        return (
            f"file too large to read whole: {'more than ' if more else ''}"
            f"{size:,} bytes; the limit is {self.max_bytes:,} (KG_MAX_FILE_BYTES)"
        )

    def _decode(
        self, data: bytes, declared: str | None = None
    ) -> tuple[str, list[str]]:
        try:
            text, warning = decode_text(data, declared=declared)
        except NotTextError as exc:
            raise _ProblemError(str(exc)) from None
        return text, [warning] if warning else []

    # -- formats -----------------------------------------------------------------

    def _txt(self, path: Path, where: str) -> Article | Skipped:
        size = path.stat().st_size
        if size > 4 * self.max_chars + 4:  # more than max_chars even in UTF-32
            raise _ProblemError(
                f"article too long: {size:,} bytes, more than {self.max_chars:,} "
                "characters (KG_MAX_ARTICLE_CHARS); not read"
            )
        text, notes = self._decode(self._bytes(path))
        meta = {"id": shown(path.stem), **self.flags, **read_sidecar(path, notes)}
        return self._text(text, where, meta, notes)

    def _text(
        self, text: str, where: str, meta: Mapping[str, str], notes: list[str]
    ) -> Article | Skipped:
        if not text:
            return Skipped(where, "empty file: no text to ingest")
        if not text.strip():
            return Skipped(where, "only whitespace: no text to ingest")
        return self._article(text, meta, where, notes)

    def _article(
        self, text: str, meta: Mapping[str, Any], where: str, notes: list[str]
    ) -> Article | Skipped:
        if len(text) > self.max_chars:
            return Skipped(
                where,
                f"article too long: {len(text):,} characters; the limit is "
                f"{self.max_chars:,} (KG_MAX_ARTICLE_CHARS)",
            )
        return Article(
            id=meta["id"],
            text=text,
            title=meta.get("title"),
            date=meta.get("date"),
            source=meta.get("source"),
            url=meta.get("url"),
            origin=where,
            warnings=tuple(notes),
        )

    def _jsonl(self, path: Path, where: str) -> Iterator[Article | Skipped]:
        with path.open("rb") as fh:
            head = fh.read(4)
            fh.seek(0)
            if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
                text, notes = self._decode(self._bytes(path))
                yield from self._json_lines(_split(text), where, notes)
                return
            yield from self._json_lines(self._lines(fh, where), where, [])

    def _lines(self, fh: IO[bytes], where: str) -> Iterator[_Line | Skipped]:
        """Decoded lines; a line too long or not text becomes a Skipped."""
        for n, line in enumerate(_bounded_lines(fh, self.max_line), 1):
            if line is None:
                yield Skipped(
                    f"{where}:{n}",
                    f"line too long: more than {self.max_line:,} bytes, longer than "
                    f"an article may be ({self.max_chars:,} characters, "
                    "KG_MAX_ARTICLE_CHARS); not read",
                )
                continue
            if n == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            try:
                text, warning = decode_text(line)
            except NotTextError as exc:
                yield Skipped(f"{where}:{n}", str(exc))
                continue
            yield text.rstrip("\r\n"), warning and f"{warning} (offset in the line)"

    def _json_lines(
        self, lines: Iterable[_Line | Skipped], where: str, notes: list[str]
    ) -> Iterator[Article | Skipped]:
        found = False
        for n, item in enumerate(lines, 1):
            if isinstance(item, Skipped):
                found = True
                yield item
                continue
            line, warning = item
            if not line.strip():
                continue
            found = True
            extra = [warning] if warning else []
            try:
                obj = json.loads(line)
            except (ValueError, RecursionError) as exc:
                yield Skipped(f"{where}:{n}", json_error(exc, line=True))
                continue
            yield self._object(obj, f"{where}:{n}", notes + extra)
        if not found:
            yield Skipped(where, "empty file: no JSON lines to ingest")

    def _json(self, path: Path, where: str) -> Iterator[Article | Skipped]:
        text, notes = self._decode(self._bytes(path))
        if not text.strip():
            raise _ProblemError("empty file: no JSON to ingest")
        if not text.lstrip().startswith("[") and _is_json_lines(text):
            yield from self._json_lines(_split(text), where, notes)
            return
        try:
            obj = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise _ProblemError(json_error(exc)) from None
        if isinstance(obj, list):
            for k, item in enumerate(obj, 1):
                yield self._object(item, f"{where}[{k}]", notes)
        else:
            yield self._object(obj, where, notes)

    def _object(self, obj: Any, where: str, notes: list[str]) -> Article | Skipped:
        if not isinstance(obj, dict):
            return Skipped(
                where,
                f"expected a JSON object with fields {', '.join(_FIELDS)}, "
                f"got {json_type(obj)}",
            )
        for name in ("id", "text"):
            value = obj.get(name)
            if value is not None and not isinstance(value, str):
                return Skipped(
                    where,
                    f"field {name!r} must be a string, got {json_type(value)}",
                )
        text = obj.get("text")
        if not text or not text.strip():
            return Skipped(where, "field 'text' is missing or empty")
        notes = list(notes)
        meta = usable_meta(obj, "field {!r}", notes)
        art_id = repair_surrogates(
            obj.get("id") or "", "field 'id'", notes
        ) or meta.get("url")
        if not art_id:
            return Skipped(
                where, "neither 'id' nor 'url' is given: cannot identify the article"
            )
        text = repair_surrogates(text, "field 'text'", notes)
        return self._article(text, {**meta, "id": art_id}, where, notes)

    def _html(self, path: Path, where: str) -> Article | Skipped:
        import trafilatura

        data = self._bytes(path)
        html, notes = self._decode(data, sniff_html_charset(data))
        try:
            doc = trafilatura.bare_extraction(
                html,
                with_metadata=True,
                include_comments=False,
                prune_xpath=["//noscript"],
            )
        except Exception as exc:  # a parser failure on one page must not stop the run
            return Skipped(where, f"the HTML could not be parsed: {exc!r}")
        text = getattr(doc, "text", None) if doc is not None else None
        if not text or len(text.split()) < _MIN_HTML_WORDS:
            return Skipped(
                where,
                "no article text found in the HTML (scripts, styles and navigation "
                "are not an article)",
            )
        found = {
            "title": getattr(doc, "title", None),
            "date": getattr(doc, "date", None),
            "source": getattr(doc, "sitename", None),
            "url": getattr(doc, "url", None),
        }
        meta = {
            **usable_meta(found, "HTML metadata {!r}", notes),
            **self.flags,
            **read_sidecar(path, notes),
        }
        meta["id"] = meta.get("id") or meta.get("url") or shown(path.stem)
        return self._article(text, meta, where, notes)


def _split(text: str) -> Iterator[_Line]:
    """Lines at ``\\n`` only: U+2028 and friends may sit inside a JSON string."""
    return ((line, None) for line in text.split("\n"))


def _bounded_lines(fh: IO[bytes], limit: int) -> Iterator[bytes | None]:
    """Lines of at most ``limit`` bytes; a longer line is consumed and yields None."""
    while line := fh.readline(limit + 1):
        if len(line) > limit and not line.endswith(b"\n"):
            while (rest := fh.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass
            yield None
        else:
            yield line


def _is_json_lines(text: str) -> bool:
    lines = [ln for ln in text.split("\n", 50)[:50] if ln.strip()]
    return len(lines) > 1 and all(ln.lstrip().startswith("{") for ln in lines[:2])
