"""Estimate the confidence table of kg/extract/confidence.py on CaRB dev.

For every extracted tuple, its quality is the best token precision any gold
tuple of its sentence gives it (the scorer's pair precision). This writes the
mean quality per (pattern, shape) and the factor per argument-length bucket to
``kg/extract/data/confidence.json``, which ``kg/extract/confidence.py`` loads.
Dev split only.

Usage: python benchmarks/calibrate_carb.py [--carb DIR] [--dry-run]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
from collections import defaultdict
from pathlib import Path
from typing import Any

from kg.config import Settings
from kg.extract.confidence import length_bucket
from kg.extract.nlp import load_nlp
from kg.extract.openie import run_openie

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "bench"


def _scorer(carb: Path) -> Any:
    spec = importlib.util.spec_from_file_location("carb_score", carb / "carb_score.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--carb", type=Path, default=Path(os.environ.get("KG_CARB", SHARED))
    )
    ap.add_argument("--dry-run", action="store_true", help="print, do not write")
    a = ap.parse_args()
    cs = _scorer(a.carb)
    gold: dict[str, list[Any]] = defaultdict(list)
    for line in (a.carb / "carb" / "dev_gold.tsv").read_text().splitlines():
        cols = line.split("\t")
        gold[cs.norm_sentence(cols[0])].append(cs.Tuple(cols[1:]))
    lines = (a.carb / "carb" / "dev_sentences.txt").read_text().splitlines()
    nlp = load_nlp(Settings().spacy_model)
    by_pattern: dict[str, list[float]] = defaultdict(list)
    scored: list[tuple[str, str, float]] = []
    for text, tuples in run_openie(nlp, lines):
        gs = gold.get(cs.norm_sentence(text))
        if not gs:
            continue
        for t in tuples:
            q = max(cs.pair_score(cs.Tuple([t.relation, *t.args]), g)[0] for g in gs)
            by_pattern[t.pattern].append(q)
            scored.append((t.pattern, length_bucket(t.args), q))
    base = {k: sum(v) / len(v) for k, v in by_pattern.items()}
    # the length factor: quality relative to the pattern's mean (verbal patterns)
    by_len: dict[str, list[float]] = defaultdict(list)
    for pattern, bucket, q in scored:
        if not pattern.startswith("nominal/") and base[pattern] > 0:
            by_len[bucket].append(q / base[pattern])
    table = {
        "base": {
            k: round(sum(v) / len(v), 3) for k, v in by_pattern.items() if len(v) >= 5
        },
        "length": {
            k: round(sum(v) / len(v), 3) for k, v in by_len.items() if len(v) >= 30
        },
        "counts": {k: len(v) for k, v in by_pattern.items()},
    }
    text = json.dumps(table, indent=1, sort_keys=True)
    print(text)
    if not a.dry_run:
        (ROOT / "kg" / "extract" / "data" / "confidence.json").write_text(text + "\n")


if __name__ == "__main__":
    main()
