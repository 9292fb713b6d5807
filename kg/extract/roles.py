"""Roles and affiliations from appositions and titles.

- ``Cecile Bossy, from the France-based Doctors of the World NGO`` gives
  (Cecile Bossy, affiliated with, Doctors of the World NGO); ``France-based``
  gives (Doctors of the World NGO, based in, France).
- ``the prefect, or the top administrator of the Pas-de-Calais region Denis
  Robin`` gives the roles prefect and administrator, and (Denis Robin, prefect
  of, Pas-de-Calais), (Denis Robin, administrator of, Pas-de-Calais).
- ``Denis Robin, the prefect of Pas-de-Calais,`` and ``President Bush`` alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from spacy.tokens import Doc, Span, Token

ROLE_NOUNS = frozenset(
    """prefect president minister secretary spokesman spokeswoman spokesperson
    director chief head mayor governor administrator leader chairman chairwoman
    chair ceo founder member official ambassador commissioner commander
    general coordinator manager editor correspondent senator representative
    premier chancellor judge prosecutor attorney lawyer councillor councilor
    adviser advisor deputy king queen pope bishop captain coach professor
    researcher analyst economist scientist doctor activist""".split()
)
_AFFIL_HEADS = ("from", "of", "with", "at", "for")
_AFFIL_ROLES = (
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "member",
    "director",
    "head",
    "chief",
    "official",
    "representative",
    "researcher",
)
_TYPES_AFFIL = ("Organization",)
_TYPES_ROLE_OF = ("Organization", "Place")


def find_roles(
    doc: Doc,
    person_spans: list[tuple[Span, str]],
    entity_at: Callable[[int], str | None],
    entity_type: Callable[[str], str],
) -> Iterator[tuple[str, str | None, str | None, float, int]]:
    """Yield (person key, role or None, predicate or None, confidence, token) facts.

    ``(key, "prefect", "prefect of", conf, i)`` with the object found through
    ``entity_at`` at token ``i``; ``(key, "prefect", None, conf, -1)`` for a bare
    role; ``(key, None, "affiliated with", conf, i)`` for an affiliation.
    """
    for span, key in person_spans:
        sent = span.sent
        # window before the name: back to the sentence start, a quote or a verb
        before: list[Token] = []
        for t in reversed(list(doc[sent.start : span.start])):
            if t.text in ('"', "“", "”") or t.pos_ == "VERB":
                break
            before.insert(0, t)
        # window after the name: an apposition up to the closing comma
        after: list[Token] = []
        if span.end < sent.end and doc[span.end].text == ",":
            for t in doc[span.end + 1 : sent.end]:
                if t.text in (",", ".", ";") or t.pos_ == "VERB" and t.dep_ != "amod":
                    break
                after.append(t)
        for window in (before, after):
            roles = [
                t
                for t in window
                if t.lower_ in ROLE_NOUNS
                and t.pos_ == "NOUN"
                or (t.lower_ in ROLE_NOUNS and t.i == span.start - 1)
            ]
            target = _of_target(window, entity_at, entity_type)
            for r in roles:
                role = r.lower_
                if target is not None:
                    yield key, role, f"{role} of", 0.75, target
                else:
                    yield key, role, None, 0.7, -1
            if (
                window is after
                and window
                and window[0].lower_ in _AFFIL_HEADS + ("a", "an", "the")
            ):
                org = _first_entity(window, entity_at, entity_type, _TYPES_AFFIL)
                if org is not None and (
                    window[0].lower_ in _AFFIL_HEADS
                    or any(t.lower_ in _AFFIL_ROLES for t in window)
                ):
                    yield key, None, "affiliated with", 0.7, org


def _of_target(
    window: list[Token],
    entity_at: Callable[[int], str | None],
    entity_type: Callable[[str], str],
) -> int | None:
    for k, t in enumerate(window):
        if t.lower_ == "of" and k > 0:
            return _first_entity(
                window[k + 1 :], entity_at, entity_type, _TYPES_ROLE_OF
            )
    return None


def _first_entity(
    window: list[Token],
    entity_at: Callable[[int], str | None],
    entity_type: Callable[[str], str],
    types: tuple[str, ...],
) -> int | None:
    for t in window:
        key = entity_at(t.i)
        if key is not None and entity_type(key) in types:
            return int(t.i)
    return None


def find_based_in(
    doc: Doc, entity_at: Callable[[int], str | None]
) -> Iterator[tuple[int, int]]:
    """(organisation token, place token) for ``the France-based Doctors...``."""
    for t in doc:
        if t.lower_ == "based" and t.i >= 2 and doc[t.i - 1].text == "-":
            place = t.i - 2
            org = t.head
            if entity_at(place) and entity_at(org.i):
                yield org.i, place
