"""Dependency aliases: the settings and the store the app was built with."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from kg.config import Settings
from kg.errors import StoreError
from kg.store import Store


def get_settings(request: Request) -> Settings:
    """The Settings given to :func:`api.main.create_app`."""
    settings: Settings = request.app.state.settings
    return settings


def get_store(request: Request) -> Store:
    """The open store (given to ``create_app`` or opened on startup)."""
    store: Store | None = getattr(request.app.state, "store", None)
    if store is None:
        raise StoreError("the store is not open (the app has not started up)")
    return store


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]

__all__ = ["SettingsDep", "StoreDep", "get_settings", "get_store"]
