"""The one error handler: KgError → ``{"ok": false, "error", "errors", "status"}``."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from kg.errors import KgError

log = logging.getLogger(__name__)


def error_body(
    message: str, status: int, errors: list[str] | None = None
) -> dict[str, object]:
    """The JSON error shape every failing endpoint answers with."""
    return {
        "ok": False,
        "error": message,
        "errors": errors or [message],
        "status": status,
    }


def error_response(exc: Exception, where: str = "") -> JSONResponse:
    """A KgError, or Starlette's HTTPException, as the JSON error response."""
    if isinstance(exc, StarletteHTTPException):
        return JSONResponse(
            error_body(str(exc.detail), exc.status_code),
            status_code=exc.status_code,
            headers=exc.headers,
        )
    status = getattr(exc, "status", 500)
    if status >= 500:
        log.error("%s failed: %s", where or "request", exc)
    headers = {"WWW-Authenticate": 'Bearer realm="kg"'} if status == 401 else None
    return JSONResponse(
        error_body(str(exc), status), status_code=status, headers=headers
    )


async def kg_error_handler(request: Request, exc: Exception) -> JSONResponse:
    return error_response(exc, f"{request.method} {request.url.path}")


async def http_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's own errors (404, 405 with Allow, ...) in the same JSON shape."""
    return error_response(exc)


async def validation_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        f"{'.'.join(map(str, e.get('loc', ())))}: {e.get('msg')}" for e in exc.errors()
    ]
    return JSONResponse(error_body("invalid request", 400, errors), status_code=400)


def install_error_handler(app: FastAPI) -> None:
    app.add_exception_handler(KgError, kg_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)


__all__ = [
    "error_body",
    "error_response",
    "install_error_handler",
    "kg_error_handler",
]
