"""Distributed extraction on Dask: the seeds built on a real two-process
``LocalCluster`` give the same graph as a single-process ingest; the CLI flags
``--dask-local`` and ``--scheduler`` work end to end or fail clearly.

One cluster serves the module (starting it, with spaCy in each worker, takes a while).
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.config import Settings
from kg.errors import ConfigError
from kg.pipeline import IngestReport, ingest
from kg.store import open_store

from .conftest import interrupt_and_resume, many_reports

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
COUNTS = (
    *("articles_ingested", "sentences", "entities", "relations", "quotes"),
    *("words", "quads"),
)


def _quads(path: Path) -> tuple[set[ox.Quad], set[ox.Triple]]:
    """The article graphs' quads and the union default graph's triples."""
    store = open_store(path, read_only=True)
    try:
        named, union = io.BytesIO(), io.BytesIO()
        store.dump(named, "nquads")
        store.dump_graph(union, None, "ntriples")
    finally:
        store.close()
    quads = set(ox.parse(named.getvalue(), ox.RdfFormat.N_QUADS))
    triples = set(ox.parse(union.getvalue(), ox.RdfFormat.N_TRIPLES))
    return quads, {q.triple for q in triples}


def _assert_same_graph(got: Path, want: Path) -> None:
    """Same quads (no blank nodes: equality is isomorphism); print a diff if not."""
    (gq, gu), (wq, wu) = _quads(got), _quads(want)
    assert not any(
        isinstance(t, ox.BlankNode) for q in wq for t in (q.subject, q.object)
    ), "blank nodes: compare by isomorphism instead"
    assert wq and wu
    diff = [f"- {q}" for q in sorted(map(str, wq - gq))[:20]]
    diff += [f"+ {q}" for q in sorted(map(str, gq - wq))[:20]]
    assert gq == wq, "article graphs differ:\n" + "\n".join(diff)
    assert gu == wu, f"union graphs differ: {len(gu ^ wu)} triples"


def _ingest(
    path: Path, builders: Any = None, order: list[str] | None = None
) -> IngestReport:
    store = open_store(path)

    def seen(item: Any, _: IngestReport) -> None:
        if order is not None:
            order.append(item.id)

    try:
        settings = Settings(store=str(path))
        return ingest([SEEDS], store, settings, builders=builders, on_article=seen)
    finally:
        store.close()


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A real cluster: two worker processes, one thread each."""
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=1,
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def single(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, IngestReport, list[str]]:
    """The seeds ingested in this process (no Dask)."""
    path = tmp_path_factory.mktemp("single") / "store"
    order: list[str] = []
    return path, _ingest(path, order=order), order


@pytest.mark.slow
def test_seeds_on_two_dask_workers_give_the_single_process_graph(
    client: Any, single: tuple[Path, IngestReport, list[str]], tmp_path: Path
) -> None:
    from kg.distributed import DaskBuilders

    want_path, want, want_order = single
    order: list[str] = []
    builders = DaskBuilders(client, Settings())
    assert builders.workers == 2
    got = _ingest(tmp_path / "store", builders, order)

    assert got.articles_ingested >= 25 and not got.skipped, got
    for name in COUNTS:
        assert getattr(got, name) == getattr(want, name), name
    assert order == want_order  # written (and reported) in input order
    _assert_same_graph(tmp_path / "store", want_path)

    again = _ingest(tmp_path / "store", DaskBuilders(client, Settings()))
    assert (again.articles_ingested, again.articles_unchanged) == (
        0,
        want.articles_read,
    )
    assert not builders.pending


@pytest.mark.slow
def test_cli_dask_local_2_builds_the_same_graph(
    single: tuple[Path, IngestReport, list[str]], tmp_path: Path
) -> None:
    store = tmp_path / "store"
    result = CliRunner().invoke(
        main,
        ["ingest", str(SEEDS), "--dask-local", "2", "--store", str(store), "--json"],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["workers"] == 2
    assert report["articles_ingested"] == single[1].articles_ingested
    _assert_same_graph(store, single[0])


@pytest.mark.slow
def test_cli_unreachable_scheduler_names_it_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("kg.distributed.CONNECT_TIMEOUT", 2.0)
    store = tmp_path / "store"
    result = CliRunner().invoke(
        main,
        [
            "ingest",
            str(SEEDS),
            "--scheduler",
            "tcp://127.0.0.1:1",
            "--store",
            str(store),
        ],
    )
    assert result.exit_code == 1, result.output
    assert (
        "Error: cannot reach the Dask scheduler at tcp://127.0.0.1:1" in result.output
    )
    assert "Traceback" not in result.output
    assert not store.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dask-local", "2", "--scheduler", "tcp://127.0.0.1:1"], "not both"),
        (["--dask-local", "2", "--workers", "2"], "--workers sets local processes"),
        (["--dask-local", "0"], "0 is not in the range x>=1"),
    ],
)
def test_cli_rejects_conflicting_dask_flags(
    args: list[str], message: str, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    result = CliRunner().invoke(
        main, ["ingest", str(SEEDS), "--store", str(store), *args]
    )
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not store.exists()


def test_missing_dask_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from kg.distributed import open_builders

    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails
    with pytest.raises(ConfigError, match=r"pip install 'kg\[dask\]'"):
        open_builders(Settings(), local_workers=1)


def test_open_builders_wants_one_of_scheduler_and_local_workers() -> None:
    from kg.distributed import open_builders

    with pytest.raises(
        ConfigError, match="either a scheduler address or local_workers"
    ):
        open_builders(Settings())
    with pytest.raises(ConfigError, match="either"):
        open_builders(Settings(), scheduler="tcp://127.0.0.1:1", local_workers=1)


@pytest.mark.slow
def test_a_model_the_workers_lack_is_a_clear_error(client: Any) -> None:
    from kg.distributed import DaskBuilders

    settings = Settings(spacy_model="no_such_model")
    with pytest.raises(
        ConfigError, match="cannot load the spaCy model 'no_such_model'"
    ):
        DaskBuilders(client, settings)
    assert client.status == "running"  # a caller's client stays open


@pytest.mark.slow
def test_ctrl_c_on_dask_local_stops_cleanly_and_the_same_command_resumes(
    tmp_path: Path,
) -> None:
    """SIGINT to the whole process group (a terminal's Ctrl-C): exit 130, no
    traceback from the workers, nothing half-written; the same command finishes."""
    corpus = tmp_path / "many.jsonl"
    total = many_reports(corpus)
    exe = Path(sys.executable).with_name("kg")

    def command(store: Path) -> list[str]:
        return [
            str(exe),
            "ingest",
            str(corpus),
            "--dask-local",
            "2",
            "--store",
            str(store),
        ]

    _, report = interrupt_and_resume(
        command, tmp_path, (3, 10, 30), group=True, no_traceback=True
    )
    assert report["articles_ingested"] + report["articles_unchanged"] == total


@pytest.mark.slow
def test_batches_built_before_an_interrupt_come_back_in_order(client: Any) -> None:
    """What ``ingest`` keeps on Ctrl-C: the batches already finished, in input order."""
    from distributed import wait

    from kg.distributed import DaskBuilders
    from kg.graph.build import content_hash
    from kg.graph.iris import Minter
    from kg.ingest.news import read_articles
    from kg.types import Article

    settings = Settings()
    minter = Minter(settings.base_iri)
    read = read_articles([SEEDS / "wikinews-demo.jsonl"])
    articles = [a for a in read if isinstance(a, Article)][:6]
    todo = [
        (a, str(minter.article_graph(a.id)), content_hash(a, settings.spacy_model))
        for a in articles
    ]
    batches = [todo[0:2], todo[2:4], todo[4:6]]
    builders = DaskBuilders(client, settings)
    first = next(builders.run(iter(batches)))  # all three submitted, one back
    wait([task for _, task in builders.pending])  # type: ignore[no-untyped-call]
    built = [first, *builders.finished()]
    assert [[b.article.id for b in batch] for batch in built] == [
        [a.id for a, _, _ in batch] for batch in batches
    ]
    assert all(b.ntriples and b.error is None for batch in built for b in batch)
    assert not builders.pending
