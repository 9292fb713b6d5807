"""Entity mentions: spaCy NER, corrected and completed by rules that generalise.

Rules (each has a test sentence in tests/test_extract.py or tests/test_actors.py):
- NER labels map to our types; dates, numbers and demonyms alone are no entities.
- A known country, capital or region (the gazetteer) is a Place, whatever the
  NER label (but PERSON: ``Jordan`` may be a name); ``X-based`` makes X a Place.
- A NORP/ORG/PRODUCT name that is the modifier of a place noun (``the Pas-de-Calais
  region``) or a NORP proper noun after a locative preposition (``the port of
  Calais``) is a Place; a plural NORP clause argument (``Muslims``) is a Group.
- The head word of a name types it: ``... University`` is an Organization,
  ``... Road`` a Place, ``... Festival`` an Event, ``Space Shuttle ...`` a Product.
- A title before a name (``Prime Minister John Key``), a person noun before it
  (``spokesperson Julie Hahn``) or in its apposition (``X, 42,``, ``X, a
  spokesman for``) makes a Person; the title joins the mention (the resolver
  splits it off as a role). ``NAME, from the ORG`` / ``NAME, who`` hints a Person.
- A one-word PERSON that is an abstract noun (``Homeopathy``), follows ``the``
  or modifies a common noun (``Iodine deficiency``) is dropped, unless it is a
  word of a longer person name in the document.
- ``NAME (ACR)`` is one mention ``NAME (ACR)``; the resolver makes ACR an alias.
- Plural human nouns (a lexicon, and ``-ists``/``-ians``/agentive ``-ers`` nouns
  that are a clause subject or object) with their modifiers are Groups, with
  their count (``about 650 migrants`` -> 650).
- Pronouns, relative pronouns and boilerplate are never entities.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Span

from kg.extract.docindex import doc_index
from kg.extract.gazetteer import TITLES, demonym_place
from kg.extract.lexicon import SPEECH_VERBS
from kg.extract.roles import ROLE_NOUNS
from kg.resolve.evidence import (
    LOCATIVE_PREPS,
    PERSONISH,
    PLACE_NOUNS,
    TITLE_WORDS,
    from_org_after,
    head_type,
    person_before,
    person_evidence,
    type_ent,
)
from kg.resolve.groups import group_mentions
from kg.resolve.names import clean_name, is_acronym
from kg.types import EntityType

__all__ = [
    "BOILERPLATE",
    "LOCATIVE_PREPS",
    "PLACE_NOUNS",
    "PRONOUNS",
    "REPORTING_VERBS",
    "TITLES",
    "MentionSpan",
    "clean_name",
    "demonym_place",
    "find_mentions",
    "is_junk_name",
]

REPORTING_VERBS = SPEECH_VERBS  # kept as a name: a speaker's subject is a Person
PRONOUNS = frozenset(
    """i me my mine we us our ours you your yours he him his she her hers it its
    they them their theirs who whom whose which that this these those what
    himself herself itself themselves one someone anyone everyone nobody""".split()
)
BOILERPLATE = frozenset(
    """share advertisement advertisements related subscribe comments comment
    print email tweet follow loading read more""".split()
)


@dataclass(frozen=True)
class MentionSpan:
    """A typed mention: token span [start, end) of the doc."""

    start: int
    end: int
    text: str
    type: EntityType
    sentence: int
    strength: int  # 3 = rule with strong evidence, 2 = NER, 1 = weak guess
    count: int | None = None  # "about 650 migrants" -> 650


def is_junk_name(text: str) -> bool:
    """True for pronouns, boilerplate, bare titles/role nouns, names with no letter."""
    low = text.strip().casefold()
    words = low.replace(".", "").split()
    return (
        low in PRONOUNS
        or low in BOILERPLATE
        or all(w in ROLE_NOUNS or w in TITLE_WORDS for w in words)
        or not any(c.isalpha() for c in low)
    )


def _given_name_start(doc: Doc, start: int, taken: set[int]) -> int:
    """``Carly`` Simon: an untagged capitalised proper noun right before a name."""
    i = start
    while i > 0 and (i - 1) not in taken:
        t = doc[i - 1]
        low = t.lower_.rstrip(".")
        if t.pos_ != "PROPN" or not t.text[:1].isupper() or t.ent_type_:
            break
        if low in TITLE_WORDS or low in PERSONISH or not t.is_alpha:
            break
        if low.endswith(("ist", "ists")):
            break  # "Scientologist Tom Cruise"
        i -= 1
    return i


def _title_start(doc: Doc, start: int) -> int:
    """Start of the title words before a name: ``Prime Minister`` John Key."""
    if not person_before(doc, start) or not doc[start - 1].text[:1].isupper():
        return start
    i = start - 1
    while i > 0 and doc[i - 1].text[:1].isupper():
        if doc[i - 1].lower_.rstrip(".") not in TITLE_WORDS:
            break
        i -= 1
    return i


def _paren_end(doc: Doc, end: int) -> int | None:
    """End of ``(ACR)`` right after a name, when there is one."""
    if end + 2 < len(doc) and doc[end].text == "(" and doc[end + 2].text == ")":
        if is_acronym(doc[end + 1].text):
            return end + 3
    return None


def _expansion_start(doc: Doc, start: int, taken: set[int]) -> int | None:
    """Start of the capitalised name before ``(ACR)`` when NER tagged only ACR."""
    if start < 2 or doc[start - 1].text != "(" or start - 2 in taken:
        return None
    i = start - 1
    first: int | None = None
    while i > 0 and (i - 1) not in taken:
        t = doc[i - 1]
        if t.text[:1].isupper() and t.is_alpha:
            first = i - 1
        elif t.lower_ not in ("of", "the", "and", "for", "de", "du", "des", "la"):
            break
        i -= 1
    return first


def _expansion_after(doc: Doc, end: int) -> int | None:
    """Index of the ``)`` closing ``ACR (Capitalised Name)``, or None."""
    if end >= len(doc) or doc[end].text != "(":
        return None
    for t in doc[end + 1 : min(end + 10, len(doc))]:
        if t.text == ")":
            return t.i if t.i > end + 2 else None
        if not (t.text[:1].isupper() or t.lower_ in ("of", "the", "and", "for")):
            return None
    return None


def _span_of(ent: Span, taken: set[int]) -> tuple[int, int, str] | None:
    """Token range and text of an NER mention, with ``(ACR)`` and title."""
    doc = ent.doc
    start, end = ent.start, ent.end
    if doc[start].lower_ == "the":
        start += 1
    cut = next((t.i for t in doc[start:end] if t.text == "("), None)
    if cut is not None:
        end = cut
    if start >= end:
        return None
    name = clean_name(doc[start:end].text)
    if (paren := _paren_end(doc, end)) is not None:
        return start, paren, f"{name} ({doc[end + 1].text})"
    if is_acronym(name) and (close := _expansion_after(doc, end)) is not None:
        return start, close + 1, f"{clean_name(doc[end + 1 : close].text)} ({name})"
    first = _expansion_start(doc, start, taken) if is_acronym(ent.text) else None
    if first is not None:
        long = clean_name(doc[first : start - 1].text)
        return first, min(end + 1, len(doc)), f"{long} ({name})"
    return start, end, name


def find_mentions(doc: Doc) -> list[MentionSpan]:
    """Every entity mention of the doc, typed, sorted by position.

    Example:
        >>> doc = nlp("Police expelled 650 migrants.")  # doctest: +SKIP
        >>> [m.text for m in find_mentions(doc)]  # doctest: +SKIP
        ['Police', 'migrants']
    """
    out: list[MentionSpan] = []
    taken: set[int] = set()
    ix = doc_index(doc)
    sents, sent_of = ix.sents, ix.sent_of
    person_words = {
        w
        for e in doc.ents
        if e.label_ == "PERSON" and len(e) > 1
        for w in e.text.split()
    }
    for ent in doc.ents:
        if any(i in taken for i in range(ent.start, ent.end)):
            continue
        typed = type_ent(ent, person_words)
        found = _span_of(ent, taken)
        if typed is None or found is None:
            continue
        etype, strength = typed
        start, end, name = found
        if is_junk_name(name):
            continue
        if etype == "Organization" and from_org_after(doc, end) and len(ent) > 1:
            if head_type(name.split(), "ORG") is None:
                etype, strength = "Person", 1  # weak; a Person elsewhere wins
        if etype == "Person" and len(ent) == 1:
            g = _given_name_start(doc, start, taken)
            name, start = f"{doc[g:start].text} {name}".strip(), g
        if etype == "Person" and (t0 := _title_start(doc, start)) < start:
            name = f"{doc[t0:start].text} {name}"
            start = t0
        out.append(MentionSpan(start, end, name, etype, sent_of[start], strength))
        taken.update(range(start, end))
    for k, sent in enumerate(sents):
        for run in _proper_runs(sent, taken):
            mention = _run_mention(run, k)
            if mention is not None:
                out.append(mention)
                taken.update(range(run.start, run.end))
    out.extend(
        MentionSpan(g.start, g.end, g.text, "Group", sent_of[g.start], 2, g.count)
        for g in group_mentions(doc, taken)
    )
    out.sort(key=lambda m: m.start)
    return out


def _proper_runs(sent: Span, taken: set[int]) -> list[Span]:
    """Maximal runs of capitalised proper nouns not covered by NER."""
    runs: list[Span] = []
    i = sent.start
    pos, propn = doc_index(sent.doc).pos, sent.doc.vocab.strings["PROPN"]

    def free(j: int) -> bool:
        return pos[j] == propn and j not in taken and not sent.doc[j].ent_type_

    while i < sent.end:
        if free(i) and sent.doc[i].text[:1].isupper():
            j = i
            while j < sent.end and free(j):
                j += 1
            runs.append(sent.doc[i:j])
            i = j
        else:
            i += 1
    return runs


def _run_mention(run: Span, k: int) -> MentionSpan | None:
    """A Person mention for an untyped proper-noun run with evidence, or None."""
    doc = run.doc
    name = clean_name(run.text)
    if is_junk_name(name) or not name[:1].isupper():
        return None
    start = _title_start(doc, run.start)
    if start < run.start:  # "Prime Minister" itself is part of the run otherwise
        name = f"{doc[start : run.start].text} {name}"
    if head_type(name.split(), "") is not None:
        return None  # "Italian Episcopal Conference" is no person
    if person_evidence(run) or from_org_after(doc, run.end):
        strength = 3
    elif run.root.dep_ == "nsubj" and run.root.head.lemma_.lower() in REPORTING_VERBS:
        strength = 2 if len(run) >= 2 else 1
    else:
        return None
    return MentionSpan(start, run.end, name, "Person", k, strength)
