"""The explorer's view filter: every field a URL parameter, checked on the way in.

Example:
    >>> f = GraphFilter.from_params({"type": "person", "min_conf": "0.5"})
    >>> f.to_params()
    {'type': ['Person'], 'min_conf': '0.5'}
    >>> after("2014-06", "2014-05-28")
    True
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from kg.analytics.convert import MAX_HOPS, check_iri
from kg.analytics.metrics import MEASURES
from kg.errors import InputError
from kg.vocab import TYPE_CLASSES

__all__ = ["MAX_TEXT", "MAX_TOP", "GraphFilter", "after"]

MAX_TOP = 20_000  # actors a view may show
MAX_TEXT = 200  # characters of the ``q`` search


# -- filters -------------------------------------------------------------------------

_PARTIAL_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


@dataclass(frozen=True)
class GraphFilter:
    """What a view of the actor graph shows; every field is a URL parameter.

    ``types``: type names (``type``); ``predicates``: relation labels or IRIs
    (``predicate``); ``sources``: publisher labels (``source``); ``date_from`` /
    ``date_to``: ISO dates, a year or a month, inclusive (``from``, ``to``);
    ``min_confidence`` (``min_conf``); ``min_degree``; ``text``: case-insensitive
    part of a name, its actors and their neighbours are kept (``q``); ``entity``
    and ``hops``: a neighbourhood; ``top``: actors shown, the most central by
    ``centrality``; ``communities``: colour by community.
    """

    types: tuple[str, ...] = ()
    predicates: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None
    min_confidence: float = 0.0
    min_degree: int = 0
    text: str = ""
    entity: str | None = None
    hops: int = 1
    top: int = 300
    centrality: str = "degree"
    communities: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "types", tuple(map(_type_name, self.types)))
        for name in ("predicates", "sources"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        for param, value in (("from", self.date_from), ("to", self.date_to)):
            if value is not None:
                _check_date(param, value)
        if self.date_from and self.date_to and after(self.date_from, self.date_to):
            raise InputError(
                f"from: {self.date_from!r} is after to: {self.date_to!r}; "
                "give from ≤ to"
            )
        _check_ranges(self)

    @classmethod
    def from_params(cls, params: Mapping[str, str | list[str]]) -> GraphFilter:
        """The filter of a URL query (list values: repeated parameters).

        ``type``, ``predicate``, ``source`` may repeat or hold comma-separated
        values; empty values count as absent; unknown parameters are ignored.

        Raises:
            InputError: a value is invalid (the message names the parameter).
        """
        one = _Params(params)
        return cls(
            types=one.many("type"),
            predicates=one.many("predicate"),
            sources=one.many("source"),
            date_from=one.get("from"),
            date_to=one.get("to"),
            min_confidence=one.number("min_conf", float, 0.0),
            min_degree=one.number("min_degree", int, 0),
            text=one.get("q") or "",
            entity=one.get("entity"),
            hops=one.number("hops", int, 1),
            top=one.number("top", int, 300),
            centrality=one.get("centrality") or "degree",
            communities=one.flag("communities", True),
        )

    def to_params(self) -> dict[str, str | list[str]]:
        """URL parameters that :meth:`from_params` reads back; defaults left out."""
        out: dict[str, str | list[str]] = {}
        for name, values in (
            ("type", self.types),
            ("predicate", self.predicates),
            ("source", self.sources),
        ):
            if values:
                out[name] = list(values)
        defaults = GraphFilter()
        for name, field in _SCALARS:
            value = getattr(self, field)
            if value != getattr(defaults, field):
                out[name] = _param_text(value)
        return out


_SCALARS = (
    ("from", "date_from"),
    ("to", "date_to"),
    ("min_conf", "min_confidence"),
    ("min_degree", "min_degree"),
    ("q", "text"),
    ("entity", "entity"),
    ("hops", "hops"),
    ("top", "top"),
    ("centrality", "centrality"),
    ("communities", "communities"),
)


def _param_text(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return repr(value) if isinstance(value, float) else str(value)


class _Params:
    """Reads one URL parameter at a time, naming it in every error."""

    def __init__(self, params: Mapping[str, str | list[str]]) -> None:
        self.params = params

    def values(self, name: str) -> list[str]:
        raw = self.params.get(name, [])
        return [v.strip() for v in ([raw] if isinstance(raw, str) else raw)]

    def many(self, name: str) -> tuple[str, ...]:
        parts = (p.strip() for v in self.values(name) for p in v.split(","))
        return tuple(dict.fromkeys(p for p in parts if p))

    def get(self, name: str) -> str | None:
        given = [v for v in self.values(name) if v]
        return given[-1] if given else None

    def number(self, name: str, kind: type[int] | type[float], default: Any) -> Any:
        value = self.get(name)
        if value is None:
            return default
        try:
            return kind(value)
        except ValueError:
            what = "a whole number" if kind is int else "a number"
            raise InputError(f"{name}: expected {what}, got {value!r}") from None

    def flag(self, name: str, default: bool) -> bool:
        value = self.get(name)
        if value is None:
            return default
        if value.lower() in _TRUE + _FALSE:
            return value.lower() in _TRUE
        raise InputError(f"{name}: expected 1 or 0 (true/false), got {value!r}")


def _type_name(value: str) -> str:
    for name in TYPE_CLASSES:
        if name.lower() == value.lower():
            return name
    raise InputError(f"type: unknown type {value!r}; valid: {', '.join(TYPE_CLASSES)}")


def _check_date(param: str, value: str) -> None:
    """A year, a month or a day in ISO form that exists."""
    if _PARTIAL_DATE.fullmatch(value):
        try:
            date.fromisoformat((value + "-01-01")[:10])
            return
        except ValueError:
            pass
    raise InputError(
        f"{param}: expected an ISO date (2014-05-28, 2014-05 or 2014), got {value!r}"
    )


def after(first: str, second: str) -> bool:
    """True when the period ``first`` starts after the period ``second`` ends."""
    n = min(len(first), len(second))
    return first[:n] > second[:n]


def _check_ranges(f: GraphFilter) -> None:
    checks = (
        ("min_conf", f.min_confidence, 0.0 <= f.min_confidence <= 1.0, "0 to 1"),
        ("min_degree", f.min_degree, f.min_degree >= 0, "0 or more"),
        ("hops", f.hops, 1 <= f.hops <= MAX_HOPS, f"1 to {MAX_HOPS}"),
        ("top", f.top, 1 <= f.top <= MAX_TOP, f"1 to {MAX_TOP}"),
        ("q", f.text, len(f.text) <= MAX_TEXT, f"at most {MAX_TEXT} characters"),
        ("centrality", f.centrality, f.centrality in MEASURES, ", ".join(MEASURES)),
    )
    for name, value, ok, valid in checks:
        if not ok:
            raise InputError(f"{name}: {value!r} is out of range; valid: {valid}")
    if f.entity is not None:
        try:
            check_iri(f.entity)
        except InputError as exc:
            raise InputError(f"entity: {exc}") from None
