"""The foundation issue's acceptance checks, by SPARQL over the seeded store."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.slow


def rows(store: Any, sparql: str) -> list[dict[str, str]]:
    result = store.query(sparql)
    names = [v.value for v in result.variables]
    return [
        {n: (r[n].value if r[n] is not None else None) for n in names} for r in result
    ]


def ask(store: Any, sparql: str) -> bool:
    return bool(store.query(sparql))


def test_french_police_expel_migrants(seeded_store: Any) -> None:
    assert ask(
        seeded_store,
        """
        ASK { ?police rdfs:label "French police" ; ?p ?m .
              ?p rdfs:label "expel" . ?m rdfs:label "migrants" }""",
    )


def test_bossy_affiliated_with_doctors_of_the_world(seeded_store: Any) -> None:
    found = rows(
        seeded_store,
        """
        SELECT ?orgName WHERE {
          ?b a schema:Person ; rdfs:label "Cecile Bossy" ; ?p ?org .
          ?p rdfs:label "affiliated with" . ?org a schema:Organization ; rdfs:label ?orgName }""",
    )
    assert any("Doctors of the World" in r["orgName"] for r in found), found


def test_bossy_told_afp(seeded_store: Any) -> None:
    assert ask(
        seeded_store,
        """
        ASK { ?b rdfs:label "Cecile Bossy" ; ?p ?afp . ?p rdfs:label "tell" .
              ?afp rdfs:label "AFP" }""",
    )
    assert ask(
        seeded_store,
        """
        ASK { ?q a kg:Quote ; kg:speaker ?b ; kg:reportingVerb "tell" ; kg:addressee ?afp .
              ?b rdfs:label "Cecile Bossy" . ?afp rdfs:label "AFP" }""",
    )


def test_denis_robin_is_a_person_and_prefect_of_pas_de_calais(
    seeded_store: Any,
) -> None:
    assert ask(
        seeded_store,
        """
        ASK { ?r a schema:Person ; rdfs:label "Denis Robin" ; schema:jobTitle "prefect" ;
                 ?p ?place . ?p rdfs:label "prefect of" . ?place rdfs:label "Pas-de-Calais" }""",
    )


def test_bossy_and_cecile_bossy_are_one_entity(seeded_store: Any) -> None:
    found = rows(
        seeded_store,
        """
        SELECT DISTINCT ?e WHERE { { ?e rdfs:label "Bossy" } UNION { ?e rdfs:label "Cecile Bossy" }
                                   UNION { ?e skos:altLabel "Bossy" } }""",
    )
    assert len(found) == 1, found
    assert ask(
        seeded_store, """ASK { ?e rdfs:label "Cecile Bossy" ; skos:altLabel "Bossy" }"""
    )


def test_her_two_quotes_are_attributed_to_her(seeded_store: Any) -> None:
    quotes = rows(
        seeded_store,
        """
        SELECT ?text WHERE { ?q a kg:Quote ; kg:speaker ?b ; schema:text ?text .
                              ?b rdfs:label "Cecile Bossy" }""",
    )
    texts = sorted(r["text"] for r in quotes)
    assert len(texts) == 2, texts
    assert any(t.startswith("The people are on edge") for t in texts)
    assert "anything but professional" in texts


def test_no_pronoun_or_boilerplate_entities(seeded_store: Any) -> None:
    bad = rows(
        seeded_store,
        """
        SELECT ?e ?l WHERE { ?e rdfs:label ?l . FILTER NOT EXISTS { ?e a kg:Relation }
          FILTER(LCASE(STR(?l)) IN ("they", "which", "share", "he", "she", "it", "them",
                                    "who", "advertisement")) }""",
    )
    assert bad == []


@pytest.mark.parametrize(
    "subject,predicate,obj",
    [
        ("French police", "expel", "migrants"),
        ("Cecile Bossy", "affiliated with", None),
        ("Cecile Bossy", "tell", "AFP"),
        ("Denis Robin", "prefect of", "Pas-de-Calais"),
    ],
)
def test_relation_reaches_its_sentence(
    seeded_store: Any, subject: str, predicate: str, obj: str | None
) -> None:
    obj_pattern = f'?o rdfs:label "{obj}" .' if obj else ""
    found = rows(
        seeded_store,
        f"""
        SELECT ?text ?title WHERE {{
          ?st a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
              prov:wasDerivedFrom ?sent .
          ?s rdfs:label "{subject}" . ?p rdfs:label "{predicate}" . {obj_pattern}
          ?sent schema:text ?text ; schema:isPartOf ?art ; nif:beginIndex ?b ; nif:endIndex ?e .
          ?art a schema:NewsArticle . OPTIONAL {{ ?art schema:headline ?title }} }}""",
    )
    assert found, f"no statement {subject} {predicate} {obj} with a sentence"
    assert subject.split()[-1] in found[0]["text"]


def test_relation_predicates_are_declared(seeded_store: Any) -> None:
    assert not ask(
        seeded_store,
        """
        ASK { ?st a kg:Statement ; rdf:predicate ?p .
              FILTER NOT EXISTS { ?p rdfs:subPropertyOf kg:related ; rdfs:label ?l } }""",
    )


def test_every_wikinews_article_is_stored_with_metadata(seeded_store: Any) -> None:
    found = rows(
        seeded_store,
        """
        SELECT ?id ?date ?pub WHERE { ?a a schema:NewsArticle ; schema:identifier ?id ;
          schema:headline ?h ; schema:datePublished ?date ; schema:publisher ?p ;
          kg:contentHash ?hash . ?p rdfs:label ?pub }""",
    )
    assert len(found) == 25
    assert sum(1 for r in found if r["pub"] == "Wikinews") == 24
