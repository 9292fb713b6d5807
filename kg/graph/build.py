"""Extraction -> the RDF graph of one article (rdflib, no spaCy).

See ``ontology/README.md`` for the model. A relation becomes a direct triple
``entity -predicate-> entity`` only when the outlet asserts it (not negated, not
merely reported, possible or intended); every relation, asserted or not, has an
``rdf:Statement`` node carrying its provenance and qualifiers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from kg.graph.iris import Minter
from kg.types import Article, Entity, Extraction, Relation
from kg.vocab import KG, NIF, PREFIXES, SCHEMA, TYPE_CLASSES

EXTRACTOR_VERSION = "1"


def content_hash(article: Article, model: str) -> str:
    """sha256 over the article's content and the extractor that reads it."""
    payload = json.dumps(
        [
            article.id,
            article.title,
            article.date,
            article.source,
            article.url,
            article.text,
            model,
            EXTRACTOR_VERSION,
        ],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Convert one rdflib term to its pyoxigraph equivalent."""
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    return ox.NamedNode(str(term))


def to_ntriples(graph: Graph) -> bytes:
    """The graph as N-Triples (pyoxigraph's serialiser: fast, and cheap to send
    from a worker process and parse again in the store)."""
    triples = (
        ox.Triple(to_ox(s), to_ox(p), to_ox(o))  # type: ignore[arg-type]
        for s, p, o in graph
    )
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def _date(value: str | None) -> Literal | None:
    if not value:
        return None
    try:
        return Literal(date.fromisoformat(value[:10]), datatype=XSD.date)
    except ValueError:
        return None


def new_graph() -> Graph:
    g = Graph(bind_namespaces="core")
    for prefix, iri in PREFIXES.items():
        g.bind(prefix, iri, override=True)
    return g


def build_graph(extraction: Extraction, *, minter: Minter, digest: str) -> Graph:
    """The named graph of one article.

    Example:
        >>> g = build_graph(ex, minter=Minter(BASE), digest=h)  # doctest: +SKIP
    """
    art = extraction.article
    g = new_graph()
    a = minter.article(art.id)
    g.add((a, RDF.type, SCHEMA.NewsArticle))
    g.add((a, SCHEMA.identifier, Literal(art.id)))
    g.add((a, KG.contentHash, Literal(digest)))
    if art.title:
        g.add((a, SCHEMA.headline, Literal(art.title)))
    if (d := _date(art.date)) is not None:
        g.add((a, SCHEMA.datePublished, d))
    if art.url:
        g.add((a, SCHEMA.url, Literal(art.url, datatype=XSD.anyURI)))
    if art.source:
        pub = minter.entity("Organization", art.source)
        g.add((a, SCHEMA.publisher, pub))
        g.add((pub, RDF.type, SCHEMA.Organization))
        g.add((pub, RDFS.label, Literal(art.source)))

    sent_iris = []
    for s in extraction.sentences:
        si = minter.sentence(art.id, s.index)
        sent_iris.append(si)
        g.add((si, RDF.type, KG.Sentence))
        g.add((si, SCHEMA.text, Literal(s.text)))
        g.add((si, NIF.beginIndex, Literal(s.start)))
        g.add((si, NIF.endIndex, Literal(s.end)))
        g.add((si, KG.sentenceIndex, Literal(s.index)))
        g.add((si, SCHEMA.isPartOf, a))

    iris = {key: _add_entity(g, e, minter) for key, e in extraction.entities.items()}
    for iri in iris.values():
        g.add((a, SCHEMA.mentions, iri))

    ex_names = {k: e.name for k, e in extraction.entities.items()}
    for r in extraction.relations:
        p = minter.predicate(r.predicate)
        g.add((p, RDF.type, KG.Relation))
        g.add((p, RDFS.label, Literal(r.predicate)))
        g.add((p, RDFS.subPropertyOf, KG.related))
        subj = iris[r.subject]
        obj: URIRef | Literal = (
            iris[r.object] if r.object else Literal(r.object_text or "")
        )
        st = minter.statement(
            art.id, str(r.sentence), str(subj), str(p), str(obj), str(r.negated)
        )
        g.add((st, RDF.type, RDF.Statement))
        g.add((st, RDF.type, KG.Statement))
        g.add((st, RDF.subject, subj))
        g.add((st, RDF.predicate, p))
        g.add((st, RDF.object, obj))
        names = ex_names.get(r.object or "")
        if r.object_text and (r.object is None or r.object_text != names):
            g.add((st, KG.objectText, Literal(r.object_text)))
        g.add((st, PROV.wasDerivedFrom, sent_iris[r.sentence]))
        g.add((st, KG.confidence, Literal(float(r.confidence))))
        g.add((st, KG.negated, Literal(r.negated)))
        g.add((st, KG.modality, Literal(r.modality)))
        if r.attributed_to:
            g.add((st, PROV.wasAttributedTo, iris[r.attributed_to]))
        if (d := _date(r.date)) is not None:
            g.add((st, DCTERMS.date, d))
        if r.subject_count is not None:
            g.add((st, KG.subjectQuantity, Literal(r.subject_count)))
        if r.object_count is not None:
            g.add((st, KG.objectQuantity, Literal(r.object_count)))
        if r.object and not r.negated and r.modality == "asserted":
            g.add((subj, p, obj))

    for q in extraction.quotes:
        qi = minter.quote(art.id, str(q.start), q.text)
        g.add((qi, RDF.type, KG.Quote))
        g.add((qi, SCHEMA.text, Literal(q.text)))
        g.add((qi, KG.speaker, iris[q.speaker]))
        g.add((qi, KG.reportingVerb, Literal(q.verb)))
        g.add((qi, PROV.wasDerivedFrom, sent_iris[q.sentence]))
        g.add((qi, NIF.beginIndex, Literal(q.start)))
        g.add((qi, NIF.endIndex, Literal(q.end)))
        if q.addressee:
            g.add((qi, KG.addressee, iris[q.addressee]))
    return g


def _add_entity(g: Graph, e: Entity, minter: Minter) -> URIRef:
    iri = minter.entity(e.type, e.name)
    g.add((iri, RDF.type, TYPE_CLASSES[e.type]))
    g.add((iri, RDFS.label, Literal(e.name)))
    for alias in sorted(e.aliases):
        g.add((iri, SKOS.altLabel, Literal(alias)))
    for role in sorted(e.roles):
        g.add((iri, SCHEMA.jobTitle, Literal(role)))
    return iri


# -- the same graph as N-Triples text, without rdflib (the ingest's fast path) -------

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def _i(term: str) -> str:
    return f"<{term}>"


def _s(text: str) -> str:
    return f'"{text.translate(_ESCAPES)}"'


def _typed(lexical: str, datatype: URIRef) -> str:
    return f'"{lexical.translate(_ESCAPES)}"^^<{datatype}>'


def _nt_date(value: str | None) -> str | None:
    d = _date(value)
    return None if d is None else _typed(str(d), XSD.date)


_T, _LABEL, _TEXT = _i(RDF.type), _i(RDFS.label), _i(SCHEMA.text)
_BEGIN, _END, _DERIVED = _i(NIF.beginIndex), _i(NIF.endIndex), _i(PROV.wasDerivedFrom)
_INT, _DOUBLE, _BOOL = XSD.integer, XSD.double, XSD.boolean


def build_ntriples(extraction: Extraction, *, minter: Minter, digest: str) -> bytes:
    """The triples of :func:`build_graph` as N-Triples, without building a Graph.

    Same triples (a test checks it on every seed); about 5x faster, because no
    rdflib term, index or serialiser is involved: it only formats strings.

    Example:
        >>> build_ntriples(ex, minter=Minter(BASE), digest=h)  # doctest: +SKIP
        b'<https://kg.example/id/article/a1> <http://www.w3.org/1999/...'
    """
    art = extraction.article
    out: dict[str, None] = {}  # a set that keeps the order

    def add(s: str, p: str, o: str) -> None:
        out[f"{s} {p} {o} .\n"] = None

    a = _i(minter.article(art.id))
    add(a, _T, _i(SCHEMA.NewsArticle))
    add(a, _i(SCHEMA.identifier), _s(art.id))
    add(a, _i(KG.contentHash), _s(digest))
    if art.title:
        add(a, _i(SCHEMA.headline), _s(art.title))
    if (d := _nt_date(art.date)) is not None:
        add(a, _i(SCHEMA.datePublished), d)
    if art.url:
        add(a, _i(SCHEMA.url), _typed(art.url, XSD.anyURI))
    if art.source:
        pub = _i(minter.entity("Organization", art.source))
        add(a, _i(SCHEMA.publisher), pub)
        add(pub, _T, _i(SCHEMA.Organization))
        add(pub, _LABEL, _s(art.source))

    sents = []
    for s in extraction.sentences:
        si = _i(minter.sentence(art.id, s.index))
        sents.append(si)
        add(si, _T, _i(KG.Sentence))
        add(si, _TEXT, _s(s.text))
        add(si, _BEGIN, _typed(str(s.start), _INT))
        add(si, _END, _typed(str(s.end), _INT))
        add(si, _i(KG.sentenceIndex), _typed(str(s.index), _INT))
        add(si, _i(SCHEMA.isPartOf), a)

    iris: dict[str, str] = {}
    for key, e in extraction.entities.items():
        iri = iris[key] = str(minter.entity(e.type, e.name))
        add(_i(iri), _T, _i(TYPE_CLASSES[e.type]))
        add(_i(iri), _LABEL, _s(e.name))
        for alias in sorted(e.aliases):
            add(_i(iri), _i(SKOS.altLabel), _s(alias))
        for role in sorted(e.roles):
            add(_i(iri), _i(SCHEMA.jobTitle), _s(role))
    for iri in iris.values():
        add(a, _i(SCHEMA.mentions), _i(iri))

    names = {k: e.name for k, e in extraction.entities.items()}
    for r in extraction.relations:
        _add_relation(add, r, art.id, minter, iris, names, sents)

    for q in extraction.quotes:
        qi = _i(minter.quote(art.id, str(q.start), q.text))
        add(qi, _T, _i(KG.Quote))
        add(qi, _TEXT, _s(q.text))
        add(qi, _i(KG.speaker), _i(iris[q.speaker]))
        add(qi, _i(KG.reportingVerb), _s(q.verb))
        add(qi, _DERIVED, sents[q.sentence])
        add(qi, _BEGIN, _typed(str(q.start), _INT))
        add(qi, _END, _typed(str(q.end), _INT))
        if q.addressee:
            add(qi, _i(KG.addressee), _i(iris[q.addressee]))
    return "".join(out).encode()


def _add_relation(
    add: Callable[[str, str, str], None],
    r: Relation,
    article_id: str,
    minter: Minter,
    iris: dict[str, str],
    names: dict[str, str],
    sents: list[str],
) -> None:
    """The triples of one relation: its statement node, and the direct triple."""
    p = str(minter.predicate(r.predicate))
    add(_i(p), _T, _i(KG.Relation))
    add(_i(p), _LABEL, _s(r.predicate))
    add(_i(p), _i(RDFS.subPropertyOf), _i(KG.related))
    subj = iris[r.subject]
    obj_text = iris[r.object] if r.object else (r.object_text or "")
    obj = _i(obj_text) if r.object else _s(obj_text)
    st = _i(
        minter.statement(article_id, str(r.sentence), subj, p, obj_text, str(r.negated))
    )
    add(st, _T, _i(RDF.Statement))
    add(st, _T, _i(KG.Statement))
    add(st, _i(RDF.subject), _i(subj))
    add(st, _i(RDF.predicate), _i(p))
    add(st, _i(RDF.object), obj)
    if r.object_text and (r.object is None or r.object_text != names.get(r.object)):
        add(st, _i(KG.objectText), _s(r.object_text))
    add(st, _DERIVED, sents[r.sentence])
    add(st, _i(KG.confidence), _typed(str(Literal(float(r.confidence))), _DOUBLE))
    add(st, _i(KG.negated), _typed("true" if r.negated else "false", _BOOL))
    add(st, _i(KG.modality), _s(r.modality))
    if r.attributed_to:
        add(st, _i(PROV.wasAttributedTo), _i(iris[r.attributed_to]))
    if (d := _nt_date(r.date)) is not None:
        add(st, _i(DCTERMS.date), d)
    if r.subject_count is not None:
        add(st, _i(KG.subjectQuantity), _typed(str(r.subject_count), _INT))
    if r.object_count is not None:
        add(st, _i(KG.objectQuantity), _typed(str(r.object_count), _INT))
    if r.object and not r.negated and r.modality == "asserted":
        add(_i(subj), _i(p), obj)
