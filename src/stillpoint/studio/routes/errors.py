"""Errors as the page shows them: a mistake in what the user wrote or chose as its findings, a refused request as
its reason; both JSON.
"""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from stillpoint.app import reports
from stillpoint.app.workspace import Conflict
from stillpoint.errors import ScriptError, Setting, StillpointError

# The page's name for each setting a message can be about: its field, not a command-line flag.
FIELDS = {"set": "Variable {}", "voice": "Voice", "length": "Length", "lines": "Lines", "sleep": "Sleep ending",
          "feed-url": "Feed address", "breath-cue": "Breath cue"}


def stillpoint_error(request: Request, err: Exception) -> Response:
    """A mistake in what the user wrote or chose: its findings, for the page to show (409 for a conflict)."""
    assert isinstance(err, StillpointError)
    found = [d.naming(field) for d in (err.diagnostics if isinstance(err, ScriptError) else [err.diagnostic])]
    answer: dict[str, Any] = {"error": str(found[0]), "diagnostics": [reports.diagnostic(d) for d in found]}
    if isinstance(err, Conflict):
        answer.update(conflict={"text": err.text, "version": err.version})
    return JSONResponse(answer, 409 if isinstance(err, Conflict) else 422)


def field(setting: Setting) -> str:
    """A setting as the page names it: its field ("Voice"), or the variable ("Variable x")."""
    return FIELDS.get(setting.name, setting.name).format(setting.value)


def http_error(request: Request, err: Exception) -> Response:
    """A refused request, its reason as JSON."""
    assert isinstance(err, HTTPException)
    return JSONResponse({"error": err.detail}, err.status_code)


HANDLERS = {StillpointError: stillpoint_error, HTTPException: http_error}
