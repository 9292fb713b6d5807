"""Open IE (``kg openie``): table-driven patterns, the CLI, and the CaRB targets.

Each row: a pre-tokenised sentence and a tuple (relation, arg1, arg2, ...) the
extractor must produce among its tuples.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.extract.nlp import load_nlp
from kg.extract.openie import run_openie

from .conftest import ROOT

CARB = Path(os.environ.get("KG_CARB", ROOT.parent / "shared" / "bench"))


@pytest.fixture(scope="module")
def nlp() -> Any:
    from kg.config import Settings

    return load_nlp(Settings().spacy_model)


def tuples(nlp: Any, sentence: str) -> set[tuple[str, ...]]:
    [(_, found)] = list(run_openie(nlp, [sentence]))
    return {(t.relation, *t.args) for t in found}


PATTERNS = [
    (
        "active voice",
        "Microsoft released Windows in Redmond .",
        ("released", "Microsoft", "Windows", "in Redmond"),
    ),
    (
        "passive voice keeps its surface",
        "The protesters were dispersed by riot police .",
        ("were dispersed by", "The protesters", "riot police"),
    ),
    (
        "verb chain",
        "French police have begun expelling about 650 migrants from camps .",
        ("have begun expelling", "French police", "about 650 migrants", "from camps"),
    ),
    (
        "xcomp chain",
        "The migrants hoped to cross to Britain .",
        ("hoped to cross to", "The migrants", "Britain"),
    ),
    (
        "coordinated verbs",
        "Police arrested and questioned the protesters .",
        ("arrested", "Police", "the protesters"),
    ),
    (
        "coordinated objects split",
        "Police detained protesters and journalists .",
        ("detained", "Police", "journalists"),
    ),
    (
        "coordinated modifiers split",
        "Greek and Roman pagans scorned the man .",
        ("scorned", "Roman pagans", "the man"),
    ),
    (
        "relative clause with a prepositional object",
        "The camps , from which they hoped to cross , were closed .",
        ("hoped to cross from", "they", "The camps"),
    ),
    (
        "subject relative clause",
        "The man who founded the company lives in Paris .",
        ("founded", "The man", "the company"),
    ),
    (
        "participial modifier",
        "The police raided camps housing Syrian exiles .",
        ("housing", "camps", "Syrian exiles"),
    ),
    (
        "passive participle",
        "The brew , called Miller Sharp 's , is popular .",
        ("is called", "The brew", "Miller Sharp 's"),
    ),
    (
        "that-clause of a reporting verb",
        "The prefect said that the camps would be closed .",
        ("said", "The prefect", "the camps would be closed"),
    ),
    (
        "claim inside the that-clause",
        "The prefect said that the camps would be closed .",
        ("would be closed", "the camps"),
    ),
    (
        "phrasal verb",
        "Migrants put up barricades .",
        ("put up", "Migrants", "barricades"),
    ),
    (
        "phrasal verb with an adjunct",
        "The authorities closed down the centre in 2002 .",
        ("closed down", "The authorities", "the centre", "in 2002"),
    ),
    (
        "light verb",
        "He made an offer on the house .",
        ("made an offer on", "He", "the house"),
    ),
    ("nominal predicate", "Smith is a lawyer .", ("is", "Smith", "a lawyer")),
    (
        "adjectival predicate",
        "The plan is expensive .",
        ("is", "The plan", "expensive"),
    ),
    (
        "adjective with a preposition",
        "LTV would be responsible for the benefits .",
        ("would be responsible for", "LTV", "the benefits"),
    ),
    ("existential", "There will be no arrests .", ("will be", "no arrests")),
    (
        "apposition",
        "Orkem , France 's largest chemical group , said it would grow .",
        ("is", "Orkem", "France 's largest chemical group"),
    ),
    ("possessive", "The company 's profits rose .", ("has", "The company", "profits")),
    (
        "of-relation",
        "The prefect of Pas-de-Calais spoke .",
        ("is of", "The prefect", "Pas-de-Calais"),
    ),
    ("place in a place", "He lived in Austin , Texas .", ("is in", "Austin", "Texas")),
    (
        "negation stays in the relation",
        "Police did not arrest the protesters .",
        ("did not arrest", "Police", "the protesters"),
    ),
    (
        "modal stays in the relation",
        "Soldiers may attack the rebels .",
        ("may attack", "Soldiers", "the rebels"),
    ),
]


@pytest.mark.parametrize(
    "name,sentence,expected", PATTERNS, ids=[p[0] for p in PATTERNS]
)
def test_pattern(nlp: Any, name: str, sentence: str, expected: tuple[str, ...]) -> None:
    got = tuples(nlp, sentence)
    assert expected in got, f"{expected} not in {got}"


def test_confidences_rank_core_tuples_above_nominal_ones(nlp: Any) -> None:
    [(_, found)] = list(run_openie(nlp, ["The company 's profits rose in Paris ."]))
    by_rel = {t.relation: t.confidence for t in found}
    assert all(0 < c < 1 for c in by_rel.values())
    assert by_rel["rose in"] > by_rel["has"]


def test_hedge_is_a_qualifier_not_part_of_the_relation(nlp: Any) -> None:
    assert ("reportedly resigned", "The minister") not in tuples(
        nlp, "The minister reportedly resigned ."
    )
    assert ("resigned", "The minister") in tuples(
        nlp, "The minister reportedly resigned ."
    )


def test_cli_writes_carb_tab_format() -> None:
    lines = "Microsoft released Windows in Redmond .\n\nSmith is a lawyer .\n"
    result = CliRunner().invoke(main, ["openie"], input=lines)
    assert result.exit_code == 0, result.output
    rows = [r.split("\t") for r in result.output.splitlines()]
    assert rows and all(len(r) >= 4 for r in rows)
    assert {r[0] for r in rows} == {
        "Microsoft released Windows in Redmond .",
        "Smith is a lawyer .",
    }
    assert all(0.0 <= float(r[1]) <= 1.0 for r in rows)
    assert ["Smith is a lawyer .", rows[-1][1], "is", "Smith", "a lawyer"] in rows


@pytest.mark.slow
def test_carb_dev_targets() -> None:
    """F1 >= 56, AUC >= 36, CaRB(1-1) F1 >= 48, and at least 0.75x the sentences/s of
    bare spaCy ``nlp.pipe`` on the same sentences in the same process (0.93 measured;
    a ratio, not sentences/s: the machines CI lands on differ 2x in speed)."""
    if not (CARB / "carb_score.py").exists():
        if os.environ.get("CI"):
            pytest.fail(f"CaRB data missing at {CARB}")
        pytest.skip(f"CaRB data not found at {CARB}")
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bench_carb.py"),
            "--carb",
            str(CARB),
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    score = result["score"]
    assert score["best"]["f1"] >= 0.56, out.stdout
    assert score["auc"] >= 0.36, out.stdout
    assert score["one_to_one"]["best"]["f1"] >= 0.48, out.stdout
    assert result["sent_per_s"] >= 0.75 * result["bare_spacy_sent_per_s"], out.stdout
