"""Type evidence for a name: what its head word, context and NER label say.

Each rule returns the type and the strength of its evidence (3 = a rule with
strong evidence, 2 = the NER label, 1 = a weak guess); see
:mod:`kg.extract.entities` for the list of rules and tests/test_actors.py for
a sentence per rule.
"""

from __future__ import annotations

import re

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
from kg.resolve.names import clean_name
from kg.types import EntityType

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
PERSONISH = PERSON_NOUNS | ROLE_NOUNS
TITLE_WORDS = TITLES | TITLE_PREFIXES
_ABSTRACT = re.compile(r"(?:ism|ology|pathy|phobia|ity|tion|ness|ment)$")
_NO_NAME = re.compile(r"(?:ism|pathy|phobia|ness)$")  # never a name of an actor
# place heads that are no surnames (a PERSON "... Hill" may well be a person)
_PERSON_PLACE_HEADS = frozenset(
    "road street avenue boulevard highway bridge tunnel airport station stadium "
    "arena centre center gallery museum cave".split()
)
_IN_PLACE = frozenset("in at near into outside inside across throughout".split())
_STOP_APPOS = frozenset("who whom whose which that where when".split())


def has_place_head(span: Span) -> bool:
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


def head_type(words: list[str], label: str) -> EntityType | None:
    """The type a name's head word gives: ``... Road`` Place, ``... Party`` Org."""
    low = [w.casefold() for w in words]
    heads = [low[-1]] + ([low[low.index("of") - 1]] if "of" in low[1:] else [])
    places = _PERSON_PLACE_HEADS if label == "PERSON" else PLACE_HEADS
    heads += [h[:-1] for h in heads if h.endswith("s")]  # "... Departments"
    for head in heads:
        if head in EVENT_HEADS:
            return "Event"
        if head in ORG_HEADS:
            return "Organization"
        if head in places:
            return "Place"
    if any(w in VEHICLE_WORDS for w in low[-2:]):
        return "Product"  # "Space Shuttle Atlantis"
    return None


def person_before(doc: Doc, start: int) -> bool:
    """A title (``President``) or a person noun (``spokesperson``) before a name."""
    if start == 0:
        return False
    prev = doc[start - 1]
    low = prev.lower_.rstrip(".")
    return (prev.text[:1].isupper() and low in TITLES) or (
        prev.text.islower() and low in PERSONISH and prev.pos_ in ("NOUN", "PROPN")
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
        if t.lower_ in PERSONISH and (t.is_lower or t.is_upper):
            return True  # "a spokesman", "MP"; not "Doctor Who Society"
    return False


def person_evidence(span: Span) -> bool:
    root = span.root
    appos_of_person = root.dep_ == "appos" and root.head.lower_ in PERSONISH
    return (
        appos_of_person
        or person_before(span.doc, span.start)
        or _person_after(span.doc, span.end)
    )


def from_org_after(doc: Doc, end: int) -> bool:
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


def _locative_object(tok: Token) -> bool:
    """Object of ``in``/``at``..., or of ``of`` after a place noun (port of X)."""
    prep = tok.head
    if tok.dep_ != "pobj":
        return False
    return prep.lower_ in _IN_PLACE or (
        prep.lower_ == "of" and prep.head.lemma_.lower() in PLACE_NOUNS
    )


def _norp_type(span: Span) -> tuple[EntityType, int] | None:
    root = span.root
    if demonym_place(span.text) is None:
        locative = root.dep_ == "pobj" and root.head.lower_ in LOCATIVE_PREPS
        if (root.tag_ == "NNP" and locative) or has_place_head(span):
            return "Place", 3
    if root.tag_ in ("NNPS", "NNS") and root.dep_ in ("nsubj", "nsubjpass", "dobj"):
        return "Group", 2
    return None


def _person_type(span: Span, person_words: set[str]) -> tuple[EntityType, int] | None:
    """Correct the small model's PERSON spans that name no person."""
    root = span.root
    if root.pos_ == "ADJ" or not span.text[:1].isupper():
        return None  # "pro-Beijing", "vehicle miles"
    if any(t.is_upper and len(t) > 1 and t.is_alpha for t in span):
        return "Organization", 2  # "Pro-Beijing DAB": acronyms are no names
    if any(c.isdigit() for c in span.text):
        return "Product", 2
    if len(span) == 1 and span.text not in person_words:
        if not _plausible_single_name(span[0], person_words):
            return None
        if _locative_object(root):
            return "Place", 2  # "arrived in Calais", "the port of Calais"
        if root.dep_ in ("appos", "conj") and (
            root.head.ent_type_ in ("GPE", "LOC") or _locative_object(root.head)
        ):
            return "Place", 2  # "in Livorno, Tuscany,"
    return "Person", 2


def _post_nominal(span: Span) -> bool:
    """``QC`` in ``Mark Tedeschi, QC,``: letters after a person's name."""
    doc, i = span.doc, span.start
    return (
        len(span) == 1
        and span.text.isupper()
        and len(span.text) <= 3
        and i >= 2
        and doc[i - 1].text == ","
        and doc[i - 2].ent_type_ == "PERSON"
    )


def type_ent(span: Span, person_words: set[str]) -> tuple[EntityType, int] | None:
    """Our type and evidence strength for a NER span, or None for no entity."""
    label = span.label_
    name = clean_name(span.text)
    if label not in _NER_TYPES or not name:
        return None
    if _is_based(span) or (label != "PERSON" and is_known_place(name)):
        return "Place", 3
    if label == "NORP":
        return _norp_type(span)
    if label in ("ORG", "PRODUCT") and has_place_head(span):
        return "Place", 3
    head = head_type(name.split(), label)
    if head is not None:
        return head, 3
    if person_evidence(span):
        return "Person", 3
    if len(span) == 1 and _NO_NAME.search(span.text.casefold()):
        return None
    if _post_nominal(span):
        return None  # "Mark Tedeschi, QC,"
    if label == "PERSON":
        return _person_type(span, person_words)
    if label in ("GPE", "LOC") and any(c.isdigit() for c in name):
        return "Product", 2
    if label in ("GPE", "LOC", "FAC") and len(span) == 1 and _ABSTRACT.search(name):
        return "Organization", 2  # "Scientology" is no place
    if label in ("GPE", "LOC", "FAC") and re.search(r"[a-z][A-Z]", name):
        return "Organization", 2  # YouTube, PlayStation: camel case is no place
    return _NER_TYPES[label], 2
