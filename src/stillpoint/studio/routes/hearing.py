"""Hearing: the voices and ambiences on offer, a part of the page's text rendered as `preview -o` would, and the
parts rendered, served for the audio element.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import TypeVar

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from stillpoint.app import preview
from stillpoint.language import script as script_language
from stillpoint.language.script import Script
from stillpoint.sound import ambience
from stillpoint.studio.routes import fields
from stillpoint.studio.state import Studio
from stillpoint.voice import Synthesizer

T = TypeVar("T")
AUDIO_NAME = re.compile(r"part-\d+\.wav")


def voices(request: Request) -> Response:
    """The voices installed (by the name a script uses, and what they are), and the ambiences."""
    offered = [v for v in fields.studio_of(request).speaker.voices() if v.installed]
    return JSONResponse({"voices": [{"id": v.name, "name": v.title or v.description, "languages": list(v.languages)}
                                    for v in offered],
                         "ambiences": list(ambience.BEDS)})


async def hear(request: Request) -> Response:
    """Render a part of the page's text as `preview -o part.wav` would, and say when each line is spoken."""
    body = await fields.body(request)
    studio = fields.studio_of(request)
    text, practice = fields.practice(body)
    part = _part_of(body, script_language.parse(text, fields.located(studio, practice)))
    pace, options = fields.choices(body, studio)
    dest = studio.next_part()
    written, heard = await _on_voice(studio, lambda synth: preview.write(part, pace, synth, dest, options, True))
    events = [{"start": round(e.start, 3), "end": round(e.end, 3), "line": e.line, "kind": e.kind}
              for e in heard.events]
    return JSONResponse({"audio": f"/audio/{written.name}", "total": round(heard.total, 3), "events": events})


def audio(request: Request) -> Response:
    """A part rendered for hearing (byte ranges served, for seeking)."""
    name = request.path_params["name"]
    path = fields.studio_of(request).audio / name
    if not AUDIO_NAME.fullmatch(name) or not path.is_file():
        raise HTTPException(404, "no such part")
    return FileResponse(path, media_type="audio/wav")


def _part_of(body: fields.Body, parsed: Script) -> Script:
    """The part of the practice to hear: a section by title, or from a line to the end of its section."""
    section = fields.optional_text(body, "section")
    if section is not None:
        return preview.part(parsed, section=section)
    line = fields.number(body, "line", 1, 1_000_000, None)
    if line is None:
        raise fields.BadRequest("say which part to hear: 'section' or 'line'")
    return preview.from_line(parsed, int(line))


async def _on_voice(studio: Studio, work: Callable[[Synthesizer], T]) -> T:
    """Run ``work`` with the synthesizer on its thread, and wait for it without holding up other requests."""
    return await asyncio.wrap_future(studio.speaker.submit(work))


API = [
    Route("/voices", voices),
    Route("/hear", hear, methods=["POST"]),
]
FILES = [
    Route("/audio/{name}", audio),
]
