"""Relation triples for the graph, from the shared clause extractor.

The clauses (:mod:`kg.extract.clauses`) are mapped onto entities: a passive
clause turns round (the ``by`` agent becomes the subject, the surface subject
the object), the predicate is the normalised lemma phrase of the content verb
with its particle and preposition (``expel``, ``put up``, ``cross to``), a
copula with a role noun becomes ``ROLE of`` (``chancellor of``), and claims
inside reported speech are kept as ``reported`` statements attributed to their
speaker. Objects that are no entity are kept as literal phrases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from spacy.tokens import Token

from kg.extract.clauses import Arg, Clause, find_clauses
from kg.extract.confidence import score
from kg.extract.entities import PLACE_NOUNS, PRONOUNS
from kg.extract.lexicon import REPORTING_VERBS as _REPORTING
from kg.extract.lexicon import lemma
from kg.extract.roles import ROLE_NOUNS

_QUANTIFIER_HEADS = frozenset(
    "some many most several all few none one dozens hundreds thousands millions "
    "busloads groups group number majority part rest".split()
)
_OBJECT_KINDS = ("dobj", "dative", "attr", "oprd", "prep", "ccomp")
_SHAPES = {
    "dobj": "obj",
    "dative": "obj",
    "attr": "obj",
    "oprd": "obj",
    "ccomp": "obj",
    "prep": "prep",
}

ArgFn = Callable[[Token], str | None]


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
    subject_count: int | None = None
    object_count: int | None = None


_NUMBER_WORDS = {
    w: n
    for n, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve".split()
    )
}


def quantity(tok: Token) -> int | None:
    """The count a noun phrase states: ``about 650 migrants`` → 650."""
    for c in tok.children:
        if c.dep_ == "nummod":
            text = c.text.replace(",", "")
            if text.isdigit():
                return int(text)
            if c.lower_ in _NUMBER_WORDS:
                return _NUMBER_WORDS[c.lower_]
    return None


def _phrase(tok: Token) -> str:
    """The noun phrase headed by ``tok``, without clauses and coordinated siblings."""
    skip: set[int] = set()
    for c in tok.children:
        if c.dep_ in ("relcl", "acl", "appos", "conj", "cc"):
            skip.update(t.i for t in c.subtree)
    words = [t for t in tok.subtree if t.i not in skip and t.dep_ != "punct"]
    return " ".join(t.text for t in words).strip()


def _clause_text(tok: Token) -> str:
    """The text of a complement clause, without its complementiser and quotes."""
    words = [
        t.text
        for t in tok.subtree
        if t.text not in ('"', "“", "”") and not (t.dep_ == "mark" and t.head is tok)
    ]
    return " ".join(words).strip(" ,.")


def _predicate(verb: Token) -> str:
    return " ".join(
        [lemma(verb)] + [c.lower_ for c in verb.children if c.dep_ == "prt"]
    )


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


_INNER_PREPS = frozenset({"of", "in", "at"})


def inner_entity(tok: Token, arg: ArgFn, depth: int = 2) -> str | None:
    """The entity a non-entity noun phrase is about: a name modifying its head
    (``the Church of Scientology website``) or, for places, the place a
    locative ``of``/``in`` chain ends in (``camps in the northern port of Calais``)."""
    for c in tok.children:
        if c.dep_ in ("compound", "poss", "nmod") and c.i < tok.i and (key := arg(c)):
            return key
    if depth == 0:
        return None
    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ in _INNER_PREPS:
            for p in c.children:
                if p.dep_ == "pobj":
                    key = arg(p)
                    if key is not None and (tok.lower_ in PLACE_NOUNS or depth < 2):
                        return key
                    if key is None and p.lower_ in PLACE_NOUNS:
                        return inner_entity(p, arg, depth - 1)
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


def _roles(clause: Clause) -> tuple[list[Token], list[Arg]]:
    """(subject tokens, object args) with a passive clause turned round."""
    if clause.passive:
        agents = [a for a in clause.args if a.kind == "agent"]
        if not agents:
            return [], []
        patients = [Arg(s, "dobj") for s in clause.subjects]
        rest = [a for a in clause.args if a.kind in _OBJECT_KINDS]
        return [agents[0].token], patients + rest
    return clause.subjects, [a for a in clause.args if a.kind in _OBJECT_KINDS]


def extract_relations(
    tokens: list[Token],
    arg: ArgFn,
    speaker_of: dict[int, str],
    quoted: Callable[[int], str | None],
    count_of: Callable[[Token], int | None] | None = None,
) -> list[RawRelation]:
    """Relations of one sentence.

    Args:
        tokens: the sentence's tokens.
        arg: entity key of a token (resolving names and pronouns) or None.
        speaker_of: reporting-verb token index -> speaker entity key (from quotes).
        quoted: speaker entity key when a character offset lies inside a quote.
        count_of: the count a subject or object token states (default: its
            number modifier).
    """
    count = count_of or quantity
    out: list[RawRelation] = []
    for clause in find_clauses(tokens, purpose=False):
        verb = clause.verb
        subj_toks, objects = _roles(clause)
        subjects: list[tuple[str, Token | None]]
        if verb.i in speaker_of:
            subjects = [(speaker_of[verb.i], None)]
        else:
            subjects = [(k, s) for s in subj_toks if (k := arg_key(s, arg))]
        if not subjects:
            continue
        in_quote = quoted(verb.idx)
        attributed = _claim_speaker(clause, arg, speaker_of) or in_quote
        modality = clause.modality
        if attributed and modality == "asserted" and verb.i not in speaker_of:
            modality = "reported"
        pred = "be" if clause.copula else _predicate(verb)
        for a in objects:
            rel = _relation(a, pred, clause, arg, quoted, in_quote)
            if rel is None:
                continue
            p, okey, text, conf = rel
            for skey, stok in subjects:
                if okey != skey:
                    out.append(
                        RawRelation(
                            skey,
                            p,
                            okey,
                            text,
                            verb,
                            clause.negated,
                            modality,
                            round(conf, 3),
                            attributed if attributed != skey else None,
                            count(stok) if stok is not None else None,
                            count(a.token) if okey else None,
                        )
                    )
    return out


def _relation(
    a: Arg,
    pred: str,
    clause: Clause,
    arg: ArgFn,
    quoted: Callable[[int], str | None],
    in_quote: str | None,
) -> tuple[str, str | None, str | None, float] | None:
    """(predicate, object key, object text, confidence) for one argument, or None."""
    obj = a.token
    if a.kind == "prep" and obj.ent_type_ in ("DATE", "TIME"):
        return None  # dates qualify the statement, they are no objects
    if quoted(obj.idx) != in_quote:
        return None  # the parse crossed a quote boundary
    if a.kind == "ccomp":
        if lemma(clause.verb) not in _REPORTING:
            return None
        return pred, None, _clause_text(obj), _confidence(clause, a, None)
    okey = arg_key(obj, arg)
    if okey is None and (obj.lower_ in PRONOUNS or obj.pos_ == "PRON"):
        return None  # an unresolved pronoun is never an object
    inner = None if okey else inner_entity(obj, arg)
    conf = _confidence(clause, a, okey or inner)
    if inner is not None:  # "the Church of Scientology website", "the port of Calais"
        okey, conf = inner, conf * 0.85
    p = f"{pred} {a.prep.lower_}" if a.kind == "prep" and a.prep is not None else pred
    if clause.copula and a.kind == "attr" and (role := _role_of(obj, arg)):
        return f"{obj.lower_} of", role, _phrase(obj), 0.75
    # the phrase is kept when it is the object, or says more than the entity
    text = _phrase(obj) if okey is None or inner is not None else None
    return p, okey, text, conf


def _confidence(clause: Clause, a: Arg, okey: str | None) -> float:
    """The pattern's precision on CaRB dev (the same table as Open IE), lowered
    when the object is no entity or the subject came from a pronoun."""
    base = score(f"{clause.pattern}/{_SHAPES.get(a.kind, 'obj')}", ())
    if okey is None:
        base *= 0.85
    if any(s.pos_ == "PRON" for s in clause.subjects):
        base *= 0.9
    return base


def _claim_speaker(
    clause: Clause, arg: ArgFn, speaker_of: dict[int, str]
) -> str | None:
    """Speaker of the reporting verb whose complement contains this clause, or the
    source of ``according to X``."""
    if clause.source is not None and (key := arg_key(clause.source, arg)):
        return key
    head = clause.report_head
    if head is None:
        return None
    if head.i in speaker_of:
        return speaker_of[head.i]
    for c in head.children:
        if c.dep_ == "nsubj":
            return arg_key(c, arg)
    return None
