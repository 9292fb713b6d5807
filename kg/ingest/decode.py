"""Bytes from a news file → text, with a warning when the bytes were not clean UTF-8.

The rules, in order (README, "Bad input"):

1. A byte-order mark decides: UTF-8, UTF-16 or UTF-32 (LE/BE), silently.
2. A NUL byte means binary data (or UTF-16 without a byte-order mark): not text.
3. A charset the caller was told about (an HTML ``<meta charset>``) is used.
4. Valid UTF-8 is UTF-8. Bytes that are not valid UTF-8 are either a damaged UTF-8
   file (it also holds valid multi-byte sequences): decoded with U+FFFD in place of
   each bad byte and a warning naming the first byte offset; or a legacy 8-bit file
   (no valid multi-byte sequence at all): decoded as Windows-1252, with a warning.
5. Text in which more than 5% of the characters are control characters or U+FFFD
   is binary data, not text.

Example:
    >>> decode_text("caf\\u00e9".encode("cp1252"))
    ('café', 'not UTF-8 (first non-UTF-8 byte at offset 3); decoded as Windows-1252')
"""

from __future__ import annotations

import codecs
import re

__all__ = ["NotTextError", "decode_text", "sniff_html_charset"]

_BOMS = (  # UTF-32 first: its LE mark starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd]")
_MAX_NOT_TEXT = 0.05
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)


class NotTextError(ValueError):
    """The bytes are binary data, not text in any encoding kg reads."""


def decode_text(data: bytes, *, declared: str | None = None) -> tuple[str, str | None]:
    """Decode a file's bytes; return the text and a warning (None when clean).

    Args:
        data: the raw bytes.
        declared: an encoding the document declares (e.g. HTML ``<meta charset>``).

    Raises:
        NotTextError: NUL bytes or mostly control characters (the message says where).
    """
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            return _check(*_decode(data[len(bom) :], codec, name, len(bom)))
    nul = data.find(b"\x00")
    if nul >= 0:
        hint = " (UTF-16 without a byte-order mark?)" if _looks_utf16(data) else ""
        raise NotTextError(f"binary data: NUL byte at byte offset {nul}{hint}")
    known = _known_codec(declared)
    if known is not None and known != "utf-8":
        return _check(*_decode(data, known, declared or known, 0))
    try:
        return _check(data.decode("utf-8"), None)
    except UnicodeDecodeError as exc:
        first = exc.start
    if _UTF8_MULTIBYTE.search(data):
        text = data.decode("utf-8", errors="replace")
        bad = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
        return _check(
            text,
            f"invalid UTF-8 at byte offset {first}; {bad} bad byte sequence(s) "
            "replaced by U+FFFD",
        )
    text = data.decode("cp1252", errors="replace")
    return _check(
        text,
        f"not UTF-8 (first non-UTF-8 byte at offset {first}); decoded as Windows-1252",
    )


def sniff_html_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in its first 4 KiB, if any."""
    m = _META_CHARSET.search(data[:4096])
    return m.group(1).decode("ascii") if m else None


def _decode(data: bytes, codec: str, name: str, base: int) -> tuple[str, str | None]:
    try:
        return data.decode(codec), None
    except UnicodeDecodeError as exc:
        return (
            data.decode(codec, errors="replace"),
            f"invalid {name} at byte offset {base + exc.start}; bad bytes "
            "replaced by U+FFFD",
        )


def _check(text: str, warning: str | None) -> tuple[str, str | None]:
    if text:
        bad = len(_NOT_TEXT.findall(text))
        if bad > _MAX_NOT_TEXT * len(text):
            raise NotTextError(
                f"binary data: {bad} of {len(text)} characters are control "
                "characters or undecodable bytes"
            )
    return text, warning


def _known_codec(label: str | None) -> str | None:
    if not label:
        return None
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # as browsers do (WHATWG Encoding): a Latin-1 label means Windows-1252
    return "cp1252" if name in ("latin-1", "iso8859-1", "ascii") else name


def _looks_utf16(data: bytes) -> bool:
    sample = data[:2000]
    return len(sample) >= 4 and (
        sample[1::2].count(0) > 0.4 * len(sample) / 2
        or sample[0::2].count(0) > 0.4 * len(sample) / 2
    )
