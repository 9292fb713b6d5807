"""Measure a store against a hand-written gold file of actor facts.

The gold file (one JSON object per article, ``tests/data/wikinews_gold.jsonl``)
lists the main actors a reader would name, the who-did-what-to-whom relations
between them and the direct quotes with their speakers. :func:`evaluate` reads
each article's named graph through ``store.query`` only and reports:

- entity recall (by gold type and overall), type accuracy among found entities,
  entity precision over all of an article's entities and over those taking part
  in a statement (the gold lists main actors only, so the first is a floor);
- relation recall, strict (same predicate label) and lenient (same first word,
  the lemma), by relation kind and overall; relation precision over statements
  between two entities (a floor too: the gold is not exhaustive);
- quote recall, quote precision and speaker precision.

Names match case-insensitively after whitespace, apostrophe and final-full-stop
normalisation, against an entity's ``rdfs:label`` or any ``skos:altLabel`` in
that article.

Example:
    >>> gold = load_gold("tests/data/wikinews_gold.jsonl")  # doctest: +SKIP
    >>> report = evaluate(open_store("kg-data", read_only=True), gold)  # doctest: +SKIP
    >>> print(report.as_table())  # doctest: +SKIP
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.config import DEFAULT_BASE_IRI
from kg.errors import InputError
from kg.graph.iris import Minter
from kg.store.base import Store
from kg.vocab import TYPE_CLASSES

__all__ = [
    "ArticleResult",
    "EvalReport",
    "GoldArticle",
    "GoldEntity",
    "GoldQuote",
    "GoldRelation",
    "Score",
    "evaluate",
    "load_gold",
    "normalise_name",
    "relation_kind",
]

ALL = "all"
_METRICS = (
    "entity_recall",
    "type_accuracy",
    "entity_precision",
    "relation_recall_strict",
    "relation_recall_lenient",
    "relation_precision",
    "quote_recall",
    "quote_precision",
    "quote_speaker_precision",
)
_TYPE_OF_CLASS = {str(iri): name for name, iri in TYPE_CLASSES.items()}
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
_LEADING_PUNCT = re.compile(r"^[^\w]+")


def normalise_name(text: str) -> str:
    """Casefolded, whitespace-collapsed, curly quotes straight, no final full stop.

    Example:
        >>> normalise_name("  Washington  D.C. ")
        'washington d.c'
    """
    folded = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    return " ".join(folded.split()).rstrip(".")


def _normalise_quote(text: str) -> str:
    return _LEADING_PUNCT.sub("", normalise_name(text))


def relation_kind(predicate: str) -> str:
    """``affiliation``, ``role`` ("X of") or ``action`` (other verb phrases)."""
    if predicate == "affiliated with":
        return "affiliation"
    return "role" if predicate.endswith(" of") else "action"


# -- the gold file ---------------------------------------------------------------


@dataclass(frozen=True)
class GoldEntity:
    """A main actor: canonical name, type and the other forms in the text."""

    name: str
    type: str
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> frozenset[str]:
        return frozenset(normalise_name(n) for n in (self.name, *self.aliases))


@dataclass(frozen=True)
class GoldRelation:
    """subject -predicate-> object, stated in ``sentence``."""

    subject: str
    predicate: str
    object: str
    sentence: str = ""


@dataclass(frozen=True)
class GoldQuote:
    """A direct quote: its speaker and the first words of its text."""

    speaker: str
    text_start: str


@dataclass(frozen=True)
class GoldArticle:
    """What a reader expects one article's graph to hold."""

    id: str
    entities: tuple[GoldEntity, ...]
    relations: tuple[GoldRelation, ...] = ()
    quotes: tuple[GoldQuote, ...] = ()

    def entity(self, name: str) -> GoldEntity:
        for e in self.entities:
            if e.name == name:
                return e
        raise KeyError(name)


def _gold_article(obj: Mapping[str, Any], source: str) -> GoldArticle:
    entities = tuple(
        GoldEntity(e["name"], e["type"], tuple(e.get("aliases", ())))
        for e in obj["entities"]
    )
    for e in entities:
        if e.type not in TYPE_CLASSES:
            valid = ", ".join(TYPE_CLASSES)
            raise InputError(
                f"entity {e.name!r} has type {e.type!r}; valid: {valid}", source=source
            )
    art = GoldArticle(
        id=str(obj["id"]),
        entities=entities,
        relations=tuple(
            GoldRelation(
                r["subject"], r["predicate"], r["object"], r.get("sentence", "")
            )
            for r in obj.get("relations", ())
        ),
        quotes=tuple(
            GoldQuote(q["speaker"], q["text_start"]) for q in obj.get("quotes", ())
        ),
    )
    known = {e.name for e in entities}
    used = [n for r in art.relations for n in (r.subject, r.object)]
    used += [q.speaker for q in art.quotes]
    if unknown := sorted(set(used) - known):
        raise InputError(
            f"article {art.id!r} names {unknown} in relations or quotes, but its "
            f"entities are {sorted(known)}",
            source=source,
        )
    return art


def load_gold(path: str | Path) -> list[GoldArticle]:
    """Read a gold JSONL file: one article per line.

    Raises:
        InputError: a line is not JSON, lacks a field, uses an unknown type, or a
            relation or quote names an entity the article does not list.

    Example:
        >>> load_gold("tests/data/wikinews_gold.jsonl")[0].id  # doctest: +SKIP
        'seed-calais-expulsions'
    """
    articles: list[GoldArticle] = []
    with Path(path).open(encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            source = f"{path}:{number}"
            try:
                articles.append(_gold_article(json.loads(line), source))
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise InputError(f"bad gold line: {exc!r}", source=source) from exc
    return articles


# -- scores and the report -------------------------------------------------------


@dataclass(frozen=True)
class Score:
    """hits out of total; ``value`` is None when there is nothing to score."""

    hits: int = 0
    total: int = 0

    @property
    def value(self) -> float | None:
        return self.hits / self.total if self.total else None

    def __add__(self, other: Score) -> Score:
        return Score(self.hits + other.hits, self.total + other.total)

    def as_percent(self) -> str:
        v = self.value
        return "n/a" if v is None else f"{100 * v:.1f}%"


@dataclass(frozen=True)
class ArticleResult:
    """One article's scores and what was missed (to steer extractor work)."""

    id: str
    scores: dict[str, Score]
    missed_entities: tuple[str, ...] = ()
    type_errors: tuple[str, ...] = ()
    missed_relations: tuple[str, ...] = ()
    unmatched_statements: tuple[str, ...] = ()
    missed_quotes: tuple[str, ...] = ()


def _merge(into: dict[str, Score], key: str, s: Score) -> None:
    into[key] = into.get(key, Score()) + s


@dataclass(frozen=True)
class EvalReport:
    """Scores summed over articles (micro averages), plus per-article detail."""

    articles: tuple[ArticleResult, ...]
    totals: dict[str, Score] = field(init=False)

    def __post_init__(self) -> None:
        totals: dict[str, Score] = {}
        for a in self.articles:
            for key, s in a.scores.items():
                _merge(totals, key, s)
        ordered = sorted(totals.items(), key=lambda kv: _order(kv[0]))
        object.__setattr__(self, "totals", dict(ordered))

    def score(self, metric: str, category: str = ALL) -> Score:
        """e.g. ``score("entity_recall", "Person")``; a zero Score if absent."""
        return self.totals.get(f"{metric}/{category}", Score())

    def as_dict(self) -> dict[str, Any]:
        def enc(s: Score) -> dict[str, Any]:
            return {"hits": s.hits, "total": s.total, "value": s.value}

        return {
            "totals": {k: enc(s) for k, s in self.totals.items()},
            "articles": [
                {
                    "id": a.id,
                    "scores": {k: enc(s) for k, s in sorted(a.scores.items())},
                    "missed_entities": list(a.missed_entities),
                    "type_errors": list(a.type_errors),
                    "missed_relations": list(a.missed_relations),
                    "unmatched_statements": list(a.unmatched_statements),
                    "missed_quotes": list(a.missed_quotes),
                }
                for a in self.articles
            ],
        }

    def as_table(self) -> str:
        """Markdown: one row per metric and category, then one row per article."""
        lines = [
            "| metric | category | hits | total | score |",
            "|---|---|---:|---:|---:|",
        ]
        for key, s in self.totals.items():
            metric, category = key.split("/", 1)
            lines.append(
                f"| {metric} | {category} | {s.hits} | {s.total} | {s.as_percent()} |"
            )
        cols = [
            ("entity R", "entity_recall/all"),
            ("type acc", "type_accuracy/all"),
            ("rel R strict", "relation_recall_strict/all"),
            ("rel R lenient", "relation_recall_lenient/all"),
            ("rel P", "relation_precision/all"),
            ("quote R", "quote_recall/all"),
        ]
        lines += ["", "| article | " + " | ".join(c for c, _ in cols) + " |"]
        lines.append("|---|" + "---:|" * len(cols))
        for a in self.articles:
            cells = [_cell(a.scores.get(k, Score())) for _, k in cols]
            lines.append(f"| {a.id} | " + " | ".join(cells) + " |")
        return "\n".join(lines)


def _order(key: str) -> tuple[int, bool, str]:
    metric, category = key.split("/", 1)
    rank = _METRICS.index(metric) if metric in _METRICS else len(_METRICS)
    return rank, category != ALL, category


def _cell(s: Score) -> str:
    return "-" if s.total == 0 else f"{s.hits}/{s.total}"


# -- reading one article's graph -------------------------------------------------

_ENTITIES = """
SELECT ?e ?type ?name WHERE { GRAPH <%s> {
  ?a a schema:NewsArticle ; schema:mentions ?e .
  { ?e rdfs:label ?name } UNION { ?e skos:altLabel ?name }
  OPTIONAL { ?e a ?type }
} }"""
_STATEMENTS = """
SELECT ?st ?s ?p ?o ?neg ?sentence WHERE { GRAPH <%s> {
  ?st a kg:Statement ; rdf:subject ?s ; rdf:predicate ?pred ; rdf:object ?o .
  OPTIONAL { ?pred rdfs:label ?p }
  OPTIONAL { ?st kg:negated ?neg }
  OPTIONAL { ?st prov:wasDerivedFrom/schema:text ?sentence }
} }"""
_QUOTES_Q = """
SELECT ?q ?text ?speaker WHERE { GRAPH <%s> {
  ?q a kg:Quote ; schema:text ?text . OPTIONAL { ?q kg:speaker ?speaker }
} }"""


@dataclass(frozen=True)
class _Statement:
    subject: str
    predicate: str
    object: str
    negated: bool
    sentence: str


@dataclass
class _ArticleGraph:
    names: dict[str, set[str]] = field(default_factory=dict)
    types: dict[str, set[str]] = field(default_factory=dict)
    statements: list[_Statement] = field(default_factory=list)
    quotes: list[tuple[str, str | None]] = field(default_factory=list)

    def matching(self, names: frozenset[str]) -> set[str]:
        """IRIs of the entities with any of these normalised names."""
        return {iri for iri, own in self.names.items() if own & names}

    def label(self, iri: str) -> str:
        return min(self.names.get(iri, {iri}))


def _rows(store: Store, sparql: str) -> Iterable[dict[str, str | None]]:
    result = store.query(sparql)
    names = [v.value for v in result.variables]
    for row in result:
        yield {n: (None if row[n] is None else str(row[n].value)) for n in names}


def _read_article(store: Store, graph: str) -> _ArticleGraph:
    view = _ArticleGraph()
    for r in _rows(store, _ENTITIES % graph):
        iri, name = r["e"] or "", r["name"] or ""
        view.names.setdefault(iri, set()).add(normalise_name(name))
        if r["type"] in _TYPE_OF_CLASS:
            view.types.setdefault(iri, set()).add(_TYPE_OF_CLASS[r["type"] or ""])
    seen: set[str] = set()
    for r in _rows(store, _STATEMENTS % graph):
        if (st := r["st"] or "") in seen:
            continue
        seen.add(st)
        view.statements.append(
            _Statement(
                subject=r["s"] or "",
                predicate=normalise_name(r["p"] or ""),
                object=r["o"] or "",
                negated=(r["neg"] or "").lower() in ("true", "1"),
                sentence=r["sentence"] or "",
            )
        )
    quotes: dict[str, tuple[str, str | None]] = {}
    for r in _rows(store, _QUOTES_Q % graph):
        quotes[r["q"] or ""] = (_normalise_quote(r["text"] or ""), r["speaker"])
    view.quotes = list(quotes.values())
    return view


# -- scoring one article ---------------------------------------------------------


def _predicate_matches(got: str, gold: str, *, lenient: bool) -> bool:
    gold = normalise_name(gold)
    if got == gold:
        return True
    return lenient and bool(got) and got.split()[0] == gold.split()[0]


def _relation_found(
    view: _ArticleGraph, gold: GoldArticle, r: GoldRelation, *, lenient: bool
) -> bool:
    subjects = view.matching(gold.entity(r.subject).names)
    objects = view.matching(gold.entity(r.object).names)
    return any(
        st.subject in subjects
        and st.object in objects
        and not st.negated
        and _predicate_matches(st.predicate, r.predicate, lenient=lenient)
        for st in view.statements
    )


def _score_entities(
    view: _ArticleGraph, gold: GoldArticle, scores: dict[str, Score]
) -> tuple[list[str], list[str]]:
    missed: list[str] = []
    type_errors: list[str] = []
    for e in gold.entities:
        found = view.matching(e.names)
        got_types = set().union(*(view.types.get(i, set()) for i in found))
        ok = e.type in got_types
        for cat in (e.type, ALL):
            _merge(scores, f"entity_recall/{cat}", Score(int(bool(found)), 1))
            if found:
                _merge(scores, f"type_accuracy/{cat}", Score(int(ok), 1))
        if not found:
            missed.append(f"{e.name} ({e.type})")
        elif not ok:
            type_errors.append(f"{e.name}: {e.type} -> {'/'.join(sorted(got_types))}")
    all_names = frozenset().union(*(e.names for e in gold.entities))
    in_statements = {st.subject for st in view.statements} | {
        st.object for st in view.statements
    }
    for iri, names in view.names.items():
        hit = int(bool(names & all_names))
        _merge(scores, f"entity_precision/{ALL}", Score(hit, 1))
        if iri in in_statements:
            _merge(scores, "entity_precision/in_statements", Score(hit, 1))
    return missed, type_errors


def _score_relations(
    view: _ArticleGraph, gold: GoldArticle, scores: dict[str, Score]
) -> tuple[list[str], list[str]]:
    missed: list[str] = []
    for r in gold.relations:
        strict = _relation_found(view, gold, r, lenient=False)
        lenient = strict or _relation_found(view, gold, r, lenient=True)
        for cat in (relation_kind(r.predicate), ALL):
            _merge(scores, f"relation_recall_strict/{cat}", Score(int(strict), 1))
            _merge(scores, f"relation_recall_lenient/{cat}", Score(int(lenient), 1))
        if not lenient:
            missed.append(f"{r.subject} | {r.predicate} | {r.object}")
    unmatched: list[str] = []
    for st in view.statements:
        if st.negated or st.object not in view.names:
            continue
        ok = any(
            st.subject in view.matching(gold.entity(r.subject).names)
            and st.object in view.matching(gold.entity(r.object).names)
            and _predicate_matches(st.predicate, r.predicate, lenient=True)
            for r in gold.relations
        )
        _merge(scores, f"relation_precision/{ALL}", Score(int(ok), 1))
        if not ok:
            unmatched.append(
                f"{view.label(st.subject)} | {st.predicate} | {view.label(st.object)}"
            )
    return missed, unmatched


def _score_quotes(
    view: _ArticleGraph, gold: GoldArticle, scores: dict[str, Score]
) -> list[str]:
    def speaker_ok(speaker: str | None, q: GoldQuote) -> bool:
        return speaker in view.matching(gold.entity(q.speaker).names)

    missed: list[str] = []
    for q in gold.quotes:
        start = _normalise_quote(q.text_start)
        hit = any(t.startswith(start) and speaker_ok(s, q) for t, s in view.quotes)
        _merge(scores, f"quote_recall/{ALL}", Score(int(hit), 1))
        if not hit:
            missed.append(f"{q.speaker}: {q.text_start}")
    for text, speaker in view.quotes:
        aligned = [
            q for q in gold.quotes if text.startswith(_normalise_quote(q.text_start))
        ]
        right = any(speaker_ok(speaker, q) for q in aligned)
        _merge(scores, f"quote_precision/{ALL}", Score(int(right), 1))
        if aligned:
            _merge(scores, f"quote_speaker_precision/{ALL}", Score(int(right), 1))
    return missed


def evaluate(
    store: Store, gold: Iterable[GoldArticle], *, base_iri: str = DEFAULT_BASE_IRI
) -> EvalReport:
    """Score the store's article graphs against the gold articles.

    Each article is read from its own named graph
    (``<base>graph/ID``), so entities shared across articles are judged by the
    labels this article gave them.

    Example:
        >>> store = open_store("kg-data", read_only=True)  # doctest: +SKIP
        >>> evaluate(store, load_gold(GOLD)).score("entity_recall")  # doctest: +SKIP
        Score(hits=333, total=383)
    """
    minter = Minter(base_iri)
    results: list[ArticleResult] = []
    for art in gold:
        view = _read_article(store, str(minter.article_graph(art.id)))
        scores: dict[str, Score] = {}
        missed_e, type_errors = _score_entities(view, art, scores)
        missed_r, unmatched = _score_relations(view, art, scores)
        missed_q = _score_quotes(view, art, scores)
        results.append(
            ArticleResult(
                art.id,
                scores,
                tuple(missed_e),
                tuple(type_errors),
                tuple(missed_r),
                tuple(unmatched),
                tuple(missed_q),
            )
        )
    return EvalReport(tuple(results))
