"""Direct quotes with their speaker, reporting verb and addressee.

Quoted text is found paragraph by paragraph with straight or curly double
quotes; a quote left open at the end of a paragraph (the newspaper convention
for a quote that goes on) ends there. Its speaker comes from a reporting verb
(``say``, ``tell``...) next to it, in the same sentence or in the sentence that
leads into it (``He said: "..."``): the verb's subject when that is an entity
(pronouns resolved), else the first Person (then Organization, Group) between
the quote and the verb, as in ``"...," Cecile Bossy, from the ... NGO, told
AFP``, where the small parser attaches ``told`` inside the quote. The person
told (``told AFP``) is the addressee, never the speaker. A quote with no verb
of its own that follows a quote of the same paragraph, or opens the paragraph
after one, continues that speaker.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from kg.extract.docindex import doc_index
from kg.extract.lexicon import REPORTING_VERBS, lemma

_MARKS = re.compile(r'["“”]')
_PARA = re.compile(r"\n\s*\n")
_ORDER = {"Person": 0, "Organization": 1, "Group": 2}
_LEAD_IN = re.compile(r"^[\s,:;—–-]*$")

EntityAt = Callable[[int], str | None]


@dataclass(frozen=True)
class QuoteSpan:
    start: int  # article character offsets of the quoted text (without quote marks)
    end: int
    text: str
    verb: Token
    speaker: str  # entity key
    addressee: str | None


def quote_ranges(text: str) -> Iterator[tuple[int, int]]:
    """Character ranges of quoted text, never across a blank line.

    A quote left open at a paragraph's end ends there; when the next paragraph
    then closes a quote it never opened (an odd number of marks), the quote
    went on from its start.
    """
    pos = 0
    carry = False
    for para in _PARA.split(text):
        start = text.index(para, pos) if para else pos
        pos = start + len(para)
        marks = list(_MARKS.finditer(para))
        odd = sum(1 for m in marks if m.group() == '"') % 2 == 1
        opened: int | None = (
            start if carry and (odd or (marks and marks[0].group() == "”")) else None
        )
        for m in marks:
            ch = m.group()
            if opened is None and ch in ('"', "“"):
                opened = start + m.end()
            elif opened is not None and ch in ('"', "”"):
                if start + m.start() - opened >= 2:
                    yield opened, start + m.start()
                opened = None
        carry = opened is not None
        if opened is not None and start + len(para) - opened >= 2:
            yield opened, start + len(para.rstrip())


def _verbs(sent: Span, qs: int, qe: int) -> list[Token]:
    return [
        t
        for t in sent
        if t.pos_ == "VERB"
        and lemma(t) in REPORTING_VERBS
        and not (qs - 1 <= t.idx <= qe)
    ]


def _candidate_verbs(doc: Doc, qs: int, qe: int) -> list[Token]:
    """Reporting verbs of the quote's sentences and of a sentence leading into it."""
    first = doc.char_span(qs, qs + 1, alignment_mode="expand")
    last = doc.char_span(max(qs, qe - 1), qe, alignment_mode="expand")
    if first is None or last is None:
        return []
    ix = doc_index(doc)
    f_sent, l_sent = ix.sentence(first.start), ix.sentence(last.start)
    sents = {f_sent.start: f_sent, l_sent.start: l_sent}
    verbs = [v for s in sents.values() for v in _verbs(s, qs, qe)]
    after = [v for v in verbs if v.idx > qe]
    before = [v for v in verbs if v.idx < qs]
    if after:
        return [after[0]]
    if before:
        return [before[-1]]
    prev_start = f_sent.start - 1
    if prev_start >= 0:
        prev = ix.sentence(prev_start)
        gap = ix.text[prev.end_char : qs - 1] if prev.end_char < qs else ""
        lead = ix.text[prev.start_char : qs - 1]
        if _LEAD_IN.match(gap) and lead.rstrip().endswith((":", ",")):
            return _verbs(prev, qs, qe)[-1:]
    return []


def find_quotes(
    doc: Doc,
    entity_at: EntityAt,
    entity_type: Callable[[str], str],
    pronoun: Callable[[Token], str | None],
) -> list[QuoteSpan]:
    """Every direct quote of the doc whose speaker is an entity."""
    out: list[QuoteSpan] = []
    last: QuoteSpan | None = None
    doc_text = doc_index(doc).text
    for qs, qe in quote_ranges(doc_text):
        text = doc_text[qs:qe].rstrip(" ,")
        if not text.strip():
            continue
        verbs = _candidate_verbs(doc, qs, qe)
        if verbs:
            verb = verbs[0]
            speaker = _speaker(doc, verb, qs, qe, entity_at, entity_type, pronoun)
            if speaker is None:
                continue
            addressee = None
            for child in verb.children:
                if child.dep_ in ("dobj", "dative") and not qs - 1 <= child.idx <= qe:
                    addressee = entity_at(child.i)
            last = QuoteSpan(qs, qs + len(text), text, verb, speaker, addressee)
            out.append(last)
        elif last is not None and _continues(doc_text, last.end, qs):
            last = QuoteSpan(
                qs, qs + len(text), text, last.verb, last.speaker, last.addressee
            )
            out.append(last)
    return out


def _continues(text: str, prev_end: int, qs: int) -> bool:
    """A quote right after the previous one: same paragraph or the next one opening."""
    between = text[prev_end:qs]
    if len(between) > 400:
        return False
    if "\n\n" not in between:
        return len(between) < 200
    return not between.strip(' \n\t"“”,.')  # only the paragraph break between


def _speaker(
    doc: Doc,
    verb: Token,
    qs: int,
    qe: int,
    entity_at: EntityAt,
    entity_type: Callable[[str], str],
    pronoun: Callable[[Token], str | None],
) -> str | None:
    subjects = [c for c in verb.children if c.dep_ == "nsubj" and not qs <= c.idx <= qe]
    for child in subjects:
        key = entity_at(child.i) or pronoun(child)
        if key:
            return key
    told = {
        t.i for c in verb.children if c.dep_ in ("dobj", "dative") for t in c.subtree
    }
    sent = doc_index(doc).sentence(verb.i)
    if verb.idx > qe:  # the tokens between the quote and the verb, then "said Bossy"
        between = [t for t in doc[sent.start : verb.i] if t.idx > qe]
        between += list(doc[verb.i + 1 : sent.end])[:3]
    elif subjects:
        return None  # "He said, ..." with an unresolved subject: nobody else spoke
    else:
        between = [t for t in doc[verb.i + 1 : sent.end] if t.idx < qs]
    keys = [
        k for t in between if t.i not in told and (k := entity_at(t.i) or pronoun(t))
    ]
    if not keys:
        return None
    return min(keys, key=lambda k: (_ORDER.get(entity_type(k), 9), keys.index(k)))
