"""Vocabulary: the project ontology as a closed namespace, and the reused ones.

The terms here mirror ``ontology/kg.ttl``; a test checks that both agree.
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD, DefinedNamespace
from rdflib.term import URIRef

ONTOLOGY_IRI = "https://kg.example/ontology#"


class KG(DefinedNamespace):
    """Project terms, used only where no standard vocabulary fits."""

    _NS = Namespace(ONTOLOGY_IRI)
    _fail = True

    # classes
    Group: URIRef  # a collective of people that acts: "migrants", "riot police"
    Sentence: URIRef  # a sentence of an article, the evidence of statements
    Quote: URIRef  # quoted speech with its speaker
    Statement: URIRef  # an extracted relation with provenance (an rdf:Statement)
    Relation: URIRef  # class of the minted relation predicates
    # root relation: every minted predicate is rdfs:subPropertyOf it
    related: URIRef
    # statement annotations
    confidence: URIRef
    negated: URIRef
    modality: URIRef
    objectText: URIRef  # the literal object phrase when the object is no entity
    subjectQuantity: URIRef  # "about 650 migrants" as subject: 650
    objectQuantity: URIRef  # "expelling about 650 migrants": 650
    # sentence and article bookkeeping
    sentenceIndex: URIRef
    contentHash: URIRef
    # quotes
    speaker: URIRef
    addressee: URIRef
    reportingVerb: URIRef


SCHEMA = Namespace("http://schema.org/")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")

# prefix -> namespace, for serialisation and for SPARQL queries
PREFIXES: dict[str, str] = {
    "kg": ONTOLOGY_IRI,
    "schema": str(SCHEMA),
    "prov": str(PROV),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "nif": str(NIF),
}

TYPE_CLASSES: dict[str, URIRef] = {
    "Person": SCHEMA.Person,
    "Organization": SCHEMA.Organization,
    "Place": SCHEMA.Place,
    "Event": SCHEMA.Event,
    "Group": KG.Group,
    "Product": SCHEMA.Product,
    "CreativeWork": SCHEMA.CreativeWork,
}


def sparql_prefixes() -> str:
    """The PREFIX lines for every namespace in :data:`PREFIXES`."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


__all__ = ["KG", "NIF", "PREFIXES", "SCHEMA", "TYPE_CLASSES", "sparql_prefixes"]
