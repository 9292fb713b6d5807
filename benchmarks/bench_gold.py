"""Measure the graph built from seeds/ against the hand-written gold actor facts.

Usage: python benchmarks/bench_gold.py [--gold FILE] [--out FILE] [--store DIR]

Ingests seeds/ into a fresh temporary store (or reads ``--store`` as it is),
scores it with :func:`kg.evaluate.evaluate` against
``tests/data/wikinews_gold.jsonl`` and prints the Markdown table, then the
scores and the per-article misses as JSON. ``--out`` writes the table.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from kg.config import Settings
from kg.evaluate import evaluate, load_gold
from kg.pipeline import ingest
from kg.store import open_store

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "data" / "wikinews_gold.jsonl"
SEEDS = ROOT / "seeds"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", type=Path, default=GOLD)
    ap.add_argument("--out", type=Path, help="write the Markdown table here")
    ap.add_argument("--store", type=Path, help="score this store instead of ingesting")
    a = ap.parse_args()
    gold = load_gold(a.gold)
    with tempfile.TemporaryDirectory(prefix="kg-gold-") as tmp:
        path = a.store or Path(tmp) / "store"
        seconds = 0.0
        if a.store is None:
            store = open_store(path)
            t0 = time.perf_counter()
            try:
                report = ingest([SEEDS], store, Settings(store=str(path)))
            finally:
                store.close()
            seconds = time.perf_counter() - t0
            assert report.articles_ingested == len(gold), report.as_dict()
        store = open_store(path, read_only=True)
        try:
            result = evaluate(store, gold)
        finally:
            store.close()
    n_ent = sum(len(g.entities) for g in gold)
    n_rel = sum(len(g.relations) for g in gold)
    n_quo = sum(len(g.quotes) for g in gold)
    head = (
        f"Gold: {len(gold)} articles, {n_ent} entities, {n_rel} relations, "
        f"{n_quo} quotes (`{a.gold.relative_to(ROOT) if a.gold.is_relative_to(ROOT) else a.gold}`)."
    )
    if seconds:
        head += f" Ingest of seeds/: {seconds:.1f} s."
    table = head + "\n\n" + result.as_table()
    print(table)
    print(json.dumps(result.as_dict(), indent=1, ensure_ascii=False))
    if a.out:
        a.out.parent.mkdir(parents=True, exist_ok=True)
        a.out.write_text(table + "\n")


if __name__ == "__main__":
    main()
