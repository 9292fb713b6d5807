"""Reading news files: formats, metadata, and clear messages for bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kg.ingest.news import Skipped, read_articles
from kg.types import Article

from .conftest import SEEDS

HTML = """<html><head><title>Flood hits town | Example News</title>
<meta property="og:title" content="Flood hits town">
<meta name="date" content="2021-03-04"></head>
<body><nav>Home | World</nav><article><h1>Flood hits town</h1>
<p>Heavy rain flooded the town of Riverton on Tuesday, the mayor said.</p>
<p>Emergency services evacuated hundreds of residents from their homes near the river.</p>
<p>The regional government promised aid to the families who lost everything.</p>
</article><script>alert(1)</script><footer>Share</footer></body></html>"""


def test_seeds_folder_reads_every_article_with_metadata() -> None:
    items = list(read_articles([SEEDS]))
    arts = [a for a in items if isinstance(a, Article)]
    assert not [s for s in items if isinstance(s, Skipped)]
    assert len(arts) == 25
    seed = next(a for a in arts if a.id == "seed-calais-expulsions")
    assert seed.source == "AFP" and seed.date == "2014-05-28" and seed.title
    wiki = [a for a in arts if a.source == "Wikinews"]
    assert len(wiki) == 24 and all(a.url and a.date and a.title for a in wiki)


def test_html_main_text_and_metadata(tmp_path: Path) -> None:
    (tmp_path / "flood.html").write_text(HTML)
    [art] = list(read_articles([tmp_path]))
    assert isinstance(art, Article)
    assert (
        "Riverton" in art.text
        and "alert(1)" not in art.text
        and "Home |" not in art.text
    )
    assert art.title == "Flood hits town"


def test_txt_sidecar_overrides_flags(tmp_path: Path) -> None:
    (tmp_path / "n.txt").write_text("Police arrested John Smith.")
    (tmp_path / "n.meta.json").write_text(json.dumps({"title": "From sidecar"}))
    [art] = list(
        read_articles([tmp_path], defaults={"title": "From flag", "source": "Wire"})
    )
    assert isinstance(art, Article)
    assert (art.id, art.title, art.source) == ("n", "From sidecar", "Wire")


def test_bad_inputs_name_the_file_line_and_field(tmp_path: Path) -> None:
    (tmp_path / "list.json").write_text('[{"id": "a", "text": "x y"}, {"id": "b"}]')
    (tmp_path / "broken.json").write_text('{"id": ')
    (tmp_path / "noid.jsonl").write_text('{"text": "no id here"}\n')
    (tmp_path / "notes.md").write_text("ignored: not a news format")
    items = list(read_articles([tmp_path, tmp_path / "missing.txt"]))
    skipped = {s.source: s.reason for s in items if isinstance(s, Skipped)}
    assert "field 'text' is missing" in skipped[f"{tmp_path / 'list.json'}[2]"]
    assert "invalid JSON at line 1" in skipped[str(tmp_path / "broken.json")]
    assert "neither 'id' nor 'url'" in skipped[f"{tmp_path / 'noid.jsonl'}:1"]
    assert "no such file" in skipped[str(tmp_path / "missing.txt")]
    assert [a.id for a in items if isinstance(a, Article)] == ["a"]


def test_build_ntriples_gives_the_triples_of_build_graph() -> None:
    """The ingest's string builder and the rdflib builder agree on every seed."""
    import pyoxigraph as ox

    from kg.config import Settings
    from kg.extract.article import extract_article
    from kg.extract.nlp import load_nlp
    from kg.graph.build import build_graph, build_ntriples, to_ntriples
    from kg.graph.iris import Minter

    settings = Settings()
    nlp, minter = load_nlp(settings.spacy_model), Minter(settings.base_iri)
    arts = [a for a in read_articles([SEEDS]) if isinstance(a, Article)]
    # quotes, backslashes and line breaks in literals must survive the escaping
    arts.append(Article(id="odd id/ü", text='He said "no" \\ twice.\r\nThen left.'))
    nt = ox.RdfFormat.N_TRIPLES
    for doc, art in zip(nlp.pipe(a.text for a in arts), arts, strict=True):
        ex = extract_article(doc, art)
        fast = build_ntriples(ex, minter=minter, digest="h")
        slow = to_ntriples(build_graph(ex, minter=minter, digest="h"))
        got, want = set(ox.parse(fast, format=nt)), set(ox.parse(slow, format=nt))
        assert got == want, (art.id, sorted(map(str, got ^ want))[:5])
        assert fast.count(b"\n") == len(want), "no duplicate lines"


def test_ingest_reads_with_the_callers_settings(tmp_path: Path) -> None:
    """A library caller's limits apply, not only the environment's."""
    from kg.config import Settings
    from kg.pipeline import ingest
    from kg.store import EmbeddedStore

    text = tmp_path / "long.txt"
    text.write_text("Police expelled migrants from the camp in Calais. " * 10)
    store = EmbeddedStore(None)
    try:
        report = ingest([text], store, Settings(max_article_chars=100), workers=1)
    finally:
        store.close()
    assert report.articles_ingested == 0
    [skip] = report.skipped
    assert "too long" in skip.reason, skip


def test_batches_leave_no_strings_in_the_model_vocabulary(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every new name would otherwise stay in spaCy's StringStore and Vocab for the
    whole run: memory growing with the corpus (50,000 articles: ~100 MB). A memory
    zone spans ``ZONE_BATCHES`` batches; closing it frees what they added."""
    from kg import pipeline
    from kg.config import Settings
    from kg.pipeline import _STATE, _close_zone, _init_worker, build_batch

    monkeypatch.setattr(pipeline, "ZONE_BATCHES", 2)
    settings = Settings()
    _init_worker(settings.spacy_model, settings.base_iri, False)
    strings = _STATE["nlp"].vocab.strings

    def batch(k: int) -> list:
        text = f"Zorblax Quentrovich{k} met Ulvinda Krastopol{k} in Vexhollow{k}."
        article = Article(f"mz{k}", text, date="2024-01-02")
        return [(article, f"https://kg.example/graph/mz{k}", f"h{k}")]

    monkeypatch.setattr(pipeline, "PRIME_BATCHES", 1)
    pipeline._PRIMED.pop(_STATE["nlp"], None)  # as in a fresh process
    build_batch(batch(0))  # the model's first batch: outside any zone, for good
    assert "Quentrovich0" in strings
    before = len(strings)
    built = [b for k in range(1, 4) for b in build_batch(batch(k))]
    assert "Quentrovich1" not in strings  # batches 1-2 were one zone, closed at 3
    assert "Quentrovich3" in strings  # batch 3's zone is open
    _close_zone()  # as the end of an in-process ingest does
    assert len(strings) == before
    assert all(b.error is None for b in built)
    assert b"Quentrovich3" in built[-1].ntriples  # the Docs were read inside the zone


def _resident_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096 / 2**20


def test_trim_heap_gives_free_heap_pages_back_to_the_system() -> None:
    """What a batch frees stays resident in glibc's heap unless trimmed: the ingest
    trims around each write group so the parse's free pages do not add to the
    write's peak (and the write's to the next parse's)."""
    from kg import pipeline

    if pipeline._MALLOC_TRIM is None or not Path("/proc/self/statm").exists():
        pytest.skip("glibc's malloc_trim and /proc are Linux-only")
    blocks = [bytes(4000) for _ in range(20_000)]  # 80 MB from malloc (> 512 B)
    top = bytes(4000)  # allocated last: free() alone cannot shrink the heap below it
    del blocks
    freed = _resident_mb()
    pipeline._trim_heap()
    assert freed - _resident_mb() > 40, "the free pages stayed resident"
    assert len(top) == 4000


@pytest.mark.parametrize(
    "origin",
    [
        "news/a.jsonl:1",
        "c:/x.jsonl:123456789",
        "a:b:12",
        "dir:007",
        "f.txt",
        "x:0",
        "x:1234567890",
        "x:",
        ":5",
        "x:٣",
    ],  # fmt: skip
)
def test_duplicate_index_names_the_first_origin_exactly(origin: str) -> None:
    """The run's duplicate index packs "path:line" origins into ints: both
    messages must still name the first article's origin and id as read."""
    from kg.ingest.news import _Seen

    seen = _Seen()
    first = Article(id="first", text="Rain fell  on Calais.", origin=origin)
    assert seen.check(first) is first
    assert (
        seen.check(Article(id="other", text="Sun.", origin="b.jsonl:2")).id == "other"
    )
    dup = seen.check(Article(id="copy", text="Rain fell on\nCalais.", origin="z:9"))
    assert isinstance(dup, Skipped) and dup.source == "z:9"
    assert f"duplicate of {origin} (article 'first')" in dup.reason
    clash = seen.check(Article(id="first", text="Snow.", origin="z:10"))
    assert isinstance(clash, Skipped)
    assert f"article id 'first' was already read from {origin} with" in clash.reason


def _peak_mb_during(fn: Any) -> tuple[Any, float]:
    """fn()'s result and the most resident memory it added (Linux: VmHWM reset)."""
    from kg import pipeline

    pipeline._trim_heap()
    before = _resident_mb()
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")  # resets VmHWM to the current RSS
    result = fn()
    with open("/proc/self/status") as fh:
        hwm = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM"))
    return result, hwm / 1024 - before


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="Linux only")
def test_a_batch_is_parsed_a_few_docs_at_a_time() -> None:
    """spaCy's working memory grows with the docs it parses at once (~8 MB for a
    400-word article): 16 long articles must not all be in flight together."""
    from kg.config import Settings
    from kg.pipeline import _init_worker, build_batch

    settings = Settings()
    _init_worker(settings.spacy_model, settings.base_iri, False)
    arts = sorted(
        (a for a in read_articles([SEEDS / "wikinews-demo.jsonl"])
         if isinstance(a, Article)),
        key=lambda a: -len(a.text),
    )[:16]  # fmt: skip
    words = sum(len(a.text.split()) for a in arts)
    todo = [(a, f"https://kg.example/graph/pb{i}", "h") for i, a in enumerate(arts)]
    built, added = _peak_mb_during(lambda: build_batch(todo))
    assert all(b.error is None for b in built)
    # all 16 at once: ~8 MB per 400 words (220 MB measured); 4 at a time, a quarter
    assert added < 8 * words / 400 / 2, (added, words)
