"""Bad input: every nasty file gets a clear outcome; the good articles around it get in.

The corpus is ``tests/data/bad/`` plus what this module generates into tmp_path
(too big for git, or not storable in git); ``tests/data/bad/EXPECTED.toml`` holds
one case per item: its outcome and the words its message must contain. The real
``kg ingest`` runs (the console script, the spaCy model, a store on disk):

1. the pre-existing article (the seed report) into a fresh store;
2. the corpus mixed with ``seeds/`` (``--json``, two worker processes);
3. the same command again, human output (one process).

Then the store must open, conform to the SHACL shapes and still hold the seed
report unchanged.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from kg.ingest.files import shown

from .conftest import ROOT, SEEDS

BAD = ROOT / "tests" / "data" / "bad"
CASES: list[dict[str, Any]] = tomllib.loads(
    (BAD / "EXPECTED.toml").read_text(encoding="utf-8")
)["case"]
BY_INPUT = {c["input"]: c for c in CASES}
KG = Path(sys.executable).with_name("kg")
SEED_TXT = SEEDS / "000_88f24646cda69346.txt"
SEED_ID = "seed-calais-expulsions"
SEED_GRAPH = "https://kg.example/graph/seed-calais-expulsions"
MB20 = 20 * 1024 * 1024
ROOT_NOTE = (
    "running as root: chmod 000 does not stop root from reading "
    "(proc-mem.txt still covers a file whose read fails)"
)


# -- running kg --------------------------------------------------------------------


@dataclass
class Run:
    """One finished ``kg`` process: exit status, output, wall time, peak memory."""

    code: int
    out: str
    err: str
    seconds: float
    max_rss_mb: float

    def report(self) -> dict[str, Any]:
        return dict(json.loads(self.out))


def kg(*args: str | Path, stdin: bytes = b"", timeout: float = 600) -> Run:
    """Run the console script with the default settings (no KG_* from outside)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env["COLUMNS"] = "1000"  # rich wraps at 80 columns when not on a terminal
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        inp = tempfile.TemporaryFile()
        inp.write(stdin)
        inp.seek(0)
        start = time.monotonic()
        proc = subprocess.Popen(
            [str(KG), *map(str, args)], stdin=inp, stdout=out, stderr=err, env=env
        )
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:  # wait4: this child's own peak memory
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
            inp.close()
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - start
        out.seek(0)
        err.seek(0)
        return Run(
            proc.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            seconds,
            usage.ru_maxrss / 1024,
        )


# -- generating what git cannot hold ------------------------------------------------


def story(n: int, place: str) -> str:
    """A short, unique, well-formed news text."""
    return (
        f"Police in {place} arrested {n} people after a protest on Monday, "
        f"officials said.\nThe mayor of {place} called for calm and promised an "
        "inquiry into the clashes.\n"
    )


def make_big(root: Path) -> set[str]:
    big = root / "big"
    big.mkdir()
    filler = "Lorem ipsum dolor sit amet. " * (MB20 // 28 + 1)
    with (big / "huge-line.jsonl").open("w", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "big-before", "text": story(11, "Tallinn")}) + "\n")
        fh.write(json.dumps({"id": "big-line", "text": filler[: MB20 - 40]}) + "\n")
        fh.write(json.dumps({"id": "big-after", "text": story(12, "Vilnius")}) + "\n")
    (big / "huge-line.txt").write_bytes((b"word " * (MB20 // 5 + 1))[:MB20])
    sentences = "".join(
        f"Officials in district {i} counted {i % 97} new cases on day {i}. "
        for i in range(100_000)
    )
    (big / "long-article.txt").write_text(sentences, encoding="utf-8")
    (big / "long-article.jsonl").write_text(
        json.dumps({"id": "long-article", "text": sentences}) + "\n", encoding="utf-8"
    )
    (big / "over-limit.txt").write_text(
        ("The council met again. " * 10_000)[:200_001], encoding="utf-8"
    )
    (big / "over-limit.json").write_text(
        json.dumps({"id": "over", "text": ("The court sat late. " * 12_500)}),
        encoding="utf-8",
    )
    return {c["input"] for c in CASES if c["input"].startswith("big/")}


def make_links(root: Path) -> set[str]:
    os.symlink("loop-b.txt", root / "loop-a.txt")
    os.symlink("loop-a.txt", root / "loop-b.txt")
    tree = root / "tree"
    tree.mkdir()
    os.symlink("..", tree / "back")
    os.symlink("../wire-original.txt", tree / "alias.txt")
    (tree / "nested.txt").write_text(story(13, "Tartu"), encoding="utf-8")
    os.symlink("nowhere.txt", root / "dangling.txt")
    os.mkfifo(root / "fifo.txt")
    os.symlink("/proc/self/mem", root / "proc-mem.txt")
    return {
        "loop-a.txt",
        "loop-b.txt",
        "tree/back",
        "tree/alias.txt",
        "tree/nested.txt",
        "dangling.txt",
        "fifo.txt",
        "proc-mem.txt",
    }


def make_unreadable(root: Path) -> set[str]:
    """chmod 000 a file and a folder; nothing when this process can read them anyway."""
    path = root / "unreadable.txt"
    path.write_text(story(14, "Riga"), encoding="utf-8")
    folder = root / "locked"
    folder.mkdir()
    (folder / "inside.txt").write_text(story(15, "Kaunas"), encoding="utf-8")
    path.chmod(0)
    folder.chmod(0)
    try:
        path.read_bytes()
    except PermissionError:
        return {"unreadable.txt", "locked"}
    folder.chmod(0o755)  # root: the files would simply be read
    shutil.rmtree(folder)
    path.unlink()
    return set()


# shown name (as in EXPECTED.toml) -> the name on disk (bytes: not UTF-8)
ODD_NAMES: dict[str, str | bytes] = {
    "with space.txt": "with space.txt",
    "ünïcödé 名前.txt": "ünïcödé 名前.txt",
    "-leading-dash.txt": "-leading-dash.txt",
    "new\\nline.txt": "new\nline.txt",
    "tab\\tname.txt": "tab\tname.txt",
    "caf\\xe9.txt": b"caf\xe9.txt",
    "quote'\"name.txt": "quote'\"name.txt",
    "bracket [draft].txt": "bracket [draft].txt",
    "odd[/]close.txt": "odd[/]close.txt",
    "odd[/]empty.txt": "odd[/]empty.txt",
}
PLACES = ["Oslo", "Lima", "Quito", "Accra", "Hanoi", "Dakar", "Tunis", "Sofia", "Baku"]


def make_odd_names(root: Path) -> set[str]:
    made = set()
    (root / "odd[").mkdir()
    for k, (name, raw) in enumerate(ODD_NAMES.items()):
        on_disk = (
            os.fsencode(root) + b"/" + (raw if isinstance(raw, bytes) else raw.encode())
        )
        text = (
            "" if name.endswith("empty.txt") else story(20 + k, PLACES[k % len(PLACES)])
        )
        try:
            with open(on_disk, "wb") as fh:
                fh.write(text.encode())
        except OSError:  # a file system that refuses the name: that case is not run
            continue
        made.add(name)
    return made


@dataclass
class Corpus:
    root: Path
    store: Path
    made: set[str]
    seed: Run
    mixed: Run
    again: Run
    seed_triples: int
    triples_after_mixed: int
    triples_after_again: int
    cases: list[dict[str, Any]] = field(default_factory=list)

    def where(self, case: dict[str, Any]) -> str:
        return f"{shown(self.root)}/{case['input']}"


def open_read_only(path: Path) -> Any:
    from kg.store import open_store

    return open_store(path, read_only=True)


def count_triples(path: Path, graph: str | None = None) -> int:
    st = open_read_only(path)
    try:
        where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
        [row] = list(st.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"))
        return int(row["n"].value)
    finally:
        st.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    base = tmp_path_factory.mktemp("bad")
    root = base / "corpus"
    shutil.copytree(BAD, root)
    made = make_big(root) | make_links(root) | make_unreadable(root)
    made |= make_odd_names(root)
    store = base / "store"
    try:
        seed = kg("ingest", "--store", store, "--json", SEED_TXT)
        assert seed.code == 0, seed.err
        seed_triples = count_triples(store, SEED_GRAPH)
        mixed = kg("ingest", "--store", store, "--json", "--workers", "2", root, SEEDS)
        after_mixed = count_triples(store)
        again = kg("ingest", "--store", store, "--workers", "1", root, SEEDS)
        after_again = count_triples(store)
        cases = [c for c in CASES if not c.get("generated") or c["input"] in made]
        yield Corpus(
            root,
            store,
            made,
            seed,
            mixed,
            again,
            seed_triples,
            after_mixed,
            after_again,
            cases,
        )
    finally:
        for p in (root / "unreadable.txt", root / "locked"):
            if p.exists() or p.is_symlink():
                p.chmod(0o755)


def store_articles(path: Path) -> dict[str, dict[str, str]]:
    """id -> {date, text of its sentences joined}."""
    st = open_read_only(path)
    try:
        rows = st.query(
            "SELECT ?id ?d (GROUP_CONCAT(?t; separator='\\n') AS ?text) WHERE { "
            "?a a schema:NewsArticle ; schema:identifier ?id . "
            "OPTIONAL { ?a schema:datePublished ?d } "
            "OPTIONAL { ?s schema:isPartOf ?a ; schema:text ?t } } GROUP BY ?id ?d"
        )
        return {
            r["id"].value: {
                "date": r["d"].value if r["d"] is not None else "",
                "text": r["text"].value if r["text"] is not None else "",
            }
            for r in rows
        }
    finally:
        st.close()


# -- the manifest -----------------------------------------------------------------------


def test_manifest_names_every_committed_file_and_nothing_else() -> None:
    named = {
        c["input"].split(":")[0].split("[")[0] for c in CASES if not c.get("generated")
    }
    on_disk = {
        p.name
        for p in BAD.iterdir()
        if p.name != "EXPECTED.toml" and not p.name.endswith(".meta.json")
    }
    assert named == on_disk
    assert len(BY_INPUT) == len(CASES), "an input is listed twice"
    for c in CASES:
        assert c["outcome"] in ("ingested", "warned", "skipped", "ignored"), c
        assert ("id" in c) == (c["outcome"] in ("ingested", "warned")), c
        assert bool(c.get("words")) == (c["outcome"] in ("warned", "skipped")), c


@pytest.mark.slow
def test_every_generated_case_is_made(corpus: Corpus) -> None:
    generated = {c["input"] for c in CASES if c.get("generated")}
    assert corpus.made <= generated
    missing = generated - corpus.made
    allowed = {"new\\nline.txt"}  # where the file system refuses a newline
    if os.geteuid() == 0:
        allowed |= {c["input"] for c in CASES if c.get("needs_non_root")}
    assert missing <= allowed, missing


# -- each case -------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[c["input"] for c in CASES])
def test_each_input_has_its_outcome_and_a_clear_message(
    corpus: Corpus, case: dict[str, Any]
) -> None:
    if case not in corpus.cases:
        pytest.skip(ROOT_NOTE if case.get("needs_non_root") else "not made here")
    report = corpus.mixed.report()
    where = corpus.where(case)
    skipped = [s["reason"] for s in report["skipped"] if s["source"] == where]
    warned = [w["warning"] for w in report["warnings"] if w["source"] == where]
    outcome = case["outcome"]
    if outcome == "skipped":
        assert len(skipped) == 1, (where, report["skipped"])
        for word in case["words"]:
            assert word in skipped[0], (where, skipped[0])
    else:
        assert not skipped, (where, skipped)
    if outcome == "warned":
        joined = " | ".join(warned)
        for word in case["words"]:
            assert word in joined, (where, joined)
    else:
        assert not warned, (where, warned)
    if outcome == "ignored":
        everything = corpus.mixed.out + corpus.mixed.err
        assert case["input"] not in everything
    articles = store_articles(corpus.store)
    if "id" in case:
        assert case["id"] in articles, f"{where}: {case['id']!r} not in the store"
        art = articles[case["id"]]
        for text in case.get("text", []):
            assert text in art["text"], (where, art["text"])
        if "date" in case:
            assert art["date"] == case["date"], (where, art)


@pytest.mark.slow
def test_nothing_is_reported_that_the_manifest_does_not_expect(corpus: Corpus) -> None:
    report = corpus.mixed.report()
    expect_skipped = {
        corpus.where(c) for c in corpus.cases if c["outcome"] == "skipped"
    }
    expect_warned = {corpus.where(c) for c in corpus.cases if c["outcome"] == "warned"}
    assert {s["source"] for s in report["skipped"]} == expect_skipped
    assert len(report["skipped"]) == len(expect_skipped)
    assert {w["source"] for w in report["warnings"]} == expect_warned


@pytest.mark.slow
def test_every_good_article_around_the_bad_ones_is_in_the_store(corpus: Corpus) -> None:
    wikinews = [
        json.loads(line)["id"]
        for line in (SEEDS / "wikinews-demo.jsonl").read_text().splitlines()
        if line.strip()
    ]
    expected = {SEED_ID, *wikinews} | {c["id"] for c in corpus.cases if "id" in c}
    stored = set(store_articles(corpus.store))
    assert stored == expected, (
        f"missing {sorted(expected - stored)}, unexpected {sorted(stored - expected)}"
    )
    report = corpus.mixed.report()
    assert report["articles_ingested"] == len(expected) - 1  # the seed was there
    assert report["articles_unchanged"] == 1


@pytest.mark.slow
def test_exit_status_says_whether_anything_was_skipped(corpus: Corpus) -> None:
    assert corpus.seed.code == 0, corpus.seed.err
    assert corpus.mixed.code == 2, corpus.mixed.err[-3000:]
    assert corpus.again.code == 2, corpus.again.err[-3000:]
    assert "Traceback" not in corpus.mixed.err + corpus.again.err


@pytest.mark.slow
def test_rerun_changes_nothing_and_prints_every_message_as_it_is(
    corpus: Corpus,
) -> None:
    assert corpus.triples_after_again == corpus.triples_after_mixed
    total = len(store_articles(corpus.store))
    assert f"0 articles ingested, {total} unchanged" in corpus.again.out
    lines = set(corpus.again.err.splitlines())
    report = corpus.mixed.report()
    for s in report["skipped"]:  # "[/]" and "[draft]" in names print as they are
        assert f"skipped {s['source']}: {s['reason']}" in lines, s
    for w in report["warnings"]:
        assert f"warning {w['source']}: {w['warning']}" in lines, w


@pytest.mark.slow
def test_store_opens_conforms_and_keeps_the_earlier_article(corpus: Corpus) -> None:
    from rdflib import Dataset

    from kg.graph.validate import validate_graph

    assert count_triples(corpus.store, SEED_GRAPH) == corpus.seed_triples
    st = open_read_only(corpus.store)
    try:
        buf = io.BytesIO()
        st.dump(buf, "nquads")
        graphs = set(st.graphs())
    finally:
        st.close()
    assert SEED_GRAPH in graphs
    ds = Dataset()
    ds.parse(data=buf.getvalue(), format="nquads")
    result = validate_graph(ds)
    assert result.conforms, result.report[:3000]


# -- bounds, warnings alone, stdin, flags ------------------------------------------------


@pytest.mark.slow
def test_huge_inputs_finish_in_bounded_time_and_memory(
    corpus: Corpus, tmp_path: Path
) -> None:
    run = kg(
        "ingest",
        "--store",
        tmp_path / "s",
        "--json",
        "--workers",
        "1",
        corpus.root / "big",
        timeout=120,
    )
    assert run.code == 2, run.err
    report = run.report()
    assert report["articles_ingested"] == 2  # the lines around the 20 MB one
    assert len(report["skipped"]) == 6
    # reading 60 MB of input must not cost more than loading the model does
    assert run.seconds < 60, run.seconds
    assert run.max_rss_mb < 1024, run.max_rss_mb


@pytest.mark.slow
def test_warnings_alone_exit_zero_and_are_printed(tmp_path: Path) -> None:
    run = kg(
        "ingest",
        "--store",
        tmp_path / "s",
        "--workers",
        "1",
        BAD / "windows-1252.txt",
        BAD / "bad-date.txt",
    )
    assert run.code == 0, run.err
    assert "2 articles ingested" in run.out
    assert f"warning {BAD / 'windows-1252.txt'}: not UTF-8" in run.err
    assert f"warning {BAD / 'bad-date.txt'}: sidecar bad-date.meta.json" in run.err


@pytest.mark.slow
def test_binary_on_stdin_is_skipped_by_name(tmp_path: Path) -> None:
    run = kg(
        "ingest",
        "--store",
        tmp_path / "s",
        "--json",
        "--workers",
        "1",
        "-",
        stdin=(BAD / "binary.txt").read_bytes(),
    )
    assert run.code == 2, run.err
    [skip] = run.report()["skipped"]
    assert skip["source"] == "<stdin>" and "NUL byte at byte offset 8" in skip["reason"]


def test_a_date_flag_that_does_not_parse_stops_at_once(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kg.cli import main

    r = CliRunner().invoke(
        main,
        ["ingest", "--store", str(tmp_path / "s"), "--date", "next week", "-"],
        input="Police arrested John Smith in Paris on Monday.",
    )
    assert r.exit_code == 1, r.output
    assert "--date 'next week' is not a date" in r.output


def test_reading_reports_without_the_pipeline(tmp_path: Path) -> None:
    """The library alone: a FIFO, a link loop and 1,200 nested folders never block
    or raise."""
    from kg.ingest.news import Skipped, read_articles

    deep = tmp_path  # 1,200 levels: deeper than Python's recursion limit
    for _ in range(1200):
        deep = deep / "d"
        deep.mkdir()
    (deep / "deep.txt").write_text(story(2, "Chur"))
    os.mkfifo(tmp_path / "pipe.txt")
    os.symlink("x.txt", tmp_path / "y.txt")
    os.symlink("y.txt", tmp_path / "x.txt")
    (tmp_path / "ok.txt").write_text(story(1, "Bern"))
    items = list(read_articles([tmp_path]))
    assert [i.id for i in items if not isinstance(i, Skipped)] == ["ok", "deep"]
    reasons = {i.source: i.reason for i in items if isinstance(i, Skipped)}
    assert "FIFO" in reasons[str(tmp_path / "pipe.txt")]
    assert "loop" in reasons[str(tmp_path / "x.txt")]
    assert stat.S_ISFIFO(os.stat(tmp_path / "pipe.txt").st_mode)
    (deep / "deep.txt").unlink()  # bottom up: a recursive rmtree would not reach
    while deep != tmp_path:
        deep.rmdir()
        deep = deep.parent
