"""kg.analytics.documents on the seeded store: entity panels, article views, overview.

The Calais seed (seeds/000_*.txt, AFP) is the reference article: Cecile Bossy of
Doctors of the World told AFP that people were on edge; French police expel migrants.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from kg.analytics import count_items
from kg.analytics.documents import (
    article_view,
    entity_id,
    entity_iri,
    entity_panel,
    find_mentions,
    name_finders,
    overview,
)
from kg.errors import InputError, NotFoundError
from kg.store import EmbeddedStore

ID = "https://kg.example/id/"
CALAIS = "seed-calais-expulsions"
BOSSY = ID + "person/cecile-bossy"
MIGRANTS = ID + "group/migrants"
FRENCH_POLICE = ID + "group/french-police"
RATHKE = ID + "person/jeff-rathke"  # "asked ... not to turn away boats": negated


# -- ids --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("iri", "short"),
    [
        (BOSSY, "person/cecile-bossy"),
        (ID + "organization/afp", "organization/afp"),
        (ID + "place/%E4%B8%AD%E6%9D%91", "place/%E4%B8%AD%E6%9D%91"),
    ],
)
def test_entity_ids_round_trip(iri: str, short: str) -> None:
    assert entity_id(iri) == short
    assert entity_iri(short) == iri


def test_entity_iri_encodes_a_decoded_name_as_minted() -> None:
    assert entity_iri("place/中村") == ID + "place/%E4%B8%AD%E6%9D%91"
    assert entity_iri("person/a>b") == ID + "person/a%3Eb"  # never raw into SPARQL


def test_entity_ids_follow_the_base_iri() -> None:
    base = "https://news.example/kg"
    assert entity_iri("person/x", base=base) == "https://news.example/kg/id/person/x"
    assert entity_id("https://news.example/kg/id/person/x", base=base) == "person/x"


@pytest.mark.parametrize(
    "iri",
    [
        "https://other.example/id/person/x",
        ID + "person",
        ID + "person/",
        "not an iri",
        ID + "person/a b",
    ],
)
def test_entity_id_rejects_what_is_no_entity_iri(iri: str) -> None:
    with pytest.raises(InputError, match="not an entity IRI"):
        entity_id(iri)


@pytest.mark.parametrize(
    "short", ["", "person", "Person/x", "person/a b", "person/x/y", "person/\x00"]
)
def test_entity_iri_rejects_malformed_ids(short: str) -> None:
    with pytest.raises(InputError):
        entity_iri(short)


# -- entity panel -------------------------------------------------------------------------


def relation(panel: dict[str, Any], label: str, other: str) -> dict[str, Any]:
    """The relation item with this predicate label and other side (IRI or text)."""
    for group in panel["relations"]:
        for item in group["items"]:
            if item["label"] == label and other in (
                item["other"]["iri"],
                item["other"]["label"],
            ):
                return dict(item)
    raise AssertionError(f"no relation {label!r} with {other!r} in {panel['id']}")


def test_panel_names_a_person_with_aliases(seeded_store: Any) -> None:
    panel = entity_panel(seeded_store, BOSSY)
    assert panel["iri"] == BOSSY and panel["id"] == "person/cecile-bossy"
    assert panel["label"] == "Cecile Bossy"
    assert "Bossy" in panel["aliases"] and "Cecile Bossy" not in panel["aliases"]
    assert panel["type"] == "Person"


def test_panel_relations_carry_their_sentence_and_article(seeded_store: Any) -> None:
    panel = entity_panel(seeded_store, BOSSY)
    told = relation(panel, "tell", ID + "organization/afp")
    assert told["direction"] == "out" and not told["negated"]
    assert told["other"] == {
        "iri": ID + "organization/afp",
        "id": "organization/afp",
        "label": "AFP",
        "type": "Organization",
    }
    (st,) = told["statements"]
    assert "told AFP" in st["sentence"]
    assert st["article_id"] == CALAIS and st["date"] == "2014-05-28"
    assert 0 < st["confidence"] <= 1 and st["modality"] == "asserted"
    assert isinstance(st["sentence_index"], int)


def test_panel_groups_relations_by_predicate_label(seeded_store: Any) -> None:
    panel = entity_panel(seeded_store, MIGRANTS)
    labels = [g["label"] for g in panel["relations"]]
    assert len(labels) == len(set(labels))
    sizes = [sum(len(i["statements"]) for i in g["items"]) for g in panel["relations"]]
    assert sizes == sorted(sizes, reverse=True)
    for group in panel["relations"]:
        assert all(i["label"] == group["label"] for i in group["items"])


def test_panel_lists_incoming_relations(seeded_store: Any) -> None:
    expelled = relation(entity_panel(seeded_store, MIGRANTS), "expel", FRENCH_POLICE)
    assert expelled["direction"] == "in"
    assert expelled["other"]["label"] == "French police"


def test_panel_keeps_literal_objects_as_text(seeded_store: Any) -> None:
    said = relation(entity_panel(seeded_store, BOSSY), "tell at", "the scene")
    assert said["other"] == {
        "iri": None,
        "id": None,
        "label": "the scene",
        "type": None,
    }


def test_panel_marks_negated_relations_and_roles(seeded_store: Any) -> None:
    panel = entity_panel(seeded_store, RATHKE)
    assert "spokesperson" in panel["roles"]
    denied = relation(panel, "turn away", "boats of people seeking asylum")
    assert denied["negated"] and denied["statements"][0]["negated"]


def test_panel_lists_articles_and_quotes(seeded_store: Any) -> None:
    panel = entity_panel(seeded_store, BOSSY)
    assert [a["id"] for a in panel["articles"]] == [CALAIS]
    assert panel["articles"][0]["source"] == "AFP"
    assert panel["articles"][0]["title"].startswith("French police begin expelling")
    texts = [q["text"] for q in panel["quotes"]]
    assert "anything but professional" in texts
    assert all(q["article_id"] == CALAIS for q in panel["quotes"])


def test_panel_of_a_publisher_lists_what_it_published(seeded_store: Any) -> None:
    panel = entity_panel(seeded_store, ID + "organization/wikinews")
    assert len(panel["articles"]) == 24
    dates = [a["date"] for a in panel["articles"]]
    assert dates == sorted(dates, reverse=True)


def test_panel_of_an_unknown_entity_is_not_found(seeded_store: Any) -> None:
    with pytest.raises(NotFoundError, match="person/nobody"):
        entity_panel(seeded_store, ID + "person/nobody")


@pytest.mark.parametrize(
    "iri", ["cecile bossy", ID + "person/x> } ; DROP ALL ; <x", "<" + BOSSY + ">"]
)
def test_panel_rejects_what_is_not_an_iri(seeded_store: Any, iri: str) -> None:
    with pytest.raises(InputError, match="not an absolute IRI"):
        entity_panel(seeded_store, iri)


# -- article view ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def calais(seeded_store: Any) -> dict[str, Any]:
    return article_view(seeded_store, CALAIS)


def test_article_view_has_the_metadata(calais: dict[str, Any]) -> None:
    assert calais["id"] == CALAIS
    assert calais["iri"] == ID + "article/" + CALAIS
    assert calais["title"] == "French police begin expelling migrants from Calais camps"
    assert calais["date"] == "2014-05-28" and calais["source"] == "AFP"


def test_article_sentences_are_in_order_with_offsets(calais: dict[str, Any]) -> None:
    sentences = calais["sentences"]
    assert [s["index"] for s in sentences] == list(range(len(sentences)))
    for s, after in zip(sentences, sentences[1:], strict=False):
        assert s["end"] - s["begin"] == len(s["text"])
        assert s["end"] <= after["begin"]


def test_article_mentions_point_at_the_names(calais: dict[str, Any]) -> None:
    first = calais["sentences"][0]
    found = [(m["text"], m["id"], m["type"]) for m in first["mentions"]]
    assert found[:3] == [
        ("French police", "group/french-police", "Group"),
        ("migrants", "group/migrants", "Group"),
        ("Calais", "place/calais", "Place"),
    ]
    for s in calais["sentences"]:
        spans = [(m["begin"], m["end"]) for m in s["mentions"]]
        assert spans == sorted(spans)
        assert all(e <= b for (_, e), (b, _) in zip(spans, spans[1:], strict=False))
        for m in s["mentions"]:
            assert s["text"][m["begin"] : m["end"]] == m["text"]


def test_article_mentions_find_other_names(calais: dict[str, Any]) -> None:
    """'Bossy said ...': the alias is marked as Cecile Bossy."""
    bossy = [m for s in calais["sentences"] for m in s["mentions"] if m["iri"] == BOSSY]
    assert {m["text"] for m in bossy} == {"Cecile Bossy", "Bossy"}
    assert all(m["label"] == "Cecile Bossy" for m in bossy)


def test_article_statements_name_both_sides(calais: dict[str, Any]) -> None:
    expel = [
        s
        for s in calais["statements"]
        if s["predicate_label"] == "expel" and s["subject"]["iri"] == FRENCH_POLICE
    ]
    assert expel and expel[0]["object"]["iri"] == MIGRANTS
    assert expel[0]["sentence_index"] == 0
    literal = [s for s in calais["statements"] if "text" in s["object"]]
    assert literal and all(set(s["object"]) == {"text"} for s in literal)
    indexes = [s["sentence_index"] for s in calais["statements"]]
    assert indexes == sorted(indexes)


def test_article_quotes_have_their_speaker(calais: dict[str, Any]) -> None:
    quote = next(
        q for q in calais["quotes"] if q["text"] == "anything but professional"
    )
    assert quote["speaker"]["iri"] == BOSSY
    assert quote["reporting_verb"] == "say"
    assert calais["sentences"][quote["sentence_index"]]["text"].startswith("Bossy said")


@pytest.mark.parametrize("article_id", ["nope", 'x" } DROP ALL #', "a/b?c#d", "中村"])
def test_unknown_article_is_not_found(seeded_store: Any, article_id: str) -> None:
    with pytest.raises(NotFoundError, match="no article with id"):
        article_view(seeded_store, article_id)


@pytest.mark.parametrize("article_id", ["", "a\x00b", "line\nbreak", "x" * 3000])
def test_article_id_with_illegal_characters_is_rejected(
    seeded_store: Any, article_id: str
) -> None:
    with pytest.raises(InputError, match="not an article id"):
        article_view(seeded_store, article_id)


# -- finding names ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "names", "expected"),
    [
        # longest name first, never overlapping
        (
            "riot police and police",
            {"riot": ["riot police"], "police": ["police"]},
            [("riot police", "riot"), ("police", "police")],
        ),
        # whole words only
        ("Calaisien in Calais", {"c": ["Calais"]}, [("Calais", "c")]),
        # case sensitive first, then ignoring case for longer names
        ("People said", {"p": ["people"]}, [("People", "p")]),
        # short names and acronyms only as written
        ("tell us about the US", {"us": ["US"]}, [("US", "us")]),
        ("He met the UN", {"un": ["Un"]}, []),
        # punctuation inside names
        ("the U.S. army", {"us": ["U.S."]}, [("U.S.", "us")]),
        (
            "Pas-de-Calais and Calais",
            {"p": ["Pas-de-Calais"], "c": ["Calais"]},
            [("Pas-de-Calais", "p"), ("Calais", "c")],
        ),
    ],
)
def test_find_mentions(
    text: str, names: dict[str, list[str]], expected: list[tuple[str, str]]
) -> None:
    found = find_mentions(text, name_finders(names))
    assert [(text[b:e], key) for b, e, key in found] == expected


# -- overview -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def summary(seeded_store: Any) -> dict[str, Any]:
    return overview(seeded_store)


def test_overview_counts_agree_with_count_items(
    seeded_store: Any, summary: dict[str, Any]
) -> None:
    counts = summary["counts"]
    assert {k: counts[k] for k in ("articles", "entities", "relations")} == (
        count_items(seeded_store)
    )
    assert counts["articles"] == 25
    assert counts["sentences"] > counts["articles"] and counts["quotes"] > 0
    assert sum(summary["entities_by_type"].values()) >= counts["entities"]
    assert {"Person", "Organization", "Place", "Group"} <= set(
        summary["entities_by_type"]
    )


def test_overview_top_actors_and_predicates(summary: dict[str, Any]) -> None:
    actors = summary["top_actors"]
    assert 0 < len(actors) <= 10
    assert [a["statements"] for a in actors] == sorted(
        (a["statements"] for a in actors), reverse=True
    )
    assert all(a["id"] and a["label"] and a["type"] != "Thing" for a in actors)
    predicates = summary["top_predicates"]
    assert 0 < len(predicates) <= 10
    assert all(p["label"] and p["predicate"].startswith("https://") for p in predicates)


def test_overview_statements_per_month_and_source(summary: dict[str, Any]) -> None:
    months = summary["statements_per_month"]
    assert all(re.fullmatch(r"\d{4}-\d{2}", m["month"]) for m in months)
    assert [m["month"] for m in months] == sorted(m["month"] for m in months)
    by_month = {m["month"]: m["statements"] for m in months}
    assert by_month["2014-05"] >= 29  # the Calais article's statements, at least
    total = summary["counts"]["relations"]
    assert sum(by_month.values()) == total  # every statement has a date here
    sources = {s["source"]: s for s in summary["statements_per_source"]}
    assert set(sources) == {"Wikinews", "AFP"}
    assert sources["AFP"]["id"] == "organization/afp"
    assert sum(s["statements"] for s in sources.values()) == total
    articles = {s["source"]: s["articles"] for s in summary["articles_per_source"]}
    assert articles == {"Wikinews": 24, "AFP": 1}


def test_overview_of_an_empty_store() -> None:
    store = EmbeddedStore(None)
    empty = overview(store)
    assert set(empty["counts"].values()) == {0}
    for key in ("top_actors", "top_predicates", "statements_per_month"):
        assert empty[key] == []
    assert empty["statements_per_source"] == empty["articles_per_source"] == []
    store.close()
