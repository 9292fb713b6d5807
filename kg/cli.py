"""The ``kg`` command line: a few lines over the library for each command."""

from __future__ import annotations

import atexit
import functools
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from kg.config import Settings
from kg.errors import KgError

F = TypeVar("F", bound=Callable[..., Any])
QUERY_FORMATS = ("table", "json", "csv", "tsv", "xml", "turtle", "ntriples")
EXPORT_FORMATS = ("turtle", "trig", "nquads", "ntriples", "jsonld", "rdfxml")


def store_option(fn: F) -> F:
    """``--store DIR|URL`` (default: $KG_STORE, else ./kg-data)."""
    return click.option(
        "--store",
        "store",
        metavar="DIR|URL",
        default=None,
        help="Store directory, a SPARQL 1.1 endpoint sparql+http(s)://host:port/, "
        "or a running kg serve kg+http(s)://host:port/ (default: $KG_STORE, else "
        "./kg-data).",
    )(fn)


def handle_errors(fn: F) -> F:
    """Turn KgError into a one-line message and exit status 1."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except KgError as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


def _settings(store: str | None) -> Settings:
    return Settings().with_store(store)


def _open(store: str | None, *, read_only: bool = False, writes: bool = False) -> Any:
    """The store; ``writes``: marks it as being written until this process ends."""
    from kg.errors import StoreLockedError
    from kg.store import open_store

    settings = _settings(store)
    if settings.store_is_remote:  # a SPARQL endpoint: a client, no lock
        return open_store(settings.store, read_only=read_only, settings=settings)
    if read_only and not settings.store_path.exists():
        raise click.ClickException(
            f"no store at {settings.store_path}: run 'kg ingest PATH' first"
        )
    marker = settings.store_path / WRITER_MARK
    if writes and settings.store_path.is_dir() and _writer(settings.store_path) is None:
        marker.write_text(str(os.getpid()))  # before the open: recovery may write
    try:
        st = open_store(
            settings.store,
            read_only=False,
            max_open_files=settings.ingest_open_files if writes else None,
        )
    except StoreLockedError:
        _unmark(marker)
        if not read_only:
            raise
        writer = _writer(settings.store_path)
        if writer is not None:  # a read-only open under writes is undefined
            raise click.ClickException(
                f"the store {settings.store_path} is being written by 'kg' process "
                f"{writer} (an ingest or a removal): run this again when it ends"
            ) from None
        return open_store(
            settings.store, read_only=True
        )  # a server holds it, reading only: read a snapshot
    except BaseException:
        _unmark(marker)
        raise
    if writes:
        marker.write_text(str(os.getpid()))
        atexit.register(_unmark, marker)
    return st


def _unmark(marker: Path) -> None:
    """Remove the writer mark if this process set it."""
    try:
        if marker.read_text().strip() == str(os.getpid()):
            marker.unlink()
    except OSError:
        pass


WRITER_MARK = "kg-writer.pid"  # in the store folder while an ingest or removal runs


def _writer(path: Path) -> int | None:
    """The live process that marked the store as being written, if any."""
    try:
        pid = int((path / WRITER_MARK).read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid if pid != os.getpid() else None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log progress and warnings.")
@click.version_option(package_name="kg")
def main(verbose: bool) -> None:
    """kg: news reports in, a queryable RDF knowledge graph out."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.ERROR,
        format="%(levelname)s %(name)s: %(message)s",
    )


@main.command()
@click.argument("paths", nargs=-1, required=True)
@store_option
@click.option("--title", help="Headline for .txt / stdin input.")
@click.option("--date", help="Publication date (ISO) for .txt / stdin input.")
@click.option("--source", help="Publisher for .txt / stdin input.")
@click.option("--url", help="URL for .txt / stdin input.")
@click.option("--id", "article_id", help="Article id for stdin input.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Processes that parse and extract (default: all cores).",
)
@click.option(
    "--dask-local",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Parse and extract on a local Dask cluster of N worker processes "
    "(needs kg[dask]).",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    default=None,
    help="Parse and extract on the Dask cluster of this scheduler, e.g. "
    "tcp://host:8786 (needs kg[dask]).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@handle_errors
def ingest(
    paths: tuple[str, ...],
    store: str | None,
    title: str | None,
    date: str | None,
    source: str | None,
    url: str | None,
    article_id: str | None,
    workers: int | None,
    dask_local: int | None,
    scheduler: str | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Ingest news files and folders (.txt, .jsonl/.json, .html, or - for stdin).

    Each article becomes its own named graph; unchanged articles are skipped,
    changed ones replaced. Exit status 2 when some input was skipped, 130 when
    interrupted (run the same command again to resume).
    """
    from kg.ingest.news import count_articles
    from kg.pipeline import BATCH, default_workers
    from kg.pipeline import ingest as run_ingest
    from kg.ui import IngestProgress, print_summary

    settings = _settings(store)
    defaults = {
        "title": title,
        "date": date,
        "source": source,
        "url": url,
        "id": article_id,
    }
    total = count_articles(paths)
    if workers is None:  # a few articles do not pay for starting processes
        workers = 1 if total is not None and total <= BATCH else default_workers()
    # the cluster first: a scheduler that cannot be reached leaves the store untouched
    builders = _dask_builders(settings, scheduler, dask_local)
    if builders is not None:
        workers = builders.workers
    try:
        st = _open(store, writes=True)
    except BaseException:
        if builders is not None:
            builders.close()
        raise
    warnings: list[dict[str, str]] = []  # repairs made while reading (Article.warnings)
    try:
        with IngestProgress(
            enabled=not quiet and not as_json and sys.stderr.isatty(), total=total
        ) as prog:

            def on_article(item: Any, rep: Any) -> None:
                for w in getattr(item, "warnings", ()):
                    warnings.append({"source": item.origin or item.id, "warning": w})
                prog.update(item, rep)

            report = run_ingest(
                paths,
                st,
                settings,
                defaults=defaults,
                on_article=on_article,
                workers=workers,
                builders=builders,
            )
    finally:
        st.close()
    if as_json:
        click.echo(json.dumps({**report.as_dict(), "warnings": warnings}, indent=2))
    elif not quiet or report.skipped:
        print_summary(report, settings.store, warnings)
    if report.interrupted:
        click.echo(
            f"interrupted after {report.articles_ingested} articles; each stored "
            "article is whole. Run the same command again to resume (stored "
            "articles are skipped).",
            err=True,
        )
        sys.exit(130)
    if report.skipped:
        sys.exit(2)


def _dask_builders(
    settings: Settings, scheduler: str | None, dask_local: int | None
) -> Any:
    """The Dask cluster's builders for ``--scheduler`` / ``--dask-local``, or None."""
    if scheduler is None and dask_local is None:
        return None
    if scheduler is not None and dask_local is not None:
        raise click.UsageError("give --scheduler or --dask-local, not both")
    ctx = click.get_current_context()
    if ctx.get_parameter_source("workers") == click.core.ParameterSource.COMMANDLINE:
        raise click.UsageError(
            "--workers sets local processes; with --scheduler or --dask-local the "
            "cluster's workers parse and extract"
        )
    from kg.distributed import open_builders

    return open_builders(settings, scheduler=scheduler, local_workers=dask_local)


@main.command()
@click.argument("sparql")
@store_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(QUERY_FORMATS),
    default="table",
    show_default=True,
    help="Output format.",
)
@handle_errors
def query(sparql: str, store: str | None, fmt: str) -> None:
    """Run a SPARQL query over the union of all article graphs.

    Common prefixes (kg, schema, rdfs, skos, prov, ...) are predeclared.
    """
    from kg.ui import print_results

    st = _open(store, read_only=True)
    try:
        print_results(st.query(sparql), fmt)
    finally:
        st.close()


@main.command()
@store_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default="turtle",
    show_default=True,
    help="TriG and N-Quads keep the per-article graphs.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="File to write (default: standard output).",
)
@handle_errors
def export(store: str | None, fmt: str, output: str | None) -> None:
    """Export the whole graph (Turtle by default)."""
    st = _open(store, read_only=True)
    try:
        if output:
            with open(output, "wb") as fh:
                st.dump(fh, fmt)
        else:
            st.dump(sys.stdout.buffer, fmt)
    finally:
        st.close()


@main.command()
@store_option
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@handle_errors
def stats(store: str | None, as_json: bool) -> None:
    """Counts: articles, sentences, entities by type, relations, statements, quotes."""
    from kg.graph.query import graph_stats
    from kg.ui import print_stats

    st = _open(store, read_only=True)
    try:
        counts = graph_stats(st)
    finally:
        st.close()
    if as_json:
        click.echo(json.dumps(counts, indent=2))
    else:
        print_stats(counts)


@main.command()
@click.argument("article_id")
@store_option
@handle_errors
def remove(article_id: str, store: str | None) -> None:
    """Delete one article (its named graph) from the store."""
    from kg.pipeline import remove_article

    st = _open(store, writes=True)
    try:
        if not remove_article(article_id, st, _settings(store)):
            raise click.ClickException(
                f"no article with id {article_id!r} in the store"
            )
    finally:
        st.close()
    click.echo(f"removed article {article_id}")


@main.command()
@click.option(
    "--model", default=None, help="spaCy pipeline (default: $KG_SPACY_MODEL)."
)
@handle_errors
def openie(model: str | None) -> None:
    """Open IE: tokenised sentences on stdin, CaRB tab format on stdout.

    One sentence per line, tokens separated by spaces (the Doc is built from
    them as they are). Output columns: sentence, confidence, relation, arg1,
    arg2, more arguments. It is the extractor the graph uses, with arguments
    widened to whole phrases.
    """
    from kg.extract.nlp import load_nlp
    from kg.extract.openie import run_openie

    nlp = load_nlp(model or Settings().spacy_model)
    out = sys.stdout
    for text, tuples in run_openie(nlp, sys.stdin):
        for t in tuples:
            out.write(t.as_tsv(text) + "\n")
    out.flush()


@main.command()
@store_option
@click.option("--host", default=None, help="Interface to bind (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default 8000).")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Server processes (default: one per core; 1 when writes are enabled).",
)
@handle_errors
def serve(
    store: str | None, host: str | None, port: int | None, workers: int | None
) -> None:
    """Serve the SPARQL endpoint and graph pages over HTTP."""
    import os

    from granian import Granian
    from granian.constants import Interfaces, Loops
    from granian.log import LogLevels

    settings = _settings(store)
    host = host or settings.host
    port = port or settings.port
    if workers is None:
        workers = 1 if settings.write_token else os.cpu_count() or 1
    if workers > 1 and settings.write_token:
        raise click.ClickException(
            "--workers above 1 serves the store read-only, but KG_WRITE_TOKEN "
            "enables writes: use --workers 1, or unset the token"
        )
    if host not in ("127.0.0.1", "localhost", "::1") and not settings.write_token:
        click.echo(
            f"warning: binding {host} without KG_WRITE_TOKEN: the graph is "
            "readable by anyone who can reach this address",
            err=True,
        )
    from kg.store import store_label

    # RocksDB must not be opened in this process: granian forks the workers from
    # it, and a store opened before a fork leaves them without its background
    # threads (writes and shutdown hang). A spawned process checks the store (and
    # runs crash recovery); with several read-only workers it also keeps the store
    # locked while serving, so no ingest writes under the readers.
    holder = _StoreHolder(store)
    if workers == 1:  # the one worker opens it for writing
        holder.release()
    # the app factory reads its settings from the environment
    os.environ.update(KG_STORE=settings.store, KG_WORKERS=str(workers))
    base = f"http://{host}:{port}"
    click.echo(
        f"Serving {store_label(settings.store)} ({workers} "
        f"{'process' if workers == 1 else 'processes, read-only'})\n"
        f"  SPARQL endpoint: {base}/sparql\n  Query page:      {base}/query\n"
        f"  Graph:           {base}/graph\n  Export:          {base}/export.ttl\n"
        f"  API docs:        {base}/docs"
    )
    # by import string: the kg library never imports the api package
    try:
        Granian(  # Rust HTTP (granian): a fifth of uvicorn's per-request cost
            "api.main:app_from_env",
            factory=True,
            address=host,
            port=port,
            interface=Interfaces.ASGI,
            workers=workers,
            runtime_threads=2,  # I/O threads per process: a lower p99 under load
            loop=Loops.uvloop,
            log_level=LogLevels.warning,
        ).serve()
    finally:
        holder.release()


def _hold(store: str | None, conn: Any) -> None:
    """In a spawned process: open the store, say how it went, keep it until told."""
    try:
        opened = _open(store)
    except (click.ClickException, KgError) as exc:
        conn.send(str(exc.message if isinstance(exc, click.ClickException) else exc))
        return
    conn.send(None)
    try:
        conn.recv()  # a word from the parent, or EOF when it is gone
    except EOFError:
        pass
    finally:
        opened.close()


class _StoreHolder:
    """The store opened (and so locked) in a spawned process until released.

    Raises:
        click.ClickException: the store cannot be opened (the message says why).
    """

    def __init__(self, store: str | None) -> None:
        import multiprocessing

        self._proc: Any = None
        if _settings(store).store_is_remote:
            return
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_hold, args=(store, child), daemon=True)
        self._proc.start()
        child.close()
        try:
            problem = self._conn.recv()
        except EOFError:
            problem = "the store could not be opened (its checking process died)"
        if problem:
            self.release()
            raise click.ClickException(problem)

    def release(self) -> None:
        """Close the store in the holder process and wait for it to end."""
        if self._proc is None:
            return
        proc, self._proc = self._proc, None
        try:
            self._conn.send(None)
        except OSError:
            pass
        self._conn.close()
        proc.join(30)
        if proc.is_alive():
            proc.kill()


if __name__ == "__main__":  # pragma: no cover
    main()
