"""Per-doc lookups computed once, from spaCy's arrays rather than Token objects.

``doc.sents``, ``span.sent`` and ``for t in doc`` each build a Python object per
token, every time; the extraction layer asked for them a dozen times per article
(27 Token objects per token, a quarter of its time). :func:`doc_index` reads the
sentence starts, character offsets and the few attributes the token scans filter
on with one ``Doc.to_array`` call and keeps them for the doc last asked about.

Example:
    >>> ix = doc_index(nlp("It rained. Police left."))  # doctest: +SKIP
    >>> [s.text for s in ix.sents], ix.sent_of[3]  # doctest: +SKIP
    (['It rained.', 'Police left.'], 1)
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from spacy.attrs import (  # type: ignore[import-not-found]
    DEP,
    IDX,
    LENGTH,
    LOWER,
    POS,
    SENT_START,
)
from spacy.tokens import Doc, Span

_ATTRS = [IDX, LENGTH, SENT_START, DEP, POS, LOWER]


@dataclass(frozen=True, slots=True, eq=False)
class DocIndex:
    """What the extraction layer looks up per token, as plain lists."""

    doc: Doc
    text: str  # ``doc.text`` (spaCy joins it from every token on each access)
    sents: list[Span]  # exactly ``list(doc.sents)``
    sent_of: list[int]  # token index -> its sentence's number in ``sents``
    offsets: list[tuple[int, int]]  # token index -> (start char, end char)
    dep: list[int]  # token index -> hash of ``dep_``
    pos: list[int]  # token index -> hash of ``pos_``
    lower: list[int]  # token index -> hash of ``lower_``

    def sentence(self, i: int) -> Span:
        """The sentence holding token ``i`` (``doc[i].sent``, without walking it)."""
        return self.sents[self.sent_of[i]]

    def where(self, attr: str, values: frozenset[str]) -> list[int]:
        """Token indexes whose ``dep``, ``pos`` or ``lower`` is one of ``values``."""
        strings = self.doc.vocab.strings
        wanted = {strings.as_int(v) for v in values}  # the hash; adds nothing
        column: list[int] = getattr(self, attr)
        return [i for i, h in enumerate(column) if h in wanted]


_last = threading.local()  # one entry per thread: the doc being extracted


def doc_index(doc: Doc) -> DocIndex:
    """The :class:`DocIndex` of ``doc``, built on first use (the last doc is kept).

    Raises:
        ValueError: the doc has no sentence boundaries (like ``doc.sents``).
    """
    ix: DocIndex | None = getattr(_last, "ix", None)
    if ix is not None and ix.doc is doc and len(ix.sent_of) == len(doc):
        return ix
    if not doc.has_annotation("SENT_START"):
        list(doc.sents)  # raises spaCy's own error
    cols = doc.to_array(_ATTRS).tolist() if len(doc) else []
    starts = [i for i, c in enumerate(cols) if i == 0 or c[2] == 1]
    bounds = [*starts, len(doc)]
    pairs = list(zip(bounds, bounds[1:], strict=False))
    sents = [doc[a:b] for a, b in pairs]
    sent_of = [k for k, (a, b) in enumerate(pairs) for _ in range(a, b)]
    ix = DocIndex(
        doc,
        doc.text,
        sents,
        sent_of,
        [(c[0], c[0] + c[1]) for c in cols],
        [c[3] for c in cols],
        [c[4] for c in cols],
        [c[5] for c in cols],
    )
    _last.ix = ix
    return ix


def release(doc: Doc) -> None:
    """Forget ``doc``'s index (keeps no parsed doc alive after its extraction)."""
    ix: DocIndex | None = getattr(_last, "ix", None)
    if ix is not None and ix.doc is doc:
        _last.ix = None
