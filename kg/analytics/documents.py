"""Documents over the store: an article's view, with the entity panel and the
overview re-exported (:mod:`kg.analytics.entity`, :mod:`kg.analytics.overview`).

Plain dicts out, read with SPARQL through the :class:`~kg.store.base.Store`
protocol. Nothing the caller gives is pasted into a query unchecked: entity IRIs
pass :func:`~kg.analytics.convert.check_iri`, and an article id never enters a
query at all (its graph IRI is minted, percent-encoded, and given as the dataset).

Example:
    >>> from kg.store import EmbeddedStore
    >>> overview(EmbeddedStore(None))["counts"]["articles"]
    0
    >>> entity_id("https://kg.example/id/person/cecile-bossy")
    'person/cecile-bossy'
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from kg.analytics.entity import _article, entity_panel
from kg.analytics.overview import overview
from kg.analytics.records import (
    _CLASSES,
    Iri,
    _article_graph,
    _brief,
    _local_name,
    _maybe_id,
    _pick_names,
    _rows,
    entity_id,
    entity_iri,
)
from kg.config import DEFAULT_BASE_IRI
from kg.errors import NotFoundError

if TYPE_CHECKING:
    from kg.store.base import Store

__all__ = [
    "Iri",
    "article_view",
    "entity_id",
    "entity_iri",
    "entity_panel",
    "find_mentions",
    "name_finders",
    "overview",
]


# -- article view ---------------------------------------------------------------------
# these run with the article's graph as the whole dataset

_ARTICLE = """
SELECT ?a ?id ?title ?date ?source ?url WHERE {
  ?a a schema:NewsArticle ; schema:identifier ?id .
  OPTIONAL { ?a schema:headline ?title }
  OPTIONAL { ?a schema:datePublished ?date }
  OPTIONAL { ?a schema:publisher/rdfs:label ?source }
  OPTIONAL { ?a schema:url ?url }
} LIMIT 1
"""

_SENTENCES = """
SELECT ?idx ?text ?begin ?end WHERE {
  ?s a kg:Sentence ; kg:sentenceIndex ?idx ; schema:text ?text .
  OPTIONAL { ?s nif:beginIndex ?begin }
  OPTIONAL { ?s nif:endIndex ?end }
} ORDER BY ?idx
"""

_LOCAL_NAMES = f"""
SELECT ?e ?kind ?value WHERE {{
  VALUES ?t {{ {_CLASSES} }}
  ?e a ?t .
  {{ ?e a ?value . BIND("type" AS ?kind) }}
  UNION {{ ?e rdfs:label ?value . BIND("label" AS ?kind) }}
  UNION {{ ?e skos:altLabel ?value . BIND("alt" AS ?kind) }}
  UNION {{ ?e schema:jobTitle ?value . BIND("role" AS ?kind) }}
}}
"""

_ARTICLE_STATEMENTS = """
SELECT ?st (SAMPLE(?s_) AS ?s) (SAMPLE(?p_) AS ?p) (SAMPLE(?o_) AS ?o)
  (SAMPLE(?plabel_) AS ?plabel) (SAMPLE(?conf_) AS ?conf) (SAMPLE(?neg_) AS ?neg)
  (SAMPLE(?mod_) AS ?mod) (SAMPLE(?otext_) AS ?otext) (SAMPLE(?by_) AS ?by)
  (SAMPLE(?idx_) AS ?idx)
WHERE {
  ?st a kg:Statement ; rdf:subject ?s_ ; rdf:predicate ?p_ ; rdf:object ?o_ .
  OPTIONAL { ?p_ rdfs:label ?plabel_ }
  OPTIONAL { ?st kg:confidence ?conf_ }
  OPTIONAL { ?st kg:negated ?neg_ }
  OPTIONAL { ?st kg:modality ?mod_ }
  OPTIONAL { ?st kg:objectText ?otext_ }
  OPTIONAL { ?st prov:wasAttributedTo ?by_ }
  OPTIONAL { ?st prov:wasDerivedFrom/kg:sentenceIndex ?idx_ }
} GROUP BY ?st
"""

_ARTICLE_QUOTES = """
SELECT ?q (SAMPLE(?text_) AS ?text) (SAMPLE(?speaker_) AS ?speaker)
  (SAMPLE(?to_) AS ?to) (SAMPLE(?verb_) AS ?verb) (SAMPLE(?idx_) AS ?idx)
WHERE {
  ?q a kg:Quote ; schema:text ?text_ .
  OPTIONAL { ?q kg:speaker ?speaker_ }
  OPTIONAL { ?q kg:addressee ?to_ }
  OPTIONAL { ?q kg:reportingVerb ?verb_ }
  OPTIONAL { ?q prov:wasDerivedFrom/kg:sentenceIndex ?idx_ }
} GROUP BY ?q
"""


def article_view(
    store: Store, article_id: str, *, base: str = DEFAULT_BASE_IRI
) -> dict[str, Any]:
    """One article: its sentences with entity mentions, statements and quotes.

    Names and labels are the article's own (from its graph). Mentions are found by
    looking for each entity's label and other names in each sentence: case
    sensitive at word boundaries first, then ignoring case (names of 4 or more
    characters that are not all capitals); longest first, never overlapping.

    Returns:
        ``{"id", "iri", "title", "date", "source", "url", "sentences",
        "statements", "quotes"}``. ``sentences``: ``{"index", "text", "begin",
        "end", "mentions"}`` in order; ``begin``/``end`` are offsets in the article
        text, a mention's ``begin``/``end`` offsets in the sentence text, with its
        ``iri``, ``id``, ``label`` and ``type``. ``statements``: ``{"statement",
        "subject", "predicate", "predicate_label", "object", "confidence",
        "negated", "modality", "sentence_index", "attributed_to"}``; subject and
        object are ``{"iri", "id", "label", "type"}``, a literal object is
        ``{"text"}``. ``quotes``: ``{"quote", "text", "speaker", "addressee",
        "reporting_verb", "sentence_index"}``.

    Raises:
        InputError: ``article_id`` is empty, too long or has control characters.
        NotFoundError: no article has this id.

    Example:
        >>> from kg.store import EmbeddedStore
        >>> article_view(EmbeddedStore(None), "afp-001")
        Traceback (most recent call last):
        kg.errors.NotFoundError: no article with id 'afp-001' in the store
    """
    dataset = {"default_graph": [_article_graph(article_id, base)]}
    meta = _rows(store, _ARTICLE, **dataset)
    if not meta:
        raise NotFoundError(f"no article with id {article_id!r} in the store")
    view = {"id": meta[0]["id"], "iri": meta[0]["a"], **_article(meta[0])}
    found: dict[str, dict[str, list[tuple[str, int]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for r in _rows(store, _LOCAL_NAMES, **dataset):
        found[r["e"]][r["kind"]].append((r["value"], 1))
    names = {iri: _pick_names(iri, f, base) for iri, f in found.items()}
    view["sentences"] = _sentences(_rows(store, _SENTENCES, **dataset), names)

    def who(iri: str | None) -> dict[str, Any] | None:
        return _entity(iri, names, base)

    view["statements"] = _statements(_rows(store, _ARTICLE_STATEMENTS, **dataset), who)
    view["quotes"] = sorted(
        (
            {
                "quote": r["q"],
                "text": r["text"],
                "speaker": who(r["speaker"]),
                "addressee": who(r["to"]),
                "reporting_verb": r["verb"],
                "sentence_index": r["idx"],
            }
            for r in _rows(store, _ARTICLE_QUOTES, **dataset)
        ),
        key=lambda q: (q["sentence_index"] or 0, q["quote"]),
    )
    return view


def _entity(
    iri: str | None, names: dict[str, dict[str, Any]], base: str
) -> dict[str, Any] | None:
    if not isinstance(iri, Iri):
        return None
    if iri in names:
        return _brief(names[iri])
    return {
        "iri": iri,
        "id": _maybe_id(iri, base),
        "label": _local_name(iri),
        "type": "Thing",
    }


def _statements(
    rows: list[dict[str, Any]], who: Callable[[str | None], dict[str, Any] | None]
) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        o = r["o"]
        out.append(
            {
                "statement": r["st"],
                "subject": who(r["s"]),
                "predicate": r["p"],
                "predicate_label": r["plabel"] or _local_name(r["p"]).replace("_", " "),
                "object": who(o) if isinstance(o, Iri) else {"text": r["otext"] or o},
                "confidence": r["conf"],
                "negated": bool(r["neg"]),
                "modality": r["mod"] or "asserted",
                "sentence_index": r["idx"],
                "attributed_to": who(r["by"]),
            }
        )
    return sorted(out, key=lambda s: (s["sentence_index"] or 0, s["statement"]))


def _sentences(
    rows: list[dict[str, Any]], names: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    finders = name_finders(
        {iri: [info["label"], *info["aliases"]] for iri, info in names.items()}
    )
    return [
        {
            "index": r["idx"],
            "text": r["text"],
            "begin": r["begin"],
            "end": r["end"],
            "mentions": [
                {"begin": b, "end": e, "text": r["text"][b:e], **_brief(names[iri])}
                for b, e, iri in find_mentions(r["text"], finders)
            ],
        }
        for r in rows
    ]


def name_finders(
    names: Mapping[str, Iterable[str]],
) -> list[tuple[re.Pattern[str], str]]:
    """``(pattern, key)`` for each name of each key, in the order
    :func:`find_mentions` tries them: every name case sensitive, then names of 4 or
    more characters that are not all capitals ignoring case; longest first.

    Example:
        >>> finders = name_finders({"e1": ["Cecile Bossy", "Bossy"]})
        >>> find_mentions("Bossy met Cecile Bossy.", finders)
        [(0, 5, 'e1'), (10, 22, 'e1')]
    """
    surfaces = sorted(
        {(n, key) for key, ns in names.items() for n in ns if n.strip()},
        key=lambda nk: (-len(nk[0]), nk[0], nk[1]),
    )
    finders = []
    for flags in (0, re.IGNORECASE):
        for name, key in surfaces:
            if flags and (len(name) < 4 or name.isupper()):
                continue
            pattern = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", flags)
            finders.append((pattern, key))
    return finders


def find_mentions(
    text: str, finders: list[tuple[re.Pattern[str], str]]
) -> list[tuple[int, int, str]]:
    """Non-overlapping ``(begin, end, iri)`` spans of ``text``, in order; earlier
    finders win."""
    taken: list[tuple[int, int, str]] = []
    for pattern, iri in finders:
        for m in pattern.finditer(text):
            if not any(m.start() < e and b < m.end() for b, e, _ in taken):
                taken.append((m.start(), m.end(), iri))
    return sorted(taken)
