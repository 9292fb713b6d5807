"""``/export.*``: the whole store as one RDF file."""

from __future__ import annotations

from io import BytesIO

from fastapi import APIRouter, Response

from api.deps import StoreDep

router = APIRouter(tags=["export"])

# extension → (store.dump format, media type)
EXPORTS: dict[str, tuple[str, str]] = {
    "ttl": ("turtle", "text/turtle; charset=utf-8"),
    "trig": ("trig", "application/trig"),
    "nq": ("nquads", "application/n-quads"),
    "nt": ("ntriples", "application/n-triples"),
    "jsonld": ("jsonld", "application/ld+json"),
    "rdf": ("rdfxml", "application/rdf+xml"),
}


def _export(store: StoreDep, ext: str) -> Response:
    fmt, media_type = EXPORTS[ext]
    out = BytesIO()
    store.dump(out, fmt)
    return Response(
        out.getvalue(),
        media_type=media_type,
        headers={  # a download, never rendered: news text inside stays inert
            "Content-Disposition": f'attachment; filename="kg.{ext}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


def _route(ext: str) -> None:
    fmt = EXPORTS[ext][0]

    def export(store: StoreDep) -> Response:
        return _export(store, ext)

    export.__doc__ = f"The whole store as {fmt} (article graphs merged unless kept)."
    router.add_api_route(
        f"/export.{ext}",
        export,
        methods=["GET"],
        name=f"export_{ext}",
        summary=f"Export as {fmt}",
        response_class=Response,
    )


for _ext in EXPORTS:
    _route(_ext)
