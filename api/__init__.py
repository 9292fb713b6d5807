"""The HTTP API: a thin FastAPI layer over kg (SPARQL endpoint, graph page, exports)."""

from api.main import create_app

__all__ = ["create_app"]
