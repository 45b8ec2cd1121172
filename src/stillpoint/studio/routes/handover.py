"""Handing over: an MP3 of the page's text, or one per client of a table, exported as a job the page follows, and
the files each job wrote, as downloads.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from stillpoint.app import handover, personalize
from stillpoint.errors import UsageError
from stillpoint.language import script as script_language
from stillpoint.studio.jobs import Job
from stillpoint.studio.routes import fields
from stillpoint.voice import Synthesizer


async def export(request: Request) -> Response:
    """Start an MP3 export of the page's text with the values given; the page follows the job."""
    body = await fields.body(request)
    text, practice = fields.practice(body)
    parsed = handover.practice(text, fields.located(fields.studio_of(request), practice), _values(body))
    pace, options = fields.choices(body, fields.studio_of(request))
    return _start(request, handover.track_steps(parsed, pace), partial(handover.export_track, parsed, pace, options))


async def export_clients(request: Request) -> Response:
    """Start one personalized export per client of the table, with a playlist and a zip of them all."""
    body = await fields.body(request)
    text, practice = fields.practice(body)
    scripts = personalize.scripts_for_table(text, fields.located(fields.studio_of(request), practice), _rows(body))
    pace, options = fields.choices(body, fields.studio_of(request))
    return _start(request, len(scripts), partial(handover.export_clients, scripts, pace, options))


async def clients_csv(request: Request) -> Response:
    """The clients of an uploaded CSV file, checked against the practice, as rows for the page's table."""
    body = await fields.body(request)
    text, practice = fields.practice(body)
    name = fields.text(body, "name", 200, "clients.csv")
    csv_text = fields.text(body, "csv", personalize.MAX_BYTES)
    return JSONResponse({"rows": personalize.table_rows(csv_text, name, text, practice)})


def job_state(request: Request) -> Response:
    """How far an export has come, and its files once done."""
    job = fields.studio_of(request).jobs.get(request.path_params["job"])
    if job is None:
        raise HTTPException(404, "no such export")
    return _job(job)


def job_file(request: Request) -> Response:
    """A file an export wrote, as a download."""
    job = fields.studio_of(request).jobs.get(request.path_params["job"])
    name = request.path_params["name"]
    chosen = next((path for path in job.files if path.name == name), None) if job else None
    if chosen is None:
        raise HTTPException(404, "no such file")
    return FileResponse(chosen, filename=chosen.name)


def _start(request: Request, steps: int, write: Callable[[Synthesizer, Path, handover.Follower], list[Path]]
           ) -> Response:
    """Queue an export of ``steps`` steps that ``write`` makes (into the job's folder), and answer with its job."""
    job = fields.studio_of(request).jobs.start(steps, lambda synth, job: write(synth, job.folder, job.follow))
    return _job(job)


def _values(body: fields.Body) -> dict[str, str]:
    """The variables' values the page sent, as name -> text."""
    values = body.get("values") or {}
    if not isinstance(values, dict) or len(values) > 100:
        raise fields.BadRequest("'values' must map at most 100 variable names to text")
    given = {_key(name): fields.text(values, name) for name in values if str(values[name]).strip()}
    for name, value in given.items():
        if problem := script_language.value_problem(value):
            raise UsageError(f"the value of '{name}' {problem}", hint=script_language.VALUE_HINT)
    return given


def _key(name: object) -> str:
    """A variable or column name as sent."""
    if not isinstance(name, str) or len(name) > 100:
        raise fields.BadRequest("a variable name must be text of at most 100 characters")
    return name


def _rows(body: fields.Body) -> list[dict[str, str]]:
    """The table of clients: a list of objects, column -> text."""
    rows = body.get("rows")
    if not isinstance(rows, list) or len(rows) > personalize.MAX_CLIENTS or not all(isinstance(r, dict) for r in rows):
        raise fields.BadRequest(f"'rows' must be a list of at most {personalize.MAX_CLIENTS} objects")
    return [{_key(column): fields.text(row, column) for column in row} for row in rows]


def _job(job: Job) -> Response:
    """A job as the page follows it."""
    return JSONResponse({"id": job.id, "state": job.state, "done": job.done, "total": job.total,
                         "message": job.message, "synthesized": job.synthesized, "cached": job.cached,
                         "error": job.error,
                         "files": [{"name": path.name, "url": f"/jobs/{job.id}/{path.name}"} for path in job.files]})


API = [
    Route("/export", export, methods=["POST"]),
    Route("/export-clients", export_clients, methods=["POST"]),
    Route("/clients-csv", clients_csv, methods=["POST"]),
    Route("/jobs/{job}", job_state),
]
FILES = [
    Route("/jobs/{job}/{name}", job_file),
]
