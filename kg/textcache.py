"""Memoise a function of one text argument, for short texts only.

Query texts repeat (dashboards, clients polling the same query), and checking or
parsing them again costs as much as running a cheap query. A long text is rare
and would hold memory, so it is computed every time.

Example:
    >>> @short_text_cache()
    ... def words(text: str) -> int:
    ...     return len(text.split())
    >>> words("a b c"), words.cache_info().currsize
    (3, 1)
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
LONGEST = 8192  # characters (or bytes) of the texts that are cached


def short_text_cache(
    maxsize: int = 256, longest: int = LONGEST
) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """An ``lru_cache`` that only keeps calls whose first argument is short.

    Only returned values are cached: a call that raises is computed again.
    """

    def decorate(fn: Callable[..., T]) -> Callable[..., T]:
        cached = functools.lru_cache(maxsize=maxsize)(fn)

        @functools.wraps(fn)
        def call(text: str | bytes, *args: Any) -> T:
            return (cached if len(text) <= longest else fn)(text, *args)

        call.cache_info = cached.cache_info  # type: ignore[attr-defined]
        call.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        return call

    return decorate


__all__ = ["LONGEST", "short_text_cache"]
