"""Extraction -> the RDF graph of one article (rdflib, no spaCy).

See ``ontology/README.md`` for the model. A relation becomes a direct triple
``entity -predicate-> entity`` only when the outlet asserts it (not negated, not
merely reported, possible or intended); every relation, asserted or not, has an
``rdf:Statement`` node carrying its provenance and qualifiers.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from kg.graph.iris import Minter
from kg.types import Article, Entity, Extraction
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
