"""The practices: the library of the folder and the built-ins, one practice's text, and saving or creating one."""

from __future__ import annotations

from dataclasses import asdict

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from stillpoint.language import lexicon
from stillpoint.studio.routes import fields


def library(request: Request) -> Response:
    """The practices of the folder and the built-ins, with their tags."""
    studio = fields.studio_of(request)
    entries = studio.workspace.entries(lexicon.load())
    tags = sorted({tag for entry in entries for tag in entry.tags}, key=str.casefold)
    return JSONResponse({"folder": str(studio.workspace.folder), "practices": [asdict(e) for e in entries],
                         "tags": tags})


def open_practice(request: Request) -> Response:
    """One practice's text and version."""
    document = fields.studio_of(request).workspace.open(fields.name(request.query_params.get("id", "")))
    return JSONResponse(asdict(document))


def practice_version(request: Request) -> Response:
    """The version of a practice on disk now (the page asks, to notice changes made elsewhere)."""
    practice = fields.name(request.query_params.get("id", ""))
    return JSONResponse({"version": fields.studio_of(request).workspace.version(practice)})


async def save(request: Request) -> Response:
    """Save the page's text over the practice, unless the file changed since it was opened."""
    body = await fields.body(request)
    text, practice = fields.practice(body)
    version = fields.studio_of(request).workspace.save(practice, text, fields.text(body, "base", 64))
    return JSONResponse({"version": version})


async def create(request: Request) -> Response:
    """A new practice from the template, or a copy of another one."""
    body = await fields.body(request)
    source = fields.optional_text(body, "from")
    name = fields.name(fields.text(body, "name", 100) + ".txt").removesuffix(".txt")
    document = fields.studio_of(request).workspace.create(name, fields.name(source) if source else None)
    return JSONResponse(asdict(document))


API = [
    Route("/library", library),
    Route("/practice", open_practice),
    Route("/version", practice_version),
    Route("/save", save, methods=["POST"]),
    Route("/new", create, methods=["POST"]),
]
