"""Confidence of an extraction: its pattern's precision on CaRB dev, adjusted.

``BASE`` is the mean precision of each (pattern, shape) on the CaRB dev split,
estimated by ``benchmarks/calibrate_carb.py`` into ``data/confidence.json``;
``LENGTH`` multiplies it by how
argument length moves precision. Negation, modality and reported speech are
qualifiers of the statement, not doubts about the extraction, and the graph
records them separately.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from kg.extract.clauses import Clause

_TABLE = json.loads((Path(__file__).parent / "data" / "confidence.json").read_text())
BASE: dict[str, float] = _TABLE["base"]
LENGTH: dict[str, float] = _TABLE["length"]
DEFAULT = 0.5


def length_bucket(args: Sequence[str]) -> str:
    """Coarse shape of the arguments: subject and object length, number of arguments."""
    n1 = len(args[0].split()) if args else 0
    a1 = "s1" if n1 <= 1 else "s3" if n1 <= 3 else "s7" if n1 <= 7 else "s8+"
    n2 = len(args[1].split()) if len(args) > 1 else 0
    a2 = "o0" if n2 == 0 else "o3" if n2 <= 3 else "o9" if n2 <= 9 else "o10+"
    return f"{a1}/{a2}/a{min(len(args), 4)}"


def score(pattern: str, args: Sequence[str]) -> float:
    """A number in [0, 1]; higher means more likely correct."""
    base = BASE.get(pattern, DEFAULT) * LENGTH.get(length_bucket(args), 1.0)
    return round(max(0.01, min(0.99, base)), 4)


def score_tuple(clause: Clause, shape: str, args: Sequence[str]) -> float:
    return score(f"{clause.pattern}/{shape}", args)


def score_nominal(pattern: str, relation: str) -> float:
    return score(f"nominal/{pattern}", ())
