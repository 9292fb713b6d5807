"""Clauses from the dependency parse: the one extractor behind the graph and Open IE.

A :class:`Clause` is a predicate with its subject tokens and argument tokens,
its qualifiers (negation, modality, passive voice) and, when it sits inside
reported speech, the reporting verb. The graph (:mod:`kg.extract.svo`) maps its
tokens to entities; Open IE (:mod:`kg.extract.openie`) widens them to phrases.

Patterns, each with a test sentence in ``tests/test_openie.py``: active and
passive voice, verb chains (``have begun expelling``, ``hoped to cross``),
phrasal and light verbs (``put up``, ``closed down``, ``made an offer``),
prepositional objects, coordinated verbs and arguments, relative clauses
(subject or prepositional: ``the camps, from which they hoped to cross``),
participial modifiers (``camps housing exiles``), ``that``-clauses and other
complements of reporting verbs, copula with nominal and adjectival predicates,
existentials (``there will be no arrests``) and hedges (``reportedly``, ``may``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from spacy.tokens import Token

from kg.extract.lexicon import (
    ASPECTUAL,
    CATENATIVE,
    HEDGES,
    NEGATING,
    POSSIBLE_MODALS,
    REPORTING_VERBS,
    lemma,
)

_SUBJ = ("nsubj", "nsubjpass", "csubj", "csubjpass", "expl")
_HAS_OBJECT = frozenset(
    {"dobj", "nsubjpass", "attr", "ccomp", "xcomp", "prep", "acomp"}
)
_REL_PRONOUNS = frozenset("who whom which that whose where when".split())


@dataclass
class Arg:
    """An argument of a clause: its head token and how it attaches."""

    token: Token
    # dobj | dative | attr | acomp | oprd | prep | ccomp | agent | advmod | npadvmod
    kind: str
    prep: Token | None = None
    group: int = 0  # arguments coordinated with each other share a group


@dataclass
class Clause:
    verb: Token  # the content verb (last of a chain)
    top: Token  # the chain's first verb: subject, aux and negation attach there
    subjects: list[Token]
    args: list[Arg]
    negated: bool = False
    modality: str = "asserted"
    passive: bool = False
    copula: bool = False
    existential: bool = False
    report_head: Token | None = None  # reporting verb whose complement holds this
    source: Token | None = None  # "according to X": X
    pattern: str = "svo"
    chain: list[Token] = field(default_factory=list)  # top..verb, for the surface


def _negated(tok: Token) -> bool:
    return any(c.dep_ == "neg" for c in tok.children)


def _modality(tok: Token) -> str:
    for c in tok.children:
        if c.dep_ == "aux" and c.tag_ == "MD" and c.lower_ in POSSIBLE_MODALS:
            return "possible"
        if c.dep_ == "advmod" and c.lower_ in HEDGES:
            return "possible"
    return "asserted"


def _controls(head: Token) -> bool:
    """A verb whose xcomp shares its subject: catenatives, any verb with no object."""
    if lemma(head) in CATENATIVE:
        return True
    return head.pos_ in ("VERB", "AUX") and not any(
        c.dep_ in ("dobj", "dative") for c in head.children
    )


def _chain(verb: Token) -> tuple[list[Token], bool, str]:
    """Walk up xcomp links (``hoped to cross``, ``was appointed to command``):
    (chain top..verb, negated, modality)."""
    chain = [verb]
    negated, modality, tok = _negated(verb), _modality(verb), verb
    while tok.dep_ == "xcomp" and _controls(tok.head):
        head = tok.head
        negated = negated != (_negated(head) or lemma(head) in NEGATING)
        if modality == "asserted" and lemma(head) not in ASPECTUAL | NEGATING:
            modality = "intended"  # hoped to cross, was asked to board
        if _modality(head) == "possible":
            modality = "possible"
        chain.insert(0, head)
        tok = head
    return chain, negated, modality


def expand_conj(tok: Token) -> list[Token]:
    """A token and its later conjuncts of the same kind (``protesters and police``)."""
    out = [tok]
    for c in tok.conjuncts:
        if c.i > tok.i and (c.pos_ == tok.pos_ or c.pos_ in ("NOUN", "PROPN", "PRON")):
            out.append(c)
    return out


def _own_subject(tok: Token) -> list[Token]:
    subs = [c for c in tok.children if c.dep_ in ("nsubj", "csubj", "nsubjpass")]
    if subs:
        return expand_conj(subs[0])
    return []


def find_subjects(top: Token, *, purpose: bool = True) -> tuple[list[Token], str]:
    """Subject tokens of a clause and where they came from.

    ``purpose=False`` leaves infinitive purpose clauses (``..., to examine their
    cases``) without a subject: whose purpose it is, the parse does not say.
    """
    tok = top
    for _ in range(6):
        subs = [c for c in tok.children if c.dep_ in ("nsubj", "csubj")]
        if subs:
            first = subs[0]
            if first.lower_ in _REL_PRONOUNS and tok.dep_ == "relcl":
                return [tok.head], "relcl"
            return expand_conj(first), "own" if tok is top else "inherited"
        passive_subj = [c for c in tok.children if c.dep_ == "nsubjpass"]
        if passive_subj:
            how = "passive" if tok is top else "inherited"
            return expand_conj(passive_subj[0]), how
        blocked = (
            not purpose
            and tok.dep_ == "advcl"
            and any(c.dep_ == "aux" and c.tag_ == "TO" for c in tok.children)
        )
        if (
            tok.dep_ in ("conj", "xcomp", "advcl")
            and tok.head.pos_ in ("VERB", "AUX")
            and (not blocked)
        ):
            tok = tok.head
            continue
        if tok.dep_ in ("acl", "relcl") and tok.head.pos_ in ("NOUN", "PROPN", "PRON"):
            return [tok.head], tok.dep_
        return [], "none"
    return [], "none"


def _antecedent(verb: Token, top: Token) -> Token | None:
    """The noun a relative clause hangs on, for ``from which`` objects."""
    for tok in (verb, top, *top.ancestors):
        if tok.dep_ == "relcl":
            return tok.head
    return None


def _args(verb: Token, passive: bool, antecedent: Token | None = None) -> Iterator[Arg]:
    children = list(verb.children)
    if not any(c.dep_ in _HAS_OBJECT for c in children):
        # "arrested and questioned the protesters": the object is shared
        for conj in children:
            if conj.dep_ == "conj" and conj.pos_ == "VERB":
                children += [c for c in conj.children if c.dep_ == "dobj"]
                break
    for g, c in enumerate(children):
        if c.dep_ in ("dobj", "dative", "attr", "oprd", "acomp"):
            for o in expand_conj(c):
                yield Arg(o, c.dep_, None, g)
        elif (
            c.dep_ == "ccomp" and (c.i > verb.i or lemma(verb) in REPORTING_VERBS)
        ) or (c.dep_ == "xcomp" and c.pos_ != "VERB"):
            yield Arg(c, "ccomp", None, g)
        elif c.dep_ == "agent" and passive:
            for p in c.children:
                if p.dep_ == "pobj":
                    for o in expand_conj(p):
                        yield Arg(o, "agent", c, g)
        elif c.dep_ == "prep" and c.lower_ != "according":
            pobjs = [p for p in c.children if p.dep_ in ("pobj", "pcomp")]
            for p in pobjs:
                if p.lower_ in _REL_PRONOUNS and antecedent is not None:
                    p = antecedent  # "the camps, from which they hoped to cross"
                for o in expand_conj(p):
                    yield Arg(o, "prep", c, g)
        elif c.dep_ == "npadvmod" or (
            c.dep_ == "advmod" and c.ent_type_ in ("DATE", "TIME")
        ):
            yield Arg(c, c.dep_, None, g)  # "Earlier this year", "last week"


def _report_head(top: Token) -> Token | None:
    for tok in [top, *top.ancestors]:
        if tok.dep_ == "ccomp" and lemma(tok.head) in REPORTING_VERBS:
            return tok.head
    return None


def is_predicate(tok: Token) -> bool:
    """A verb, a copula heading a clause, or a participle the tagger took for an
    adjective (``were closed`` tagged ADJ, but with a passive auxiliary)."""
    if tok.lower_ == "according":
        return False
    if tok.pos_ == "VERB":
        return True
    if tok.pos_ == "AUX":
        return tok.dep_ in ("ROOT", "conj", "ccomp", "relcl", "advcl")
    return (
        tok.pos_ == "ADJ"
        and tok.tag_ == "VBN"
        or (tok.pos_ == "ADJ" and any(c.dep_ == "auxpass" for c in tok.children))
    )


def according_to(tokens: list[Token]) -> Token | None:
    """The source of ``according to X`` in a sentence (X's head token)."""
    for t in tokens:
        if t.lower_ == "according":
            for c in t.children:
                if c.lower_ == "to":
                    for p in c.children:
                        if p.dep_ == "pobj":
                            return p
    return None


def find_clauses(tokens: list[Token], *, purpose: bool = True) -> list[Clause]:
    """Every clause of a sentence, in order (``purpose``: see :func:`find_subjects`)."""
    out: list[Clause] = []
    source = according_to(tokens)
    for verb in tokens:
        if not is_predicate(verb):
            continue
        copula = verb.pos_ == "AUX"
        if any(c.dep_ == "xcomp" and c.pos_ == "VERB" for c in verb.children) and (
            _controls(verb)
        ):
            continue  # the chain's last verb carries the clause
        chain, negated, modality = _chain(verb)
        top = chain[0]
        passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children)
        subjects, how = find_subjects(top, purpose=purpose)
        existential = any(c.dep_ == "expl" for c in verb.children)
        antecedent = _antecedent(verb, top)
        args = list(_args(verb, passive, antecedent))
        for v in chain[:-1]:  # "from which they hoped to cross": adjuncts of the chain
            args += [
                a
                for a in _args(v, False, antecedent)
                if a.kind in ("prep", "npadvmod", "advmod")
            ]
        if existential:
            subjects = [a.token for a in args if a.kind == "attr"][:1] or subjects
            args = [a for a in args if a.token not in subjects]
        pattern = {
            "relcl": "relcl",
            "acl": "acl",
            "passive": "passive",
            "inherited": "inherited",
        }.get(how, "copula" if copula else "svo")
        out.append(
            Clause(
                verb=verb,
                top=top,
                subjects=subjects,
                args=args,
                negated=negated,
                modality=modality,
                passive=passive,
                copula=copula,
                existential=existential,
                report_head=_report_head(top),
                source=source,
                pattern="existential" if existential else pattern,
                chain=chain,
            )
        )
    return out


def own_subject(tok: Token) -> list[Token]:
    """The subject a verb has itself (not inherited)."""
    return _own_subject(tok)
