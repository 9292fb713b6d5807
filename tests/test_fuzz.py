"""Property tests (Hypothesis) of extraction and the RDF round trips, on hostile text.

Any text (control characters, NUL, RTL overrides, markup, ``javascript:`` URLs,
very long tokens, emoji, combining marks, whitespace only, mixed with real news
sentences so that relations and quotes are found) goes through the real spaCy
model and the real builders:

- extraction never raises;
- sentences, mentions, relations and quotes carry offsets that point into the
  text, inside their sentence;
- the article's RDF (as the pipeline ships it: N-Triples) parses back
  isomorphic and conforms to the SHACL shapes;
- written to a store and exported in every format, it re-imports isomorphic.

The profile is fixed (derandomised, no example database, no deadline) so a CI
run is reproducible; ``KG_FUZZ_EXAMPLES`` raises the count for a deeper run.
"""

from __future__ import annotations

import io
import os
import re
import warnings
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings, target
from hypothesis import strategies as st
from rdflib import Dataset, Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from kg.config import Settings
from kg.errors import FormatError
from kg.extract.article import extract_article
from kg.extract.nlp import load_nlp
from kg.graph.build import build_graph, content_hash, to_ntriples
from kg.graph.iris import Minter
from kg.graph.validate import validate_graph
from kg.store import EmbeddedStore
from kg.types import Article, Extraction

EXAMPLES = int(os.environ.get("KG_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI is reproducible
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
BASE = "https://kg.example/"
MINTER = Minter(BASE)

# real news sentences, so that relations, quotes and dates are found and checked
NEWS = [
    "French police expelled about 200 migrants from a camp in Calais on Wednesday.",
    '"There will be no arrests," the prefect Denis Robin told AFP.',
    "Cecile Bossy of Medecins du Monde criticised the evictions.",
    "The European Union did not fund the operation, according to Reuters.",
    "Angela Merkel met Emmanuel Macron in Berlin.",
    "NASA launched Atlantis from the Kennedy Space Center.",
]
HOSTILE = [
    "\u202e",  # RIGHT-TO-LEFT OVERRIDE
    "\u202d\u2066\u2069\u200f",
    "\x00",
    "\x1b[31m",
    "\x07\x08\x0b\x0c\x7f",
    "\r\n",
    "\t",
    "\n\n",
    "\u2028\u2029",
    "\ufeff",
    "\u200b\u200d",
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    "<a href='javascript:alert(1)'>Calais</a>",
    "javascript:alert(document.cookie)",
    "]]></x><!--",
    "\"}]'; DROP TABLE x; --",
    '=HYPERLINK("http://evil.example","x")',
    "+1-2",
    "@SUM(A1)",
    "-2+3",
    "x" * 3000,  # a very long token
    "Ĝ" * 400,
    "👩\u200d👩\u200d👧\U0001f1eb\U0001f1f7🏳️\u200d🌈",
    "e\u0301\u0302\u0303\u0304\u0305\u0306",  # stacked combining marks
    "\u0301",  # a combining mark with nothing to combine with
    "عاجل: الشرطة الفرنسية",
    "警察は移民を追放した。",
    "\U0010ffff\ufffe\uffff",
    " \u00a0\u3000 ",
    '"',
    "\u201c",
    "@",
    "#",
    "...",
    "(",
]
CHARS = st.characters(exclude_categories=["Cs"])  # all of Unicode but surrogates
PIECES = st.one_of(
    st.sampled_from(NEWS),
    st.sampled_from(HOSTILE),
    st.text(CHARS, max_size=40),
    st.text(st.sampled_from(" \t\r\n\x0b\x0c\u00a0\u2028\u3000"), max_size=8),
)
TEXTS = st.one_of(
    st.lists(PIECES, max_size=10).map(" ".join),
    st.lists(PIECES, max_size=10).map("".join),
    st.text(st.sampled_from(" \t\r\n\u00a0\u2028\u3000\x0b\x0c"), max_size=50),
    st.text(CHARS, max_size=300),
)
FIELDS = st.one_of(
    st.none(), st.sampled_from(HOSTILE), st.text(CHARS, min_size=1, max_size=40)
)
DATES = st.one_of(
    st.none(), st.sampled_from(["2014-05-28", "2024-02-29", "not a date", "\x00"])
)


@pytest.fixture(scope="module")
def nlp() -> Any:
    return load_nlp(Settings(store="unused").spacy_model)  # cached per process


@st.composite
def articles(draw: st.DrawFn) -> Article:
    return Article(
        id=draw(st.text(CHARS, min_size=1, max_size=30)),
        text=draw(TEXTS),
        title=draw(FIELDS),
        date=draw(DATES),
        source=draw(FIELDS),
        url=draw(FIELDS),
    )


def extract(nlp: Any, article: Article) -> Extraction:
    return extract_article(nlp(article.text), article)


def build(article: Article, ex: Extraction) -> Graph:
    digest = content_hash(article, "fuzz-model")
    return build_graph(ex, minter=MINTER, digest=digest)


def assert_isomorphic(expected: Graph, got: Graph, what: str) -> None:
    if isomorphic(expected, got):
        return
    _, only_expected, only_got = graph_diff(to_isomorphic(expected), to_isomorphic(got))
    lost = sorted(only_expected.serialize(format="nt").splitlines())[:10]
    added = sorted(only_got.serialize(format="nt").splitlines())[:10]
    raise AssertionError(f"{what} is not isomorphic:\nlost {lost}\nadded {added}")


# -- extraction -------------------------------------------------------------------------


@FUZZ
@given(article=articles())
def test_extraction_never_raises_and_offsets_point_into_the_text(
    nlp: Any, article: Article
) -> None:
    ex = extract(nlp, article)
    text = article.text
    event(f"relations found: {bool(ex.relations)}, quotes: {bool(ex.quotes)}")
    target(float(len(ex.relations) + len(ex.quotes)))  # steer towards findings
    for k, s in enumerate(ex.sentences):
        assert s.index == k
        assert 0 <= s.start < s.end <= len(text), s
        assert text[s.start : s.end].strip() == s.text, s  # spans are faithful
        assert s.text and s.text == s.text.strip()
    for key, entity in ex.entities.items():
        assert entity.key == key and entity.name.strip()
        for m in entity.mentions:
            s = ex.sentences[m.sentence]
            assert s.start <= m.start < m.end <= s.end, (m, s)
            assert text[m.start : m.end].strip(), m  # a normalised name: not verbatim
    for r in ex.relations:
        s = ex.sentences[r.sentence]  # an index that exists
        assert r.subject in ex.entities and (
            r.object is None or r.object in ex.entities
        )
        assert 0.0 <= r.confidence <= 1.0
        if r.evidence is not None:  # the predicate's words lie inside its sentence
            start, end = r.evidence
            assert s.start <= start < end <= s.end, (r, s)
            assert text[start:end].strip(), r
    for q in ex.quotes:
        s = ex.sentences[q.sentence]
        assert 0 <= q.start <= q.end <= len(text), q
        assert s.start <= q.end and q.start <= s.end, (q, s)  # overlaps its sentence
        assert q.speaker in ex.entities
        assert q.addressee is None or q.addressee in ex.entities


RELATIONAL = [  # each gives relations on its own with en_core_web_sm 3.8
    "Angela Merkel met Emmanuel Macron in Berlin.",
    "NASA launched Atlantis from the Kennedy Space Center.",
]


def _found(ex: Extraction, text: str) -> set[tuple[str, str, str]]:
    return {
        (
            r.predicate,
            ex.sentences[r.sentence].text,
            text[r.evidence[0] : r.evidence[1]],
        )
        for r in ex.relations
        if r.evidence is not None
    }


@FUZZ
@given(
    st.lists(st.sampled_from(RELATIONAL), min_size=1, max_size=3),
    st.lists(st.sampled_from(HOSTILE), min_size=1, max_size=3),
)
def test_hostile_paragraphs_between_news_change_neither_relations_nor_offsets(
    nlp: Any, news: list[str], hostile: list[str]
) -> None:
    """Hostile paragraphs between real sentences: the same relations are found
    as in the clean text, each with offsets naming its verb in its sentence.

    Each hostile paragraph ends with a plain sentence: after a one-word
    paragraph the parser splits the next sentence (see the xfail below)."""
    lead = [f"{hostile[k % len(hostile)]} The summit ended." for k in range(len(news))]
    parts = [p for pair in zip(lead, news, strict=True) for p in pair]
    text = "\n\n".join(parts)
    clean = "\n\n".join(p for n in news for p in ("The summit ended.", n))
    ex = extract(nlp, Article("mixed", text))
    for r in ex.relations:
        if r.evidence is not None:
            s = ex.sentences[r.sentence]
            assert s.start <= r.evidence[0] < r.evidence[1] <= s.end, (r, s)
    expected = _found(extract(nlp, Article("clean", clean)), clean)
    assert expected and expected <= _found(ex, text), text


@pytest.mark.xfail(
    strict=False,
    reason="model miss (en_core_web_sm 3.8): a sentence start forced after a "
    "one-word paragraph makes the parser split the next sentence after its "
    "first word ('Angela | Merkel met ...'), so its relations are lost",
)
@pytest.mark.parametrize("lead", ["x", "\u202e", "=1+1"])
def test_a_one_word_paragraph_keeps_the_next_sentence_whole(
    nlp: Any, lead: str
) -> None:
    text = f"{lead}\n\nAngela Merkel met Emmanuel Macron in Berlin."
    ex = extract(nlp, Article("one-word", text))
    assert ex.sentences[-1].text == "Angela Merkel met Emmanuel Macron in Berlin."
    assert {r.predicate for r in ex.relations} >= {"meet"}


# -- RDF --------------------------------------------------------------------------------


@FUZZ
@given(article=articles())
def test_article_rdf_parses_back_and_conforms_to_the_shapes(
    nlp: Any, article: Article
) -> None:
    graph = build(article, extract(nlp, article))
    data = to_ntriples(graph)  # what a worker ships to the store
    back = Graph().parse(data=data.decode("utf-8"), format="nt")
    assert_isomorphic(graph, back, "N-Triples round trip")
    turtle = graph.serialize(format="turtle")
    assert_isomorphic(graph, Graph().parse(data=turtle, format="turtle"), "Turtle")
    result = validate_graph(graph)
    assert result.conforms, result.report


_EXPORTS = {  # store format -> rdflib parser, and whether it keeps named graphs
    "turtle": ("turtle", False),
    "ntriples": ("nt", False),
    "jsonld": ("json-ld", True),  # pyoxigraph writes the named graphs
    "rdfxml": ("xml", False),
    "trig": ("trig", True),
    "nquads": ("nquads", True),
}


# characters XML 1.0 cannot hold at all, not even as character references, and
# CR, which pyoxigraph writes raw so that XML parsers read it as LF
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\r\x0e-\x1f\ufffe\uffff]")


def _xml_safe(graph: Graph) -> bool:
    return not any(_NOT_XML.search(str(term)) for triple in graph for term in triple)


def _reimport(data: bytes, parser: str, keeps_graphs: bool) -> Graph | Dataset:
    with warnings.catch_warnings():  # rdflib's own deprecated internals
        warnings.simplefilter("ignore", DeprecationWarning)
        if keeps_graphs:
            dataset = Dataset()
            dataset.parse(data=data, format=parser)
            return dataset
        return Graph().parse(data=data, format=parser)


@FUZZ
@given(article=articles())
def test_store_export_then_reimport_is_isomorphic(nlp: Any, article: Article) -> None:
    graph = build(article, extract(nlp, article))
    name = str(MINTER.article_graph(article.id))
    store = EmbeddedStore(None)
    try:
        store.put_batch([(name, to_ntriples(graph))])
        for fmt, (parser, keeps_graphs) in _EXPORTS.items():
            out = io.BytesIO()
            if fmt == "rdfxml" and not _xml_safe(graph):  # refused, never broken
                with pytest.raises(FormatError):
                    store.dump(out, fmt)
                continue
            store.dump(out, fmt)
            back = _reimport(out.getvalue(), parser, keeps_graphs)
            if isinstance(back, Dataset):
                names = {str(g.identifier) for g in back.graphs() if len(g)}
                assert names == {name}, (fmt, names)
                back = back.graph(MINTER.article_graph(article.id))
            assert_isomorphic(graph, back, f"{fmt} export")
    finally:
        store.close()


@FUZZ
@given(article=articles())
def test_iris_are_deterministic(nlp: Any, article: Article) -> None:
    ex = extract(nlp, article)
    first = build(article, ex)
    again = build(article, extract(nlp, article))
    assert set(first) == set(again)  # no blank nodes: the same triples exactly


@pytest.mark.parametrize(
    "text",
    ["NUL \x00 here", "escape \x1b[31m red", "bell \x07", "CR \r here", "tab\tLF\n"],
)
def test_rdfxml_export_is_exact_or_refused(text: str) -> None:
    """RDF/XML (XML 1.0) cannot hold C0 controls and turns CR into LF: such a graph
    is refused with a message naming the formats that can; any other round-trips."""
    graph = build(
        Article("ctl", "", title=text),
        Extraction(Article("ctl", "", title=text), [], {}, [], []),
    )
    store = EmbeddedStore(None)
    try:
        store.put_batch([(str(MINTER.article_graph("ctl")), to_ntriples(graph))])
        out = io.BytesIO()
        if text.startswith("tab"):
            store.dump(out, "rdfxml")
        else:
            with pytest.raises(FormatError, match="RDF/XML cannot hold .* Turtle"):
                store.dump(out, "rdfxml")
            with pytest.raises(FormatError):  # one graph (Graph Store Protocol GET)
                store.dump_graph(out, str(MINTER.article_graph("ctl")), "rdfxml")
            return
    finally:
        store.close()
    back = Graph().parse(data=out.getvalue(), format="xml")  # must be well-formed
    assert_isomorphic(graph, back, "RDF/XML export")
