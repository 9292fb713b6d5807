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

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from kg.extract.gazetteer import (
    EVENT_HEADS,
    ORG_HEADS,
    PERSON_NOUNS,
    PLACE_HEADS,
    TITLE_PREFIXES,
    TITLES,
    VEHICLE_WORDS,
    demonym_place,
    is_known_place,
)
from kg.extract.roles import ROLE_NOUNS
from kg.resolve.groups import group_mentions
from kg.resolve.names import is_acronym
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
    "find_mentions",
    "is_junk_name",
]

_NER_TYPES: dict[str, EntityType] = {
    "PERSON": "Person",
    "ORG": "Organization",
    "GPE": "Place",
    "LOC": "Place",
    "FAC": "Place",
    "EVENT": "Event",
    "PRODUCT": "Product",
    "WORK_OF_ART": "CreativeWork",
    "LAW": "CreativeWork",
    "NORP": "Organization",  # only kept when it is a proper name, see _norp_type
}
PLACE_NOUNS = frozenset(
    "region province department county district state city town village port "
    "area centre center camp airport station prison hospital island coast border "
    "valley river sea bay street square capital municipality".split()
)
LOCATIVE_PREPS = frozenset("in at of to from near into across outside inside".split())
REPORTING_VERBS = frozenset(
    """say tell add explain state claim insist warn note announce declare write
    ask reply argue confirm deny admit suggest report told""".split()
)
PRONOUNS = frozenset(
    """i me my mine we us our ours you your yours he him his she her hers it its
    they them their theirs who whom whose which that this these those what
    himself herself itself themselves one someone anyone everyone nobody""".split()
)
BOILERPLATE = frozenset(
    """share advertisement advertisements related subscribe comments comment
    print email tweet follow loading read more""".split()
)
_PERSONISH = PERSON_NOUNS | ROLE_NOUNS
_TITLE_WORDS = TITLES | TITLE_PREFIXES
_ABSTRACT = re.compile(r"(?:ism|ology|pathy|ity|tion|ness|ment)$")
_TRIM = re.compile(r"^(?:the|a|an)\s+", re.I)
_STOP_APPOS = frozenset("who whom whose which that where when".split())


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
        or all(w in ROLE_NOUNS or w in _TITLE_WORDS for w in words)
        or not any(c.isalpha() for c in low)
    )


def clean_name(text: str) -> str:
    """Canonical surface form: no leading article, possessive or stray punctuation."""
    text = _TRIM.sub("", " ".join(text.split()))
    text = re.sub(r"\s*(?:'s|’s|')$", "", text)
    text = text.replace(" - ", "-").strip(" ,.;:\"'“”‘’()")
    return text


def _has_place_head(span: Span) -> bool:
    head = span.root.head
    return (
        head.i >= span.end
        and head.lemma_.lower() in PLACE_NOUNS
        and span.root.dep_ in ("compound", "amod", "nmod", "npadvmod")
    ) or (span.end < len(span.doc) and span.doc[span.end].lower_ in PLACE_NOUNS)


def _is_based(span: Span) -> bool:
    doc = span.doc
    return (
        span.end + 1 < len(doc)
        and doc[span.end].text == "-"
        and (doc[span.end + 1].lower_ == "based")
    )


def _head_type(words: list[str], label: str) -> EntityType | None:
    """The type a name's head word gives: ``... Road`` Place, ``... Party`` Org."""
    low = [w.casefold() for w in words]
    heads = [low[-1]] + ([low[low.index("of") - 1]] if "of" in low[1:] else [])
    if any(w in VEHICLE_WORDS for w in low):
        return "Product"
    for head in heads:
        if head in EVENT_HEADS:
            return "Event"
        if head in ORG_HEADS:
            return "Organization"
        if head in PLACE_HEADS or (label == "PERSON" and head in PLACE_NOUNS):
            return "Place"
    return None


def _person_before(doc: Doc, start: int) -> bool:
    """A title (``President``) or a person noun (``spokesperson``) before a name."""
    if start == 0:
        return False
    prev = doc[start - 1]
    low = prev.lower_.rstrip(".")
    return (prev.text[:1].isupper() and low in TITLES) or (
        prev.text.islower() and low in _PERSONISH and prev.pos_ in ("NOUN", "PROPN")
    )


def _person_after(doc: Doc, end: int) -> bool:
    """``NAME, 42,`` or an apposition naming a person: ``NAME, a spokesman ...``."""
    if end >= len(doc) or doc[end].text != ",":
        return False
    window = doc[end + 1 : min(end + 7, len(doc))]
    if len(window) >= 2 and window[0].like_num and window[1].text in (",", ")"):
        return True
    for t in window:
        if t.text in (",", ";", ".", '"') or t.pos_ in ("VERB", "AUX"):
            return False
        if t.lower_ in _STOP_APPOS:
            return False
        if t.lower_ in _PERSONISH and t.pos_ in ("NOUN", "PROPN"):
            return True
    return False


def _person_evidence(span: Span) -> bool:
    root = span.root
    appos_of_person = root.dep_ == "appos" and root.head.lower_ in _PERSONISH
    return (
        appos_of_person
        or _person_before(span.doc, span.start)
        or _person_after(span.doc, span.end)
    )


def _from_org_after(doc: Doc, end: int) -> bool:
    """``NAME, from the ORG`` / ``NAME, of ORG`` / ``NAME, who ...``."""
    window = doc[end : min(end + 4, len(doc))]
    return (
        len(window) >= 2
        and window[0].text == ","
        and window[1].lower_
        in ("from", "of", "with", "a", "an", "the", "who", "spokesman", "spokeswoman")
    )


def _plausible_single_name(tok: Token, person_words: set[str]) -> bool:
    """False for one-word PERSON spans that are no names: Homeopathy, the Hajj."""
    if tok.text in person_words:
        return True
    doc = tok.doc
    return not (
        _ABSTRACT.search(tok.lower_)
        or tok.tag_ == "NNPS"
        or (tok.i > 0 and doc[tok.i - 1].lower_ == "the")
        or (tok.dep_ == "compound" and tok.head.pos_ == "NOUN" and tok.head.is_lower)
    )


def _norp_type(span: Span) -> tuple[EntityType, int] | None:
    root = span.root
    if demonym_place(span.text) is None:
        locative = root.dep_ == "pobj" and root.head.lower_ in LOCATIVE_PREPS
        if (root.tag_ == "NNP" and locative) or _has_place_head(span):
            return "Place", 3
    if root.tag_ in ("NNPS", "NNS") and root.dep_ in ("nsubj", "nsubjpass", "dobj"):
        return "Group", 2
    return None


def _type_ent(span: Span, person_words: set[str]) -> tuple[EntityType, int] | None:
    """Our type and evidence strength for a NER span, or None for no entity."""
    label = span.label_
    name = clean_name(span.text)
    if label not in _NER_TYPES or not name:
        return None
    if _is_based(span) or (label != "PERSON" and is_known_place(name)):
        return "Place", 3
    if label == "NORP":
        return _norp_type(span)
    if label in ("ORG", "PRODUCT") and _has_place_head(span):
        return "Place", 3
    head = _head_type(name.split(), label)
    if head is not None:
        return head, 3
    if _person_evidence(span):
        return "Person", 3
    if label == "PERSON" and len(span) == 1:
        if not _plausible_single_name(span[0], person_words):
            return None
    if label in ("GPE", "LOC", "PERSON") and any(c.isdigit() for c in name):
        return "Product", 2
    if label in ("GPE", "LOC", "FAC") and re.search(r"[a-z][A-Z]", name):
        return "Organization", 2  # YouTube, PlayStation: camel case is no place
    return _NER_TYPES[label], 2


def _title_start(doc: Doc, start: int) -> int:
    """Start of the title words before a name: ``Prime Minister`` John Key."""
    if not _person_before(doc, start) or not doc[start - 1].text[:1].isupper():
        return start
    i = start - 1
    while i > 0 and doc[i - 1].text[:1].isupper():
        if doc[i - 1].lower_.rstrip(".") not in _TITLE_WORDS:
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
    if is_acronym(ent.text) and (first := _expansion_start(doc, start, taken)):
        long = clean_name(doc[first : start - 1].text)
        return first, min(end + 1, len(doc)), f"{long} ({name})"
    return start, end, name


def find_mentions(doc: Doc) -> list[MentionSpan]:
    """Every entity mention of the doc, typed, sorted by position.

    Example:
        >>> [m.text for m in find_mentions(nlp("Police expelled 650 migrants."))]
        ['Police', 'migrants']  # doctest: +SKIP
    """
    out: list[MentionSpan] = []
    taken: set[int] = set()
    sents = list(doc.sents)
    sent_of = {t.i: k for k, s in enumerate(sents) for t in s}
    person_words = {
        w for e in doc.ents if e.label_ == "PERSON" and len(e) > 1 for w in e.text.split()
    }
    for ent in doc.ents:
        if any(i in taken for i in range(ent.start, ent.end)):
            continue
        typed = _type_ent(ent, person_words)
        found = _span_of(ent, taken)
        if typed is None or found is None:
            continue
        etype, strength = typed
        start, end, name = found
        if is_junk_name(name):
            continue
        if etype == "Organization" and _from_org_after(doc, end) and len(ent) > 1:
            if _head_type(name.split(), "ORG") is None:
                etype, strength = "Person", 1  # weak; a Person elsewhere wins
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
        out.extend(_demonym_places(sent, k, taken))
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

    def free(j: int) -> bool:
        tok = sent.doc[j]
        return tok.pos_ == "PROPN" and j not in taken and not tok.ent_type_

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
    if _person_evidence(run) or _from_org_after(doc, run.end):
        strength = 3
    elif run.root.dep_ == "nsubj" and run.root.head.lemma_.lower() in REPORTING_VERBS:
        strength = 2 if len(run) >= 2 else 1
    else:
        return None
    return MentionSpan(start, run.end, name, "Person", k, strength)


def _demonym_places(sent: Span, k: int, taken: set[int]) -> list[MentionSpan]:
    """A demonym object of a locative preposition stands for its place."""
    out = []
    for tok in sent:
        if tok.i in taken or tok.ent_type_ != "NORP" or tok.dep_ != "pobj":
            continue
        place = demonym_place(tok.text)
        if place and tok.head.lower_ in LOCATIVE_PREPS:
            if not any(c.dep_ == "det" for c in tok.children):
                out.append(MentionSpan(tok.i, tok.i + 1, place, "Place", k, 1))
                taken.add(tok.i)
    return out
