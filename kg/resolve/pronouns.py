"""Pronouns to entities, only when the antecedent is unambiguous."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kg.resolve.resolver import Resolution

_PERSONAL = frozenset({"he", "him", "his", "she", "her", "hers", "himself", "herself"})
_PLURAL = frozenset({"they", "them", "their", "theirs", "themselves"})
_NEUTER = frozenset({"it", "its", "itself"})
_KINDS: dict[str, frozenset[str]] = {
    "person": frozenset({"Person"}),
    "plural": frozenset({"Group"}),
    "neuter": frozenset({"Organization", "Place", "Product"}),
}


def _kinds(word: str) -> frozenset[str]:
    low = word.casefold()
    if low in _PERSONAL:
        return _KINDS["person"]
    if low in _PLURAL:
        return _KINDS["plural"]
    if low in _NEUTER:
        return _KINDS["neuter"]
    return frozenset()


def resolve_pronoun(
    word: str,
    sentence: int,
    token_i: int,
    res: Resolution,
    *,
    dep: str | None = None,
) -> str | None:
    """The entity a pronoun refers to, when unambiguous.

    Candidates are entities of the right kind (he/she: Person; they: Group;
    it: Organization, Place or Product) mentioned before the pronoun in its
    sentence or the two before it, nearest window first; when several are,
    the single one that is a clause argument (not buried in a prepositional
    phrase) wins. Returns None when no single candidate remains, and for an
    expletive ``it`` (pass the token's ``dep`` to detect ``expl``).

    Example:
        >>> resolve_pronoun("they", 1, 9, res)  # doctest: +SKIP
        'e0'
    """
    kinds = _kinds(word)
    if not kinds or (dep == "expl" and word.casefold() in _NEUTER):
        return None
    for window in (0, 1, 2):
        cands: dict[str, bool] = {}
        for key, places in res.positions.items():
            if res.entities[key].type not in kinds:
                continue
            for sent, tok, subj in places:
                if sentence - window <= sent <= sentence and tok < token_i:
                    cands[key] = cands.get(key, False) or subj
        if len(cands) == 1:
            return next(iter(cands))
        subjects = [k for k, subj in cands.items() if subj]
        if len(subjects) == 1:
            return subjects[0]
        if cands:
            return None
    return None
