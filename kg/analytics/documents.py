"""Documents over the store: an entity's panel, an article's view, the overview.

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
from urllib.parse import quote

from kg.analytics.convert import check_iri
from kg.config import DEFAULT_BASE_IRI
from kg.errors import InputError, NotFoundError
from kg.graph.iris import Minter
from kg.vocab import TYPE_CLASSES, sparql_prefixes

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

TOP = 10
_CLASSES = " ".join(f"<{iri}>" for iri in TYPE_CLASSES.values())
_TYPE_NAMES = {str(iri): name for name, iri in TYPE_CLASSES.items()}
_TYPE_RANK = {name: i for i, name in enumerate(TYPE_CLASSES)}
_ENTITY_ID = re.compile(r"([a-z]+)/([^\s/<>\"{}|^`\\]+)")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MAX_ID = 2000


# -- ids and IRIs ---------------------------------------------------------------------


def _id_prefix(base: str) -> str:
    return f"{Minter(base).base}id/"


def entity_id(iri: str, *, base: str = DEFAULT_BASE_IRI) -> str:
    """The short id of an entity IRI (``.../id/person/x`` → ``person/x``).

    Raises:
        InputError: ``iri`` is not an entity IRI under ``base``.
    """
    prefix = _id_prefix(base)
    rest = iri[len(prefix) :] if iri.startswith(prefix) else ""
    if not _ENTITY_ID.fullmatch(rest):
        raise InputError(
            f"not an entity IRI: {iri!r} (expected e.g. {prefix}person/cecile-bossy)"
        )
    return rest


def entity_iri(id_: str, *, base: str = DEFAULT_BASE_IRI) -> str:
    """The IRI of a short entity id (``person/x`` → ``.../id/person/x``).

    A decoded non-ASCII name (``person/中村``) is percent-encoded as minted.

    Raises:
        InputError: ``id_`` is not ``type/name``.
    """
    kind, _, name = id_.partition("/")
    if not (re.fullmatch(r"[a-z]+", kind) and name) or re.search(
        r"[\s/\x00-\x1f\x7f]", name
    ):
        raise InputError(
            f"not an entity id: {id_!r} (expected e.g. person/cecile-bossy)"
        )
    return check_iri(f"{_id_prefix(base)}{kind}/{quote(name, safe='%-._~')}")


def _maybe_id(iri: str | None, base: str) -> str | None:
    try:
        return entity_id(iri, base=base) if iri else None
    except InputError:
        return None


def _article_graph(article_id: str, base: str) -> str:
    if not article_id or len(article_id) > _MAX_ID or _CONTROL.search(article_id):
        raise InputError(
            f"not an article id: {article_id!r} (1 to {_MAX_ID} characters, "
            "no control characters)"
        )
    return check_iri(str(Minter(base).article_graph(article_id)))


# -- reading rows ---------------------------------------------------------------------


class Iri(str):
    """An IRI read from the store (a ``str``), told apart from a literal's text."""


def _value(term: Any) -> Any:
    """A pyoxigraph term (or None) as a plain Python value; IRIs as :class:`Iri`."""
    if term is None:
        return None
    value = term.value
    if not hasattr(term, "datatype"):  # a named or blank node
        return Iri(value) if type(term).__name__ == "NamedNode" else f"_:{value}"
    datatype = getattr(getattr(term, "datatype", None), "value", "")
    if datatype.endswith(("#double", "#decimal", "#float")):
        return float(value)
    if datatype.endswith("#integer"):
        return int(value)
    if datatype.endswith("#boolean"):
        return value in ("true", "1")
    return value


def _rows(store: Store, sparql: str, **dataset: Any) -> list[dict[str, Any]]:
    results = store.query(sparql_prefixes() + sparql, **dataset)
    names = [v.value for v in results.variables]
    return [{n: _value(row[n]) for n in names} for row in results]


def _values(iris: Iterable[str]) -> str:
    return " ".join(f"<{check_iri(iri)}>" for iri in sorted(set(iris)))


# -- names ---------------------------------------------------------------------------

# per entity and graph: its types, labels, other names and roles
_NAMES = f"""
SELECT ?e ?kind ?value (COUNT(DISTINCT ?g) AS ?n) WHERE {{
  VALUES ?e {{ %s }}
  GRAPH ?g {{
    {{ VALUES ?value {{ {_CLASSES} }} ?e a ?value . BIND("type" AS ?kind) }}
    UNION {{ ?e rdfs:label ?value . BIND("label" AS ?kind) }}
    UNION {{ ?e skos:altLabel ?value . BIND("alt" AS ?kind) }}
    UNION {{ ?e schema:jobTitle ?value . BIND("role" AS ?kind) }}
  }}
}} GROUP BY ?e ?kind ?value
"""


def _local_name(iri: str) -> str:
    return iri.rstrip("/#").rsplit("/", 1)[-1].replace("-", " ")


def _pick_names(
    iri: str, found: dict[str, list[tuple[str, int]]], base: str
) -> dict[str, Any]:
    """The label (the most used one, then the longest), aliases, type and roles."""
    labels = sorted(found.get("label", []), key=lambda vn: (-vn[1], -len(vn[0]), vn[0]))
    label = labels[0][0] if labels else _local_name(iri)
    others = {v for v, _ in labels[1:]} | {v for v, _ in found.get("alt", [])}
    types = sorted(
        (_TYPE_NAMES[v] for v, _ in found.get("type", []) if v in _TYPE_NAMES),
        key=_TYPE_RANK.__getitem__,
    )
    return {
        "iri": iri,
        "id": _maybe_id(iri, base),
        "label": label,
        "aliases": sorted(others - {label}, key=str.casefold),
        "type": types[0] if types else "Thing",
        "typed": bool(types),
        "roles": sorted({v for v, _ in found.get("role", [])}, key=str.casefold),
    }


def _names(store: Store, iris: Iterable[str], base: str) -> dict[str, dict[str, Any]]:
    """Names of each IRI over all article graphs (one query)."""
    iris = set(iris)
    found: dict[str, dict[str, list[tuple[str, int]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    if iris:
        for r in _rows(store, _NAMES % _values(iris)):
            found[r["e"]][r["kind"]].append((r["value"], r["n"]))
    return {iri: _pick_names(iri, found[iri], base) for iri in iris}


def _brief(info: dict[str, Any]) -> dict[str, Any]:
    return {k: info[k] for k in ("iri", "id", "label", "type")}


# -- entity panel ---------------------------------------------------------------------

_ENTITY_STATEMENTS = """
SELECT ?st ?dir (SAMPLE(?p_) AS ?p) (SAMPLE(?other_) AS ?other)
  (SAMPLE(?plabel_) AS ?plabel) (SAMPLE(?conf_) AS ?conf) (SAMPLE(?neg_) AS ?neg)
  (SAMPLE(?mod_) AS ?mod) (SAMPLE(?otext_) AS ?otext) (SAMPLE(?by_) AS ?by)
  (SAMPLE(?text_) AS ?text) (SAMPLE(?idx_) AS ?idx) (SAMPLE(?aid_) AS ?aid)
  (SAMPLE(?title_) AS ?title) (SAMPLE(COALESCE(?sdate, ?adate)) AS ?date)
WHERE {
  VALUES ?e { %s }
  { ?st rdf:subject ?e ; rdf:object ?other_ . BIND("out" AS ?dir) }
  UNION { ?st rdf:object ?e ; rdf:subject ?other_ . BIND("in" AS ?dir) }
  ?st a kg:Statement ; rdf:predicate ?p_ .
  OPTIONAL { ?p_ rdfs:label ?plabel_ }
  OPTIONAL { ?st kg:confidence ?conf_ }
  OPTIONAL { ?st kg:negated ?neg_ }
  OPTIONAL { ?st kg:modality ?mod_ }
  OPTIONAL { ?st kg:objectText ?otext_ }
  OPTIONAL { ?st prov:wasAttributedTo ?by_ }
  OPTIONAL { ?st dcterms:date ?sdate }
  OPTIONAL { ?st prov:wasDerivedFrom ?sent .
    OPTIONAL { ?sent schema:text ?text_ }
    OPTIONAL { ?sent kg:sentenceIndex ?idx_ }
    OPTIONAL { ?sent schema:isPartOf ?art .
      OPTIONAL { ?art schema:identifier ?aid_ }
      OPTIONAL { ?art schema:headline ?title_ }
      OPTIONAL { ?art schema:datePublished ?adate } } }
} GROUP BY ?st ?dir
"""

_ENTITY_ARTICLES = """
SELECT ?a (SAMPLE(?id_) AS ?id) (SAMPLE(?title_) AS ?title) (SAMPLE(?date_) AS ?date)
  (SAMPLE(?source_) AS ?source) (SAMPLE(?url_) AS ?url)
WHERE {
  VALUES ?e { %s }
  { ?a schema:mentions ?e } UNION { ?a schema:publisher ?e }
  ?a a schema:NewsArticle ; schema:identifier ?id_ .
  OPTIONAL { ?a schema:headline ?title_ }
  OPTIONAL { ?a schema:datePublished ?date_ }
  OPTIONAL { ?a schema:publisher/rdfs:label ?source_ }
  OPTIONAL { ?a schema:url ?url_ }
} GROUP BY ?a
"""

_ENTITY_QUOTES = """
SELECT ?q (SAMPLE(?text_) AS ?text) (SAMPLE(?stext_) AS ?sentence)
  (SAMPLE(?idx_) AS ?idx) (SAMPLE(?aid_) AS ?aid) (SAMPLE(?title_) AS ?title)
  (SAMPLE(?date_) AS ?date) (SAMPLE(?verb_) AS ?verb)
WHERE {
  VALUES ?e { %s }
  ?q a kg:Quote ; kg:speaker ?e ; schema:text ?text_ .
  OPTIONAL { ?q kg:reportingVerb ?verb_ }
  OPTIONAL { ?q prov:wasDerivedFrom ?sent .
    OPTIONAL { ?sent schema:text ?stext_ }
    OPTIONAL { ?sent kg:sentenceIndex ?idx_ }
    OPTIONAL { ?sent schema:isPartOf ?art .
      OPTIONAL { ?art schema:identifier ?aid_ }
      OPTIONAL { ?art schema:headline ?title_ }
      OPTIONAL { ?art schema:datePublished ?date_ } } }
} GROUP BY ?q
"""


def entity_panel(
    store: Store, iri: str, *, base: str = DEFAULT_BASE_IRI
) -> dict[str, Any]:
    """Everything the store says about one entity.

    Returns:
        ``{"iri", "id", "label", "aliases", "type", "roles", "relations",
        "articles", "quotes"}``. ``relations`` is a list of groups
        ``{"label", "predicate", "items"}`` (most statements first); each item is
        ``{"predicate", "label", "direction": "out" | "in", "negated", "other":
        {"iri", "id", "label", "type"}, "statements": [{"statement",
        "confidence", "negated", "modality", "sentence", "sentence_index",
        "article_id", "article_title", "date", "attributed_to"}]}``; a literal
        object has ``iri``, ``id`` and ``type`` None. ``articles`` are
        ``{"id", "title", "date", "source", "url"}`` (newest first), ``quotes``
        ``{"text", "sentence", "sentence_index", "article_id", "article_title",
        "date", "reporting_verb"}``.

    Raises:
        InputError: ``iri`` is not an IRI.
        NotFoundError: no entity has this IRI.

    Example:
        >>> from kg.store import EmbeddedStore
        >>> entity_panel(EmbeddedStore(None), "urn:x:y")
        Traceback (most recent call last):
        kg.errors.NotFoundError: no entity with IRI <urn:x:y> in the store
    """
    me = _names(store, [check_iri(iri)], base)[iri]
    if not me["typed"]:
        raise NotFoundError(f"no entity with IRI <{iri}> in the store")
    rows = _rows(store, _ENTITY_STATEMENTS % _values([iri]))
    people = {r[k] for r in rows for k in ("other", "by") if isinstance(r[k], Iri)}
    names = _names(store, people, base)
    panel = {k: me[k] for k in ("iri", "id", "label", "aliases", "type", "roles")}
    panel["relations"] = _group_relations(rows, names)
    panel["articles"] = sorted(
        (_article(r) for r in _rows(store, _ENTITY_ARTICLES % _values([iri]))),
        key=lambda a: (a["date"] or "", a["id"]),
        reverse=True,
    )
    panel["quotes"] = sorted(
        (
            {
                "text": r["text"],
                "sentence": r["sentence"],
                "sentence_index": r["idx"],
                "article_id": r["aid"],
                "article_title": r["title"],
                "date": r["date"],
                "reporting_verb": r["verb"],
            }
            for r in _rows(store, _ENTITY_QUOTES % _values([iri]))
        ),
        key=lambda q: (
            q["date"] or "",
            q["article_id"] or "",
            q["sentence_index"] or 0,
        ),
    )
    return panel


def _group_relations(
    rows: list[dict[str, Any]], names: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    items: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in rows:
        other = r["other"]
        if isinstance(other, Iri):
            brief = _brief(names[other])
        else:  # a literal object phrase
            brief = {
                "iri": None,
                "id": None,
                "label": r["otext"] or other,
                "type": None,
            }
        label = r["plabel"] or _local_name(r["p"]).replace("_", " ")
        key = (label, r["dir"], brief["iri"] or brief["label"], bool(r["neg"]))
        item = items.setdefault(
            key,
            {
                "predicate": r["p"],
                "label": label,
                "direction": r["dir"],
                "negated": bool(r["neg"]),
                "other": brief,
                "statements": [],
            },
        )
        item["statements"].append(
            {
                "statement": r["st"],
                "confidence": r["conf"],
                "negated": bool(r["neg"]),
                "modality": r["mod"] or "asserted",
                "sentence": r["text"],
                "sentence_index": r["idx"],
                "article_id": r["aid"],
                "article_title": r["title"],
                "date": r["date"],
                "attributed_to": _brief(names[r["by"]]) if r["by"] in names else None,
            }
        )
    groups: dict[str, dict[str, Any]] = {}
    for item in items.values():
        item["statements"].sort(
            key=lambda s: (
                s["date"] or "",
                s["article_id"] or "",
                s["sentence_index"] or 0,
            )
        )
        group = groups.setdefault(
            item["label"],
            {"label": item["label"], "predicate": item["predicate"], "items": []},
        )
        group["items"].append(item)
    for group in groups.values():
        group["items"].sort(key=lambda i: (-len(i["statements"]), i["other"]["label"]))
    return sorted(
        groups.values(),
        key=lambda g: (-sum(len(i["statements"]) for i in g["items"]), g["label"]),
    )


def _article(r: dict[str, Any]) -> dict[str, Any]:
    return {k: r.get(k) for k in ("id", "title", "date", "source", "url")}


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


# -- overview ------------------------------------------------------------------------

# the default graph is the set union of the article graphs: COUNT(*) is exact
_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?x a %s }"
_COUNTED = {
    "articles": "schema:NewsArticle",
    "sentences": "kg:Sentence",
    "relations": "kg:Statement",
    "quotes": "kg:Quote",
}

_BY_TYPE = f"""
SELECT ?t (COUNT(DISTINCT ?e) AS ?n) WHERE {{
  VALUES ?t {{ {_CLASSES} }} ?e a ?t .
}} GROUP BY ?t
"""

_ENTITIES = f"""
SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ VALUES ?t {{ {_CLASSES} }} ?e a ?t }}
"""

_TOP_ACTORS = f"""
SELECT ?e ?n WHERE {{
  {{ SELECT ?e (COUNT(DISTINCT ?st) AS ?n) WHERE {{
       {{ ?st rdf:subject ?e }} UNION {{ ?st rdf:object ?e }}
     }} GROUP BY ?e }}
  FILTER(isIRI(?e))
  FILTER EXISTS {{ VALUES ?t {{ {_CLASSES} }} ?e a ?t }}
}} ORDER BY DESC(?n) ?e LIMIT {TOP}
"""

_TOP_PREDICATES = f"""
SELECT ?p ?n (SAMPLE(?l) AS ?label) WHERE {{
  {{ SELECT ?p (COUNT(*) AS ?n) WHERE {{ ?st rdf:predicate ?p }}
     GROUP BY ?p ORDER BY DESC(?n) ?p LIMIT {TOP} }}
  OPTIONAL {{ ?p rdfs:label ?l }}
}} GROUP BY ?p ?n
"""

# Per article graph, not by joining statement → sentence → article: a statement
# lives in its article's graph, and this is ten times faster on a big store.
_ARTICLE_GRAPHS = """
SELECT ?g (SAMPLE(?pub_) AS ?pub) (SAMPLE(?label_) AS ?label) (SAMPLE(?date_) AS ?date)
WHERE {
  GRAPH ?g {
    ?a a schema:NewsArticle .
    OPTIONAL { ?a schema:publisher ?pub_ . OPTIONAL { ?pub_ rdfs:label ?label_ } }
    OPTIONAL { ?a schema:datePublished ?date_ }
  }
} GROUP BY ?g
"""

_STATEMENTS_PER_GRAPH = """
SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?st a kg:Statement } }
GROUP BY ?g
"""

_DATED_PER_GRAPH = """
SELECT ?g ?month (COUNT(*) AS ?n) WHERE {
  GRAPH ?g { ?st dcterms:date ?d }  # only statements have one
  BIND(SUBSTR(STR(?d), 1, 7) AS ?month)
} GROUP BY ?g ?month
"""
_MONTH = re.compile(r"\d{4}-\d{2}")


def overview(store: Store, *, base: str = DEFAULT_BASE_IRI) -> dict[str, Any]:
    """What the store holds, for a dashboard.

    Returns:
        ``{"counts": {"articles", "sentences", "entities", "relations", "quotes"},
        "entities_by_type": {type: n} (most first), "top_actors": [{"iri", "id",
        "label", "type", "statements"}], "top_predicates": [{"predicate",
        "label", "statements"}], "statements_per_month": [{"month": "YYYY-MM",
        "statements"}] (oldest first; the claim's date, else its article's),
        "statements_per_source": [{"source", "iri", "id", "statements"}],
        "articles_per_source": [{"source", "iri", "id", "articles"}]}``; a source
        is the publisher's label (None: no publisher), most first.
    """
    counts = {k: _rows(store, _COUNT % c)[0]["n"] for k, c in _COUNTED.items()}
    counts["entities"] = _rows(store, _ENTITIES)[0]["n"]
    counts = {
        k: counts[k]
        for k in ("articles", "sentences", "entities", "relations", "quotes")
    }
    by_type = {_TYPE_NAMES[r["t"]]: r["n"] for r in _rows(store, _BY_TYPE) if r["n"]}
    actors = _rows(store, _TOP_ACTORS)
    names = _names(store, (r["e"] for r in actors), base)
    predicates = sorted(_rows(store, _TOP_PREDICATES), key=lambda r: (-r["n"], r["p"]))
    per_month, per_source = _per_article_graph(store, base)
    return {
        "counts": counts,
        "entities_by_type": dict(
            sorted(by_type.items(), key=lambda kv: (-kv[1], kv[0]))
        ),
        "top_actors": [{**_brief(names[r["e"]]), "statements": r["n"]} for r in actors],
        "top_predicates": [
            {
                "predicate": r["p"],
                "label": r["label"] or _local_name(r["p"]).replace("_", " "),
                "statements": r["n"],
            }
            for r in predicates
        ],
        "statements_per_month": [
            {"month": m, "statements": n} for m, n in sorted(per_month.items()) if n
        ],
        **per_source,
    }


def _per_article_graph(
    store: Store, base: str
) -> tuple[dict[str, int], dict[str, list[dict[str, Any]]]]:
    """Statements per month, and statements and articles per source."""
    articles = {r["g"]: r for r in _rows(store, _ARTICLE_GRAPHS)}
    totals = {r["g"]: r["n"] for r in _rows(store, _STATEMENTS_PER_GRAPH)}
    per_month: dict[str, int] = defaultdict(int)
    undated = dict(totals)
    for r in _rows(store, _DATED_PER_GRAPH):
        if _MONTH.fullmatch(r["month"]):
            per_month[r["month"]] += r["n"]
            undated[r["g"]] -= r["n"]
    for g, n in undated.items():
        date = str(articles.get(g, {}).get("date") or "")
        if n > 0 and _MONTH.match(date):
            per_month[date[:7]] += n
    sources: dict[str | None, dict[str, Any]] = {}
    for g in sorted(articles.keys() | totals.keys()):
        art = articles.get(g, {})
        pub = art.get("pub")
        source = sources.setdefault(
            pub,
            {
                "source": art.get("label") or (_local_name(pub) if pub else None),
                "iri": pub,
                "id": _maybe_id(pub, base),
                "statements": 0,
                "articles": 0,
            },
        )
        source["statements"] += totals.get(g, 0)
        source["articles"] += g in articles
    return per_month, {
        f"{key}_per_source": _ranked(list(sources.values()), key)
        for key in ("statements", "articles")
    }


def _ranked(sources: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    rows = [
        {"source": s["source"], "iri": s["iri"], "id": s["id"], key: s[key]}
        for s in sources
        if s[key]
    ]
    return sorted(rows, key=lambda s: (-s[key], s["source"] or "\uffff"))
