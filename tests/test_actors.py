"""Actors: entity typing and resolution, table-driven.

Each ENTITIES row is text -> one expected entity (name, type, aliases it must
have, roles it must have); MERGES rows state which surface forms end up as one
entity or stay apart; known misses of the small model are xfail params.
"""

from __future__ import annotations

from typing import Any

import pytest

from kg.extract.entities import MentionSpan, find_mentions
from kg.extract.gazetteer import canonical_place, demonym_place
from kg.extract.nlp import load_nlp
from kg.graph.iris import Minter
from kg.resolve.resolver import Resolution, resolve_entities, resolve_pronoun
from kg.types import Entity

_ARGS = ("nsubj", "nsubjpass", "ROOT", "dobj")


@pytest.fixture(scope="module")
def nlp() -> Any:
    from kg.config import Settings

    return load_nlp(Settings().spacy_model)


def resolve(nlp: Any, text: str) -> tuple[Any, Resolution]:
    doc = nlp(text)
    offsets = [(t.idx, t.idx + len(t.text)) for t in doc]
    subjects = frozenset(t.i for t in doc if t.dep_ in _ARGS)
    return doc, resolve_entities(find_mentions(doc), offsets, subjects)


def named(res: Resolution, name: str) -> Entity:
    found = [e for e in res.entities.values() if e.name == name]
    assert found, (
        f"no entity {name!r} in {[(e.name, e.type) for e in res.entities.values()]}"
    )
    return found[0]


def xfail(*row: Any, reason: str) -> Any:
    return pytest.param(*row, marks=pytest.mark.xfail(reason=reason, strict=True))


ENTITIES = [
    # titles and honorifics
    ("Prime Minister John Key announced a referendum.", "John Key", "Person",
     {"Prime Minister John Key"}, {"prime minister"}),
    ("President Obama met the reporters.", "Obama", "Person",
     {"President Obama"}, {"president"}),
    ("Mr. Smith declined to comment.", "Smith", "Person", {"Mr. Smith"}, set()),
    ("Barack Obama spoke first. President Obama then left.", "Barack Obama",
     "Person", {"President Obama", "Obama"}, {"president"}),
    ("U.S. Senator John Cornyn issued a statement.", "John Cornyn", "Person",
     set(), {"senator"}),
    # surnames and first names after the full name
    ("John Smith met officials in Paris. Smith said the talks went well.",
     "John Smith", "Person", {"Smith"}, set()),
    ("NASA Administrator Charles Bolden spoke. \"We are proud,\" said Bolden.",
     "Charles Bolden", "Person", {"Bolden"}, set()),
    # acronyms and expansions
    ("Doctors of the World (MdM) said the camps were full. MdM added that "
     "more help was needed.", "Doctors of the World", "Organization", {"MdM"}, set()),
    ("The European Union (EU) fined the company. The EU said the fine was fair.",
     "European Union", "Organization", {"EU"}, set()),
    ("The National Aeronautics and Space Administration launched a rocket. "
     "NASA said the launch was a success.",
     "National Aeronautics and Space Administration", "Organization", {"NASA"}, set()),
    ("The World Health Organisation (WHO) recommends iodised salt.",
     "World Health Organisation", "Organization", {"WHO"}, set()),
    # possessives
    ("France's president met Microsoft's chief executive.", "France", "Place",
     set(), set()),
    ("France's president met Microsoft's chief executive.", "Microsoft",
     "Organization", set(), set()),
    # known places and their short forms
    ("Talks between the U.S. and Iran resumed on Monday.", "United States",
     "Place", {"U.S."}, set()),
    ("The UK said the plan was fair.", "United Kingdom", "Place", {"UK"}, set()),
    # types: person evidence
    ("Cecile Bossy, from the France-based Doctors of the World NGO, told AFP "
     "the camps were full.", "Cecile Bossy", "Person", set(), set()),
    ("Thomas Sam, 42, and his wife were charged.", "Thomas Sam", "Person",
     set(), set()),
    ("The show was popular, according to Kristen Wilkins, assistant professor "
     "of art.", "Kristen Wilkins", "Person", set(), set()),
    ("Environment Canada spokesperson Julie Hahn said they apply the rules.",
     "Julie Hahn", "Person", set(), set()),
    # types: places
    ("Cecile Bossy, from the France-based Doctors of the World NGO, told AFP "
     "the camps were full.", "France", "Place", set(), set()),
    ("The police cleared camps in the northern port of Calais.", "Calais",
     "Place", set(), set()),
    ("The top administrator of the Pas-de-Calais region spoke.", "Pas-de-Calais",
     "Place", set(), set()),
    ("Migrants hope to cross the Channel.", "Channel", "Place", set(), set()),
    ("The document was found on Castlefrank Road in Kanata.", "Castlefrank Road",
     "Place", set(), set()),
    # types: head words
    ("Space Shuttle Discovery will be shown in Virginia.",
     "Space Shuttle Discovery", "Product", set(), set()),
    ("The Taipei City Lantern Festival was off to a start.",
     "Taipei City Lantern Festival", "Event", set(), set()),
    ("The school must pay taxes in Livorno, Tuscany, the court ruled.", "Tuscany",
     "Place", set(), set()),
    ("The visitors included singer-songwriter Carly Simon.", "Carly Simon",
     "Person", set(), set()),
    ("The secretary general of CEI (Italian Episcopal Conference), Nunzio "
     "Galantino, called it dangerous.", "Italian Episcopal Conference",
     "Organization", {"CEI"}, set()),
    ("The Fayetteville show was curated, the Smithsonian said.", "Smithsonian",
     "Organization", set(), set()),
    # groups, by lexicon, by form, by NORP
    ("Protesters clashed with riot police.", "protesters", "Group", set(), set()),
    ("Politicians criticised the organisers.", "organisers", "Group", set(), set()),
    ("Hundreds of shoppers cheered the team.", "shoppers", "Group", set(), set()),
    ("Muslims are required to make the pilgrimage.", "Muslims", "Group", set(),
     set()),
    # known misses of the small model
    xfail("CÉCILE BOSSY said the camp was full. Cécile Bossy told AFP the police "
          "came.", "Cécile Bossy", "Person", {"CÉCILE BOSSY"}, set(),
          reason="NER tags the all-caps name ORG and splits it"),
    xfail("Valeska Paris, an Australian woman, left the ship.", "Valeska Paris",
          "Person", set(), set(), reason="NER splits it into two GPEs"),
]  # fmt: skip


@pytest.mark.parametrize("text,name,etype,aliases,roles", ENTITIES)
def test_entity_is_found_typed_and_named(
    nlp: Any, text: str, name: str, etype: str, aliases: set[str], roles: set[str]
) -> None:
    _, res = resolve(nlp, text)
    ent = named(res, name)
    assert ent.type == etype, ent
    assert aliases <= ent.aliases, ent.aliases
    assert roles <= ent.roles, ent.roles


NOT_ENTITIES = [
    ("Iodine deficiency is the leading cause of brain damage.", "Iodine"),
    ("Homeopathy is a form of alternative medicine.", "Homeopathy"),
    ("The Prime Minister said the talks went well.", "Prime Minister"),
    ("Numbers rose and the dumpsters burned near the borders.", "numbers"),
    ("Numbers rose and the dumpsters burned near the borders.", "dumpsters"),
    ("Numbers rose and the dumpsters burned near the borders.", "borders"),
    ("The report was released on Tuesday.", "Tuesday"),
    ("Thomas Sam met the prosecutor, Mark Tedeschi, QC, in court.", "QC"),
    ("Diesel use rose with vehicle miles driven.", "vehicle miles"),
    ("France's president met Microsoft's chief executive.", "France's"),
]


@pytest.mark.parametrize("text,name", NOT_ENTITIES)
def test_no_entity_for_non_actors(nlp: Any, text: str, name: str) -> None:
    _, res = resolve(nlp, text)
    names = {e.name for e in res.entities.values()}
    assert name not in names, names
    assert not any("'s" in n for n in names), names


def test_youtube_is_no_place(nlp: Any) -> None:
    _, res = resolve(nlp, "He posted the video to YouTube. YouTube removed it.")
    assert all(e.type != "Place" for e in res.entities.values() if e.name == "YouTube")


MERGES = [
    # (text, surface forms that are one entity, forms that must stay apart)
    ("Doctors of the World (MdM) said the camps were full. MdM added that "
     "more help was needed.", [{"Doctors of the World", "MdM"}]),
    ("John Smith and Mary Smith arrived. Smith said the talks went well.",
     [{"John Smith"}, {"Mary Smith"}, {"Smith"}]),
    ("Cécile Bossy arrived. Cecile Bossy said the camp was full.",
     [{"Cécile Bossy", "Cecile Bossy"}]),
    ("Daniel Montalvo, 19, left the group. Daniel was arrested later.",
     [{"Daniel Montalvo", "Daniel"}]),
]  # fmt: skip


@pytest.mark.parametrize("text,groups", MERGES)
def test_surface_forms_merge_or_stay_apart(
    nlp: Any, text: str, groups: list[set[str]]
) -> None:
    _, res = resolve(nlp, text)
    owner: dict[str, set[str]] = {}
    for key, e in res.entities.items():
        for form in {e.name} | e.aliases:
            owner.setdefault(form, set()).add(key)
    keys = []
    for group in groups:
        found = set().union(*(owner.get(form, set()) for form in group))
        assert len(found) == 1, (group, found, owner)
        keys.append(found.pop())
    assert len(set(keys)) == len(keys), (groups, owner)


def _m(start: int, text: str, etype: Any, strength: int) -> MentionSpan:
    return MentionSpan(start, start + 1, text, etype, 0, strength)


CLASHES = [
    # mentions (text, type, strength) -> number of entities, type of the first
    ([("Jordan", "Place", 3), ("Jordan", "Organization", 3)], 2),
    ([("Jordan", "Place", 3), ("Jordan", "Organization", 2)], 1),
    ([("Jordan", "Place", 2), ("Jordan", "Organization", 2)], 1),
    ([("Apple", "Organization", 2), ("Apple", "Organization", 3)], 1),
]


@pytest.mark.parametrize("spec,expected", CLASHES)
def test_clashing_types_merge_only_on_weak_evidence(
    spec: list[tuple[str, Any, int]], expected: int
) -> None:
    mentions = [_m(i, t, ty, s) for i, (t, ty, s) in enumerate(spec)]
    res = resolve_entities(mentions, [(i * 10, i * 10 + 6) for i in range(len(spec))])
    assert len(res.entities) == expected
    if expected == 1:
        [ent] = res.entities.values()
        strongest = max(spec, key=lambda m: m[2])[1]
        assert ent.type == strongest


COUNTS = [
    ("French police have begun expelling about 650 migrants.", "migrants", 650),
    ("Smugglers ferried more than 1,200 refugees.", "refugees", 1200),
    ("Two hundred villagers fled the fighting.", "villagers", 200),
    ("The migrants left the camp.", "migrants", None),
]


@pytest.mark.parametrize("text,name,count", COUNTS)
def test_group_count_is_kept(nlp: Any, text: str, name: str, count: int | None) -> None:
    doc, res = resolve(nlp, text)
    [m] = [m for m in find_mentions(doc) if m.text == name]
    assert m.count == count
    assert res.counts.get(m.start) == count


DEMONYMS = [
    ("French", "France"),
    ("Syrian", "Syria"),
    ("British", "United Kingdom"),
    ("Afghans", "Afghanistan"),
    ("Saudi", "Saudi Arabia"),
    ("Dutch", "Netherlands"),
    ("Martian", None),
]


@pytest.mark.parametrize("word,place", DEMONYMS)
def test_demonym_gives_its_place(word: str, place: str | None) -> None:
    assert demonym_place(word) == place


PLACE_OF_GROUP = [
    ("French authorities closed the camp.", "French authorities", ["France"]),
    ("Calais camps house mainly Syrian and Afghan exiles.", "Syrian and Afghan exiles",
     ["Syria", "Afghanistan"]),
    ("Police in France said French police acted.", "French police", ["France"]),
]  # fmt: skip


@pytest.mark.parametrize("text,group,places", PLACE_OF_GROUP)
def test_group_of_a_nationality_is_tied_to_its_place(
    nlp: Any, text: str, group: str, places: list[str]
) -> None:
    _, res = resolve(nlp, text)
    key = named(res, group).key
    got = [res.entities[k].name for k in res.place_of_group.get(key, [])]
    assert got == places
    assert all(res.entities[k].type == "Place" for k in res.place_of_group[key])
    assert len([e for e in res.entities.values() if e.name == places[0]]) == 1


PRONOUNS = [
    # text, pronoun, expected antecedent name or None
    ("Microsoft released a new browser. It said sales were strong.", "It",
     "Microsoft"),
    ("Microsoft sued Google. It said the case was strong.", "It", None),
    ("The migrants left the camp. They hoped to reach Britain.", "They",
     "migrants"),
    ("John Smith met Peter Jones in Paris. He thanked the hosts.", "He", None),
    ("Denis Robin arrived in Calais. He said the camp was full.", "He",
     "Denis Robin"),
    xfail("Cecile Bossy arrived in Calais. She said the camp was full.", "She",
          "Cecile Bossy", reason="NER misses the name; no rule types it here"),
]  # fmt: skip


@pytest.mark.parametrize("text,word,expected", PRONOUNS)
def test_pronoun_resolves_only_when_unambiguous(
    nlp: Any, text: str, word: str, expected: str | None
) -> None:
    doc, res = resolve(nlp, text)
    sents = list(doc.sents)
    tok = next(t for t in doc if t.text == word)
    k = next(i for i, s in enumerate(sents) if s.start <= tok.i < s.end)
    key = resolve_pronoun(tok.text, k, tok.i, res, dep=tok.dep_)
    assert (res.entities[key].name if key else None) == expected


def test_expletive_it_resolves_to_nothing(nlp: Any) -> None:
    doc, res = resolve(nlp, "Microsoft released a browser. It is time to upgrade.")
    tok = [t for t in doc if t.text == "It"][0]
    assert resolve_pronoun("it", 1, tok.i, res, dep="expl") is None


def test_short_and_full_place_names_mint_one_iri(nlp: Any) -> None:
    minter = Minter("https://kg.example/")
    _, a = resolve(nlp, "Talks between the U.S. and Iran resumed.")
    _, b = resolve(nlp, "The United States imposed sanctions.")
    iri_a = {minter.entity(e.type, e.name) for e in a.entities.values()}
    iri_b = {minter.entity(e.type, e.name) for e in b.entities.values()}
    assert iri_a & iri_b
    assert canonical_place("USA") == "United States"
    assert canonical_place("Britain") is None  # full names are kept as written


def test_known_country_is_a_place_whatever_the_ner_label(nlp: Any) -> None:
    for text in ("Britain said it would help.", "Canada voted against it."):
        _, res = resolve(nlp, text)
        [ent] = [e for e in res.entities.values() if e.name in ("Britain", "Canada")]
        assert ent.type == "Place"
