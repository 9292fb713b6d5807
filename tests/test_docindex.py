"""The per-doc index gives exactly what spaCy's own (slower) accessors give."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.config import Settings
from kg.extract.docindex import doc_index, release
from kg.extract.nlp import load_nlp

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def docs() -> list:
    nlp = load_nlp(Settings().spacy_model)
    lines = (SEEDS / "wikinews-demo.jsonl").read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["text"] for line in lines[:8]]
    texts += [
        "",
        "   ",
        "One.",
        'He said: "Go.\n\nNow." Then   left.\n\n\nEnd',
        (SEEDS / "000_88f24646cda69346.txt").read_text(encoding="utf-8"),
    ]
    return list(nlp.pipe(texts))


def test_index_matches_spacy(docs: list) -> None:
    for doc in docs:
        ix = doc_index(doc)
        assert [(s.start, s.end) for s in ix.sents] == [
            (s.start, s.end) for s in doc.sents
        ]
        assert ix.text == doc.text
        for tok in doc:
            assert ix.sentence(tok.i) == tok.sent
            assert ix.offsets[tok.i] == (tok.idx, tok.idx + len(tok.text))
        assert ix.where("dep", frozenset({"nsubj", "ROOT"})) == [
            t.i for t in doc if t.dep_ in ("nsubj", "ROOT")
        ]
        assert ix.where("pos", frozenset({"NOUN"})) == [
            t.i for t in doc if t.pos_ == "NOUN"
        ]
        assert ix.where("lower", frozenset({"the"})) == [
            t.i for t in doc if t.lower_ == "the"
        ]


def test_index_is_per_doc_and_released(docs: list) -> None:
    a, b = docs[0], docs[1]
    ia = doc_index(a)
    assert doc_index(a) is ia  # kept for the doc being extracted
    ib = doc_index(b)
    assert ib.doc is b and ib is not ia
    assert doc_index(a) is not ia  # only the last doc is kept
    release(a)
    assert doc_index(a).doc is a
    release(a)
    assert doc_index(a) is not ia


def test_doc_without_sentences_fails_like_spacy() -> None:
    from spacy.lang.en import English

    doc = English()("no parser here")
    with pytest.raises(ValueError):
        list(doc.sents)
    with pytest.raises(ValueError):
        doc_index(doc)
