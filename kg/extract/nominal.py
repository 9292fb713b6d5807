"""Relations that noun phrases state without a verb.

- apposition: ``Trek 's president , Dick Burke`` → (Dick Burke, is, Trek 's president)
- possessive: ``Marc 's own label`` → (Marc, has, own label)
- nominal prepositional modifier: ``monuments in the old city`` →
  (monuments, are in, the old city)
- ``such as``: ``world symbols such as index signs`` →
  (world symbols, are such as, index signs)

The copula takes the number of the subject and the tense of the governing verb.
Each yields ``(pattern, relation, arg1 tokens head, arg2 head, prep)`` for the
Open IE layer; the graph gets the same facts through roles and affiliations.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from spacy.tokens import Token

_NOMINAL_PREPS = frozenset("in on at near from of for with inside outside".split())
_PAST = frozenset({"VBD", "VBN"})
_ARG_DEPS = frozenset({"nsubj", "nsubjpass", "dobj", "pobj", "attr"})


@dataclass(frozen=True)
class Nominal:
    pattern: str  # appos | poss | nprep | compound | such_as
    relation: str
    arg1: Token
    arg2: Token
    arg1_exclude: frozenset[int] = frozenset()
    arg2_exclude: frozenset[int] = frozenset()
    arg1_only_span: tuple[int, int] | None = None  # for compounds: just these tokens
    arg2_only: bool = False  # arg2 is the single token (an adjective)


def _past(tok: Token) -> bool:
    for anc in [tok, *tok.ancestors]:
        if anc.pos_ in ("VERB", "AUX"):
            return anc.tag_ in _PAST or any(
                c.tag_ in _PAST and c.dep_ in ("aux", "auxpass") for c in anc.children
            )
    return False


def copula(subject: Token, *, have: bool = False, tensed: bool = True) -> str:
    """``is``/``are``/``was``/``were`` (or ``has``...) agreeing with ``subject``."""
    plural = subject.tag_ in ("NNS", "NNPS")
    past = tensed and _past(subject)
    if have:
        return "had" if past else ("have" if plural else "has")
    if past:
        return "were" if plural else "was"
    return "are" if plural else "is"


_PLACES = frozenset({"GPE", "LOC", "FAC"})
_POSS_PRONOUNS = frozenset({"his", "her", "its", "their"})


def _clause_subject(tok: Token) -> Token | None:
    """The nominal subject of the clause a token sits in (for possessive pronouns)."""
    for anc in tok.ancestors:
        if anc.pos_ in ("VERB", "AUX"):
            for c in anc.children:
                if c.dep_ in ("nsubj", "nsubjpass") and c.pos_ in ("NOUN", "PROPN"):
                    return c
    return None


def _subtree(tok: Token) -> frozenset[int]:
    return frozenset(t.i for t in tok.subtree)


def find_nominals(tokens: list[Token]) -> Iterator[Nominal]:
    """Every verbless relation of a sentence."""
    for tok in tokens:
        if tok.dep_ == "appos" and tok.head.pos_ in ("NOUN", "PROPN"):
            head = tok.head
            if tok.ent_type_ in _PLACES and head.ent_type_ in _PLACES:
                # "Hillsborough , North Carolina": a place in a larger one
                yield Nominal(
                    "appos_place",
                    f"{copula(head, tensed=False)} in",
                    head,
                    tok,
                    arg1_exclude=_subtree(tok),
                )
            else:
                # the name is the subject: "Trek 's president , Dick Burke"
                name_first = tok.pos_ == "PROPN" and head.pos_ == "NOUN"
                subj, obj = (tok, head) if name_first else (head, tok)
                yield Nominal(
                    "appos",
                    copula(subj, tensed=False),
                    subj,
                    obj,
                    arg1_exclude=frozenset() if name_first else _subtree(tok),
                    arg2_exclude=_subtree(tok) if name_first else frozenset(),
                )
        elif tok.dep_ == "poss" and (
            tok.pos_ in ("NOUN", "PROPN") or tok.lower_ in _POSS_PRONOUNS
        ):
            owner, owned = tok, tok.head
            if tok.pos_ == "PRON":  # "his profession": the owner is the clause subject
                resolved = _clause_subject(owned)
                if resolved is None:
                    continue
                owner = resolved
            if owned.pos_ in ("NOUN", "PROPN"):
                case = frozenset(
                    t.i
                    for c in owner.children
                    if c.dep_ in ("case", "relcl", "appos")
                    for t in c.subtree
                )
                yield Nominal(
                    "poss",
                    copula(owner, have=True, tensed=False),
                    owner,
                    owned,
                    arg1_exclude=case,
                    arg2_exclude=_subtree(owner),
                )
        elif (
            tok.dep_ == "prep"
            and tok.lower_ in _NOMINAL_PREPS
            and tok.head.pos_ in ("NOUN", "PROPN")
        ):
            head = tok.head
            pobjs = [c for c in tok.children if c.dep_ == "pobj"]
            if pobjs:
                rel = f"{copula(head, tensed=False)} {tok.lower_}"
                if tok.lower_ == "as" and any(c.lower_ == "such" for c in tok.children):
                    rel = f"{copula(head)} such as"
                kind = "nprep_of" if tok.lower_ == "of" else "nprep"
                yield Nominal(kind, rel, head, pobjs[0], arg1_exclude=_subtree(tok))
        if (
            tok.lower_ == "as"
            and tok.dep_ == "prep"
            and any(c.lower_ == "such" for c in tok.head.children if c.i == tok.i - 1)
        ):
            pobjs = [c for c in tok.children if c.dep_ == "pobj"]
            if pobjs:
                head = tok.head if tok.head.lower_ != "such" else tok.head.head
                yield Nominal(
                    "such_as",
                    f"{copula(head)} such as",
                    head,
                    pobjs[0],
                    arg1_exclude=_subtree(tok),
                )
