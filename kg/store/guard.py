"""Checks on SPARQL text before any engine sees it: nothing leaves the host.

Oxigraph would follow ``SERVICE <url>`` and ``LOAD <url>`` over HTTP (and a
``file:`` IRI names the server's own disk): both are refused unless the host
is on the allow-list (``KG_ALLOW_HOSTS``). ``FROM`` / ``FROM NAMED`` are only
graph names here and are never dereferenced. Over-long and deeply nested
texts are refused before parsing, so a hostile query cannot exhaust the parser.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlparse

from kg.errors import QueryError
from kg.textcache import short_text_cache

# strings, IRIs and comments are blanked before looking for keywords
_OPAQUE = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'|<[^<>\"{}|^`\\\s]*>|#[^\n]*"
)
_SERVICE = re.compile(r"(?<![?$:\w])SERVICE\b(?:\s+SILENT\b)?", re.I)
_LOAD = re.compile(r"(?<![?$:\w])LOAD\b(?:\s+SILENT\b)?", re.I)
_IRI = re.compile(r"\s*(?:<([^>]*)>|([^\s{]+))")
# after blanking IRIs, a prologue is only "PREFIX p:" and "BASE" words
_UPDATE = re.compile(
    r"\s*(?:(?:PREFIX\s+[^\s:]*:|BASE)\s+)*"
    r"(?:INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
    re.I,
)
MAX_DEPTH = 64


def blank_opaque(sparql: str) -> str:
    """The text with strings, IRIs and comments blanked out."""
    return _OPAQUE.sub(" ", sparql)


def blank_same_length(sparql: str) -> str:
    """Strings, comments and IRIs replaced by as many spaces (offsets kept)."""
    return _OPAQUE.sub(lambda m: " " * len(m.group()), sparql)


def is_update(sparql: str) -> bool:
    """True when the text is a SPARQL Update rather than a query."""
    return bool(_UPDATE.match(blank_opaque(sparql)))


def _depth(text: str) -> int:
    depth = deepest = 0
    for ch in text:
        if ch in "({[":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")}]":
            depth -= 1
    return deepest


def _hosts_allowed(
    pattern: re.Pattern[str], text: str, allow: Iterable[str]
) -> str | None:
    """The first IRI after the keyword whose host is not allowed, or None."""
    allowed = {h.lower() for h in allow}
    for m in pattern.finditer(blank_same_length(text)):
        target = _IRI.match(text, m.end())
        iri = (target.group(1) or target.group(2) or "") if target else ""
        parsed = urlparse(iri)
        if (
            parsed.scheme not in ("http", "https")
            or (parsed.hostname or "") not in allowed
        ):
            return iri
    return None


def check_sparql(
    sparql: str,
    *,
    update: bool = False,
    allow_hosts: Iterable[str] = (),
    max_bytes: int | None = None,
) -> None:
    """Refuse what must never reach the engine (see :func:`_check`).

    Short texts that passed are remembered (the last 256 of at most 8 KB), so a
    repeated query is checked once; long ones are checked every time.
    """
    _check(sparql, update, tuple(allow_hosts), max_bytes)


@short_text_cache()  # only passes are cached: a refusal raises
def _check(
    sparql: str, update: bool, allow_hosts: tuple[str, ...], max_bytes: int | None
) -> None:
    """Refuse what must never reach the engine.

    Args:
        sparql: the query or update text.
        update: True for the update endpoint (a query is refused there, and
            the other way round).
        allow_hosts: hosts SERVICE and LOAD may reach (none by default).
        max_bytes: the longest text accepted.

    Raises:
        QueryError: with a message saying what was refused and why.
    """
    if max_bytes is not None and len(sparql.encode()) > max_bytes:
        raise QueryError(
            f"the SPARQL text is {len(sparql.encode())} bytes; the limit is {max_bytes}"
        )
    if _depth(blank_opaque(sparql)) > MAX_DEPTH:
        raise QueryError(f"the SPARQL text nests deeper than {MAX_DEPTH} levels")
    if is_update(sparql) and not update:
        raise QueryError(
            "SPARQL Update is not allowed here: queries are read-only "
            "(send SELECT, ASK, CONSTRUCT or DESCRIBE; updates go to /update)"
        )
    if update and not is_update(sparql):
        raise QueryError("this is a query, not an update: send it to /sparql")
    refused = _hosts_allowed(_SERVICE, sparql, allow_hosts)
    if refused is not None:
        raise QueryError(
            f"SERVICE <{refused}> is not allowed: the server makes no network "
            "requests on a query's behalf (set KG_ALLOW_HOSTS to allow a host)"
        )
    refused = _hosts_allowed(_LOAD, sparql, allow_hosts)
    if refused is not None:
        raise QueryError(
            f"LOAD <{refused}> is not allowed: the server reads neither the network "
            "nor its own files on a request's behalf (KG_ALLOW_HOSTS allows a host)"
        )
