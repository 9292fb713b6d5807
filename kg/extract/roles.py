"""Roles and affiliations of people, from the words around their names.

Patterns (each with a test sentence in ``tests/test_extract.py``):

- role before the name: ``the prefect ... of the Pas-de-Calais region Denis Robin``,
  ``Governor of Washington Chris Gregoire``, ``NASA Administrator Charles Bolden``,
  ``New Zealand's Prime Minister John Key`` → (person, ``ROLE of``, org/place)
- role after the name: ``Fuad Basya, spokesman for the Indonesian military``,
  ``Jeff Rathke, the State Department Spokesperson,`` → (person, ``ROLE of``, org)
- affiliation: ``Cecile Bossy, from the ... NGO``, ``Lee Cheuk-yan of the Labour
  Party``, ``Demosisto's Nathan Law`` → (person, ``affiliated with``, org)
- ``X-based`` organisations: (org, ``based in``, X)

A bare role (no organisation found) is still kept on the person (schema:jobTitle).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from kg.extract.docindex import doc_index

ROLE_NOUNS = frozenset(
    """prefect president minister secretary spokesman spokeswoman spokesperson
    director chief head mayor governor administrator leader chairman chairwoman
    chair ceo founder co-founder creator member official ambassador commissioner
    commander general coordinator manager editor correspondent senator
    representative premier chancellor judge prosecutor attorney lawyer
    councillor councilor adviser advisor deputy king queen pope bishop captain
    coach professor researcher analyst economist scientist doctor activist
    curator instructor treasurer campaigner mp lawmaker legislator ceo cfo
    superintendent inspector chancellor minister""".split()
)
_ROLE_PREPS = ("of", "for", "at", "with", "in")
_AFFIL_PREPS = ("from", "of", "at", "with")
_ROLE_TYPES = ("Organization", "Place", "Group")
_AFFIL_TYPES = ("Organization",)
_BASED = frozenset({"based"})

EntityAt = Callable[[int], str | None]
TypeOf = Callable[[str], str]


@dataclass(frozen=True)
class RoleFact:
    """``person`` holds ``role`` (or None) in/at ``target`` token (or -1)."""

    person: str
    role: str | None
    predicate: str | None  # "prefect of", "affiliated with" or None for a bare role
    target: int
    confidence: float


def _is_role(tok: Token) -> bool:
    return tok.lower_ in ROLE_NOUNS and tok.pos_ in ("NOUN", "PROPN")


def _window_before(doc: Doc, span: Span) -> list[Token]:
    out: list[Token] = []
    first = doc_index(doc).sentence(span.start).start
    for t in reversed(list(doc[first : span.start])):
        if t.text in ('"', "“", "”") or t.pos_ in ("VERB", "AUX") or t.text == ";":
            break
        out.insert(0, t)
    return out


def _window_after(doc: Doc, span: Span) -> list[Token]:
    """``, the State Department Spokesperson ,`` or `` of the Labour Party``."""
    end = doc_index(doc).sentence(span.end - 1).end
    i = span.end
    if i < end and doc[i].text == ",":
        i += 1
    elif not (i < end and doc[i].lower_ in _AFFIL_PREPS):
        return []
    out: list[Token] = []
    for t in doc[i:end]:
        if t.text in (",", ".", ";", '"', "“", "”") or (
            t.pos_ in ("VERB", "AUX") and t.dep_ not in ("amod",)
        ):
            break
        out.append(t)
    return out


def _target_after_prep(
    window: list[Token],
    start: int,
    entity_at: EntityAt,
    type_of: TypeOf,
    types: tuple[str, ...],
    preps: tuple[str, ...],
) -> int | None:
    """The first entity after a preposition that follows position ``start``."""
    for k in range(start, len(window)):
        if window[k].lower_ in preps:
            return _first_entity(window[k + 1 :], entity_at, type_of, types)
    return None


def _target_before(
    window: list[Token], role_k: int, entity_at: EntityAt, type_of: TypeOf
) -> int | None:
    """``NASA Administrator``, ``Canada's PM``: the organisation before a role."""
    k = role_k - 1
    while k >= 0 and (
        window[k].dep_ in ("amod", "compound")
        and entity_at(window[k].i) is None
        or window[k].lower_ in ("'s", "’s", "former", "then")
    ):
        k -= 1
    if k >= 0:
        key = entity_at(window[k].i)
        if key is not None and type_of(key) in _ROLE_TYPES:
            return window[k].i
    return None


def _first_entity(
    window: list[Token], entity_at: EntityAt, type_of: TypeOf, types: tuple[str, ...]
) -> int | None:
    for t in window:
        key = entity_at(t.i)
        if key is not None and type_of(key) in types:
            return int(t.i)
    return None


def _possessor(
    doc: Doc, span: Span, entity_at: EntityAt, type_of: TypeOf
) -> int | None:
    """``Demosisto 's Nathan Law``: an organisation in the possessive right before."""
    i = span.start
    if i >= 2 and doc[i - 1].lower_ in ("'s", "’s"):
        key = entity_at(doc[i - 2].i)
        if key is not None and type_of(key) in _AFFIL_TYPES:
            return int(doc[i - 2].i)
    return None


def _facts_in(
    window: list[Token], key: str, entity_at: EntityAt, type_of: TypeOf, after: bool
) -> Iterator[RoleFact]:
    roles = [(k, t) for k, t in enumerate(window) if _is_role(t)]
    for k, r in roles:
        target = _target_after_prep(
            window, k + 1, entity_at, type_of, _ROLE_TYPES, _ROLE_PREPS
        )
        if target is None:
            target = _target_before(window, k, entity_at, type_of)
        if target is None and not after:
            # "the prefect, or the top administrator of the X region": shared "of"
            target = _target_after_prep(
                window, 0, entity_at, type_of, _ROLE_TYPES, ("of",)
            )
        role = r.lower_
        if target is not None and entity_at(target) != key:
            yield RoleFact(key, role, f"{role} of", target, 0.75)
        else:
            yield RoleFact(key, role, None, -1, 0.7)
    if after and not roles and window and window[0].lower_ in _AFFIL_PREPS:
        org = _first_entity(window, entity_at, type_of, _AFFIL_TYPES)
        if org is not None and entity_at(org) != key:
            yield RoleFact(key, None, "affiliated with", org, 0.7)


def find_roles(
    doc: Doc,
    person_spans: list[tuple[Span, str]],
    entity_at: EntityAt,
    entity_type: TypeOf,
) -> Iterator[RoleFact]:
    """Role and affiliation facts of every person mention."""
    for span, key in person_spans:
        # a title inside the mention ("Administrator Charles Bolden") is a role word
        start = span.start
        while start < span.end - 1 and doc[start].lower_ in ROLE_NOUNS:
            start += 1
        span = doc[start : span.end]
        yield from _facts_in(
            _window_before(doc, span), key, entity_at, entity_type, after=False
        )
        yield from _facts_in(
            _window_after(doc, span), key, entity_at, entity_type, after=True
        )
        org = _possessor(doc, span, entity_at, entity_type)
        if org is not None and entity_at(org) != key:
            yield RoleFact(key, None, "affiliated with", org, 0.65)


def find_based_in(doc: Doc, entity_at: EntityAt) -> Iterator[tuple[int, int]]:
    """(organisation token, place token) for ``the France-based Doctors...``."""
    for i in doc_index(doc).where("lower", _BASED):
        t = doc[i]
        if t.i >= 2 and doc[t.i - 1].text == "-":
            place = t.i - 2
            org = t.head
            if entity_at(place) and entity_at(org.i):
                yield org.i, place
