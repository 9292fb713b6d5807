"""The one error handler: KgError → ``{"ok": false, "error", "errors", "status"}``."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

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


async def kg_error_handler(request: Request, exc: Exception) -> JSONResponse:
    status = getattr(exc, "status", 500)
    if status >= 500:
        log.error("%s %s failed: %s", request.method, request.url.path, exc)
    return JSONResponse(error_body(str(exc), status), status_code=status)


def install_error_handler(app: FastAPI) -> None:
    app.add_exception_handler(KgError, kg_error_handler)


__all__ = ["error_body", "install_error_handler", "kg_error_handler"]
