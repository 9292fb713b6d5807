"""SHACL check of built graphs against ``ontology/shapes.ttl``.

The shapes and the ontology are parsed once per process. Validation runs pyshacl
without inference (targets match asserted types and the subclass axioms of
``ontology/kg.ttl``), with warnings allowed and SHACL-AF features off.

Example:
    >>> from rdflib import Graph
    >>> validate_graph(Graph()).conforms
    True
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyshacl
from rdflib import Graph, URIRef
from rdflib.graph import ConjunctiveGraph, Dataset
from rdflib.namespace import RDF, SH

import kg

log = logging.getLogger(__name__)

ONTOLOGY_DIR = Path(kg.__file__).resolve().parent.parent / "ontology"
SHAPES_PATH = ONTOLOGY_DIR / "shapes.ttl"
ONTOLOGY_PATH = ONTOLOGY_DIR / "kg.ttl"


@dataclass(frozen=True)
class ValidationResult:
    """Outcome of a SHACL check: conformance, pyshacl's text report, violation count."""

    conforms: bool
    report: str
    violations: int


@cache
def load_shapes() -> Graph:
    """The SHACL shapes of ``ontology/shapes.ttl`` (parsed once; do not mutate)."""
    return Graph(bind_namespaces="core").parse(SHAPES_PATH, format="turtle")


@cache
def load_ontology() -> Graph:
    """The OWL ontology of ``ontology/kg.ttl`` (parsed once; do not mutate)."""
    return Graph(bind_namespaces="core").parse(ONTOLOGY_PATH, format="turtle")


def validate_graph(
    data: Graph | Dataset, *, shapes: Graph | None = None
) -> ValidationResult:
    """Check ``data`` against the project shapes (or ``shapes``, when given).

    A Dataset (or any multi-graph store) is validated as the union of its graphs.

    Example:
        >>> validate_graph(Dataset()).violations
        0
    """
    conforms, results, text = pyshacl.validate(
        _union(data),
        shacl_graph=shapes if shapes is not None else load_shapes(),
        ont_graph=load_ontology(),
        inference="none",
        allow_warnings=True,
        advanced=False,
    )
    assert isinstance(results, Graph)
    violations = sum(
        1
        for result in results.subjects(RDF.type, SH.ValidationResult)
        if results.value(result, SH.resultSeverity) == SH.Violation
    )
    if not conforms:
        log.debug("graph does not conform: %d violations", violations)
    return ValidationResult(bool(conforms), str(text), violations)


def _union(data: Graph | Dataset) -> Graph:
    """``data`` itself, or one Graph holding the triples of all its named graphs."""
    if not isinstance(data, ConjunctiveGraph):
        return data
    union = Graph(bind_namespaces="core")
    for s, p, o, _ in data.quads((None, None, None, None)):
        union.add((s, p, o))
    for prefix, ns in data.namespaces():
        union.bind(prefix, URIRef(ns))
    return union


__all__ = [
    "ValidationResult",
    "load_ontology",
    "load_shapes",
    "validate_graph",
]
