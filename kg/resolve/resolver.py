"""Within-article entity resolution.

- Mentions with the same normalised name (case, accents, dots, titles and
  ``'s`` folded) merge, unless both carry strong evidence for different types
  (a name a rule calls a Place and another rule an Organization stays two).
- A one-word name that is the surname or first name of exactly one longer
  Person name merges into it (``John Smith`` ... ``Smith``); with two
  candidates (``John Smith``, ``Mary Smith``) it stays apart.
- ``NAME (ACR)`` makes ACR an alias; a bare acronym equal to the initials of
  exactly one Organization or Place name merges into it (``NASA``).
- A title (``Prime Minister John Key``) is split off as a role and an alias.
- Abbreviated known places expand (``U.S.`` -> ``United States``).
- The label is the best form seen (mixed case, diacritics, most complete).
- A Group named with a demonym (``French police``) is linked to its place
  (``place_of_group``), which is created when the article never names it.
- Group counts (``about 650 migrants``) are kept per token (``counts``).

Pronouns are resolved by :func:`kg.resolve.pronouns.resolve_pronoun`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from kg.extract.entities import MentionSpan
from kg.extract.gazetteer import canonical_place, demonym_place, fold, place_names
from kg.resolve.names import (
    acronym_key,
    best_label,
    initials,
    is_acronym,
    norm,
    split_paren,
    split_title,
)
from kg.resolve.pronouns import resolve_pronoun
from kg.types import Entity, EntityType, Mention

__all__ = ["Resolution", "norm", "resolve_entities", "resolve_pronoun"]


class Resolution:
    """Entities of one article and the mapping of doc tokens to entity keys."""

    def __init__(self) -> None:
        self.entities: dict[str, Entity] = {}
        self.token_entity: dict[int, str] = {}
        # (sentence, token index, is_subject) of every mention, for pronouns
        self.positions: dict[str, list[tuple[int, int, bool]]] = {}
        self.counts: dict[int, int] = {}  # token index -> count of its group
        self.place_of_group: dict[str, list[str]] = {}  # group key -> place keys
        self._evidence: dict[str, Counter[EntityType]] = {}
        self._strong: dict[str, set[EntityType]] = {}
        self._forms: dict[str, list[tuple[str, int]]] = {}
        self._primary: dict[str, str] = {}

    def entity_at(self, token_i: int) -> str | None:
        return self.token_entity.get(token_i)

    def new_entity(self, name: str, etype: EntityType, key: str) -> str:
        target = f"e{len(self.entities)}"
        self.entities[target] = Entity(key=target, name=name, type=etype)
        self._evidence[target] = Counter()
        self._strong[target] = set()
        self._forms[target] = []
        self._primary[target] = key
        return target

    def current_type(self, target: str) -> EntityType:
        return self._evidence[target].most_common(1)[0][0]


@dataclass(frozen=True)
class _Name:
    name: str
    role: str | None
    acronym: str | None


def _parse(m: MentionSpan) -> _Name:
    name, acr = split_paren(m.text)
    role = None
    if m.type == "Person":
        role, name = split_title(name)
    elif m.type == "Place":
        name = canonical_place(name) or name
    return _Name(name, role, acr)


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

    Example:
        >>> res = resolve_entities(find_mentions(doc), offsets)  # doctest: +SKIP
        >>> res.entities[res.entity_at(0)].name  # doctest: +SKIP
        'John Key'
    """
    res = Resolution()
    by_norm: dict[str, list[str]] = {}
    parsed = [(m, _parse(m)) for m in mentions]
    # longest names first, so partial names find their full form
    parsed.sort(
        key=lambda p: (-len(norm(p[1].name).split()), -len(p[1].name), p[0].start)
    )
    for m, n in parsed:
        key = norm(n.name)
        if not key:
            continue
        target = _exact(res, by_norm.get(key, []), m) or _partial(res, by_norm, n, m)
        if target is None:
            target = res.new_entity(n.name, m.type, key)
        for k in (key, norm(n.acronym or "")):
            if k and target not in by_norm.setdefault(k, []):
                by_norm[k].append(target)
        _add(res, target, m, n, offsets, subjects)
    for target, ent in res.entities.items():
        _finish(res, target, ent)
    _link_group_places(res)
    return res


def _compatible(res: Resolution, target: str, m: MentionSpan) -> bool:
    """Same type, or weak evidence on one side of a type clash."""
    if m.type in res._evidence[target]:
        return True
    return not (m.strength >= 3 and res._strong[target])


def _exact(res: Resolution, targets: list[str], m: MentionSpan) -> str | None:
    return next((t for t in targets if _compatible(res, t, m)), None)


def _partial(
    res: Resolution, by_norm: dict[str, list[str]], n: _Name, m: MentionSpan
) -> str | None:
    """The one longer entity this mention is a part or an acronym of.

    A surname or first name of a Person (``Smith``), the last word of a
    Product (``Atlantis`` for ``Space Shuttle Atlantis``), the initials of an
    Organization or Place (``NASA``).
    """
    found: set[str] = set()
    words = norm(n.name).split()
    strong_place = m.type == "Place" and m.strength >= 3
    if len(words) == 1 and m.type != "Group" and not strong_place:
        for full, targets in by_norm.items():
            fwords = full.split()
            if len(fwords) < 2 or words[0] not in (fwords[0], fwords[-1]):
                continue
            for t in targets:
                kind = res.current_type(t)
                if res._primary[t] == full and (
                    kind == "Person" or (kind == "Product" and words[0] == fwords[-1])
                ):
                    found.add(t)
    if is_acronym(n.name) and m.type not in ("Person", "Group"):
        acr = acronym_key(n.name)
        for t, ent in res.entities.items():
            if res.current_type(t) in ("Organization", "Place") and " " in ent.name:
                if initials(ent.name) == acr:
                    found.add(t)
    return found.pop() if len(found) == 1 else None


def _add(
    res: Resolution,
    target: str,
    m: MentionSpan,
    n: _Name,
    offsets: list[tuple[int, int]],
    subjects: frozenset[int],
) -> None:
    ent = res.entities[target]
    surface = m.text if n.acronym is None else n.name
    ent.aliases.update(a for a in (surface, n.name, n.acronym) if a)
    if norm(n.name) == res._primary[target]:
        res._forms[target].append((n.name, m.start))
    if n.role:
        ent.roles.add(n.role)
    ent.mentions.append(
        Mention(m.text, m.sentence, offsets[m.start][0], offsets[m.end - 1][1])
    )
    res._evidence[target][m.type] += m.strength
    if m.strength >= 3:
        res._strong[target].add(m.type)
    is_subj = any(i in subjects for i in range(m.start, m.end))
    res.positions.setdefault(target, []).append((m.sentence, m.start, is_subj))
    for i in range(m.start, m.end):
        res.token_entity[i] = target
        if m.count is not None:
            res.counts[i] = m.count


def _finish(res: Resolution, target: str, ent: Entity) -> None:
    """Final type (strong evidence first) and label of an entity."""
    evidence = res._evidence[target]
    strong = res._strong[target]
    pool = {t: s for t, s in evidence.items() if t in strong} or dict(evidence)
    ent.type = max(pool, key=lambda t: pool[t])
    if res._forms[target]:
        ent.name = best_label(res._forms[target])
    ent.aliases.discard(ent.name)
    ent.mentions.sort(key=lambda mm: mm.start)


def _link_group_places(res: Resolution) -> None:
    """``French police`` -> France; the place entity is created if missing."""
    for key, ent in list(res.entities.items()):
        if ent.type != "Group":
            continue
        places = [
            place
            for word in re.split(r"[\s-]+", ent.name)
            if word[:1].isupper() and (place := demonym_place(word))
        ]
        keys = [_place_entity(res, p) for p in dict.fromkeys(places)]
        if keys:
            res.place_of_group[key] = keys


def _place_entity(res: Resolution, place: str) -> str:
    names = place_names(place) | {fold(place)}
    for key, ent in res.entities.items():
        if ent.type == "Place" and fold(ent.name) in names:
            return key
    key = res.new_entity(place, "Place", norm(place))
    res._evidence[key]["Place"] += 1
    return key
