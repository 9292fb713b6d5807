"""Article metadata: which fields are usable, dates normalised, sidecar files.

Nothing here raises for bad input: each unusable field adds a note (a warning
for the article) and is left out; the caller decides what to do.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from kg.ingest.decode import NotTextError, decode_text
from kg.ingest.files import shown

__all__ = [
    "json_error",
    "json_type",
    "normalise_date",
    "read_sidecar",
    "repair_surrogates",
    "usable_meta",
]

_META = ("title", "date", "source", "url")
_JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean"}
_SURROGATE = re.compile("[\ud800-\udfff]")
_DATE_FORMATS = ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%Y/%m/%d")
_MAX_SIDECAR_BYTES = 1 << 20


def normalise_date(value: str) -> str | None:
    """``YYYY-MM-DD`` from an ISO 8601, RFC 2822 or spelt-out date; None if none.

    Example:
        >>> normalise_date("Wed, 28 May 2014 10:00:00 +0000")
        '2014-05-28'
    """
    v = value.strip()
    try:
        return datetime.fromisoformat(v).date().isoformat()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(v).date().isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(v, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def json_type(value: Any) -> str:
    """The JSON name of a parsed value's type: object, array, number, ..."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "number"
    return _JSON_TYPES.get(type(value), "null" if value is None else "other")


def json_error(exc: Exception, *, line: bool = False) -> str:
    """A reason for a JSON parse failure (``line``: one line of JSON Lines)."""
    if isinstance(exc, RecursionError):
        return "invalid JSON: nested too deeply to read"
    if isinstance(exc, json.JSONDecodeError) and line:
        return f"invalid JSON: {exc.msg} (column {exc.colno})"
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
    # e.g. an integer of more than 4,300 digits: Python's limit, not JSON's
    return f"invalid JSON: {str(exc).split(':')[0]}"


def repair_surrogates(value: str, label: str, notes: list[str]) -> str:
    """Lone surrogates (from JSON ``\\udXXX`` escapes) cannot be stored: U+FFFD."""
    if (m := _SURROGATE.search(value)) is None:
        return value
    notes.append(
        f"{label}: lone UTF-16 surrogate at character {m.start()} replaced by U+FFFD"
    )
    return _SURROGATE.sub("\ufffd", value)


def usable_meta(raw: Mapping[str, Any], label: str, notes: list[str]) -> dict[str, str]:
    """The metadata fields that are usable; each unusable one adds a note."""
    meta: dict[str, str] = {}
    for name in _META:
        value = raw.get(name)
        if value is None or value == "":
            continue
        what = label.format(name)
        if not isinstance(value, str):
            notes.append(f"{what} must be a string, got {json_type(value)}; ignored")
            continue
        value = repair_surrogates(value.strip(), what, notes)
        if name == "date":
            iso = normalise_date(value)
            if iso is None:
                notes.append(
                    f"{what}: {value!r} is not a date (use ISO 8601, e.g. "
                    "2014-05-28); ingested without a date"
                )
                continue
            value = iso
        meta[name] = value
    return meta


def read_sidecar(path: Path, notes: list[str]) -> dict[str, str]:
    """The usable metadata of ``NAME.meta.json`` beside ``NAME.txt`` (or ``.html``)."""
    side = path.with_name(path.stem + ".meta.json")
    label = f"sidecar {shown(side.name)}"
    try:
        if not side.is_file():  # a FIFO or a folder is not read
            return {}
        with side.open("rb") as fh:
            data = fh.read(_MAX_SIDECAR_BYTES)
        meta = json.loads(decode_text(data)[0])
    except OSError as exc:
        notes.append(f"{label} ignored: {exc.strerror or exc}")
        return {}
    except NotTextError as exc:
        notes.append(f"{label} ignored: {exc}")
        return {}
    except (ValueError, RecursionError) as exc:
        notes.append(f"{label} ignored: {json_error(exc)}")
        return {}
    if not isinstance(meta, dict):
        notes.append(f"{label} ignored: expected a JSON object, got {json_type(meta)}")
        return {}
    found = usable_meta(meta, f"{label}: field {{!r}}", notes)
    if isinstance(meta.get("id"), str) and meta["id"].strip():
        found["id"] = repair_surrogates(
            meta["id"].strip(), f"{label}: field 'id'", notes
        )
    return found
