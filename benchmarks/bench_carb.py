"""CaRB Open IE benchmark: F1, AUC, CaRB(1-1) F1 and sentences/s on the dev split.

Usage: python benchmarks/bench_carb.py [--carb DIR] [--out FILE] [--pred FILE]

Runs the same extractor as ``kg openie`` (one process, one core), writes the
predictions in CaRB's tab format and scores them with the shared scorer
(``../shared/bench/carb_score.py``). Speed is measured against bare spaCy
``nlp.pipe`` on the same docs in the same run.
"""

from __future__ import annotations

import os

# one core: no BLAS thread pool (set before numpy is imported)
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from spacy.tokens import Doc  # noqa: E402

from kg.config import Settings  # noqa: E402
from kg.extract.nlp import load_nlp  # noqa: E402
from kg.extract.openie import run_openie  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "bench"
PUBLISHED = [
    ("OpenIE6 (2020)", 52.7, 33.7, 46.4),
    ("OpenIE-4", 51.6, 29.5, 40.5),
    ("ClausIE", 45.0, 22.0, 40.2),
    ("MinIE", 41.9, None, None),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--carb", type=Path, default=Path(os.environ.get("KG_CARB", SHARED))
    )
    ap.add_argument("--out", type=Path)
    ap.add_argument("--pred", type=Path, help="keep the predictions here")
    a = ap.parse_args()
    lines = (a.carb / "carb" / "dev_sentences.txt").read_text().splitlines()
    nlp = load_nlp(Settings().spacy_model)
    words = sum(len(line.split()) for line in lines)

    for _ in run_openie(nlp, lines[:50]):  # warm up both paths
        pass
    bare_runs, our_runs = [], []
    for _ in range(2):  # interleaved, best of two: the machine is noisy
        t0 = time.perf_counter()
        docs = [Doc(nlp.vocab, words=line.split()) for line in lines]
        for _ in nlp.pipe(docs, batch_size=256):  # the same pipeline, bare
            pass
        bare_runs.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        out = []
        n = 0
        for text, tuples in run_openie(nlp, lines):
            out += [t.as_tsv(text) for t in tuples]
            n += len(tuples)
        our_runs.append(time.perf_counter() - t0)
    bare, ours = min(bare_runs), min(our_runs)

    pred = a.pred or Path(tempfile.mkstemp(suffix=".tsv")[1])
    pred.write_text("\n".join(out) + "\n")
    res = subprocess.run(
        [
            sys.executable,
            str(a.carb / "carb_score.py"),
            "--gold",
            str(a.carb / "carb" / "dev_gold.tsv"),
            "--pred",
            str(pred),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    score = json.loads(res.stdout.strip().splitlines()[-1])
    if not a.pred:
        pred.unlink()
    table = render(score, len(lines), n, words, ours, bare)
    print(table)
    print(
        json.dumps(
            {
                "score": score,
                "sent_per_s": len(lines) / ours,
                "bare_spacy_sent_per_s": len(lines) / bare,
            }
        )
    )
    if a.out:
        a.out.write_text(table + "\n")


def render(
    score: dict, sents: int, n: int, words: int, ours: float, bare: float
) -> str:
    best = score.get("best", score)
    f1 = 100 * best["f1"]
    auc = 100 * score["auc"]
    oto = (
        100 * score["one_to_one"]["best"]["f1"]
        if "one_to_one" in score
        else float("nan")
    )
    rows = [
        "| system | F1 | AUC | CaRB(1-1) F1 |",
        "|---|---:|---:|---:|",
        f"| **kg** (this run) | **{f1:.1f}** | **{auc:.1f}** | **{oto:.1f}** |",
    ]
    for name, pf1, pauc, poto in PUBLISHED:
        rows.append(
            f"| {name} | {pf1} | {pauc if pauc is not None else '-'} | "
            f"{poto if poto is not None else '-'} |"
        )
    rows.append("")
    rows.append(
        f"{sents} dev sentences, {n} tuples; {sents / ours:.0f} sentences/s "
        f"({words / ours:.0f} words/s) on one core, against bare spaCy "
        f"nlp.pipe at {sents / bare:.0f} sentences/s (ratio {bare / ours:.2f})"
    )
    return "\n".join(rows)


if __name__ == "__main__":
    main()
