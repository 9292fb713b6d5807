"""Runs the stages: read, parse, extract/resolve, build RDF, commit per article."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice

from kg.config import Settings
from kg.extract.article import extract_article
from kg.extract.nlp import load_nlp
from kg.graph.build import build_graph, content_hash
from kg.graph.iris import Minter
from kg.ingest.news import Skipped, read_articles
from kg.store.base import Store
from kg.types import Article

log = logging.getLogger(__name__)
BATCH = 16


@dataclass
class IngestReport:
    """What an ingest did."""

    articles_read: int = 0
    articles_ingested: int = 0
    articles_unchanged: int = 0
    sentences: int = 0
    entities: int = 0
    relations: int = 0
    quotes: int = 0
    skipped: list[Skipped] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        d = dict(self.__dict__)
        d["skipped"] = [{"source": s.source, "reason": s.reason} for s in self.skipped]
        return d


def _batches(
    items: Iterable[Article | Skipped], size: int
) -> Iterator[list[Article | Skipped]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def ingest(
    paths: Iterable[str | os.PathLike[str]],
    store: Store,
    settings: Settings,
    *,
    defaults: Mapping[str, str | None] | None = None,
    on_article: Callable[[Article | Skipped, IngestReport], None] | None = None,
) -> IngestReport:
    """Ingest news files into the store, one transaction per article.

    Unchanged articles (same content hash) are skipped; a changed article
    replaces its named graph. Bad files are recorded in ``report.skipped``.

    Example:
        >>> ingest(["seeds/"], open_store("kg-data"), Settings())  # doctest: +SKIP
    """
    report = IngestReport()
    minter = Minter(settings.base_iri)
    nlp = load_nlp(settings.spacy_model)
    for batch in _batches(read_articles(paths, defaults=defaults), BATCH):
        todo: list[tuple[Article, str, str]] = []
        for item in batch:
            if isinstance(item, Skipped):
                report.skipped.append(item)
                log.warning("skipped %s: %s", item.source, item.reason)
                if on_article:
                    on_article(item, report)
                continue
            report.articles_read += 1
            graph = str(minter.article_graph(item.id))
            digest = content_hash(item, settings.spacy_model)
            if store.article_hash(graph) == digest:
                report.articles_unchanged += 1
                if on_article:
                    on_article(item, report)
            else:
                todo.append((item, graph, digest))
        docs = nlp.pipe(a.text for a, _, _ in todo)
        for (article, graph, digest), doc in zip(todo, docs, strict=True):
            try:
                ex = extract_article(doc, article)
                rdf = build_graph(ex, minter=minter, digest=digest)
            except Exception as exc:  # one bad article must not stop the run
                log.exception("extraction failed for %s", article.origin)
                report.skipped.append(
                    Skipped(article.origin or article.id, f"extraction failed: {exc!r}")
                )
                continue
            store.put_graph(graph, rdf)
            report.articles_ingested += 1
            report.sentences += len(ex.sentences)
            report.entities += len(ex.entities)
            report.relations += len(ex.relations)
            report.quotes += len(ex.quotes)
            if on_article:
                on_article(article, report)
    return report


def remove_article(article_id: str, store: Store, settings: Settings) -> bool:
    """Delete one article's named graph; False if it was not stored."""
    return store.remove_graph(str(Minter(settings.base_iri).article_graph(article_id)))
