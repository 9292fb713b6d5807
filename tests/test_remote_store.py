"""The remote store against a real ``oxigraph serve`` on a free port of 127.0.0.1.

The foundation's acceptance checks (tests/test_acceptance.py) run again here on
the remote store, whose seeds are ingested through the CLI; the graph must equal
an embedded-store ingest of the same seeds, quad for quad. The fault tests kill
the server in the middle of a write and restart it on the same port and data.
"""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.config import Settings
from kg.errors import ConfigError, StoreError
from kg.store import EmbeddedStore, open_store, store_label
from kg.store.remote import RemoteStore, endpoints
from tests import test_acceptance
from tests.conftest import SEEDS, free_port

pytestmark = pytest.mark.slow
OXIGRAPH = Path(sys.executable).parent / "oxigraph"
CALAIS = "seed-calais-expulsions"

# the foundation's acceptance checks, run here with the remote ``seeded_store``
globals().update(
    {k: v for k, v in vars(test_acceptance).items() if k.startswith("test_")}
)


class OxigraphServer:
    """``oxigraph serve`` in a subprocess; stop and start it on the same port."""

    def __init__(self, data: Path, *, union: bool) -> None:
        self.data, self.union, self.port = data, union, free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"sparql+http://127.0.0.1:{self.port}/"

    def start(self) -> OxigraphServer:
        args = [str(OXIGRAPH), "serve", "--location", str(self.data)]
        args += ["--bind", f"127.0.0.1:{self.port}"]
        args += ["--union-default-graph"] if self.union else []
        self.proc = subprocess.Popen(args, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(f"http://127.0.0.1:{self.port}/query?query=ASK{{}}")
                return self
            except httpx.TransportError:
                assert self.proc.poll() is None, "oxigraph serve exited"
                time.sleep(0.05)
        raise RuntimeError("oxigraph serve did not start")

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, as a crash or a pulled cable."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None


def env(server: OxigraphServer, mode: str, **more: str) -> dict[str, str]:
    return {"KG_STORE": server.url, "KG_STORE_UNION": mode, **more}


def cli(*args: str, env: dict[str, str]) -> Any:
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result


def quads(store: Any) -> set[ox.Quad]:
    out = io.BytesIO()
    store.dump(out, "nquads")
    return set(ox.parse(out.getvalue(), format=ox.RdfFormat.N_QUADS))


@pytest.fixture(scope="module")
def embedded(seeded_store_path: Path) -> Iterator[EmbeddedStore]:
    """The embedded-store ingest of the seeds (conftest's), to compare with."""
    store = EmbeddedStore(seeded_store_path, read_only=True)
    yield store
    store.close()


@pytest.fixture(scope="module", params=["kg", "server"])
def remote(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[OxigraphServer, str]]:
    """A server holding the seeds, ingested by ``kg ingest`` (either union mode)."""
    mode = request.param
    if not OXIGRAPH.exists():
        pytest.fail(f"{OXIGRAPH} missing: pip install -e '.[test]'")
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph"), union=mode == "server")
    server.start()
    try:
        result = cli("ingest", "--workers", "1", str(SEEDS), env=env(server, mode))
        assert result.exit_code == 0, result.output
        assert "25 articles ingested" in result.output
        yield server, mode
    finally:
        server.kill()


@pytest.fixture(scope="module")
def seeded_store(remote: tuple[OxigraphServer, str]) -> Iterator[RemoteStore]:
    """Overrides conftest's: the acceptance checks query the remote store."""
    server, mode = remote
    store = RemoteStore(server.url, Settings(store_union=mode), read_only=True)
    yield store
    store.close()


BAG_MISSES = {"test_every_wikinews_article_is_stored_with_metadata"}


@pytest.fixture(autouse=True)
def _bag_union_misses(request: pytest.FixtureRequest) -> None:
    """Oxigraph's --union-default-graph is a bag (a triple in 24 graphs matches
    24 times): the checks that count rows over shared triples miss there."""
    params = getattr(request.node, "callspec", None)
    if params and params.params.get("remote") == "server":
        if request.node.originalname in BAG_MISSES:
            request.applymarker(pytest.mark.xfail(strict=True, reason="bag union"))


@pytest.fixture()
def store(remote: tuple[OxigraphServer, str]) -> Iterator[RemoteStore]:
    server, mode = remote
    st = RemoteStore(server.url, Settings(store_union=mode))
    yield st
    st.close()


# -- settings ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "url,overrides,expected",
    [
        (
            "sparql+http://db:7878/",
            {},
            ("http://db:7878/query", "http://db:7878/update", "http://db:7878/store"),
        ),
        (
            "sparql+https://u:secret@db/ds",
            {"store_gsp_url": "https://db/ds/data"},
            ("https://db/ds/query", "https://db/ds/update", "https://db/ds/data"),
        ),
        (
            "sparql+http://db:8890/",
            {"store_query_url": "http://db:8890/sparql", "store_gsp_url": "none"},
            ("http://db:8890/sparql", "http://db:8890/update", None),
        ),
    ],
)
def test_endpoints_follow_oxigraph_layout_unless_set(
    url: str, overrides: dict[str, str], expected: tuple[str, str, str | None]
) -> None:
    ep = endpoints(url, Settings(**overrides))  # type: ignore[arg-type]
    assert (ep.query, ep.update, ep.gsp) == expected
    assert "secret" not in ep.label and "secret" not in store_label(url)


@pytest.mark.parametrize("url", ["sparql+ftp://db/", "sparql+http:///nohost"])
def test_bad_store_urls_are_refused(url: str) -> None:
    with pytest.raises(ConfigError):
        endpoints(url, Settings())


def test_token_and_basic_auth_together_are_refused() -> None:
    settings = Settings(store_token="t", store_user="u", store_password="p")
    with pytest.raises(ConfigError, match="not both"):
        RemoteStore("sparql+http://127.0.0.1:9/", settings)


# -- the seeds through the CLI ------------------------------------------------------
def test_remote_graph_equals_embedded_ingest(
    store: RemoteStore, embedded: EmbeddedStore
) -> None:
    remote_quads, local_quads = quads(store), quads(embedded)
    missing, extra = local_quads - remote_quads, remote_quads - local_quads
    assert not missing and not extra, (sorted(map(str, missing))[:5], len(extra))
    assert sorted(store.graphs()) == sorted(embedded.graphs())


def test_union_default_graph_is_the_set_of_article_triples(
    store: RemoteStore, embedded: EmbeddedStore
) -> None:
    out_r, out_e = io.BytesIO(), io.BytesIO()
    store.dump_graph(out_r, None, "ntriples")
    embedded.dump_graph(out_e, None, "ntriples")
    parse = ox.RdfFormat.N_TRIPLES
    assert set(ox.parse(out_r.getvalue(), format=parse)) == set(
        ox.parse(out_e.getvalue(), format=parse)
    )


def test_stats_query_export_match_embedded(
    remote: tuple[OxigraphServer, str], seeded_store_path: Path
) -> None:
    server, mode = remote
    remote_env = env(server, mode)
    here = cli("stats", "--json", env=remote_env)
    there = cli("stats", "--json", "--store", str(seeded_store_path), env={})
    assert here.exit_code == 0, here.output
    assert json.loads(here.output) == json.loads(there.output)
    sparql = "SELECT ?t WHERE { ?q a kg:Quote ; schema:text ?t } ORDER BY ?t"
    got = cli("query", sparql, "--format", "csv", env=remote_env)
    assert got.exit_code == 0, got.output
    assert (
        got.output
        == cli(
            "query",
            sparql,
            "--format",
            "csv",
            "--store",
            str(seeded_store_path),
            env={},
        ).output
    )
    exported = cli("export", "--format", "turtle", env=remote_env)
    assert exported.exit_code == 0, exported.output
    assert "Cecile Bossy" in exported.output


def test_reingest_changes_nothing(
    remote: tuple[OxigraphServer, str], store: RemoteStore
) -> None:
    server, mode = remote
    before = quads(store)
    assert not store.is_empty()  # so the re-run looks each article up
    result = cli("ingest", "--workers", "1", str(SEEDS), env=env(server, mode))
    assert result.exit_code == 0, result.output
    assert "0 articles ingested, 25 unchanged" in result.output
    assert quads(store) == before


def test_remove_then_reingest_restores_the_graph(
    remote: tuple[OxigraphServer, str], store: RemoteStore, embedded: EmbeddedStore
) -> None:
    server, mode = remote
    result = cli("remove", CALAIS, env=env(server, mode))
    assert result.exit_code == 0, result.output
    assert not store.has_graph(f"https://kg.example/article/{CALAIS}")
    assert not store.query('ASK { ?s ?p "Cecile Bossy" }')
    again = cli("remove", CALAIS, env=env(server, mode))
    assert again.exit_code == 1 and "no article" in again.output
    result = cli("ingest", "--workers", "1", str(SEEDS), env=env(server, mode))
    assert "1 articles ingested, 24 unchanged" in result.output, result.output
    assert quads(store) == quads(embedded)


def test_app_serves_sparql_and_pages_from_remote(
    remote: tuple[OxigraphServer, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with warnings.catch_warnings():  # starlette: httpx should become httpx2
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from api.main import create_app

    server, mode = remote
    monkeypatch.setenv("KG_STORE_UNION", mode)
    app = create_app(Settings(store=server.url, workers=2))
    with TestClient(app) as client:
        ask = client.get("/sparql", params={"query": 'ASK { ?s ?p "AFP" }'})
        assert ask.status_code == 200 and ask.json()["boolean"] is True
        bad = client.get("/sparql", params={"query": "SELECT * WHERE {"})
        assert bad.status_code == 400 and bad.json()["ok"] is False
        for page in ("/", f"/article/{CALAIS}", "/export.ttl", "/graph"):
            assert client.get(page).status_code == 200, page


def test_read_only_store_refuses_writes(remote: tuple[OxigraphServer, str]) -> None:
    server, mode = remote
    st = RemoteStore(server.url, Settings(store_union=mode), read_only=True)
    with pytest.raises(StoreError, match="read-only"):
        st.put_ntriples("https://kg.example/article/x", b"")
    st.close()


# -- faults ---------------------------------------------------------------------
class KillingTransport(httpx.HTTPTransport):
    """Kills the server while the ``nth`` write request is on the wire."""

    def __init__(self, server: OxigraphServer, nth: int, restart_after: float) -> None:
        super().__init__()
        self.server, self.nth, self.restart_after = server, nth, restart_after
        self.writes = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method in ("PUT", "POST") and not request.url.path.endswith(
            "/query"
        ):
            self.writes += 1
            if self.writes == self.nth:
                threading.Timer(0.005, self._crash).start()
        return super().handle_request(request)

    def _crash(self) -> None:
        self.server.kill()
        if self.restart_after >= 0:
            threading.Timer(self.restart_after, self.server.start).start()


def whole_or_absent(store: RemoteStore, embedded: EmbeddedStore) -> list[str]:
    """The graphs stored; each must equal the embedded ingest's, quad for quad."""
    stored = list(store.graphs())
    for g in stored:
        out_r, out_e = io.BytesIO(), io.BytesIO()
        store.dump_graph(out_r, g, "ntriples")
        embedded.dump_graph(out_e, g, "ntriples")
        assert out_r.getvalue() and sorted(out_r.getvalue().splitlines()) == sorted(
            out_e.getvalue().splitlines()
        ), f"graph {g} is not whole"
    return stored


@pytest.mark.parametrize("mode", ["kg", "server"])
def test_store_crash_mid_ingest_leaves_whole_articles_and_rerun_completes(
    mode: str,
    tmp_path: Path,
    embedded: EmbeddedStore,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from kg.pipeline import ingest

    server = OxigraphServer(tmp_path / "data", union=mode == "server").start()
    settings = Settings(
        store=server.url,
        store_union=mode,
        store_retries=2,
        store_batch_bytes=64 * 1024,  # several requests per batch of articles
        store_token="sekrit-token",
    )
    try:
        # 1. the server dies mid-write and stays down: a clear error, no half article
        crash = KillingTransport(server, nth=4, restart_after=-1)
        st = RemoteStore(server.url, settings, transport=crash)
        with pytest.raises(StoreError) as info:
            ingest([SEEDS], st, settings)
        message = str(info.value)
        assert f"127.0.0.1:{server.port}" in message and "failed after" in message
        assert "sekrit" not in message
        st.close()
        server.start()
        st = RemoteStore(server.url, settings)
        partial = whole_or_absent(st, embedded)
        assert 0 < len(partial) < 25
        # 2. a re-run during which the server dies and comes back: retried, done
        flaky = KillingTransport(server, nth=1, restart_after=0.5)
        patient = dataclasses.replace(settings, store_retries=6)
        st2 = RemoteStore(server.url, patient, transport=flaky)
        with caplog.at_level(logging.WARNING, logger="kg.store.remote"):
            report = ingest([SEEDS], st2, settings)
        assert report.articles_ingested == 25 - len(partial)
        assert report.articles_unchanged == len(partial)
        assert any("retry 1 of" in r.getMessage() for r in caplog.records)
        assert not any("sekrit" in r.getMessage() for r in caplog.records)
        # 3. the same graph as a clean ingest
        assert quads(st) == quads(embedded)
        st.close()
        st2.close()
    finally:
        server.kill()


def test_store_down_is_reported_by_the_cli_naming_the_endpoint() -> None:
    url = f"sparql+http://127.0.0.1:{free_port()}/"
    result = cli("stats", env={"KG_STORE": url, "KG_STORE_RETRIES": "1"})
    assert result.exit_code == 1
    assert f"127.0.0.1:{url.split(':')[-1].rstrip('/')}/query" in result.output
    assert "failed after 2 attempt(s)" in result.output


def test_open_store_dispatches_on_the_scheme(tmp_path: Path) -> None:
    remote = open_store("sparql+http://127.0.0.1:9/", settings=Settings())
    local = open_store(tmp_path / "s")
    assert isinstance(remote, RemoteStore) and isinstance(local, EmbeddedStore)
    remote.close()
    local.close()
