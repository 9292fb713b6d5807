"""Errors raised by kg.

Every error derives from :class:`KgError` and carries the HTTP status the API
answers with::

    KgError (500)
    ├── ConfigError (500)        bad settings: model missing, bad store location
    ├── InputError (400)         an input file, line or field cannot be used
    ├── ExtractionError (500)    the NLP stage failed on a sentence or article
    ├── StoreError (500)         the store could not be opened, read or written
    │   └── StoreLockedError (409)  another process holds the embedded store
    ├── QueryError (400)         a SPARQL query is malformed or not allowed
    │   ├── QueryTimeoutError (503)   it ran out of time
    │   └── ResultTooLargeError (413) its result is over the size limit
    ├── AuthError (401)          a write without the right bearer token
    │   └── ReadOnlyError (403)  writes are off: no write token is configured
    └── NotFoundError (404)      an article, entity or graph does not exist
"""

from __future__ import annotations


class KgError(Exception):
    """Base class of every error kg raises."""

    status: int = 500


class ConfigError(KgError):
    """A setting is missing or invalid."""


class InputError(KgError):
    """An input file, line or field cannot be used."""

    status = 400

    def __init__(self, message: str, *, source: str | None = None) -> None:
        self.source = source
        super().__init__(f"{source}: {message}" if source else message)


class ExtractionError(KgError):
    """The NLP stage failed."""


class FormatError(KgError):
    """The data cannot be written exactly in the format asked for."""

    status = 422


class StoreError(KgError):
    """The store could not be opened, read or written."""


class StoreLockedError(StoreError):
    """Another process holds the embedded store open for writing."""

    status = 409


class QueryError(KgError):
    """A SPARQL query is malformed or not allowed."""

    status = 400


class QueryTimeoutError(QueryError):
    """A query ran past the time limit."""

    status = 503


class ResultTooLargeError(QueryError):
    """A query's result is larger than the configured cap."""

    status = 413


class AuthError(KgError):
    """A write request without the right bearer token."""

    status = 401


class ReadOnlyError(AuthError):
    """Writes are disabled: no write token is configured."""

    status = 403


class NotFoundError(KgError):
    """An article, entity or graph does not exist."""

    status = 404
