"""The synthetic corpus generator of the ingest benchmark (benchmarks/gen_corpus.py)."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("faker")

from benchmarks import gen_corpus  # noqa: E402
from kg.ingest.news import Skipped, read_articles  # noqa: E402
from kg.types import Article  # noqa: E402

FIELDS = ("id", "title", "date", "source", "url", "text")


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("gen-cache")


@pytest.fixture(scope="module")
def templates(cache_dir: Path) -> gen_corpus.Templates:
    """The seed reports parsed once (spaCy), cached in a temporary folder."""
    return gen_corpus.load_templates(cache_dir=cache_dir)


def corpus(templates: gen_corpus.Templates, n: int, seed: int = 7) -> str:
    out = io.StringIO()
    gen_corpus.write_corpus(n, out, seed=seed, templates=templates)
    return out.getvalue()


def lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


def test_same_seed_gives_the_same_bytes(templates: gen_corpus.Templates) -> None:
    assert corpus(templates, 40).encode() == corpus(templates, 40).encode()
    assert corpus(templates, 40) != corpus(templates, 40, seed=8)


def test_a_smaller_corpus_is_the_prefix_of_a_larger_one(
    templates: gen_corpus.Templates,
) -> None:
    assert corpus(templates, 60).startswith(corpus(templates, 20))


def test_the_cli_writes_what_write_corpus_writes(
    templates: gen_corpus.Templates, cache_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "c.jsonl"
    gen_corpus.main(["15", str(out), "--seed", "7", "--cache-dir", str(cache_dir)])
    assert out.read_bytes() == corpus(templates, 15).encode()


def test_the_output_does_not_depend_on_the_hash_seed(
    templates: gen_corpus.Templates, cache_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "c.jsonl"
    script = Path(gen_corpus.__file__)
    for hash_seed in ("1", "2"):
        subprocess.run(
            [sys.executable, str(script), "25", str(out), "--seed", "7"]
            + ["--cache-dir", str(cache_dir)],
            check=True,
            capture_output=True,
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
        )
        assert out.read_bytes() == corpus(templates, 25).encode(), hash_seed


def test_articles_have_the_fields_kg_reads_and_parse_through_read_articles(
    templates: gen_corpus.Templates, tmp_path: Path
) -> None:
    path = tmp_path / "corpus.jsonl"
    path.write_text(corpus(templates, 30), encoding="utf-8")
    objs = lines(path.read_text(encoding="utf-8"))
    for obj in objs:
        assert set(obj) == set(FIELDS)
        assert all(isinstance(obj[f], str) and obj[f].strip() for f in FIELDS)
        assert 2021 <= date.fromisoformat(obj["date"]).year <= 2024
        assert obj["url"].startswith("https://")
        words = len(obj["text"].split())
        assert gen_corpus.MIN_WORDS <= words <= gen_corpus.MAX_WORDS + 120, obj["id"]
        assert "\n\n" in obj["text"]  # paragraphs
    assert len({o["id"] for o in objs}) == len(objs)
    assert len({o["source"] for o in objs}) > 1

    items = list(read_articles([path]))
    assert not [i for i in items if isinstance(i, Skipped)]
    assert [a.id for a in items if isinstance(a, Article)] == [o["id"] for o in objs]
    first = items[0]
    assert isinstance(first, Article)
    assert (first.title, first.date, first.source, first.url) == (
        objs[0]["title"],
        objs[0]["date"],
        objs[0]["source"],
        objs[0]["url"],
    )


def test_distinct_actors_grow_with_the_corpus_and_some_recur(
    templates: gen_corpus.Templates,
) -> None:
    small = gen_corpus.CorpusGenerator(templates, seed=3)
    list(small.articles(50))
    large = gen_corpus.CorpusGenerator(templates, seed=3)
    texts = [a["text"] for a in large.articles(400)]
    few, many = small.distinct_actors(), large.distinct_actors()
    assert sum(many.values()) > 3 * sum(few.values()), (few, many)
    for kind in ("PERSON", "ORG", "GPE"):
        assert many[kind] > 2 * few[kind], (kind, few, many)
    # Zipf-like: a few actors in many articles, most in one or two
    pool = large.pools["PERSON"]
    draws = Counter(pool.history)
    top_name = pool.names[draws.most_common(1)[0][0]]
    assert sum(top_name in t for t in texts) >= 10
    assert sum(1 for c in draws.values() if c <= 2) > len(draws) / 2


def test_no_original_name_is_left_in_the_texts(
    templates: gen_corpus.Templates,
) -> None:
    originals = templates.name_pattern()
    assert len(templates.names) > 100  # the seed reports hold hundreds of names
    for obj in lines(corpus(templates, 80, seed=11)):
        found = originals.findall(obj["title"] + "\n" + obj["text"])
        assert not found, (obj["id"], found[:5])


@pytest.mark.parametrize(
    ("name", "kind"),
    [("Warhol", "PERSON"), ("Microsoft", "ORG"), ("Paris", "GPE"), ("Afghan", "NORP")],
)
def test_a_seed_name_is_substituted_everywhere(
    templates: gen_corpus.Templates, name: str, kind: str
) -> None:
    assert templates.names.get(name) == kind
    word = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
    objs = lines(corpus(templates, 150, seed=5))
    assert not [o["id"] for o in objs if word.search(o["title"] + " " + o["text"])]
