"""Terminal output for the CLI (rich): progress, summaries, result tables."""

from __future__ import annotations

import sys
from typing import Any

import pyoxigraph as ox
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from kg.ingest.news import Skipped
from kg.types import Article

_RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
_GRAPH_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES}


class IngestProgress:
    """A progress line on a terminal: articles done, words/s, the current file."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]ingest"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[words]} words/s"),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=Console(stderr=True),
            transient=True,
        )
        self._task: Any = None
        self._words = 0

    def __enter__(self) -> IngestProgress:
        if self.enabled:
            self._progress.start()
            self._task = self._progress.add_task("", total=None, words=0)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self._progress.stop()

    def update(self, item: Article | Skipped, report: Any) -> None:
        if not self.enabled:
            return
        if isinstance(item, Article):
            self._words += len(item.text.split())
        task = self._progress.tasks[0]
        rate = int(self._words / task.elapsed) if task.elapsed else 0
        self._progress.update(
            self._task,
            advance=1,
            words=rate,
            description=str(getattr(item, "origin", None) or item.source)[-50:],
        )


def print_summary(report: Any, store: str) -> None:
    out = Console()
    out.print(
        f"[bold]{report.articles_ingested}[/] articles ingested, "
        f"{report.articles_unchanged} unchanged, {len(report.skipped)} skipped "
        f"→ store [cyan]{store}[/]\n"
        f"{report.sentences} sentences, {report.entities} entities, "
        f"{report.relations} relations, {report.quotes} quotes"
    )
    if report.skipped:
        err = Console(stderr=True)
        for s in report.skipped:
            err.print(f"[yellow]skipped[/] {s.source}: {s.reason}", highlight=False)


def _cell(term: Any) -> str:
    if term is None:
        return ""
    return str(term.value) if hasattr(term, "value") else str(term)


def print_results(result: Any, fmt: str) -> None:
    """Print SELECT/ASK/CONSTRUCT results in one of the CLI formats."""
    if isinstance(result, ox.QueryBoolean):
        if fmt in _RESULT_FORMATS:
            sys.stdout.buffer.write(
                result.serialize(format=_RESULT_FORMATS[fmt]) or b""
            )
        else:
            print("true" if bool(result) else "false")  # noqa: T201
        return
    if isinstance(result, ox.QueryTriples):
        fmt_ = _GRAPH_FORMATS.get(fmt, ox.RdfFormat.TURTLE)
        sys.stdout.buffer.write(ox.serialize(result, format=fmt_) or b"")
        return
    if fmt in _RESULT_FORMATS:
        sys.stdout.buffer.write(result.serialize(format=_RESULT_FORMATS[fmt]))
        return
    names = [v.value for v in result.variables]
    table = Table(*names, show_lines=False)
    for row in result:
        table.add_row(*(_cell(row[n]) for n in names))
    Console(width=200).print(table)


def print_stats(counts: dict[str, Any]) -> None:
    table = Table("what", "count")
    for key, value in counts.items():
        if isinstance(value, dict):
            for sub, n in value.items():
                table.add_row(f"{key}: {sub}", str(n))
        else:
            table.add_row(key, str(value))
    Console().print(table)
