"""Extraction patterns, table-driven: sentence -> expected (subject, predicate, object).

Objects in quotes ('...') are literal phrases; others are entity names. Each row
also pins negation / modality / attribution where the pattern is about them.
"""

from __future__ import annotations

from typing import Any

import pytest

from kg.extract.article import extract_article
from kg.extract.nlp import load_nlp
from kg.types import Article, Extraction


@pytest.fixture(scope="module")
def nlp() -> Any:
    from kg.config import Settings

    return load_nlp(Settings().spacy_model)


def run(nlp: Any, text: str, date: str | None = "2014-05-28") -> Extraction:
    return extract_article(nlp(text), Article(id="t", text=text, date=date))


def triples(ex: Extraction) -> set[tuple[str, str, str]]:
    e = ex.entities
    return {
        (
            e[r.subject].name,
            r.predicate,
            e[r.object].name if r.object else f"'{r.object_text}'",
        )
        for r in ex.relations
    }


def relation(ex: Extraction, subject: str, predicate: str) -> Any:
    e = ex.entities
    for r in ex.relations:
        if e[r.subject].name == subject and r.predicate == predicate:
            return r
    raise AssertionError(f"no {subject} {predicate} in {triples(ex)}")


TRIPLES = [
    (
        "active voice",
        "Microsoft released Windows in Redmond.",
        {("Microsoft", "release", "Windows"), ("Microsoft", "release in", "Redmond")},
    ),
    (
        "passive voice: the by-agent is the subject",
        "The protesters were dispersed by riot police.",
        {("riot police", "disperse", "protesters")},
    ),
    (
        "verb chain",
        "French police have begun expelling about 650 migrants from camps.",
        {
            ("French police", "expel", "migrants"),
            ("French police", "expel from", "'camps'"),
        },
    ),
    (
        "prepositional object",
        "The migrants hoped to cross to Britain.",
        {("migrants", "cross to", "Britain")},
    ),
    (
        "coordinated verbs share the object",
        "Police arrested and questioned the protesters.",
        {("police", "arrest", "protesters"), ("police", "question", "protesters")},
    ),
    (
        "coordinated objects split",
        "Police detained protesters and journalists.",
        {("police", "detain", "protesters"), ("police", "detain", "journalists")},
    ),
    (
        "relative clause with a prepositional object",
        "The migrants left the camps, from which they had hoped to cross to Britain.",
        {("migrants", "cross to", "Britain")},
    ),
    (
        "participial modifier stays out of the object phrase",
        "Police raided the largest camps housing mainly Syrian exiles.",
        {("police", "raid", "'the largest camps'")},
    ),
    (
        "existential is no actor fact",
        "There will be no arrests, the prefect said.",
        set(),
    ),
    (
        "copula",
        "Boris Johnson is a former journalist.",
        {("Boris Johnson", "be", "'a former journalist'")},
    ),
    (
        "copula with a role noun",
        "Angela Merkel is the chancellor of Germany.",
        {("Angela Merkel", "chancellor of", "Germany")},
    ),
    (
        "phrasal verb",
        "Some of the migrants put up barricades.",
        {("migrants", "put up", "'barricades'")},
    ),
    (
        "phrasal verb with a place object",
        "The authorities closed down the Sangatte centre.",
        {("authorities", "close down", "Sangatte")},
    ),
    (
        "apposition: affiliation and X-based",
        "Cecile Bossy, from the France-based Doctors of the World NGO, told AFP the camps were full.",
        {
            ("Cecile Bossy", "affiliated with", "Doctors of the World NGO"),
            ("Doctors of the World NGO", "based in", "France"),
            ("Cecile Bossy", "tell", "AFP"),
        },
    ),
    (
        "apposition: role of a place",
        "The prefect of the Pas-de-Calais region, Denis Robin, said the camps would close.",
        {("Denis Robin", "prefect of", "Pas-de-Calais")},
    ),
    (
        "role before the name, after a quote",
        '"There will be no arrests," the prefect, or the top administrator of the '
        "Pas-de-Calais region Denis Robin said.",
        {
            ("Denis Robin", "prefect of", "Pas-de-Calais"),
            ("Denis Robin", "administrator of", "Pas-de-Calais"),
        },
    ),
]


@pytest.mark.parametrize("name,text,expected", TRIPLES, ids=[t[0] for t in TRIPLES])
def test_pattern_gives_triples(
    nlp: Any, name: str, text: str, expected: set[Any]
) -> None:
    got = triples(run(nlp, text))
    assert expected <= got, f"missing {expected - got}; got {got}"


def test_negation_is_recorded(nlp: Any) -> None:
    r = relation(run(nlp, "Police did not arrest the protesters."), "police", "arrest")
    assert r.negated is True


def test_modal_verb_is_possible(nlp: Any) -> None:
    r = relation(run(nlp, "Soldiers may attack the rebels."), "soldiers", "attack")
    assert r.modality == "possible"


def test_hope_to_is_intended(nlp: Any) -> None:
    r = relation(
        run(nlp, "The migrants hoped to cross to Britain."), "migrants", "cross to"
    )
    assert r.modality == "intended"


def test_indirect_speech_is_reported_and_attributed(nlp: Any) -> None:
    ex = run(nlp, "The activists said the police beat the protesters.")
    r = relation(ex, "police", "beat")
    assert r.modality == "reported"
    assert ex.entities[r.attributed_to or ""].name == "activists"
    assert ("activists", "say", "'the police beat the protesters'") in triples(ex)


def test_quotes_have_speaker_verb_and_addressee(nlp: Any) -> None:
    ex = run(
        nlp,
        '"The people are on edge," Cecile Bossy, from the Doctors of the World '
        "NGO, told AFP on Wednesday. Bossy said the evacuation was "
        '"anything but professional".',
    )
    e = ex.entities
    got = {
        (
            e[q.speaker].name,
            q.verb,
            e[q.addressee].name if q.addressee else None,
            q.text,
        )
        for q in ex.quotes
    }
    assert got == {
        ("Cecile Bossy", "tell", "AFP", "The people are on edge"),
        ("Cecile Bossy", "say", None, "anything but professional"),
    }


def test_relative_date_is_normalised_against_the_article_date(nlp: Any) -> None:
    ex = run(nlp, "Cecile Bossy told AFP on Wednesday.")  # 2014-05-28 was a Wednesday
    assert relation(ex, "Cecile Bossy", "tell").date == "2014-05-28"
    ex = run(nlp, "Cecile Bossy told AFP on Monday.")
    assert relation(ex, "Cecile Bossy", "tell").date == "2014-05-26"


def test_surname_resolves_to_the_full_name(nlp: Any) -> None:
    ex = run(nlp, "John Smith met officials in Paris. Smith said the talks went well.")
    [smith] = [e for e in ex.entities.values() if e.type == "Person"]
    assert smith.name == "John Smith" and "Smith" in smith.aliases
    assert ("John Smith", "say", "'the talks went well'") in triples(ex)


def test_unambiguous_pronoun_resolves(nlp: Any) -> None:
    ex = run(nlp, "The migrants left the camp. They hoped to reach Britain.")
    assert ("migrants", "reach", "Britain") in triples(ex)


def test_ambiguous_pronoun_drops_the_triple(nlp: Any) -> None:
    ex = run(nlp, "John Smith met Peter Jones in Paris. He thanked Mary Brown.")
    assert not any(p == "thank" for _, p, _ in triples(ex)), triples(ex)


@pytest.mark.parametrize(
    "text",
    [
        "They said it was over. Share",
        "Advertisement\n\nWhich of them knew? He did.",
    ],
)
def test_no_entity_from_pronouns_or_boilerplate(nlp: Any, text: str) -> None:
    names = {e.name.casefold() for e in run(nlp, text).entities.values()}
    assert not names & {"they", "it", "which", "them", "he", "share", "advertisement"}


def test_confidence_is_a_probability(nlp: Any) -> None:
    ex = run(nlp, "Microsoft released Windows in Redmond.")
    assert all(0.0 <= r.confidence <= 1.0 for r in ex.relations)
    assert (
        relation(ex, "Microsoft", "release").confidence
        > relation(ex, "Microsoft", "release in").confidence - 0.2
    )


ROLES = [
    (
        "organisation before the title",
        "NASA Administrator Charles Bolden announced the plan.",
        ("Charles Bolden", "administrator of", "NASA"),
    ),
    (
        "of-affiliation without a comma",
        "Lee Cheuk-yan of the Labour Party lost the seat.",
        ("Lee Cheuk-yan", "affiliated with", "Labour Party"),
    ),
    (
        "possessive organisation",
        "Demosisto's Nathan Law won a seat.",
        ("Nathan Law", "affiliated with", "Demosisto"),
    ),
    (
        "role of a place, possessive",
        "Malaysia's Prime Minister, Najib Razak, said the talks failed.",
        ("Najib Razak", "minister of", "Malaysia"),
    ),
    (
        "title of place before the name",
        "Governor of Washington Chris Gregoire said it was unfair.",
        ("Chris Gregoire", "governor of", "Washington"),
    ),
]


@pytest.mark.parametrize("name,text,expected", ROLES, ids=[r[0] for r in ROLES])
def test_role_and_affiliation(
    nlp: Any, name: str, text: str, expected: tuple[str, str, str]
) -> None:
    got = triples(run(nlp, text))
    assert expected in got, f"{expected} not in {got}"


def test_according_to_attributes_the_claim(nlp: Any) -> None:
    ex = run(nlp, "According to the police, the protesters attacked the station.")
    r = relation(ex, "protesters", "attack")
    assert (
        r.modality == "reported" and ex.entities[r.attributed_to or ""].name == "police"
    )


def test_hedge_makes_the_statement_possible(nlp: Any) -> None:
    ex = run(nlp, "Police reportedly arrested the protesters.")
    assert relation(ex, "police", "arrest").modality == "possible"


def _quotes(ex: Extraction) -> set[tuple[str, str | None, str]]:
    e = ex.entities
    return {
        (e[q.speaker].name, e[q.addressee].name if q.addressee else None, q.text)
        for q in ex.quotes
    }


def test_quote_after_a_colon_lead_in(nlp: Any) -> None:
    ex = run(
        nlp,
        'Home Secretary Suella Braverman told GB News: "It is clear that we have a problem."',
    )
    assert (
        "Suella Braverman",
        "GB News",
        "It is clear that we have a problem.",
    ) in _quotes(ex)


def test_the_person_told_is_never_the_speaker(nlp: Any) -> None:
    ex = run(nlp, 'John Smith told the police, "I did everything I could."')
    assert _quotes(ex) == {("John Smith", "police", "I did everything I could.")}


def test_continuation_quotes_keep_the_speaker(nlp: Any) -> None:
    ex = run(
        nlp, '"We are ready," said John Smith. "The team is strong."\n\n"We will win."'
    )
    assert {t for s, _, t in _quotes(ex) if s == "John Smith"} == {
        "We are ready",
        "The team is strong.",
        "We will win.",
    }
    # each quote points at its own sentence
    assert sorted(q.sentence for q in ex.quotes) == sorted(
        {q.sentence for q in ex.quotes}
    )


def test_quote_left_open_at_a_paragraph_end_stops_there(nlp: Any) -> None:
    text = 'Gomez said, "We learned a lot today.\n\nIt was an emotional day."'
    got = {t for _, _, t in _quotes(run(nlp, text))}
    assert got == {"We learned a lot today.", "It was an emotional day."}
