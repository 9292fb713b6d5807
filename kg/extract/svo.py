"""Relation triples from the dependency parse.

Patterns: active and passive voice (the ``by`` agent becomes the subject), verb
chains (``have begun expelling`` gives ``expel``; ``hoped to cross`` gives
``cross`` with modality ``intended``), phrasal verbs (``put up``), prepositional
objects (``cross to Britain`` gives ``cross to``), coordinated verbs and
arguments split into separate triples, copula (``X is Y``), negation and modal
verbs, and claims inside reported speech (modality ``reported``, attributed to
the speaker).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from spacy.tokens import Token

from kg.extract.entities import PRONOUNS, REPORTING_VERBS
from kg.extract.roles import ROLE_NOUNS

CATENATIVE = frozenset(
    "begin start continue keep stop try attempt hope want plan seek intend aim "
    "expect wish decide agree promise threaten refuse fail need prepare vow "
    "manage resume cease".split()
)
_INTENT = frozenset(
    "try attempt hope want plan seek intend aim expect wish decide agree promise "
    "threaten need prepare vow".split()
)
_NEGATING = frozenset({"refuse", "fail", "cease", "stop"})
_POSSIBLE = frozenset({"may", "might", "could", "would", "can"})
_QUANTIFIER_HEADS = frozenset(
    "some many most several all few none one dozens hundreds thousands millions "
    "busloads groups group number majority part rest".split()
)
_SUBJ = ("nsubj", "nsubjpass", "csubj")
_BASE_CONF = {"dobj": 0.8, "prep": 0.65, "attr": 0.6, "dative": 0.75, "ccomp": 0.7}


@dataclass(frozen=True)
class RawRelation:
    subject: str
    predicate: str
    object_key: str | None
    object_text: str | None
    verb: Token
    negated: bool
    modality: str
    confidence: float
    attributed_to: str | None


ArgFn = Callable[[Token], str | None]


def _phrase(tok: Token) -> str:
    """The noun phrase headed by ``tok``, without its relative clauses."""
    skip: set[int] = set()
    for c in tok.children:
        if c.dep_ in ("relcl", "acl", "appos", "conj", "cc"):
            skip.update(t.i for t in c.subtree)
    words = [t for t in tok.subtree if t.i not in skip and t.dep_ != "punct"]
    return " ".join(t.text for t in words).strip()


def _clause(tok: Token) -> str:
    """The text of a complement clause."""
    words = [t.text for t in tok.subtree if t.text not in ('"', "“", "”")]
    return " ".join(words).strip(" ,.")


def _expand_conj(tok: Token) -> list[Token]:
    out = [tok]
    for c in tok.conjuncts:
        if c.i > tok.i and c.pos_ in ("NOUN", "PROPN", "PRON", "NUM"):
            out.append(c)
    return out


def _negated(verb: Token) -> bool:
    return any(c.dep_ == "neg" for c in verb.children)


def _modality(verb: Token) -> str:
    for c in verb.children:
        if c.dep_ == "aux" and c.tag_ == "MD" and c.lower_ in _POSSIBLE:
            return "possible"
    return "asserted"


# lemmatiser errors of the small English model, by surface form
_LEMMA_FIXES = {"hoped": "hope", "hoping": "hope", "ringed": "ring"}


def lemma(tok: Token) -> str:
    """The token's lemma, with the small model's known lemmatiser errors fixed."""
    return _LEMMA_FIXES.get(tok.lower_, tok.lemma_.lower())


def _predicate(verb: Token) -> str:
    parts = [lemma(verb)]
    parts += [c.lower_ for c in verb.children if c.dep_ == "prt"]
    return " ".join(parts)


def _chain_top(verb: Token) -> tuple[Token, bool, str, bool]:
    """Walk up xcomp links: (top verb, negated, modality, any link)."""
    negated, modality, tok = _negated(verb), _modality(verb), verb
    while tok.dep_ == "xcomp" and lemma(tok.head) in CATENATIVE:
        head = tok.head
        negated = negated != (_negated(head) or lemma(head) in _NEGATING)
        if lemma(head) in _INTENT and modality == "asserted":
            modality = "intended"
        if _modality(head) == "possible":
            modality = "possible"
        tok = head
    return tok, negated, modality, tok is not verb


def _subject_tokens(verb: Token) -> list[Token]:
    """Subject tokens of a clause: its own, or inherited via conj/xcomp/relcl/acl."""
    tok = verb
    for _ in range(6):
        subs = [c for c in tok.children if c.dep_ in ("nsubj", "csubj")]
        if subs:
            return _expand_conj(subs[0])
        agents = [
            p
            for c in tok.children
            if c.dep_ == "agent"
            for p in c.children
            if p.dep_ == "pobj"
        ]
        if agents:
            return _expand_conj(agents[0])
        if tok.dep_ in ("conj", "xcomp") and tok.head.pos_ in ("VERB", "AUX"):
            tok = tok.head
            continue
        if tok.dep_ in ("acl", "relcl") and tok.head.pos_ in ("NOUN", "PROPN"):
            rel = [c for c in tok.children if c.dep_ in _SUBJ and c.lower_ in PRONOUNS]
            if tok.dep_ == "acl" or rel:
                return [tok.head]
        return []
    return []


def _objects(verb: Token) -> Iterator[tuple[str, Token, str]]:
    """(predicate suffix, object token, kind) of a verb."""
    passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children)
    children = list(verb.children)
    if not any(c.dep_ in ("dobj", "nsubjpass") for c in children):
        # "arrested and questioned the protesters": the object is shared
        for conj in children:
            if conj.dep_ == "conj" and conj.pos_ == "VERB":
                children += [c for c in conj.children if c.dep_ == "dobj"]
                break
    for c in children:
        if c.dep_ in ("dobj", "dative", "attr", "oprd"):
            for o in _expand_conj(c):
                yield "", o, "attr" if c.dep_ == "attr" else "dobj"
        elif c.dep_ == "nsubjpass" and passive:
            for o in _expand_conj(c):
                yield "", o, "dobj"
        elif c.dep_ == "ccomp" and lemma(verb) in REPORTING_VERBS:
            yield "", c, "ccomp"
        elif c.dep_ == "prep":
            for p in c.children:
                if p.dep_ == "pobj":
                    for o in _expand_conj(p):
                        yield c.lower_, o, "prep"


def _role_of(noun: Token, arg: ArgFn) -> str | None:
    """``the chancellor of Germany``: the entity a role noun is of."""
    if noun.lower_ not in ROLE_NOUNS:
        return None
    for c in noun.children:
        if c.dep_ == "prep" and c.lower_ == "of":
            for p in c.children:
                if p.dep_ == "pobj" and (key := arg(p)):
                    return key
    return None


def arg_key(tok: Token, arg: ArgFn) -> str | None:
    """Entity key of an argument, looking through ``some of the migrants``."""
    key = arg(tok)
    if key is None and tok.lower_ in _QUANTIFIER_HEADS:
        for c in tok.children:
            if c.dep_ == "prep" and c.lower_ == "of":
                for p in c.children:
                    if p.dep_ == "pobj":
                        return arg(p)
    return key


def extract_relations(
    tokens: list[Token],
    arg: ArgFn,
    speaker_of: dict[int, str],
    quoted: Callable[[int], str | None],
) -> list[RawRelation]:
    """Relations of one sentence.

    Args:
        tokens: the sentence's tokens.
        arg: entity key of a token (resolving names and pronouns) or None.
        speaker_of: reporting-verb token index -> speaker entity key (from quotes).
        quoted: speaker entity key when a character offset lies inside a quote.
    """
    out: list[RawRelation] = []
    for verb in tokens:
        is_copula = verb.pos_ == "AUX" and verb.dep_ in ("ROOT", "conj", "ccomp")
        if verb.pos_ != "VERB" and not is_copula:
            continue
        if (
            any(c.dep_ == "xcomp" and c.pos_ == "VERB" for c in verb.children)
            and (lemma(verb) in CATENATIVE)
            and not any(c.dep_ == "dobj" for c in verb.children)
        ):
            continue  # the chain's last verb carries the relation
        top, negated, modality, _ = _chain_top(verb)
        if verb.i in speaker_of:
            subjects = [speaker_of[verb.i]]
        else:
            subjects = [k for s in _subject_tokens(top) if (k := arg_key(s, arg))]
        if not subjects:
            continue
        in_quote = quoted(verb.idx)
        attributed = _speaker_of_claim(top, arg, speaker_of) or in_quote
        if attributed and modality == "asserted" and verb.i not in speaker_of:
            modality = "reported"
        pred = _predicate(verb)
        for suffix, obj, kind in _objects(verb):
            if kind == "prep" and obj.ent_type_ in ("DATE", "TIME"):
                continue  # dates qualify the statement, they are no objects
            if quoted(obj.idx) != in_quote:
                continue  # the parse crossed a quote boundary
            okey = None if kind == "ccomp" else arg_key(obj, arg)
            if okey is None and (obj.lower_ in PRONOUNS or obj.pos_ == "PRON"):
                continue  # an unresolved pronoun is never an object
            conf = _BASE_CONF[kind] * (1.0 if okey else 0.85)
            p = f"{pred} {suffix}".strip() if not is_copula else "be"
            if is_copula and suffix:
                p = f"be {suffix}"
            if is_copula and kind == "attr" and (role := _role_of(obj, arg)):
                p, okey, conf = f"{obj.lower_} of", role, 0.75
            for skey in subjects:
                if okey == skey:
                    continue
                text = _clause(obj) if kind == "ccomp" else _phrase(obj)
                out.append(
                    RawRelation(
                        skey,
                        p,
                        okey,
                        None if okey else text,
                        verb,
                        negated,
                        modality,
                        round(conf, 3),  # noqa: E501
                        attributed if attributed != skey else None,
                    )
                )
    return out


def _speaker_of_claim(top: Token, arg: ArgFn, speaker_of: dict[int, str]) -> str | None:
    """Speaker of the reporting verb whose complement contains this clause."""
    for tok in [top, *top.ancestors]:
        head = tok.head
        if tok.dep_ == "ccomp" and lemma(head) in REPORTING_VERBS:
            if head.i in speaker_of:
                return speaker_of[head.i]
            for c in head.children:
                if c.dep_ == "nsubj":
                    return arg_key(c, arg)
            return None
    return None
