"""Reading what the page sent, shared by every route: a bounded JSON body, its fields checked one by one, the
practice it names and the sound and pace it chose. A request the page would never send is a BadRequest (400).
"""

from __future__ import annotations

import json
import math
from typing import Any

from starlette.exceptions import HTTPException
from starlette.datastructures import QueryParams
from starlette.requests import Request

from stillpoint.app import session
from stillpoint.errors import UsageError
from stillpoint.language.script import MAX_PRACTICE_SECONDS
from stillpoint.language.timeline import Pace
from stillpoint.sound import ambience
from stillpoint.sound.render import RenderOptions
from stillpoint.studio.state import Studio

MAX_TEXT = 1_000_000
MAX_BODY = 2 * MAX_TEXT  # counted as it arrives: the guard has only refused larger announced lengths
MAX_FIELD = 300
NAME_BYTES = 250  # of a practice's id or name in UTF-8, its .txt included: file systems hold 255 bytes a name
SHOWN = 40  # characters of a refused name shown back
MAX_LINE = 1_000_000  # a line number: a script of 1 MB has fewer lines
Body = dict[str, Any]


class BadRequest(HTTPException):
    """A request the page would never send: wrong shape, wrong type, out of range."""

    def __init__(self, detail: str):
        super().__init__(400, detail)


def studio_of(request: Request) -> Studio:
    """The running studio a request is for."""
    return request.app.state.studio


async def upload(request: Request, limit: int = MAX_BODY) -> bytearray:
    """The bytes the request carries, counted as they arrive: at most ``limit`` of them (never copied again)."""
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > limit:
            raise HTTPException(413, "request too large")
    return data


async def body(request: Request) -> Body:
    """The JSON object the request carries, read up to MAX_BODY bytes."""
    data = await upload(request)
    try:
        found = json.loads(data or b"{}")
    except (ValueError, RecursionError):
        raise BadRequest("the request is not JSON") from None
    if not isinstance(found, dict):
        raise BadRequest("the request is not a JSON object")
    if not _is_text(found):
        raise BadRequest("the request holds a lone surrogate (\\ud800-\\udfff), which is not text")
    return found


def _is_text(found: Body) -> bool:
    """Whether every string of a JSON object is Unicode text: JSON may escape half of a surrogate pair alone."""
    try:
        json.dumps(found, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def text(fields: Body, key: str, limit: int = MAX_FIELD, default: str | None = None) -> str:
    """A string field of at most ``limit`` characters."""
    value = fields.get(key, default)
    if not isinstance(value, str) or len(value) > limit:
        raise BadRequest(f"'{key}' must be text of at most {limit} characters")
    return value


def optional_text(fields: Body, key: str) -> str | None:
    """A short string field, or None when it is missing, null or empty."""
    return text(fields, key) or None if fields.get(key) is not None else None


def number(fields: Body, key: str, low: float, high: float, default: float | None) -> float | None:
    """A number between ``low`` and ``high``, or ``default`` when it is missing or null."""
    value = fields.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or not (
            low <= value <= high):
        raise BadRequest(f"'{key}' must be a number from {low:g} to {high:g}")
    return value


def flag(fields: Body, key: str, default: bool) -> bool:
    """A true/false field."""
    value = fields.get(key, default)
    if not isinstance(value, bool):
        raise BadRequest(f"'{key}' must be true or false")
    return value


def name(given: str) -> str:
    """A practice's id or name, refused when it is too long for a file name on any file system."""
    if len(given.encode("utf-8")) > NAME_BYTES:
        shown = given if len(given) <= SHOWN else given[:SHOWN] + "\u2026"
        raise UsageError(f"'{shown}' is too long to name a practice",
                         hint=f"a name may take {NAME_BYTES} bytes of UTF-8: about {NAME_BYTES // 3} characters "
                              "of Chinese or Japanese, more of most other scripts")
    return given


def practice(fields: Body) -> tuple[str, str]:
    """The text the page holds and the practice id it came from (which names it in findings)."""
    return text(fields, "text", MAX_TEXT), name(text(fields, "id", 200, "untitled.txt"))


def located(studio: Studio, practice: str) -> str:
    """Where the practice ``practice`` is on disk: what a path the script names (a recording) is relative to."""
    return str(studio.workspace.path(practice)[0])


def line_number(fields: Body | QueryParams, key: str = "line") -> int:
    """A line number, 1-based, as a JSON number or as the digits of a query's value."""
    value = fields.get(key)
    number = int(value) if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 8 else value
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= MAX_LINE:
        raise BadRequest(f"'{key}' must be a line number from 1 to {MAX_LINE}")
    return number


def choices(fields: Body, studio: Studio) -> tuple[Pace, RenderOptions]:
    """The voice, rate, bells, sleep ending (in minutes), ambience and breath cue the page chose, checked like
    their command-line options."""
    voice = optional_text(fields, "voice")
    if voice:
        studio.speaker.resolve(voice)
    rate = number(fields, "rate", 60, 300, None)
    bed = optional_text(fields, "ambience")
    if bed is not None and bed not in ambience.BEDS:
        raise BadRequest(f"'ambience' must be one of {', '.join(ambience.BEDS)}")
    sleep = number(fields, "sleep", 1, MAX_PRACTICE_SECONDS / 60, None)
    pace = session.pace(voice, int(rate) if rate else None, None, flag(fields, "bells", True),
                        sleep * 60.0 if sleep else None)
    options = session.render_options(RenderOptions.loudness, number(fields, "bell_volume", 0, 2, 1.0), bed,
                                     number(fields, "ambience_volume", 0, 2, 1.0), optional_text(fields, "breath_cue"))
    return pace, options

