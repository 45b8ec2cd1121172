"""The text being written: its findings, variables and estimated timeline, as `check` would find them."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from stillpoint.app import authoring, reports
from stillpoint.language import lexicon, review
from stillpoint.studio.routes import fields


async def check(request: Request) -> Response:
    """The findings, variables and estimated timeline of the page's text, as `check` (with `--review` if the page
    asks) would find them."""
    body = await fields.body(request)
    studio = fields.studio_of(request)
    text, practice = fields.practice(body)
    pace, _ = fields.choices(body, studio)
    reviewing = review.Options() if fields.flag(body, "review", False) else None
    found = await asyncio.to_thread(authoring.draft, text, fields.located(studio, practice), pace, lexicon.load(),
                                    studio.speaker.resolve, reviewing)
    return JSONResponse(reports.draft_report(found))


API = [
    Route("/check", check, methods=["POST"]),
]
