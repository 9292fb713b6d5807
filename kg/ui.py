"""Terminal output for the CLI (rich): progress, summaries, result tables."""

from __future__ import annotations

import re
import sys
from typing import Any

import pyoxigraph as ox
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

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
    """A progress bar on a terminal: articles done of total, articles/s, words/s,
    elapsed time and ETA, and the current file."""

    def __init__(self, *, enabled: bool, total: int | None = None) -> None:
        self.enabled = enabled
        self.total = total
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]ingest"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]} articles/s · {task.fields[words]} words/s"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TextColumn("{task.description}"),
            console=Console(stderr=True),
            transient=True,
        )
        self._task: Any = None
        self._words = 0

    def __enter__(self) -> IngestProgress:
        if self.enabled:
            self._progress.start()
            self._task = self._progress.add_task(
                "", total=self.total, words=0, rate="0.0"
            )
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
        elapsed = task.elapsed or 0.0
        self._progress.update(
            self._task,
            advance=1,
            words=int(self._words / elapsed) if elapsed else 0,
            rate=f"{task.completed / elapsed:.1f}" if elapsed else "0.0",
            description=escape(str(getattr(item, "origin", None) or item.source)[-40:]),
        )


def print_summary(
    report: Any, store: str, warnings: list[dict[str, str]] | None = None
) -> None:
    out = Console()
    out.print(
        f"[bold]{report.articles_ingested}[/] articles ingested, "
        f"{report.articles_unchanged} unchanged, {len(report.skipped)} skipped "
        f"→ store [cyan]{escape(store)}[/]\n"
        f"{report.sentences} sentences, {report.entities} entities, "
        f"{report.relations} relations, {report.quotes} quotes"
    )
    err = Console(stderr=True)
    for w in warnings or ():  # file names may hold "[...]": not markup
        err.print(
            f"[yellow]warning[/] {escape(w['source'])}: {escape(w['warning'])}",
            highlight=False,
        )
    for s in report.skipped:
        err.print(
            f"[yellow]skipped[/] {escape(s.source)}: {escape(s.reason)}",
            highlight=False,
        )


# characters a terminal would act on: C0/C1 controls, DEL, bidirectional overrides
_TERMINAL_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def _cell(term: Any) -> Text:
    """A table cell printed as it is: no rich markup, controls shown as escapes."""
    if term is None:
        return Text("")
    value = str(term.value) if hasattr(term, "value") else str(term)
    return Text(_TERMINAL_CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", value))


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
