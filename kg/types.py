"""Plain data passed between the stages: no spaCy, no rdflib."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

EntityType = Literal[
    "Person", "Organization", "Place", "Group", "Event", "Product", "CreativeWork"
]
Modality = Literal["asserted", "possible", "reported", "intended"]


@dataclass(frozen=True)
class Article:
    """One news report as read from a file."""

    id: str
    text: str
    title: str | None = None
    date: str | None = None  # ISO 8601 date
    source: str | None = None  # publisher / outlet
    url: str | None = None
    origin: str | None = None  # file (and line) it came from
    # repairs made while reading (bad encoding, a date that does not parse, ...)
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sentence:
    index: int
    text: str
    start: int  # character offsets in the article text
    end: int


@dataclass(frozen=True)
class Mention:
    """A surface form of an entity in one sentence."""

    text: str
    sentence: int
    start: int  # article character offsets
    end: int


@dataclass
class Entity:
    """An actor of one article, after within-article resolution."""

    key: str  # within-article id
    name: str  # canonical name
    type: EntityType
    aliases: set[str] = field(default_factory=set)
    mentions: list[Mention] = field(default_factory=list)
    roles: set[str] = field(default_factory=set)  # e.g. "prefect"


@dataclass(frozen=True)
class Relation:
    """subject -predicate-> object: entity keys, or a phrase as the object."""

    subject: str  # entity key
    predicate: str  # normalised lemma phrase: "expel", "cross to", "prefect of"
    object: str | None  # entity key, or None when the object is a literal
    sentence: int
    object_text: str | None = None  # the literal object phrase, when not an entity
    negated: bool = False
    modality: Modality = "asserted"
    confidence: float = 0.5
    attributed_to: str | None = None  # entity key of the speaker of a reported claim
    date: str | None = None  # ISO date the statement refers to, when known
    evidence: tuple[int, int] | None = None  # article offsets of the predicate
    subject_count: int | None = None  # "about 200 migrants" -> 200
    object_count: int | None = None


@dataclass(frozen=True)
class Quote:
    text: str
    speaker: str  # entity key
    sentence: int
    verb: str  # reporting verb lemma: "say", "tell"
    addressee: str | None = None  # entity key ("told AFP")
    start: int = 0
    end: int = 0


@dataclass
class Extraction:
    """All that the extraction layer found in one article."""

    article: Article
    sentences: list[Sentence]
    entities: dict[str, Entity]
    relations: list[Relation]
    quotes: list[Quote]
