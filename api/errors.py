"""The one error handler: KgError → ``{"ok": false, "error", "errors", "status"}``.

The same module documents that shape in the OpenAPI schema (every operation's
``4XX`` response, and a ``400`` where FastAPI would announce a ``422``), and
makes every ``405`` list in ``Allow`` exactly the methods the path serves.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, Match, Route

from kg.errors import KgError

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["ok", "error", "errors", "status"],
    "properties": {
        "ok": {"type": "boolean", "const": False},
        "error": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "string"}},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
    },
}


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


def rejects_methods(endpoint: F) -> F:
    """Mark a route that only answers 405 (its methods are not in ``Allow``)."""
    endpoint.__kg_rejects__ = True  # type: ignore[attr-defined]
    return endpoint


def _routes(routes: Iterable[BaseRoute]) -> Iterator[Route]:
    """Every plain route, inside included routers too (FastAPI nests them)."""
    for route in routes:
        if isinstance(route, Route):
            yield route
        elif (inner := getattr(route, "original_router", None)) is not None:
            yield from _routes(inner.routes)


def allowed_methods(request: Request) -> list[str]:
    """The methods some route of the app serves at this request's path."""
    methods: set[str] = set()
    for route in _routes(request.app.router.routes):
        if route.methods is None or getattr(route.endpoint, "__kg_rejects__", False):
            continue
        match, _ = route.matches(request.scope)
        if match != Match.NONE:
            methods |= route.methods
    order = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"]
    return sorted(methods, key=lambda m: (order.index(m) if m in order else 9, m))


async def kg_error_handler(request: Request, exc: Exception) -> JSONResponse:
    return error_response(exc, f"{request.method} {request.url.path}")


async def http_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's own errors (404, 405 with Allow, ...) in the same JSON shape.

    Starlette's 405 names the methods of the first route it found for the path
    only; ``Allow`` lists every method served there instead (RFC 9110).
    """
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 405 and (allow := allowed_methods(request)):
        exc = StarletteHTTPException(
            405, exc.detail, headers={**(exc.headers or {}), "Allow": ", ".join(allow)}
        )
    return error_response(exc)


async def validation_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        f"{'.'.join(map(str, e.get('loc', ())))}: {e.get('msg')}" for e in exc.errors()
    ]
    return JSONResponse(error_body("invalid request", 400, errors), status_code=400)


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the error shape to every operation of an OpenAPI schema (in place).

    FastAPI announces a ``422`` for invalid parameters; the handler above
    answers ``400``. Every operation may answer a ``4XX`` in the error shape
    (HTML pages may answer theirs as a page).
    """
    schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = (
        ERROR_SCHEMA
    )
    ref = {"$ref": "#/components/schemas/Error"}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            content: dict[str, Any] = {"application/json": {"schema": ref}}
            if "text/html" in responses.get("200", {}).get("content", {}):
                content["text/html"] = {"schema": {"type": "string"}}  # pages
            if responses.pop("422", None) is not None:
                responses.setdefault(
                    "400", {"description": "Invalid parameters", "content": content}
                )
            responses.setdefault(
                "4XX",
                {
                    "description": "Client error, in the one error shape",
                    "content": content,
                },
            )
    schema["components"]["schemas"].pop("HTTPValidationError", None)
    schema["components"]["schemas"].pop("ValidationError", None)
    return schema


def install_error_handler(app: FastAPI) -> None:
    """The handlers, and the error shape in the app's OpenAPI schema."""
    app.add_exception_handler(KgError, kg_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_errors(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


__all__ = [
    "ERROR_SCHEMA",
    "allowed_methods",
    "document_errors",
    "error_body",
    "error_response",
    "install_error_handler",
    "kg_error_handler",
    "rejects_methods",
]
