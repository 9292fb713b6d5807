"""One article through the extraction layer: Doc in, :class:`Extraction` out."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from functools import lru_cache

from spacy.tokens import Doc, Token

from kg.extract.docindex import doc_index, release
from kg.extract.entities import BOILERPLATE, find_mentions
from kg.extract.lexicon import lemma
from kg.extract.quotes import find_quotes
from kg.extract.roles import find_based_in, find_roles
from kg.extract.svo import extract_relations, quantity
from kg.resolve.resolver import Resolution, resolve_entities, resolve_pronoun
from kg.types import Article, Extraction, Quote, Relation, Sentence

log = logging.getLogger(__name__)


def _is_boilerplate(text: str) -> bool:
    words = text.strip().strip(".!|").casefold().split()
    return not words or (len(words) <= 3 and all(w in BOILERPLATE for w in words))


_SALIENT_DEPS = frozenset({"nsubj", "nsubjpass", "ROOT", "dobj"})
_WEEKDAYS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday".split()
)


@lru_cache(maxsize=4096)
def _parse_date(text: str, base: str | None) -> str | None:
    import dateparser

    settings: dict[str, object] = {"PREFER_DATES_FROM": "past"}
    if base:
        try:
            settings["RELATIVE_BASE"] = datetime.fromisoformat(base[:10])
        except ValueError:
            return None
    try:
        parsed = dateparser.parse(text, languages=["en"], settings=settings)
    except (ValueError, OverflowError):
        return None
    if parsed is None:
        return None
    day = parsed.date()
    if base and text.strip().casefold() in _WEEKDAYS:
        # "on Wednesday" in a Wednesday report means that very day
        base_day = datetime.fromisoformat(base[:10]).date()
        if (base_day - day).days == 7:
            day = base_day
    return str(day.isoformat())


def _statement_date(verb: Token, article_date: str | None) -> str | None:
    """The date a clause refers to (``on Wednesday``), normalised to ISO."""
    for c in verb.children:
        cands = (
            [c]
            if c.dep_ in ("npadvmod", "tmod")
            else [p for p in c.children if c.dep_ == "prep" and p.dep_ == "pobj"]
        )
        for p in cands:
            if p.ent_type_ == "DATE":
                ent = next((e for e in p.doc.ents if e.start <= p.i < e.end), None)
                if ent is not None and article_date:
                    return _parse_date(ent.text, article_date)
    return None


def extract_article(doc: Doc, article: Article) -> Extraction:
    """Entities, relations and quotes of one parsed article.

    Example:
        >>> ex = extract_article(nlp(text), Article("a1", text))  # doctest: +SKIP
    """
    try:
        return _extract(doc, article)
    finally:
        release(doc)


def _extract(doc: Doc, article: Article) -> Extraction:
    ix = doc_index(doc)
    texts = [ix.text[s.start_char : s.end_char] for s in ix.sents]  # = s.text
    kept = [(s, t) for s, t in zip(ix.sents, texts, strict=True) if t.strip()]
    sents = [s for s, _ in kept]
    sentences = [
        Sentence(k, t.strip(), s.start_char, s.start_char + len(t.rstrip()))
        for k, (s, t) in enumerate(kept)
    ]
    sent_index = {i: k for k, s in enumerate(sents) for i in range(s.start, s.end)}
    skip = {k for k, (_, t) in enumerate(kept) if _is_boilerplate(t)}
    mentions = [m for m in find_mentions(doc) if m.sentence not in skip]
    mentions = [m for m in mentions if m.start in sent_index]
    mentions = [replace(m, sentence=sent_index[m.start]) for m in mentions]
    # clause arguments are the salient antecedents for pronouns
    subjects = frozenset(ix.where("dep", _SALIENT_DEPS))
    res = resolve_entities(mentions, ix.offsets, subjects)

    def arg(tok: Token) -> str | None:
        key = res.entity_at(tok.i)
        if key is None and tok.pos_ == "PRON" and tok.i in sent_index:
            key = resolve_pronoun(tok.text, sent_index[tok.i], tok.i, res, dep=tok.dep_)
        return key

    def etype(key: str) -> str:
        return res.entities[key].type

    quotes_raw = find_quotes(
        doc, res.entity_at, etype, lambda t: arg(t) if t.pos_ == "PRON" else None
    )
    speaker_of = {q.verb.i: q.speaker for q in quotes_raw}

    def quoted(char: int) -> str | None:
        for q in quotes_raw:
            if q.start <= char < q.end:
                return q.speaker
        return None

    def count_of(tok: Token) -> int | None:
        return res.counts.get(tok.i) or quantity(tok)

    relations: list[Relation] = []
    for k, sent in enumerate(sents):
        if k in skip:
            continue
        for r in extract_relations(list(sent), arg, speaker_of, quoted, count_of):
            relations.append(
                Relation(
                    r.subject,
                    r.predicate,
                    r.object_key,
                    k,
                    r.object_text,
                    r.negated,
                    r.modality,  # type: ignore[arg-type]
                    r.confidence,
                    r.attributed_to,
                    _statement_date(r.verb, article.date),
                    (r.verb.idx, r.verb.idx + len(r.verb.text)),
                    r.subject_count,
                    r.object_count,
                )
            )
    relations += _role_relations(doc, res, sent_index, etype)
    quotes = [
        Quote(
            q.text,
            q.speaker,
            _sentence_of(sentences, q.start),
            lemma(q.verb),
            q.addressee,
            q.start,
            q.end,
        )
        for q in quotes_raw
    ]
    entities = {key: e for key, e in res.entities.items()}
    return Extraction(article, sentences, entities, _dedupe(relations), quotes)


def _sentence_of(sentences: list[Sentence], char: int) -> int:
    """Index of the sentence holding a character offset (the last one before it)."""
    found = 0
    for s in sentences:
        if s.start <= char:
            found = s.index
    return found


def _role_relations(
    doc: Doc, res: Resolution, sent_index: dict[int, int], etype: Callable[[str], str]
) -> list[Relation]:
    out: list[Relation] = []
    persons = []
    for m_key, ent in res.entities.items():
        if ent.type != "Person":
            continue
        for tok_i, key in res.token_entity.items():
            if key == m_key and (tok_i == 0 or res.token_entity.get(tok_i - 1) != key):
                end = tok_i
                while res.token_entity.get(end) == key:
                    end += 1
                persons.append((doc[tok_i:end], key))
    for fact in find_roles(doc, persons, res.entity_at, etype):
        if fact.role:
            res.entities[fact.person].roles.add(fact.role)
        if fact.predicate and fact.target >= 0:
            obj = res.entity_at(fact.target)
            if obj and obj != fact.person:
                s = sent_index.get(fact.target, 0)
                out.append(
                    Relation(
                        fact.person, fact.predicate, obj, s, confidence=fact.confidence
                    )
                )
    for group, places in res.place_of_group.items():  # "French police": of France
        sent_k = res.entities[group].mentions[0].sentence
        for where in places:
            out.append(Relation(group, "based in", where, sent_k, confidence=0.6))
    for org_i, place_i in find_based_in(doc, res.entity_at):
        org, place = res.entity_at(org_i), res.entity_at(place_i)
        if org and place and org != place:
            out.append(
                Relation(
                    org, "based in", place, sent_index.get(org_i, 0), confidence=0.8
                )
            )
    return out


def _dedupe(relations: list[Relation]) -> list[Relation]:
    seen: dict[tuple[object, ...], Relation] = {}
    for r in relations:
        key = (r.subject, r.predicate, r.object, r.object_text, r.sentence, r.negated)
        if key not in seen or seen[key].confidence < r.confidence:
            seen[key] = r
    return list(seen.values())
