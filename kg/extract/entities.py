"""Entity mentions: spaCy NER, corrected and completed by rules that generalise.

Rules (each has a test sentence in tests/test_extract.py):
- NER labels map to our types; dates, numbers and demonyms alone are no entities.
- A NORP/ORG/PRODUCT name that is the modifier of a place noun (``the Pas-de-Calais
  region``, ``Sangatte ... centre``) or the object of a locative preposition and
  a proper noun (``the port of Calais``) is a Place; ``X-based`` makes X a Place.
- An untyped run of proper nouns is a candidate name; followed by ``, from the ORG``,
  preceded by a title, or the subject of a reporting verb, it is a Person.
- A plural noun from the lexicon of human collectives (``migrants``, ``riot
  police``, ``rights activists``) with its modifiers is a Group.
- Pronouns, relative pronouns and boilerplate are never entities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from kg.extract.roles import ROLE_NOUNS
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
    "NORP": "Organization",  # only kept when it is a proper name, see _fix_type
}
PLACE_NOUNS = frozenset(
    "region province department county district state city town village port "
    "area centre center camp airport station prison hospital island coast border "
    "valley river sea bay street square capital municipality".split()
)
LOCATIVE_PREPS = frozenset("in at of to from near into across outside inside".split())
GROUP_NOUNS = frozenset(
    """migrants migrant refugees asylum-seekers seekers police officers officials
    authorities activists protesters protestors demonstrators residents villagers
    citizens soldiers troops forces workers employees students teachers doctors
    nurses patients pilgrims candidates voters exiles immigrants journalists
    reporters prisoners detainees rebels militants fighters insurgents civilians
    children parents families people investigators prosecutors lawyers judges
    ministers lawmakers legislators politicians leaders members supporters fans
    critics experts scientists researchers engineers volunteers victims survivors
    passengers farmers miners hackers users customers shareholders delegates
    diplomats guards firefighters paramedics medics staff crew team gunmen
    attackers militia protesters campaigners analysts observers monitors""".split()
)
_NOT_GROUP_MODIFIERS = frozenset(
    "some several many few all most other these those such the a an more any each "
    "both its their his her our your my".split()
)
TITLES = frozenset(
    """mr mr. mrs mrs. ms ms. dr dr. prof prof. sir lady lord president minister
    senator governor mayor prefect judge general colonel captain chancellor
    king queen prince princess pope bishop rev rev. sheikh""".split()
)
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
_TRIM = re.compile(r"^(?:the|a|an)\s+", re.I)


@dataclass(frozen=True)
class MentionSpan:
    """A typed mention: token span [start, end) of the doc."""

    start: int
    end: int
    text: str
    type: EntityType
    sentence: int
    strength: int  # 3 = rule with strong evidence, 2 = NER, 1 = weak guess


def is_junk_name(text: str) -> bool:
    """True for pronouns, boilerplate, bare role nouns and names with no letter."""
    low = text.strip().casefold()
    return (
        low in PRONOUNS
        or low in BOILERPLATE
        or low in ROLE_NOUNS
        or low in TITLES
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


def _fix_type(span: Span) -> EntityType | None:
    """Our type for a NER span, or None when it is no entity (demonym, date...)."""
    label = span.label_
    if label not in _NER_TYPES:
        return None
    if _is_based(span) or (
        label in ("NORP", "ORG", "PRODUCT") and _has_place_head(span)
    ):
        return "Place"
    if label == "NORP":
        # "Calais" tagged NORP: a proper noun after a locative preposition is a place
        root = span.root
        if (
            root.tag_ == "NNP"
            and root.dep_ == "pobj"
            and root.head.lower_ in LOCATIVE_PREPS
        ):
            return "Place"
        return None  # a demonym ("French") is no actor by itself
    return _NER_TYPES[label]


def _title_before(doc: Doc, start: int) -> bool:
    return start > 0 and doc[start - 1].lower_ in TITLES


def _from_org_after(doc: Doc, end: int) -> bool:
    """``NAME, from the ORG`` / ``NAME, of ORG`` / ``NAME, a spokesman for ORG``."""
    window = doc[end : min(end + 4, len(doc))]
    return (
        len(window) >= 2
        and window[0].text == ","
        and window[1].lower_
        in (
            "from",
            "of",
            "with",
            "a",
            "an",
            "the",
            "who",
            "spokesman",
            "spokeswoman",
        )
    )


def _reporting_subject(tok: Token) -> bool:
    return tok.dep_ == "nsubj" and tok.head.lemma_.lower() in REPORTING_VERBS


def _proper_runs(sent: Span, taken: set[int]) -> list[Span]:
    """Maximal runs of capitalised proper nouns not covered by NER."""
    runs: list[Span] = []
    i = sent.start
    while i < sent.end:
        tok = sent.doc[i]
        if tok.pos_ == "PROPN" and tok.text[:1].isupper() and i not in taken:
            j = i
            while j < sent.end and sent.doc[j].pos_ == "PROPN" and j not in taken:
                j += 1
            runs.append(sent.doc[i:j])
            i = j
        else:
            i += 1
    return runs


def _group_span(tok: Token) -> Span | None:
    """``French police``, ``riot police``, ``rights activists``: noun + modifiers."""
    if tok.pos_ != "NOUN" or tok.lower_ not in GROUP_NOUNS:
        return None
    if tok.dep_ in ("compound", "amod"):
        return None  # part of a larger noun phrase ("police station")
    start = tok.i
    for child in reversed(list(tok.lefts)):
        if child.right_edge.i != start - 1 or child.lower_ in _NOT_GROUP_MODIFIERS:
            break
        if child.dep_ in ("compound", "amod") and child.pos_ in (
            "NOUN",
            "ADJ",
            "PROPN",
        ):
            if not child.like_num:
                start = child.left_edge.i
                continue
        break
    return tok.doc[start : tok.i + 1]


def _group_name(span: Span) -> str:
    """Lower-case common words, keep proper adjectives: ``French riot police``."""
    words = [t.text if t.ent_type_ or t.pos_ == "PROPN" else t.lower_ for t in span]
    return clean_name(" ".join(words))


def find_mentions(doc: Doc) -> list[MentionSpan]:
    """Every entity mention of the doc, typed, sorted by position."""
    out: list[MentionSpan] = []
    taken: set[int] = set()
    sents = list(doc.sents)
    sent_of = {t.i: k for k, s in enumerate(sents) for t in s}
    for ent in doc.ents:
        etype = _fix_type(ent)
        span = ent
        if span[0].lower_ == "the":
            span = doc[span.start + 1 : span.end]
        if etype is None or not len(span):
            continue
        name = clean_name(span.text)
        if is_junk_name(name):
            continue
        strength = 3 if etype == "Place" and ent.label_ != "GPE" else 2
        if etype == "Organization" and _from_org_after(doc, span.end) and len(span) > 1:
            etype, strength = "Person", 1  # weak; a Person elsewhere wins
        out.append(
            MentionSpan(
                span.start, span.end, name, etype, sent_of[span.start], strength
            )
        )
        taken.update(range(ent.start, ent.end))
    for k, sent in enumerate(sents):
        for run in _proper_runs(sent, taken):
            name = clean_name(run.text)
            if is_junk_name(name) or not name[:1].isupper():
                continue
            if _title_before(doc, run.start) or _from_org_after(doc, run.end):
                out.append(MentionSpan(run.start, run.end, name, "Person", k, 3))
            elif _reporting_subject(run.root) and len(run) >= 2:
                out.append(MentionSpan(run.start, run.end, name, "Person", k, 2))
            elif _reporting_subject(run.root):
                out.append(MentionSpan(run.start, run.end, name, "Person", k, 1))
            else:
                continue
            taken.update(range(run.start, run.end))
        for tok in sent:
            if tok.i in taken:
                continue
            gspan = _group_span(tok)
            if gspan is not None and not any(
                i in taken for i in range(gspan.start, gspan.end)
            ):
                name = _group_name(gspan)
                out.append(MentionSpan(gspan.start, gspan.end, name, "Group", k, 2))
                taken.update(range(gspan.start, gspan.end))
    out.sort(key=lambda m: m.start)
    return out
