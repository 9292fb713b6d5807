"""The kg command line, through click's CliRunner and as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main

from .conftest import (
    ROOT,
    SEEDS,
    interrupt_and_resume,
    many_reports,
    start_kg_serve,
)

SEED_TXT = SEEDS / "000_88f24646cda69346.txt"
WIKINEWS = SEEDS / "wikinews-demo.jsonl"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_every_command_has_help_and_is_in_the_readme(runner: CliRunner) -> None:
    readme = (ROOT / "README.md").read_text()
    for name, cmd in main.commands.items():
        assert cmd.help, f"kg {name} has no help text"
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, result.output
        assert f"kg {name}" in readme, f"kg {name} is not documented in README.md"


def test_ingest_query_export_stats_remove(runner: CliRunner, tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    r = runner.invoke(
        main,
        ["ingest", "--store", store, str(SEED_TXT)],
        env={"KG_INGEST_OPEN_FILES": "70"},
    )
    assert r.exit_code == 0, r.output
    assert "1 articles ingested" in r.output
    log = (tmp_path / "store" / "LOG").read_text(errors="replace")
    assert "Options.max_open_files: 70" in log  # the writer's cap reached RocksDB
    r = runner.invoke(
        main,
        [
            "query",
            "--store",
            store,
            "--format",
            "csv",
            "SELECT ?l WHERE { ?e a schema:Person ; rdfs:label ?l } ORDER BY ?l",
        ],
    )
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[0].strip() == "l"
    assert "Cecile Bossy" in r.output and "Denis Robin" in r.output
    r = runner.invoke(
        main, ["query", "--store", store, "--format", "json", "ASK { ?s ?p ?o }"]
    )
    assert json.loads(r.output)["boolean"] is True
    r = runner.invoke(main, ["query", "--store", store, "SELEC nonsense"])
    assert r.exit_code == 1 and "malformed SPARQL query" in r.output
    out = tmp_path / "g.trig"
    r = runner.invoke(
        main, ["export", "--store", store, "--format", "trig", "-o", str(out)]
    )
    assert r.exit_code == 0 and out.stat().st_size > 1000
    r = runner.invoke(main, ["stats", "--store", store, "--json"])
    counts = json.loads(r.output)
    assert counts["articles"] == 1 and counts["quotes"] == 3
    r = runner.invoke(main, ["remove", "--store", store, "seed-calais-expulsions"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["remove", "--store", store, "seed-calais-expulsions"])
    assert r.exit_code == 1 and "no article" in r.output


def test_ingest_reports_bad_files_and_goes_on(
    runner: CliRunner, tmp_path: Path
) -> None:
    data = tmp_path / "in"
    data.mkdir()
    (data / "empty.txt").write_text("")
    (data / "a.jsonl").write_text(
        '{"id": "ok1", "text": "Police arrested John Smith in Paris."}\n'
        "{not json\n"
        '{"id": "bad", "text": 42}\n'
    )
    r = runner.invoke(
        main, ["ingest", "--store", str(tmp_path / "s"), "--json", str(data)]
    )
    assert r.exit_code == 2, r.output
    report = json.loads(r.output)
    assert report["articles_ingested"] == 1
    reasons = {s["source"]: s["reason"] for s in report["skipped"]}
    assert "empty file" in reasons[str(data / "empty.txt")]
    assert "invalid JSON" in reasons[f"{data / 'a.jsonl'}:2"]
    assert "'text' must be a string" in reasons[f"{data / 'a.jsonl'}:3"]


def test_stdin_and_flags(runner: CliRunner, tmp_path: Path) -> None:
    store = str(tmp_path / "s")
    r = runner.invoke(
        main,
        [
            "ingest",
            "--store",
            store,
            "--id",
            "piped",
            "--title",
            "Piped",
            "--date",
            "2020-01-02",
            "--source",
            "Example Wire",
            "-",
        ],
        input="Police arrested John Smith in Paris on Monday.",
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        main,
        [
            "query",
            "--store",
            store,
            "--format",
            "tsv",
            "SELECT ?h ?d WHERE { ?a schema:headline ?h ; schema:datePublished ?d }",
        ],
    )
    assert '"Piped"' in r.output and "2020-01-02" in r.output


def test_missing_store_is_a_clear_error(runner: CliRunner, tmp_path: Path) -> None:
    r = runner.invoke(main, ["stats", "--store", str(tmp_path / "nope")])
    assert r.exit_code == 1 and "run 'kg ingest PATH' first" in r.output


def test_console_script_runs(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("kg")
    r = subprocess.run(
        [str(exe), "--help"], capture_output=True, text=True, check=False
    )
    assert r.returncode == 0 and "ingest" in r.stdout


@pytest.mark.slow
@pytest.mark.parametrize("workers", ["1", "2"])
def test_kg_serve_answers_sparql_over_http(tmp_path: Path, workers: str) -> None:
    """The real `kg serve` (granian, 1 or 2 processes): prints its URLs, answers
    /sparql (cheap and heavy queries, errors) and /graph; while it serves, an
    ingest into its store is refused with a clear message."""
    import json
    import urllib.error
    import urllib.parse
    import urllib.request

    store = str(tmp_path / "s")
    assert (
        CliRunner().invoke(main, ["ingest", "--store", store, str(SEED_TXT)]).exit_code
        == 0
    )
    proc, base = start_kg_serve(store, "--workers", workers)
    try:
        q = urllib.parse.quote("SELECT ?l WHERE { ?e a schema:Person ; rdfs:label ?l }")
        req = urllib.request.Request(
            f"{base}/sparql?query={q}", headers={"Accept": "text/csv"}
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            body = resp.read().decode()
        assert "Cecile Bossy" in body
        cheap = urllib.parse.quote('SELECT ?e WHERE { ?e rdfs:label "Cecile Bossy" }')
        with urllib.request.urlopen(f"{base}/sparql?query={cheap}", timeout=10) as r:
            rows = json.load(r)["results"]["bindings"]
        assert [b["e"]["value"] for b in rows] == [
            "https://kg.example/id/person/cecile-bossy"
        ]
        bad = urllib.parse.quote("SELECT ?e WHERE { ?e ?p }")
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(f"{base}/sparql?query={bad}", timeout=10)
        assert err.value.code == 400 and "1:" in json.load(err.value)["error"]
        with urllib.request.urlopen(f"{base}/graph", timeout=10) as resp:
            assert resp.status == 200 and "vis-network" in resp.read().decode()
        locked = CliRunner().invoke(main, ["ingest", "--store", store, str(SEED_TXT)])
        assert locked.exit_code == 1 and "kg serve" in locked.output
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=15)
    assert f"SPARQL endpoint: {base}/sparql" in out
    assert f"Graph:           {base}/graph" in out
    assert ("read-only" in out) == (workers == "2")


def test_kg_serve_refuses_writes_with_several_workers(tmp_path: Path) -> None:
    """Several processes read; a write token needs the single writer."""
    r = CliRunner().invoke(
        main,
        ["serve", "--store", str(tmp_path / "s"), "--workers", "2"],
        env={"KG_WRITE_TOKEN": "secret"},
    )
    assert r.exit_code == 1 and "--workers 1" in r.output
    assert "secret" not in r.output


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_and_the_same_command_resumes(tmp_path: Path) -> None:
    """SIGINT mid-ingest (2 workers): exit 130 with how to resume; nothing is
    half-written; the same command again finishes the job."""
    corpus = tmp_path / "many.jsonl"
    total = many_reports(corpus)
    exe = Path(sys.executable).with_name("kg")

    def command(store: Path) -> list[str]:
        return [
            str(exe),
            "ingest",
            "--store",
            str(store),
            "--workers",
            "2",
            str(corpus),
        ]

    store, report = interrupt_and_resume(command, tmp_path, (12, 30, 60))
    assert report["articles_ingested"] + report["articles_unchanged"] == total
    from kg.store import open_store

    st = open_store(store, read_only=True)
    try:
        assert len(list(st.graphs())) == total
    finally:
        st.close()
