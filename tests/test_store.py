"""The embedded store: persistence, idempotent re-ingest, removal, atomic articles."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, URIRef

from kg.config import Settings
from kg.pipeline import ingest, remove_article
from kg.store import open_store
from kg.store.embedded import EmbeddedStore

from .conftest import SEEDS

WIKINEWS = SEEDS / "wikinews-demo.jsonl"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
KG_EVENT = "https://kg.example/ontology#Event"


def _count(store: Any, sparql: str) -> int:
    return int(next(iter(store.query(sparql)))["n"].value)


def _graph(*triples: tuple[str, str, str]) -> Graph:
    g = Graph()
    for s, p, o in triples:
        g.add((URIRef(s), URIRef(p), URIRef(o)))
    return g


def test_default_graph_is_the_set_union_of_article_graphs() -> None:
    store = EmbeddedStore(None)
    shared = ("http://x/a", "http://x/p", "http://x/b")
    store.put_graph(
        "http://x/g1", _graph(shared, ("http://x/a", "http://x/p", "http://x/c"))
    )
    store.put_graph("http://x/g2", _graph(shared))
    assert _count(store, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }") == 2
    store.remove_graph("http://x/g1")  # the shared triple survives, the other goes
    assert _count(store, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }") == 1
    store.put_graph("http://x/g2", _graph(("http://x/a", "http://x/p", "http://x/d")))
    assert [r["o"].value for r in store.query("SELECT ?o { ?s ?p ?o }")] == [
        "http://x/d"
    ]


def test_restart_keeps_data_and_reingest_adds_nothing(tmp_path: Path) -> None:
    settings = Settings(store=str(tmp_path / "s"))
    store = open_store(settings.store)
    first = ingest([SEEDS], store, settings)
    size = len(store)
    store.close()
    store = open_store(settings.store)  # a restart: a new handle on the same folder
    try:
        assert len(store) == size
        again = ingest([SEEDS], store, settings)
        assert again.articles_ingested == 0
        assert again.articles_unchanged == first.articles_ingested == 25
        assert len(store) == size
    finally:
        store.close()


def test_remove_deletes_exactly_one_article(tmp_path: Path) -> None:
    settings = Settings(store=str(tmp_path / "s"))
    store = open_store(settings.store)
    try:
        ingest([WIKINEWS], store, settings)
        before = set(store.graphs())
        n_sent = "SELECT (COUNT(?s) AS ?n) { ?s a kg:Sentence }"
        sentences = _count(store, n_sent)
        own = _count(
            store,
            """SELECT (COUNT(?s) AS ?n) { ?s a kg:Sentence ;
            schema:isPartOf/schema:identifier "wikinews-gum-stampede" }""",
        )
        assert own > 0
        assert remove_article("wikinews-gum-stampede", store, settings)
        after = set(store.graphs())
        assert len(before - after) == 1 and after < before
        assert _count(store, n_sent) == sentences - own
        assert not remove_article("wikinews-gum-stampede", store, settings)
    finally:
        store.close()


def test_changed_article_replaces_its_triples(tmp_path: Path) -> None:
    settings = Settings(store=str(tmp_path / "s"))
    src = tmp_path / "a.jsonl"
    src.write_text('{"id": "x1", "text": "Police arrested John Smith in Paris."}\n')
    store = open_store(settings.store)
    try:
        ingest([src], store, settings)
        src.write_text('{"id": "x1", "text": "Police arrested Jane Doe in Rome."}\n')
        report = ingest([src], store, settings)
        assert report.articles_ingested == 1
        labels = {r["l"].value for r in store.query("SELECT ?l { ?e rdfs:label ?l }")}
        assert "Jane Doe" in labels and "John Smith" not in labels
        assert len(list(store.graphs())) == 1
    finally:
        store.close()


def test_second_writer_gets_a_clear_error(tmp_path: Path) -> None:
    from kg.errors import StoreLockedError

    path = tmp_path / "s"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, pyoxigraph; s = pyoxigraph.Store(sys.argv[1]);"
            " print('ok', flush=True); sys.stdin.read()",
            str(path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ok"
        with pytest.raises(StoreLockedError, match="open in another process"):
            open_store(path)
    finally:
        holder.kill()
        holder.communicate()


@pytest.mark.slow
@pytest.mark.parametrize("delay", [1.5, 2.5, 3.5])
def test_killed_ingest_leaves_whole_articles_only(tmp_path: Path, delay: float) -> None:
    """kill -9 mid-ingest: every stored article has all its statements."""
    clean = tmp_path / "clean"
    settings = Settings(store=str(clean))
    store = open_store(clean)
    ingest([WIKINEWS], store, settings)
    expected = _per_article(store)
    store.close()

    crashed = tmp_path / "crashed"
    env = {**os.environ, "KG_STORE": str(crashed)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "ingest", "-q", str(WIKINEWS)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    store = open_store(crashed)
    try:
        got = _per_article(store)
        for art, n in got.items():
            assert n == expected[art], (
                f"{art}: {n} statements, expected {expected[art]}"
            )
        ingest([WIKINEWS], store, settings)  # a re-run fills the gaps
        assert _per_article(store) == expected
    finally:
        store.close()


def _per_article(store: Any) -> dict[str, int]:
    q = """SELECT ?id (COUNT(?st) AS ?n) WHERE { GRAPH ?g {
             ?a schema:identifier ?id . OPTIONAL { ?st a kg:Statement } } } GROUP BY ?id"""
    return {r["id"].value: int(r["n"].value) for r in store.query(q)}


@pytest.mark.parametrize(
    "query,terms,limit",
    [
        (
            'PREFIX ex: <http://x/>\nSELECT ?e WHERE { ?e ex:name "A"@en . }',
            (None, "http://x/name", "A"),
            None,
        ),
        ("select * { ?s a kg:Event } offset 3 limit 7", (None, RDF_TYPE, KG_EVENT), 7),
        ("ASK { <http://x/a> ?p ?o }", ("http://x/a", None, None), None),
        (
            'SELECT ?s ?o { ?s <http://x/p> "1"^^<http://x/int> } LIMIT 2',
            (None, "http://x/p", "1"),
            2,
        ),
    ],
)
def test_single_pattern_queries_are_recognised(
    query: str, terms: tuple[str | None, ...], limit: int | None
) -> None:
    from kg.store.shape import single_pattern
    from kg.vocab import PREFIXES

    pattern = single_pattern(query, PREFIXES)
    assert pattern is not None and pattern.terms == terms and pattern.limit == limit


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?s { ?s ?p ?o . ?o ?q ?r }",  # a join
        "SELECT ?s { ?s nope:x ?o }",  # unknown prefix: the engine reports it
        "SELECT ?s { ?s ?p ?o } # comment",
        "SELECT ?s FROM <http://x/g> { ?s ?p ?o }",
        "SELECT ?s { ?s ?p ?o FILTER(?o > 1) }",
        'SELECT ?s { "lit" ?p ?o }',
        "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
        "CONSTRUCT WHERE { ?s ?p ?o }",
        'SELECT ?s { ?s ?p "esc\\"aped" }',
    ],
)
def test_other_shapes_are_not_single_patterns(query: str) -> None:
    from kg.store.shape import single_pattern
    from kg.vocab import PREFIXES

    assert single_pattern(query, PREFIXES) is None


def test_short_text_cache_keeps_short_texts_only() -> None:
    from kg.textcache import short_text_cache

    calls: list[str] = []

    @short_text_cache(maxsize=4, longest=10)
    def size(text: str) -> int:
        calls.append(text)
        return len(text)

    assert [size("short"), size("short")] == [5, 5]
    assert calls == ["short"]  # the second call came from the cache
    long = "x" * 11
    assert [size(long), size(long)] == [11, 11]
    assert calls == ["short", long, long]  # a long text is never kept
    assert size.cache_info().currsize == 1  # type: ignore[attr-defined]


def test_ingest_into_an_empty_store_looks_nothing_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store with no graph holds none of the articles: no lookup per article
    (each leaves RocksDB index blocks resident, more the bigger the store). The
    graphs are the same as with the lookups; a second run looks each one up."""
    corpus = tmp_path / "three.jsonl"
    corpus.write_text("".join(WIKINEWS.read_text().splitlines(True)[:3]))
    calls: list[tuple[str, object]] = []
    real_hash, real_put = EmbeddedStore.article_hash, EmbeddedStore.put_batch

    def article_hash(self: EmbeddedStore, graph: str) -> str | None:
        calls.append(("article_hash", graph))
        return real_hash(self, graph)

    def put_batch(self: EmbeddedStore, items: Any, *, new: bool = False) -> int:
        calls.append(("put_batch", new))
        return real_put(self, items, new=new)

    monkeypatch.setattr(EmbeddedStore, "article_hash", article_hash)
    monkeypatch.setattr(EmbeddedStore, "put_batch", put_batch)
    settings = Settings()
    quads = []
    for name, empty in (("fast", None), ("looked-up", False)):
        store = EmbeddedStore(tmp_path / name)
        assert store.is_empty()
        if empty is not None:  # as if the store held something: every lookup made
            monkeypatch.setattr(store, "is_empty", lambda empty=empty: empty)
        calls.clear()
        try:
            assert ingest([corpus], store, settings, workers=1).articles_ingested == 3
            assert not store.is_empty()
            quads.append(set(store._store))
        finally:
            store.close()
        lookups = [c for c in calls if c[0] == "article_hash"]
        assert len(lookups) == (0 if empty is None else 3), calls
        assert ("put_batch", empty is None) in calls, calls
    assert quads[0] == quads[1]
    store = EmbeddedStore(tmp_path / "fast")
    calls.clear()
    try:
        again = ingest([corpus], store, settings, workers=1)
    finally:
        store.close()
    assert again.articles_unchanged == 3
    assert len([c for c in calls if c[0] == "article_hash"]) == 3


def _rocksdb_max_open_files(store_dir: Path) -> int:
    """The max_open_files RocksDB was opened with, from its LOG (last open)."""
    lines = (store_dir / "LOG").read_text(errors="replace").splitlines()
    return int([x for x in lines if "Options.max_open_files:" in x][-1].split()[-1])


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_open_files_cap_reaches_rocksdb_and_the_limit_comes_back(
    tmp_path: Path,
) -> None:
    """RocksDB keeps every table file it opened open, its index in memory: a
    writer's memory would grow with the store. The cap must reach RocksDB, and
    the process's own descriptor limit must be as it was afterwards."""
    import resource

    before = resource.getrlimit(resource.RLIMIT_NOFILE)
    store = EmbeddedStore(tmp_path / "capped", max_open_files=60)
    store.close()
    assert resource.getrlimit(resource.RLIMIT_NOFILE) == before
    assert _rocksdb_max_open_files(tmp_path / "capped") == 60
    store = EmbeddedStore(tmp_path / "free")  # a server's: no cap
    store.close()
    assert _rocksdb_max_open_files(tmp_path / "free") == before[0] - 48
    many = [open(os.devnull) for _ in range(80)]  # more in use than the cap
    try:
        store = EmbeddedStore(tmp_path / "busy", max_open_files=48)
        store.close()
    finally:
        for fh in many:
            fh.close()
    assert _rocksdb_max_open_files(tmp_path / "busy") >= 80
    assert resource.getrlimit(resource.RLIMIT_NOFILE) == before
