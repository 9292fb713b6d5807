"""Within-article entity resolution.

Mentions with the same normalised name merge; a shorter Person name that is the
surname (or first name) of a longer one merges into it, as does an acronym into
its expansion. Types are chosen by the strongest evidence. Pronouns resolve to
the single candidate of the right kind in the current and two preceding
sentences, or to nothing.
"""

from __future__ import annotations

import unicodedata
from collections import Counter

from kg.extract.entities import TITLES, MentionSpan
from kg.types import Entity, EntityType, Mention

_PERSONAL = {"he", "him", "his", "she", "her", "hers"}
_PLURAL = {"they", "them", "their", "theirs"}
_KEY_STRIP = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


def norm(name: str) -> str:
    """Comparison key of a name: Unicode-folded, case-folded, no titles."""
    folded = unicodedata.normalize("NFKD", name.translate(_KEY_STRIP))
    folded = "".join(c for c in folded if not unicodedata.combining(c)).casefold()
    words = [w for w in folded.replace(".", " ").split() if w]
    while len(words) > 1 and (words[0] in TITLES or words[0] + "." in TITLES):
        words = words[1:]
    return " ".join(words)


def _acronym(name: str) -> str:
    return "".join(w[0] for w in name.split() if w[:1].isupper())


class Resolution:
    """Entities of one article and the mapping of doc tokens to entity keys."""

    def __init__(self) -> None:
        self.entities: dict[str, Entity] = {}
        self.token_entity: dict[int, str] = {}
        self._strength: dict[str, Counter[EntityType]] = {}
        # (sentence, token index, is_subject) of every mention, for pronouns
        self.positions: dict[str, list[tuple[int, int, bool]]] = {}

    def entity_at(self, token_i: int) -> str | None:
        return self.token_entity.get(token_i)


def resolve_entities(
    mentions: list[MentionSpan],
    offsets: list[tuple[int, int]],
    subjects: frozenset[int] = frozenset(),
) -> Resolution:
    """Merge the mentions of one article into entities.

    Args:
        mentions: typed mention spans from :func:`kg.extract.entities.find_mentions`.
        offsets: character (start, end) of each doc token.
        subjects: token indexes that are clause arguments (subjects, direct
            objects): the salient antecedents pronouns prefer.
    """
    res = Resolution()
    by_norm: dict[str, str] = {}
    # longest names first, so partial names find their full form
    for m in sorted(mentions, key=lambda m: (-len(m.text), m.start)):
        key = norm(m.text)
        if not key:
            continue
        target = by_norm.get(key) or _partial_match(key, m, res, by_norm)
        if target is None:
            target = f"e{len(res.entities)}"
            res.entities[target] = Entity(key=target, name=m.text, type=m.type)
            res._strength[target] = Counter()
            by_norm[key] = target
        ent = res.entities[target]
        ent.aliases.add(m.text)
        ent.mentions.append(
            Mention(m.text, m.sentence, offsets[m.start][0], offsets[m.end - 1][1])
        )
        res._strength[target][m.type] += m.strength
        is_subj = any(i in subjects for i in range(m.start, m.end))
        res.positions.setdefault(target, []).append((m.sentence, m.start, is_subj))
        for i in range(m.start, m.end):
            res.token_entity[i] = target
    for key, ent in res.entities.items():
        ent.type = res._strength[key].most_common(1)[0][0]
        ent.aliases.discard(ent.name)
        ent.mentions.sort(key=lambda mm: mm.start)
    return res


def _partial_match(
    key: str, m: MentionSpan, res: Resolution, by_norm: dict[str, str]
) -> str | None:
    """A longer entity this mention is a part or acronym of, if exactly one."""
    words = key.split()
    found: set[str] = set()
    for full, target in by_norm.items():
        ent = res.entities[target]
        fwords = full.split()
        if len(words) < len(fwords) and m.type in ("Person", "Organization"):
            if (
                ent.type == "Person"
                and len(words) == 1
                and words[0] in (fwords[-1], fwords[0])
            ):
                found.add(target)
        if m.text.isupper() and 2 <= len(m.text) <= 6 and ent.type == "Organization":
            if _acronym(ent.name) == m.text:
                found.add(target)
    return found.pop() if len(found) == 1 else None


def resolve_pronoun(
    word: str, sentence: int, token_i: int, res: Resolution
) -> str | None:
    """The entity a pronoun refers to, when unambiguous.

    Candidates are entities of the right kind (he/she: Person; they: Group)
    mentioned before the pronoun in its sentence or the two before it; when
    several are, the single one that is a clause argument (not buried in a
    prepositional phrase) wins. Returns None when no single candidate remains.
    """
    low = word.casefold()
    if low in _PERSONAL:
        kind = "Person"
    elif low in _PLURAL:
        kind = "Group"
    else:
        return None
    for window in (0, 1, 2):
        cands: dict[str, bool] = {}
        for key, places in res.positions.items():
            if res.entities[key].type != kind:
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
