"""Recording: a line of the practice in the user's own voice, kept as a take beside the practice, and which lines
have takes (and which of those were recorded for words since changed).
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from stillpoint.app import recording
from stillpoint.studio.routes import fields


async def takes(request: Request) -> Response:
    """The lines of the page's text that have takes, with their state; and the line to record, if one is named."""
    body = await fields.body(request)
    text, practice = fields.practice(body)
    workspace = fields.studio_of(request).workspace
    found = await asyncio.to_thread(recording.recorded_lines, workspace, practice, text)
    answer: dict[str, object] = {"recorded": [asdict(take) for take in found]}
    if body.get("line") is not None:
        answer["line"] = asdict(recording.spoken_line(text, fields.line_number(body)))
    return JSONResponse(answer)


async def keep(request: Request) -> Response:
    """Keep the WAV file sent as the take of a line (its number and text in the query), and say its marker."""
    query = request.query_params
    practice = fields.name(fields.text(query, "id", 300))
    number = fields.line_number(query)
    line = fields.text(query, "text", recording.MAX_LINE)
    data = await fields.upload(request, recording.MAX_BYTES)
    workspace = fields.studio_of(request).workspace
    take = await asyncio.to_thread(recording.save_take, workspace, practice, number, line, data)
    return JSONResponse(asdict(take))


API = [
    Route("/takes", takes, methods=["POST"]),
    Route("/take", keep, methods=["POST"]),
]
UPLOADS = {"/api/take": recording.MAX_BYTES}  # the bodies larger than a page's JSON, by path, and their limit
