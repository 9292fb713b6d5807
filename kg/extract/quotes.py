"""Direct quotes with their speaker, reporting verb and addressee.

A quote is text between straight or curly double quotes. Its speaker is found
from the reporting verb (``say``, ``tell``...) of the same sentence outside the
quote: the verb's subject when that is an entity, else the first Person (then
Organization or Group) between the quote and the verb, as in
``"...," Cecile Bossy, from the ... NGO, told AFP`` where the small parser
attaches ``told`` inside the quote.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from kg.extract.entities import REPORTING_VERBS

_QUOTE = re.compile(r"\"([^\"]{2,}?)\"|“([^”]{2,}?)”")
_ORDER = {"Person": 0, "Organization": 1, "Group": 2}


@dataclass(frozen=True)
class QuoteSpan:
    start: int  # article character offsets of the quoted text (without quote marks)
    end: int
    text: str
    verb: Token
    speaker: str  # entity key
    addressee: str | None


def quote_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges of quoted text in ``text``."""
    out = []
    for m in _QUOTE.finditer(text):
        g = 1 if m.group(1) is not None else 2
        out.append((m.start(g), m.end(g)))
    return out


def _reporting_verbs(sent: Span, inside: Callable[[int], bool]) -> list[Token]:
    return [
        t
        for t in sent
        if t.pos_ == "VERB"
        and t.lemma_.lower() in REPORTING_VERBS
        and not inside(t.idx)
    ]


def find_quotes(
    doc: Doc,
    entity_at: Callable[[int], str | None],
    entity_type: Callable[[str], str],
    pronoun: Callable[[Token], str | None],
) -> list[QuoteSpan]:
    """Every direct quote of the doc whose speaker is an entity."""
    out: list[QuoteSpan] = []
    ranges = quote_ranges(doc.text)
    for qs, qe in ranges:

        def inside(char: int, qs: int = qs, qe: int = qe) -> bool:
            return qs - 1 <= char <= qe

        span = doc.char_span(qs, qe, alignment_mode="expand")
        if span is None:
            continue
        sent = doc[span.end - 1].sent if span.end > span.start else span.sent
        verbs = _reporting_verbs(sent, inside)
        if not verbs:
            continue
        after = [v for v in verbs if v.idx > qe]
        verb = after[0] if after else verbs[-1]
        speaker = _speaker(doc, verb, qs, qe, entity_at, entity_type, pronoun)
        if speaker is None:
            continue
        addressee = None
        for child in verb.children:
            if child.dep_ in ("dobj", "dative") and not inside(child.idx):
                addressee = entity_at(child.i)
        text = doc.text[qs:qe].rstrip(" ,")
        out.append(QuoteSpan(qs, qs + len(text), text, verb, speaker, addressee))
    return out


def _speaker(
    doc: Doc,
    verb: Token,
    qs: int,
    qe: int,
    entity_at: Callable[[int], str | None],
    entity_type: Callable[[str], str],
    pronoun: Callable[[Token], str | None],
) -> str | None:
    for child in verb.children:
        if child.dep_ == "nsubj" and not (qs <= child.idx <= qe):
            key = entity_at(child.i) or pronoun(child)
            if key:
                return key
    # the tokens between the quote and the verb, on the verb's side
    if verb.idx > qe:
        between = [t for t in doc[verb.sent.start : verb.i] if t.idx > qe]
        between += [t for t in doc[verb.i + 1 : verb.sent.end]][:3]  # "said Bossy"
    else:
        between = [t for t in doc[verb.i + 1 : verb.sent.end] if t.idx < qs]
    keys = [k for t in between if (k := entity_at(t.i) or pronoun(t))]
    if not keys:
        return None
    return min(keys, key=lambda k: (_ORDER.get(entity_type(k), 9), keys.index(k)))
