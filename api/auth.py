"""Bearer-token check for writes: constant time, the token never echoed or logged."""

from __future__ import annotations

import hmac

from fastapi import Request

from api.deps import get_settings
from kg.errors import AuthError, ReadOnlyError


def require_writer(request: Request) -> None:
    """Allow the request only with ``Authorization: Bearer <write token>``.

    Raises:
        ReadOnlyError: no write token is configured (writes are off).
        AuthError: the header is missing or the token is wrong.
    """
    token = get_settings(request).write_token
    if not token:
        raise ReadOnlyError(
            "this server is read-only: set KG_WRITE_TOKEN to enable /update and "
            "writes to /store"
        )
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), token.encode()
    ):
        raise AuthError("a valid 'Authorization: Bearer <token>' header is required")
