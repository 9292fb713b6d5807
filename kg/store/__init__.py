"""The one place that talks to the store: ``open_store`` picks the kind by location.

A directory is the embedded Oxigraph store; ``sparql+http(s)://...`` is any
SPARQL 1.1 endpoint (:mod:`kg.store.remote`, imported only when used).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from kg.config import REMOTE_SCHEMES
from kg.store.base import Store
from kg.store.embedded import EmbeddedStore

if TYPE_CHECKING:
    from kg.config import Settings
    from kg.store.remote import RemoteStore


def is_remote(location: str | Path) -> bool:
    """True when the location names a SPARQL endpoint rather than a directory."""
    return isinstance(location, str) and location.startswith(REMOTE_SCHEMES)


def store_label(location: str | Path) -> str:
    """The location for messages: a URL without its user info, or the full path."""
    if not is_remote(location):
        return str(Path(location).resolve())
    parts = urlsplit(str(location))
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def open_store(
    location: str | Path,
    *,
    read_only: bool = False,
    allow_hosts: Iterable[str] = (),
    settings: Settings | None = None,
    shared: bool = False,
    max_open_files: int | None = None,
) -> EmbeddedStore | RemoteStore:
    """Open the store named by ``--store`` / ``KG_STORE``.

    ``settings`` (default: from the environment) configure a remote store's
    endpoints, credentials and retries. ``shared``: readers query it while it
    writes (a server): an embedded store then writes in transactions only.
    ``max_open_files``: an embedded store's cap on open table files (see
    :class:`EmbeddedStore`).

    Example:
        >>> open_store("sparql+http://127.0.0.1:7878/")  # doctest: +SKIP
        >>> open_store("kg-data")  # doctest: +SKIP
    """
    if is_remote(location):
        from kg.store.remote import RemoteStore

        return RemoteStore(
            str(location), settings, read_only=read_only, allow_hosts=allow_hosts
        )
    return EmbeddedStore(
        location,
        read_only=read_only,
        allow_hosts=allow_hosts,
        shared=shared,
        max_open_files=max_open_files,
    )


def __getattr__(name: str) -> Any:
    if name == "RemoteStore":  # lazily: httpx costs 0.1 s to import
        from kg.store.remote import RemoteStore

        return RemoteStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "EmbeddedStore",
    "RemoteStore",
    "Store",
    "is_remote",
    "open_store",
    "store_label",
]
