"""The one place that talks to the store."""

from kg.store.base import Store
from kg.store.embedded import EmbeddedStore, open_store

__all__ = ["EmbeddedStore", "Store", "open_store"]
