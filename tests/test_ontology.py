"""The ontology agrees with kg.vocab; the shapes accept good graphs, reject bad ones."""

from __future__ import annotations

import re

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

from kg.graph.validate import (
    ONTOLOGY_DIR,
    ValidationResult,
    load_ontology,
    load_shapes,
    validate_graph,
)
from kg.vocab import KG, NIF, SCHEMA, TYPE_CLASSES

README = ONTOLOGY_DIR / "README.md"
KGSH = "https://kg.example/shapes#"
PROV = "http://www.w3.org/ns/prov#"

# ---------------------------------------------------------------- ontology


def kg_terms() -> set[URIRef]:
    return {URIRef(f"{KG._NS}{name}") for name in KG.__annotations__}


def declared_terms(ontology: Graph) -> set[URIRef]:
    kinds = {
        OWL.Class,
        OWL.ObjectProperty,
        OWL.DatatypeProperty,
        OWL.AnnotationProperty,
    }
    return {
        s
        for s, kind in ontology.subject_objects(RDF.type)
        if kind in kinds and isinstance(s, URIRef) and s.startswith(str(KG._NS))
    }


def used_kg_iris(graph: Graph) -> set[URIRef]:
    return {
        term
        for triple in graph
        for term in triple
        if isinstance(term, URIRef) and term.startswith(str(KG._NS))
    }


def test_ontology_and_shapes_parse() -> None:
    assert len(Graph().parse(ONTOLOGY_DIR / "kg.ttl", format="turtle")) > 0
    assert len(Graph().parse(ONTOLOGY_DIR / "shapes.ttl", format="turtle")) > 0
    assert (URIRef("https://kg.example/ontology"), RDF.type, OWL.Ontology) in (
        load_ontology()
    )


def test_ontology_declares_exactly_the_vocab_terms() -> None:
    ontology = load_ontology()
    declared = declared_terms(ontology)
    assert declared - kg_terms() == set(), "declared in kg.ttl but not in kg.vocab.KG"
    assert kg_terms() - declared == set(), "in kg.vocab.KG but not declared in kg.ttl"


@pytest.mark.parametrize("path", ["kg.ttl", "shapes.ttl"])
def test_files_use_only_vocab_terms(path: str) -> None:
    graph = Graph().parse(ONTOLOGY_DIR / path, format="turtle")
    assert used_kg_iris(graph) - kg_terms() == set()


@pytest.mark.parametrize("name", sorted(KG.__annotations__))
def test_every_term_has_english_label_and_comment(name: str) -> None:
    ontology = load_ontology()
    term = URIRef(f"{KG._NS}{name}")
    for prop in (RDFS.label, RDFS.comment):
        values = list(ontology.objects(term, prop))
        assert values, f"{term} has no {prop}"
        assert all(isinstance(v, Literal) and v.language == "en" for v in values)


@pytest.mark.parametrize(
    "axiom",
    [
        (KG.Group, RDFS.subClassOf, SCHEMA.Thing),
        (KG.Sentence, RDFS.subClassOf, URIRef(f"{PROV}Entity")),
        (KG.Quote, RDFS.subClassOf, SCHEMA.Quotation),
        (KG.Statement, RDFS.subClassOf, RDF.Statement),
        (KG.Relation, RDFS.subClassOf, RDF.Property),
        (KG.related, RDF.type, OWL.ObjectProperty),
        (KG.speaker, RDFS.subPropertyOf, URIRef(f"{PROV}wasAttributedTo")),
        (KG.confidence, RDFS.range, XSD.double),
        (KG.negated, RDFS.range, XSD.boolean),
    ],
    ids=lambda axiom: f"{axiom[0].fragment}-{axiom[1].fragment}",
)
def test_ontology_states_axiom(axiom: tuple[URIRef, URIRef, URIRef]) -> None:
    assert axiom in load_ontology()


def test_entity_shapes_target_exactly_the_type_classes() -> None:
    shapes = load_shapes()
    for shape in ("EntityShape", "EntityLabelShape"):
        targets = set(shapes.objects(URIRef(KGSH + shape), SH.targetClass))
        assert targets == set(TYPE_CLASSES.values()), shape


def test_every_shape_is_named_and_described() -> None:
    shapes = load_shapes()
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    assert {URIRef(KGSH + s) for s in SHAPES} <= node_shapes
    for shape in node_shapes:
        assert shapes.value(shape, SH.name) is not None, shape
        assert (
            shapes.value(shape, SH.description) or shapes.value(shape, RDFS.comment)
        ) is not None, shape


def test_shapes_and_ontology_are_loaded_once() -> None:
    assert load_shapes() is load_shapes()
    assert load_ontology() is load_ontology()


# ---------------------------------------------------------------- shapes

PREFIXES = """\
@prefix kg:      <https://kg.example/ontology#> .
@prefix rel:     <https://kg.example/rel/> .
@prefix id:      <https://kg.example/id/> .
@prefix rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix schema:  <http://schema.org/> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix nif:     <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#> .
"""
HASH = "a" * 64
ART = "https://kg.example/id/article/a1"
SENT = f"{ART}/s0"
STMT = "https://kg.example/id/statement/s1"
QUOTE = "https://kg.example/id/quote/q1"
REL = "https://kg.example/rel/expel"
POLICE = "https://kg.example/id/group/police"

# a conforming article with one sentence, two entities and one relation;
# each case adds to it (or replaces it)
ARTICLE = f"""
<{ART}> a schema:NewsArticle ; schema:identifier "a1" ; kg:contentHash "{HASH}" .
"""
SENTENCE = f"""
<{SENT}> a kg:Sentence ; schema:text "Police expel migrants." ;
    nif:beginIndex 0 ; nif:endIndex 22 ; kg:sentenceIndex 0 ; schema:isPartOf <{ART}> .
"""
ENTITIES = f"""
<{POLICE}> a kg:Group ; rdfs:label "police" .
id:group\\/migrants a kg:Group ; rdfs:label "migrants" .
<{REL}> a kg:Relation ; rdfs:label "expel" ; rdfs:subPropertyOf kg:related .
<{POLICE}> <{REL}> id:group\\/migrants .
"""
CONTEXT = ARTICLE + SENTENCE + ENTITIES


def statement(**overrides: str | None) -> str:
    """A statement in Turtle; an override replaces an object, None drops it."""
    fields: dict[str, str | None] = {
        "a": "rdf:Statement , kg:Statement",
        "rdf:subject": f"<{POLICE}>",
        "rdf:predicate": f"<{REL}>",
        "rdf:object": "id:group\\/migrants",
        "kg:objectText": '"about 650 migrants"',
        "prov:wasDerivedFrom": f"<{SENT}>",
        "kg:confidence": '"0.83"^^xsd:double',
        "kg:negated": "false",
        "kg:modality": '"asserted"',
        "dcterms:date": '"2014-05-28"^^xsd:date',
    }
    fields.update(overrides)
    body = " ;\n    ".join(f"{p} {o}" for p, o in fields.items() if o is not None)
    return f"<{STMT}> {body} .\n"


def quote(**overrides: str | None) -> str:
    """A quote in Turtle; an override replaces an object, None drops it."""
    fields: dict[str, str | None] = {
        "a": "kg:Quote",
        "schema:text": '"The people are on edge"',
        "kg:speaker": f"<{POLICE}>",
        "kg:addressee": "id:group\\/migrants",
        "kg:reportingVerb": '"tell"',
        "prov:wasDerivedFrom": f"<{SENT}>",
        "nif:beginIndex": "1",
        "nif:endIndex": "20",
    }
    fields.update(overrides)
    body = " ;\n    ".join(f"{p} {o}" for p, o in fields.items() if o is not None)
    return f"<{QUOTE}> {body} .\n"


def entity(cls: str, label: str | None = "Somebody", extra: str = "") -> str:
    label_part = f' ; rdfs:label "{label}"' if label is not None else ""
    return f"<https://kg.example/id/x/e1> a {cls}{label_part}{extra} .\n"


E1 = "https://kg.example/id/x/e1"

SHAPES = [
    "ArticleShape",
    "SentenceShape",
    "StatementShape",
    "QuoteShape",
    "RelationShape",
    "EntityShape",
    "EntityLabelShape",
]

# (shape, Turtle body, focus node of the violations or None when conforming, count)
CASES = [
    # -- Article
    pytest.param("ArticleShape", ARTICLE, None, 0, id="article-minimal"),
    pytest.param(
        "ArticleShape",
        ARTICLE
        + f"""<{ART}> schema:headline "H" ;
            schema:datePublished "2014-05-28"^^xsd:date ;
            schema:url "https://example.org/a1"^^xsd:anyURI ;
            schema:publisher id:organization\\/afp ; schema:mentions <{E1}> .
            id:organization\\/afp a schema:Organization ; rdfs:label "AFP" .""",
        None,
        0,
        id="article-full",
    ),
    pytest.param(
        "ArticleShape",
        f'<{ART}> a schema:NewsArticle ; kg:contentHash "{HASH}" .',
        ART,
        1,
        id="article-without-identifier",
    ),
    pytest.param(
        "ArticleShape",
        f'<{ART}> a schema:NewsArticle ; schema:identifier "a1" ; '
        f'kg:contentHash "{HASH.upper()}" .',
        ART,
        1,
        id="article-hash-not-lowercase-hex",
    ),
    pytest.param(
        "ArticleShape",
        f'<{ART}> a schema:NewsArticle ; schema:identifier "a1" .',
        ART,
        1,
        id="article-without-hash",
    ),
    pytest.param(
        "ArticleShape",
        ARTICLE + f'<{ART}> schema:datePublished "28 May 2014" .',
        ART,
        1,
        id="article-date-not-xsd-date",
    ),
    pytest.param(
        "ArticleShape",
        ARTICLE + f'<{ART}> schema:headline "A", "B" .',
        ART,
        1,
        id="article-two-headlines",
    ),
    pytest.param(
        "ArticleShape",
        ARTICLE + f"<{ART}> schema:publisher <{POLICE}> .\n" + ENTITIES,
        ART,
        1,
        id="article-publisher-not-organization",
    ),
    pytest.param(
        "ArticleShape",
        ARTICLE + f'<{ART}> schema:mentions "police" .',
        ART,
        1,
        id="article-mentions-literal",
    ),
    # -- Sentence
    pytest.param("SentenceShape", CONTEXT, None, 0, id="sentence-ok"),
    pytest.param(
        "SentenceShape",
        ARTICLE + SENTENCE.replace("nif:beginIndex 0", "nif:beginIndex 30"),
        SENT,
        1,
        id="sentence-begin-after-end",
    ),
    pytest.param(
        "SentenceShape",
        ARTICLE + SENTENCE.replace("kg:sentenceIndex 0", "kg:sentenceIndex -1"),
        SENT,
        1,
        id="sentence-negative-index",
    ),
    pytest.param(
        "SentenceShape",
        SENTENCE,
        SENT,
        1,
        id="sentence-part-of-no-article",
    ),
    pytest.param(
        "SentenceShape",
        ARTICLE + SENTENCE.replace('schema:text "Police expel migrants." ;', ""),
        SENT,
        1,
        id="sentence-without-text",
    ),
    pytest.param(
        "SentenceShape",
        ARTICLE + SENTENCE.replace("nif:endIndex 22", 'nif:endIndex "22"'),
        SENT,
        3,  # a string is also not comparable to 0 nor to the begin index
        id="sentence-offset-not-integer",
    ),
    # -- Statement
    pytest.param("StatementShape", CONTEXT + statement(), None, 0, id="statement-ok"),
    pytest.param(
        "StatementShape",
        CONTEXT
        + statement(
            **{
                "rdf:object": '"a long way"',
                "kg:objectText": None,
                "kg:modality": '"reported"',
                "prov:wasAttributedTo": f"<{POLICE}>",
                "dcterms:date": None,
            }
        ),
        None,
        0,
        id="statement-literal-object-reported",
    ),
    pytest.param(
        "StatementShape",
        CONTEXT + statement(**{"kg:confidence": '"1.5"^^xsd:double'}),
        STMT,
        1,
        id="statement-confidence-above-one",
    ),
    pytest.param(
        "StatementShape",
        CONTEXT + statement(**{"kg:confidence": '"0.5"'}),
        STMT,
        3,  # a string is also not comparable to 0 and 1
        id="statement-confidence-not-double",
    ),
    pytest.param(
        "StatementShape",
        CONTEXT + statement(**{"kg:modality": '"maybe"'}),
        STMT,
        1,
        id="statement-unknown-modality",
    ),
    pytest.param(
        "StatementShape",
        CONTEXT + statement(**{"kg:modality": '"intended"^^xsd:string'}),
        None,
        0,
        id="statement-modality-typed-string",
    ),
    pytest.param(
        "StatementShape",
        CONTEXT + statement(**{"kg:modality": '"Asserted"'}),
        STMT,
        1,
        id="statement-modality-wrong-case",
    ),
    pytest.param(
        "StatementShape",
        CONTEXT + statement(**{"kg:negated": '"no"'}),
        STMT,
        1,
        id="statement-negated-not-boolean",
    ),
    pytest.param(
        "StatementShape",
        CONTEXT + statement(**{"prov:wasDerivedFrom": None}),
        STMT,
        1,
        id="statement-without-sentence",
    ),
    pytest.param(
        "StatementShape",
        CONTEXT + statement(**{"prov:wasDerivedFrom": f"<{ART}>"}),
        STMT,
        1,
        id="statement-derived-from-non-sentence",
    ),
    pytest.param(
        "StatementShape",
        CONTEXT + statement(a="kg:Statement"),
        STMT,
        1,
        id="statement-not-typed-rdf-statement",
    ),
    pytest.param(
        "StatementShape",
        CONTEXT + statement(**{"rdf:subject": f"<{POLICE}>, <{E1}>"}),
        STMT,
        1,
        id="statement-two-subjects",
    ),
    pytest.param(
        "StatementShape",
        CONTEXT + statement(**{"rdf:subject": '"police"'}),
        STMT,
        1,
        id="statement-literal-subject",
    ),
    pytest.param(
        "StatementShape",
        CONTEXT + statement(**{"rdf:predicate": "schema:knows"}),
        STMT,
        1,
        id="statement-predicate-not-relation",
    ),
    pytest.param(
        "StatementShape",
        CONTEXT + statement(**{"rdf:object": None}),
        STMT,
        1,
        id="statement-without-object",
    ),
    # -- Quote (a kg:Quote is a schema:Quotation, never matched as a CreativeWork)
    pytest.param("QuoteShape", CONTEXT + quote(), None, 0, id="quote-ok"),
    pytest.param(
        "QuoteShape",
        CONTEXT
        + quote(**{"kg:addressee": None, "nif:beginIndex": None, "nif:endIndex": None}),
        None,
        0,
        id="quote-minimal",
    ),
    pytest.param(
        "QuoteShape",
        CONTEXT + quote(**{"kg:speaker": None}),
        QUOTE,
        1,
        id="quote-without-speaker",
    ),
    pytest.param(
        "QuoteShape",
        CONTEXT + quote(**{"kg:speaker": '"the police"'}),
        QUOTE,
        1,
        id="quote-literal-speaker",
    ),
    pytest.param(
        "QuoteShape",
        CONTEXT + quote(**{"kg:reportingVerb": None}),
        QUOTE,
        1,
        id="quote-without-reporting-verb",
    ),
    pytest.param(
        "QuoteShape",
        CONTEXT + quote(**{"schema:text": None}),
        QUOTE,
        1,
        id="quote-without-text",
    ),
    pytest.param(
        "QuoteShape",
        CONTEXT + quote(**{"prov:wasDerivedFrom": f"<{ART}>"}),
        QUOTE,
        1,
        id="quote-derived-from-non-sentence",
    ),
    pytest.param(
        "QuoteShape",
        CONTEXT + quote(**{"nif:beginIndex": "30"}),
        QUOTE,
        1,
        id="quote-begin-after-end",
    ),
    # -- Relation
    pytest.param(
        "RelationShape",
        f'<{REL}> a kg:Relation ; rdfs:label "expel" ; rdfs:subPropertyOf kg:related .',
        None,
        0,
        id="relation-ok",
    ),
    pytest.param(
        "RelationShape",
        f'<{REL}> a kg:Relation ; rdfs:label "expel" .',
        REL,
        1,
        id="relation-not-under-related",
    ),
    pytest.param(
        "RelationShape",
        f'<{REL}> a kg:Relation ; rdfs:label "expel" ; '
        "rdfs:subPropertyOf schema:knows .",
        REL,
        1,
        id="relation-under-other-property",
    ),
    pytest.param(
        "RelationShape",
        f"<{REL}> a kg:Relation ; rdfs:subPropertyOf kg:related .",
        REL,
        1,
        id="relation-without-label",
    ),
    # -- Entity: every type class
    *[
        pytest.param(
            "EntityShape",
            entity(cls.n3(), extra=' ; skos:altLabel "S" ; schema:jobTitle "prefect"'),
            None,
            0,
            id=f"entity-{name}-ok",
        )
        for name, cls in TYPE_CLASSES.items()
    ],
    *[
        pytest.param(
            "EntityShape",
            entity(cls.n3(), label=None),
            E1,
            1,
            id=f"entity-{name}-without-label",
        )
        for name, cls in TYPE_CLASSES.items()
    ],
    pytest.param(
        "EntityShape",
        '[] a schema:Person ; rdfs:label "Anonymous" .',
        None,  # focus is a blank node: checked by count only
        1,
        id="entity-blank-node",
    ),
    pytest.param(
        "EntityShape",
        entity("schema:Person", extra=" ; skos:altLabel 42"),
        E1,
        1,
        id="entity-alt-label-not-string",
    ),
    # -- Entity label: no pronouns, no boilerplate
    *[
        pytest.param(
            "EntityLabelShape",
            entity("schema:Person", label),
            None,
            0,
            id=f"label-{label}-ok",
        )
        for label in ["Cecile Bossy", "Ithaca", "Theyab", "I.B.M.", "Sharecare"]
    ],
    *[
        pytest.param(
            "EntityLabelShape",
            entity(cls, label),
            E1,
            1,
            id=f"label-{label.strip()}-rejected",
        )
        for cls, label in [
            ("schema:Person", "he"),
            ("schema:Person", "She"),
            ("kg:Group", "THEY"),
            ("kg:Group", "those"),
            ("schema:Person", "I"),
            ("schema:Organization", "who"),
            ("schema:CreativeWork", " Share "),
            ("schema:Product", "Advertisement"),
            ("schema:Place", "it"),
        ]
    ],
]


@pytest.mark.parametrize(("shape", "body", "focus", "count"), CASES)
def test_shape_sample(shape: str, body: str, focus: str | None, count: int) -> None:
    assert shape in SHAPES
    graph = Graph().parse(data=PREFIXES + body, format="turtle")
    result = validate_graph(graph)
    assert isinstance(result, ValidationResult)
    assert result.violations == count, result.report
    assert result.conforms is (count == 0), result.report
    if focus is not None:
        shown = graph.namespace_manager.normalizeUri(URIRef(focus))
        assert f"Focus Node: {shown}\n" in result.report, result.report


@pytest.mark.parametrize("shape", SHAPES)
def test_every_shape_has_a_conforming_and_a_violating_sample(shape: str) -> None:
    counts = [p.values[3] for p in CASES if p.values[0] == shape]
    assert 0 in counts and any(c > 0 for c in counts)


def test_dataset_is_validated_as_union_of_named_graphs() -> None:
    ds = Dataset()
    ds.graph(URIRef("https://kg.example/graph/a1")).parse(
        data=PREFIXES + ARTICLE, format="turtle"
    )
    # the sentence's article lives in another graph: fine in the union
    ds.graph(URIRef("https://kg.example/graph/other")).parse(
        data=PREFIXES + SENTENCE, format="turtle"
    )
    assert validate_graph(ds).conforms
    ds.graph(URIRef("https://kg.example/graph/bad")).parse(
        data=PREFIXES + entity("schema:Person", "they"), format="turtle"
    )
    result = validate_graph(ds)
    assert not result.conforms
    assert result.violations == 1


def test_explicit_shapes_replace_the_project_shapes() -> None:
    data = Graph().parse(data=PREFIXES + entity("schema:Person", "he"), format="turtle")
    assert validate_graph(data, shapes=Graph()).conforms
    assert not validate_graph(data).conforms


# ---------------------------------------------------------------- README example


def readme_example() -> str:
    blocks = re.findall(r"```turtle\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, f"no turtle block in {README}"
    return str(blocks[0])


def test_readme_example_conforms() -> None:
    graph = Graph().parse(data=readme_example(), format="turtle")
    result = validate_graph(graph)
    assert result.conforms, result.report
    sentence = next(graph.subjects(RDF.type, KG.Sentence))
    text = str(graph.value(sentence, SCHEMA.text))
    assert text.startswith("French police have begun expelling about 650 migrants")
    end = graph.value(sentence, NIF.endIndex)
    assert isinstance(end, Literal) and end.toPython() == len(text)


def test_readme_example_breaks_when_provenance_is_dropped() -> None:
    graph = Graph().parse(data=readme_example(), format="turtle")
    graph.remove((None, URIRef(f"{PROV}wasDerivedFrom"), None))
    result = validate_graph(graph)
    assert not result.conforms
    assert result.violations == 2  # one per statement


def test_readme_documents_every_kg_term() -> None:
    text = README.read_text()
    missing = [name for name in KG.__annotations__ if f"`kg:{name}`" not in text]
    assert missing == []
