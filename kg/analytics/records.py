"""Reading the store for the documents: ids and IRIs, rows, names.

Shared by the entity panel (:mod:`kg.analytics.entity`), the article view
(:mod:`kg.analytics.documents`) and the overview (:mod:`kg.analytics.overview`).

Example:
    >>> entity_id("https://kg.example/id/person/cecile-bossy")
    'person/cecile-bossy'
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from kg.analytics.convert import check_iri
from kg.config import DEFAULT_BASE_IRI
from kg.errors import InputError
from kg.graph.iris import Minter
from kg.vocab import TYPE_CLASSES, sparql_prefixes

if TYPE_CHECKING:
    from kg.store.base import Store

__all__ = ["Iri", "entity_id", "entity_iri"]

TOP = 10
_CLASSES = " ".join(f"<{iri}>" for iri in TYPE_CLASSES.values())
_TYPE_NAMES = {str(iri): name for name, iri in TYPE_CLASSES.items()}
_TYPE_RANK = {name: i for i, name in enumerate(TYPE_CLASSES)}
_ENTITY_ID = re.compile(r"([a-z]+)/([^\s/<>\"{}|^`\\]+)")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MAX_ID = 2000


# -- ids and IRIs ---------------------------------------------------------------------


def _id_prefix(base: str) -> str:
    return f"{Minter(base).base}id/"


def entity_id(iri: str, *, base: str = DEFAULT_BASE_IRI) -> str:
    """The short id of an entity IRI (``.../id/person/x`` → ``person/x``).

    Raises:
        InputError: ``iri`` is not an entity IRI under ``base``.
    """
    prefix = _id_prefix(base)
    rest = iri[len(prefix) :] if iri.startswith(prefix) else ""
    if not _ENTITY_ID.fullmatch(rest):
        raise InputError(
            f"not an entity IRI: {iri!r} (expected e.g. {prefix}person/cecile-bossy)"
        )
    return rest


def entity_iri(id_: str, *, base: str = DEFAULT_BASE_IRI) -> str:
    """The IRI of a short entity id (``person/x`` → ``.../id/person/x``).

    A decoded non-ASCII name (``person/中村``) is percent-encoded as minted.

    Raises:
        InputError: ``id_`` is not ``type/name``.
    """
    kind, _, name = id_.partition("/")
    if not (re.fullmatch(r"[a-z]+", kind) and name) or re.search(
        r"[\s/\x00-\x1f\x7f]", name
    ):
        raise InputError(
            f"not an entity id: {id_!r} (expected e.g. person/cecile-bossy)"
        )
    return check_iri(f"{_id_prefix(base)}{kind}/{quote(name, safe='%-._~')}")


def _maybe_id(iri: str | None, base: str) -> str | None:
    try:
        return entity_id(iri, base=base) if iri else None
    except InputError:
        return None


def _article_graph(article_id: str, base: str) -> str:
    if not article_id or len(article_id) > _MAX_ID or _CONTROL.search(article_id):
        raise InputError(
            f"not an article id: {article_id!r} (1 to {_MAX_ID} characters, "
            "no control characters)"
        )
    return check_iri(str(Minter(base).article_graph(article_id)))


# -- reading rows ---------------------------------------------------------------------


class Iri(str):
    """An IRI read from the store (a ``str``), told apart from a literal's text."""


def _value(term: Any) -> Any:
    """A pyoxigraph term (or None) as a plain Python value; IRIs as :class:`Iri`."""
    if term is None:
        return None
    value = term.value
    if not hasattr(term, "datatype"):  # a named or blank node
        return Iri(value) if type(term).__name__ == "NamedNode" else f"_:{value}"
    datatype = getattr(getattr(term, "datatype", None), "value", "")
    if datatype.endswith(("#double", "#decimal", "#float")):
        return float(value)
    if datatype.endswith("#integer"):
        return int(value)
    if datatype.endswith("#boolean"):
        return value in ("true", "1")
    return value


def _rows(store: Store, sparql: str, **dataset: Any) -> list[dict[str, Any]]:
    results = store.query(sparql_prefixes() + sparql, **dataset)
    names = [v.value for v in results.variables]
    return [{n: _value(row[n]) for n in names} for row in results]


def _values(iris: Iterable[str]) -> str:
    return " ".join(f"<{check_iri(iri)}>" for iri in sorted(set(iris)))


# -- names ---------------------------------------------------------------------------

# per entity and graph: its types, labels, other names and roles
_NAMES = f"""
SELECT ?e ?kind ?value (COUNT(DISTINCT ?g) AS ?n) WHERE {{
  VALUES ?e {{ %s }}
  GRAPH ?g {{
    {{ VALUES ?value {{ {_CLASSES} }} ?e a ?value . BIND("type" AS ?kind) }}
    UNION {{ ?e rdfs:label ?value . BIND("label" AS ?kind) }}
    UNION {{ ?e skos:altLabel ?value . BIND("alt" AS ?kind) }}
    UNION {{ ?e schema:jobTitle ?value . BIND("role" AS ?kind) }}
  }}
}} GROUP BY ?e ?kind ?value
"""


def _local_name(iri: str) -> str:
    return iri.rstrip("/#").rsplit("/", 1)[-1].replace("-", " ")


def _pick_names(
    iri: str, found: dict[str, list[tuple[str, int]]], base: str
) -> dict[str, Any]:
    """The label (the most used one, then the longest), aliases, type and roles."""
    labels = sorted(found.get("label", []), key=lambda vn: (-vn[1], -len(vn[0]), vn[0]))
    label = labels[0][0] if labels else _local_name(iri)
    others = {v for v, _ in labels[1:]} | {v for v, _ in found.get("alt", [])}
    types = sorted(
        (_TYPE_NAMES[v] for v, _ in found.get("type", []) if v in _TYPE_NAMES),
        key=_TYPE_RANK.__getitem__,
    )
    return {
        "iri": iri,
        "id": _maybe_id(iri, base),
        "label": label,
        "aliases": sorted(others - {label}, key=str.casefold),
        "type": types[0] if types else "Thing",
        "typed": bool(types),
        "roles": sorted({v for v, _ in found.get("role", [])}, key=str.casefold),
    }


def _names(store: Store, iris: Iterable[str], base: str) -> dict[str, dict[str, Any]]:
    """Names of each IRI over all article graphs (one query)."""
    iris = set(iris)
    found: dict[str, dict[str, list[tuple[str, int]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    if iris:
        for r in _rows(store, _NAMES % _values(iris)):
            found[r["e"]][r["kind"]].append((r["value"], r["n"]))
    return {iri: _pick_names(iri, found[iri], base) for iri in iris}


def _brief(info: dict[str, Any]) -> dict[str, Any]:
    return {k: info[k] for k in ("iri", "id", "label", "type")}
