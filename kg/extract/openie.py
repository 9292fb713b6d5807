"""Open IE: the graph's clause extractor with arguments widened to full phrases.

Writes n-ary tuples ``(relation, arg1, arg2, more args...)`` in the surface form
Open IE benchmarks such as CaRB expect: the relation keeps auxiliaries, modals,
negation and the preposition of a prepositional object (``was born to``,
``could eliminate``), arguments are whole phrases, adjuncts (``in 2002``,
``on 25 June``) follow as extra arguments.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Token

from kg.extract.clauses import Arg, Clause, find_clauses
from kg.extract.confidence import score_nominal, score_tuple
from kg.extract.lexicon import LIGHT_VERBS, lemma
from kg.extract.nominal import copula, find_nominals

_OBJ_KINDS = ("dobj", "attr", "oprd", "acomp", "ccomp", "dative")


@dataclass(frozen=True)
class OpenIETuple:
    confidence: float
    relation: str
    args: tuple[str, ...]
    pattern: str = ""  # which rule made it (for calibration)

    def as_tsv(self, sentence: str) -> str:
        cols = [sentence, f"{self.confidence:.4f}", self.relation, *self.args]
        return "\t".join(c.replace("\t", " ") for c in cols)


def _span_text(tokens: Iterable[Token]) -> str:
    toks = sorted(tokens, key=lambda t: t.i)
    while toks and toks[0].is_punct and toks[0].text not in ("``", "$", '"'):
        toks = toks[1:]
    while toks and toks[-1].is_punct and toks[-1].text not in ("''", '"', ")", "%"):
        toks = toks[:-1]
    return " ".join(t.text for t in toks)


TRIM = ("relcl", "appos")


def phrase(head: Token, exclude: Iterable[int] = (), trim: tuple[str, ...] = ()) -> str:
    """The phrase headed by ``head``, without coordinated siblings and ``exclude``.

    ``trim`` names dependents to leave out (relative clauses, appositions), with
    the comma that opens them.
    """
    skip = set(exclude)
    for c in head.children:
        if c.dep_ in trim:
            skip.update(t.i for t in c.subtree)
            left = c.left_edge.i - 1
            if left > head.i and head.doc[left].text == ",":
                skip.add(left)
        if c.dep_ in ("conj", "cc") or (
            c.dep_ == "punct"
            and c.i > head.i
            and any(x.dep_ == "conj" for x in head.children)
        ):
            skip.update(t.i for t in c.subtree)
    return _span_text(t for t in head.subtree if t.i not in skip)


def phrase_variants(
    head: Token, exclude: Iterable[int] = (), trim: tuple[str, ...] = ()
) -> list[str]:
    """The phrase, once per coordinated modifier: ``Greek and Roman pagans`` gives
    ``Greek pagans`` and ``Roman pagans`` (as Open IE benchmarks split them)."""
    base = set(exclude)
    for m in head.children:
        if m.i < head.i and m.dep_ in ("amod", "compound", "nmod"):
            members = [m, *[c for c in m.conjuncts if c.i > m.i and c.i < head.i]]
            if len(members) < 2:
                continue
            glue = {
                t.i for t in m.subtree if t.dep_ in ("cc", "punct") and t.head.i == m.i
            }
            variants = []
            for keep in members[:3]:
                drop = {
                    t.i
                    for other in members
                    if other is not keep
                    for t in other.subtree
                    if t.i not in {x.i for x in keep.subtree}
                }
                variants.append(phrase(head, base | glue | drop, trim))
            return variants
    return [phrase(head, base, trim)]


def _aux_tokens(tok: Token) -> list[Token]:
    return [
        c for c in tok.children if c.dep_ in ("aux", "auxpass", "neg") and c.i < tok.i
    ]


def relation_tokens(clause: Clause) -> list[Token]:
    """Auxiliaries, negation, the verb chain with its ``to``, particles."""
    toks: list[Token] = []
    for v in clause.chain:
        toks += _aux_tokens(v)
        toks.append(v)
        toks += [c for c in v.children if c.dep_ == "prt"]
        toks += [
            c
            for c in v.children
            if c.dep_ == "advmod"
            and c.i < v.i
            and c.lower_ in ("not", "never", "also", "still", "already")
        ]
    return sorted(set(toks), key=lambda t: t.i)


def _clause_span(clause: Clause) -> set[int]:
    return {t.i for t in clause.top.subtree}


def _groups(args: list[Arg]) -> list[list[Arg]]:
    out: dict[int, list[Arg]] = {}
    for a in args:
        out.setdefault(a.group, []).append(a)
    return list(out.values())


def _arg_text(a: Arg, with_prep: bool) -> str:
    if a.kind == "ccomp":  # the complementiser belongs to neither argument
        marks = [
            c.i for c in a.token.children if c.dep_ == "mark" and c.lower_ == "that"
        ]
        return phrase(a.token, marks)
    text = phrase(a.token, trim=TRIM)
    return f"{a.prep.text} {text}" if with_prep and a.prep is not None else text


def _first_variants(a: Arg, text: str) -> list[str | None]:
    """The first argument's text, split on coordinated modifiers when it has them."""
    if a.kind == "ccomp":
        return [text]
    prefix = text[: len(text) - len(phrase(a.token, trim=TRIM))]
    return [prefix + v for v in phrase_variants(a.token, trim=TRIM)]


def _combos(groups: list[list[Arg]], limit: int = 8) -> list[list[Arg]]:
    """One argument per coordinated group: the product, capped at ``limit``."""
    combos: list[list[Arg]] = [[]]
    for grp in groups:
        if len(combos) * len(grp) > limit:
            grp = grp[:1]
        combos = [c + [a] for c in combos for a in grp]
    return combos


def _light_verb(clause: Clause, objs: list[list[Arg]]) -> tuple[str, Token] | None:
    """``made an offer on X``: a light verb's object noun and preposition join the
    relation (the noun carries the meaning)."""
    if lemma(clause.verb) not in LIGHT_VERBS or not objs or objs[0][0].kind != "dobj":
        return None
    noun = objs[0][0].token
    if noun.pos_ != "NOUN" or len(objs[0]) > 1:
        return None
    for prep in noun.children:
        if prep.dep_ == "prep" and prep.i > noun.i:
            pobjs = [p for p in prep.children if p.dep_ == "pobj"]
            if pobjs:
                words = [t for t in noun.subtree if t.i < prep.i] + [prep]
                return _span_text(words), pobjs[0]
    return None


def _adjective_prep(objs: list[list[Arg]]) -> tuple[str, Token] | None:
    """``responsible only for X``: adjective and preposition join the relation."""
    if not objs or objs[0][0].kind != "acomp":
        return None
    adj = objs[0][0].token
    for prep in adj.children:
        if prep.dep_ == "prep" and prep.i > adj.i:
            pobjs = [p for p in prep.children if p.dep_ in ("pobj", "pcomp")]
            if pobjs:
                words = [
                    t
                    for t in adj.subtree
                    if t.i <= prep.i
                    and t.i >= adj.left_edge.i
                    and (t.i < prep.i and t.head.i == adj.i or t.i in (adj.i, prep.i))
                ]
                return _span_text(words), pobjs[0]
    return None


def tuples_for_clause(clause: Clause) -> Iterator[tuple[str, list[str], Clause, str]]:
    """(relation, args, clause, shape) for one clause: one tuple per subject and
    per combination of coordinated arguments (``in the U.S. and Western Europe``
    gives two tuples, as Open IE benchmarks expect)."""
    if not clause.subjects:
        return
    rel_toks = relation_tokens(clause)
    rel = _span_text(rel_toks)
    if clause.pattern == "acl" and clause.verb.tag_ == "VBN" and clause.subjects:
        rel = f"{copula(clause.subjects[0])} {rel}"  # "The brew , called X" → is called
    inside = _clause_span(clause)
    objs = _groups([a for a in clause.args if a.kind in _OBJ_KINDS])
    preps = _groups([a for a in clause.args if a.kind in ("prep", "agent")])
    others = _groups([a for a in clause.args if a.kind in ("npadvmod", "advmod")])
    shape, rel_prep = "obj", None
    if not objs and preps:
        after = [g for g in preps if g[0].token.i > clause.verb.i]
        first = after[0] if after else preps[0]
        preps = [first] + [g for g in preps if g is not first]
        rel_prep, shape = first[0].prep, "prep"
    elif not objs:
        shape = "intrans"
    groups = objs + preps + others
    light = _light_verb(clause, objs)
    if light is not None:  # "made an offer on | He | the house"
        words, pobj = light
        rel = f"{rel} {words}"
        objs = [[Arg(pobj, "prep")]] + objs[1:]
        groups = objs + preps + others
        shape = "light"
    adj = _adjective_prep(objs)
    if adj is not None:  # "would be responsible only for | LTV | benefits"
        words, pobj = adj
        rel = f"{rel} {words}"
        groups = [[Arg(pobj, "prep")]] + objs[1:] + preps + others
        shape = "adjprep"
    for subj in clause.subjects:
        if clause.pattern in ("relcl", "acl"):  # the head noun, without its clauses
            arg1s = phrase_variants(subj, inside, trim=("appos", "relcl", "acl"))
        else:
            arg1s = phrase_variants(subj, trim=("appos",))
        if not rel:
            continue
        relation = f"{rel} {rel_prep.text}" if rel_prep is not None else rel
        for combo in _combos(groups):
            texts = [
                _arg_text(a, not (k == 0 and rel_prep is not None))
                for k, a in enumerate(combo)
            ]
            firsts = _first_variants(combo[0], texts[0]) if combo else [None]
            for arg1 in arg1s:
                for head_arg in firsts:
                    args = [arg1, *([head_arg] if head_arg is not None else [])]
                    if arg1:
                        yield relation, [*args, *texts[1:]], clause, shape


def extract_openie(doc: Doc) -> list[OpenIETuple]:
    """Open IE tuples of a (usually one-sentence) doc, most confident first."""
    out: list[OpenIETuple] = []
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for sent in doc.sents:
        for clause in find_clauses(list(sent)):
            for rel, args, cl, shape in tuples_for_clause(clause):
                key = (rel, tuple(args))
                if key in seen:
                    continue
                seen.add(key)
                out.append(
                    OpenIETuple(
                        score_tuple(cl, shape, args),
                        rel,
                        tuple(args),
                        f"{cl.pattern}/{shape}",
                    )
                )
        for nom in find_nominals(list(sent)):
            if nom.arg1_only_span is not None:
                a, b = nom.arg1_only_span
                arg1 = _span_text(sent.doc[a:b])
            else:
                arg1 = phrase(nom.arg1, nom.arg1_exclude)
            arg2 = (
                nom.arg2.text if nom.arg2_only else phrase(nom.arg2, nom.arg2_exclude)
            )
            key = (nom.relation, (arg1, arg2))
            if arg1 and arg2 and key not in seen:
                seen.add(key)
                out.append(
                    OpenIETuple(
                        score_nominal(nom.pattern, nom.relation),
                        nom.relation,
                        (arg1, arg2),
                        f"nominal/{nom.pattern}",
                    )
                )
    out.sort(key=lambda t: -t.confidence)
    return out


def run_openie(
    nlp: Language, lines: Iterable[str]
) -> Iterator[tuple[str, list[OpenIETuple]]]:
    """Pre-tokenised sentences (whitespace tokens) in, tuples out, in order."""
    texts = [line.rstrip("\n") for line in lines]
    docs = (Doc(nlp.vocab, words=t.split()) for t in texts if t.strip())
    kept = [t for t in texts if t.strip()]
    disable: list[str] = []
    for text, doc in zip(
        kept, nlp.pipe(docs, disable=disable, batch_size=256), strict=True
    ):
        yield text, extract_openie(doc)
