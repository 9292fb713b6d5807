"""The only place IRIs are minted. Every IRI is deterministic.

Entities are keyed by (type, normalised name), so the same actor seen in two
articles gets the same IRI without any coordination; predicates by their
normalised lemma phrase; articles by their id; sentences, statements and quotes
by their article and content.

Example:
    >>> Minter("https://kg.example/").entity("Person", "Cécile  Bossy")
    rdflib.term.URIRef('https://kg.example/id/person/cecile-bossy')
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import quote

from rdflib import URIRef

_NON_WORD = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """ASCII slug of a name: accents folded, case folded, runs of other chars to '-'."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _NON_WORD.sub("-", folded.casefold()).strip("-")
    if slug:
        return slug[:120]
    # names with no ASCII letters at all (e.g. CJK): keep them readable, percent-encoded
    return quote(unicodedata.normalize("NFC", text.strip()).casefold(), safe="")[:120]


def short_hash(*parts: str, length: int = 16) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:length]


class Minter:
    """Mints IRIs under one base IRI."""

    def __init__(self, base: str) -> None:
        self.base = base if base.endswith(("/", "#")) else base + "/"

    def entity(self, type_name: str, name: str) -> URIRef:
        return URIRef(f"{self.base}id/{type_name.lower()}/{slugify(name)}")

    def predicate(self, phrase: str) -> URIRef:
        return URIRef(f"{self.base}rel/{slugify(phrase).replace('-', '_')}")

    def article(self, article_id: str) -> URIRef:
        return URIRef(f"{self.base}id/article/{quote(article_id, safe='')}")

    def article_graph(self, article_id: str) -> URIRef:
        return URIRef(f"{self.base}graph/{quote(article_id, safe='')}")

    def sentence(self, article_id: str, index: int) -> URIRef:
        return URIRef(f"{self.base}id/article/{quote(article_id, safe='')}/s{index}")

    def statement(self, article_id: str, *parts: str) -> URIRef:
        return URIRef(f"{self.base}id/statement/{short_hash(article_id, *parts)}")

    def quote(self, article_id: str, *parts: str) -> URIRef:
        return URIRef(f"{self.base}id/quote/{short_hash(article_id, *parts)}")

    def article_id_of_graph(self, graph: str) -> str | None:
        """The article id a named-graph IRI stands for, or None."""
        from urllib.parse import unquote

        prefix = f"{self.base}graph/"
        return unquote(graph[len(prefix) :]) if graph.startswith(prefix) else None
