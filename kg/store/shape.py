"""Recognise queries whose cost is bounded before they run.

Oxigraph evaluates a query that is one triple pattern lazily: each result row
is one step of an index scan. When the pattern's constants are IRIs or simple
literals, no variable repeats (a repeat would filter, i.e. scan rows it does
not return) and nothing sorts, groups or deduplicates, the work is proportional
to the rows returned. :func:`single_pattern` finds that shape; the store then
bounds the rows (a LIMIT, or a short probe of the index) and the server runs
such a query on its event loop, where handing it to a thread would cost more
than running it.

Example:
    >>> p = single_pattern('SELECT ?e WHERE { ?e rdfs:label "Littlewick" }',
    ...                    {"rdfs": "http://www.w3.org/2000/01/rdf-schema#"})
    >>> p.terms[1], p.limit
    ('http://www.w3.org/2000/01/rdf-schema#label', None)
    >>> single_pattern("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s", {}) is None
    True
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

_IRI = r"<([^<>\"{}|^`\\\s]*)>"
_PN = r"([A-Za-z][\w-]*)?:([\w-]*)"
_PREFIX = re.compile(r"\s*PREFIX\s+(?:([A-Za-z][\w-]*)?):\s*" + _IRI, re.I)
_HEAD = re.compile(
    r"\s*(?:(SELECT)\s+(?:[?$]\w+\s*)+|(SELECT)\s*\*\s*|(ASK)\s*)(?:WHERE\s*)?\{",
    re.I,
)
_TERM = re.compile(
    r"\s*(?:[?$](\w+)|" + _IRI + r"|" + _PN + r"|(a)(?=\s)"
    r'|"([^"\\\n]*)"(?:@([a-zA-Z]+(?:-[a-zA-Z0-9]+)*)|\^\^' + _IRI + r")?)"
)
_TAIL = re.compile(
    r"\s*\.?\s*\}\s*(?:LIMIT\s+(\d+)\s*(?:OFFSET\s+(\d+)\s*)?"
    r"|OFFSET\s+(\d+)\s*(?:LIMIT\s+(\d+)\s*)?)?$",
    re.I,
)
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

Term = ox.NamedNode | ox.Literal | None  # None: a variable


@dataclass(frozen=True)
class Pattern:
    """One triple pattern: ``terms`` as IRIs/literal text, ``nodes`` for the index."""

    nodes: tuple[ox.NamedNode | None, ox.NamedNode | None, Term]
    limit: int | None
    offset: int
    ask: bool

    @property
    def terms(self) -> tuple[str | None, ...]:
        return tuple(None if n is None else n.value for n in self.nodes)


def single_pattern(sparql: str, prefixes: dict[str, str]) -> Pattern | None:
    """The query's one triple pattern, or None when it has any other shape."""
    known = dict(prefixes)
    pos = 0
    while m := _PREFIX.match(sparql, pos):
        known[m.group(1) or ""] = m.group(2)
        pos = m.end()
    head = _HEAD.match(sparql, pos)
    if head is None:
        return None
    pos = head.end()
    nodes: list[Term] = []
    variables: set[str] = set()
    for _ in range(3):
        m = _TERM.match(sparql, pos)
        if m is None:
            return None
        pos = m.end()
        var, iri, pfx, local, a, lit, lang, dtype = m.groups()
        if var is not None:
            if var in variables:
                return None
            variables.add(var)
            nodes.append(None)
        elif iri is not None:
            nodes.append(ox.NamedNode(iri))
        elif local is not None:
            if (pfx or "") not in known:
                return None  # let the engine report the unknown prefix
            nodes.append(ox.NamedNode(known[pfx or ""] + local))
        elif a is not None:
            nodes.append(ox.NamedNode(_RDF_TYPE))
        elif lang is not None:
            nodes.append(ox.Literal(lit, language=lang))
        elif dtype is not None:
            nodes.append(ox.Literal(lit, datatype=ox.NamedNode(dtype)))
        else:
            nodes.append(ox.Literal(lit))
    tail = _TAIL.match(sparql, pos)
    subject, predicate, obj = nodes
    if tail is None or isinstance(subject, ox.Literal):
        return None
    if isinstance(predicate, ox.Literal):
        return None
    limit = tail.group(1) or tail.group(4)
    offset = tail.group(2) or tail.group(3)
    return Pattern(
        (subject, predicate, obj),
        None if limit is None else int(limit),
        int(offset or 0),
        ask=head.group(3) is not None,
    )


__all__ = ["Pattern", "single_pattern"]
