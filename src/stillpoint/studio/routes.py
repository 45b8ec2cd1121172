"""The studio's HTTP layer: requests in, use cases of stillpoint.app called, JSON and files out.

Every route only translates: it reads and bounds what the page sent, calls the application layer (on the
voice thread when speech is needed) and turns the answer, or the error, into a response.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import re
import secrets
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from stillpoint.app import authoring, batch, personalize, pipeline, preview, reports, session
from stillpoint.app.workspace import Conflict, Workspace
from stillpoint.errors import ScriptError, Setting, StillpointError, UsageError
from stillpoint.language import lexicon, review
from stillpoint.language import script as script_language
from stillpoint.language import timeline as timing
from stillpoint.language.script import Script
from stillpoint.language.timeline import Pace
from stillpoint.output.filenames import safe_name
from stillpoint.sound import ambience
from stillpoint.sound.render import RenderOptions
from stillpoint.studio.jobs import Job, Jobs, Speaker
from stillpoint.voice import Synthesizer, SynthProgress

MAX_TEXT = 1_000_000
MAX_FIELD = 300
NAME_BYTES = 250  # of a practice's id or name in UTF-8, its .txt included: file systems hold 255 bytes a name
SHOWN = 40  # characters of a refused name shown back
AUDIO_NAME = re.compile(r"part-\d+\.wav")
AUDIO_KEPT = 12  # parts heard, kept on disk for the audio element to seek in; older ones are removed
PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self' 'nonce-{nonce}'; img-src 'self' data:; "
               "media-src 'self'; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'")


@dataclass
class Studio:
    """What the routes work with: the practices, the voice, the exports, and a folder for what they write."""

    workspace: Workspace
    speaker: Speaker
    jobs: Jobs
    scratch: Path

    def __post_init__(self) -> None:
        self.audio = self.scratch / "audio"
        self.audio.mkdir(exist_ok=True)
        self._parts = itertools.count(1)

    def next_part(self) -> Path:
        """A new file for a part to be heard; the oldest ones beyond AUDIO_KEPT are removed."""
        for old in sorted(self.audio.glob("part-*.wav"), key=lambda p: int(p.stem[5:]))[:-AUDIO_KEPT]:
            old.unlink(missing_ok=True)
        return self.audio / f"part-{next(self._parts)}.wav"


class BadRequest(HTTPException):
    """A request the page would never send: wrong shape, wrong type, out of range."""

    def __init__(self, detail: str):
        super().__init__(400, detail)


# ---------------------------------------------------------------- reading requests


async def _body(request: Request, limit: int = MAX_TEXT * 2) -> dict[str, Any]:
    """The JSON object the request carries, read up to ``limit`` bytes."""
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > limit:
            raise HTTPException(413, "request too large")
    try:
        found = json.loads(data or b"{}")
    except (ValueError, RecursionError):
        raise BadRequest("the request is not JSON") from None
    if not isinstance(found, dict):
        raise BadRequest("the request is not a JSON object")
    if not _is_text(found):
        raise BadRequest("the request holds a lone surrogate (\\ud800-\\udfff), which is not text")
    return found


def _is_text(found: dict[str, Any]) -> bool:
    """Whether every string of a JSON object is Unicode text: JSON may escape half of a surrogate pair alone."""
    try:
        json.dumps(found, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _text(body: dict[str, Any], key: str, limit: int = MAX_FIELD, default: str | None = None) -> str:
    """A string field of at most ``limit`` characters."""
    value = body.get(key, default)
    if not isinstance(value, str) or len(value) > limit:
        raise BadRequest(f"'{key}' must be text of at most {limit} characters")
    return value


def _optional_text(body: dict[str, Any], key: str) -> str | None:
    """A short string field, or None when it is missing, null or empty."""
    return _text(body, key) or None if body.get(key) is not None else None


def _number(body: dict[str, Any], key: str, low: float, high: float, default: float | None) -> float | None:
    """A number between ``low`` and ``high``, or ``default`` when it is missing or null."""
    value = body.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or not (
            low <= value <= high):
        raise BadRequest(f"'{key}' must be a number from {low:g} to {high:g}")
    return value


def _flag(body: dict[str, Any], key: str, default: bool) -> bool:
    """A true/false field."""
    value = body.get(key, default)
    if not isinstance(value, bool):
        raise BadRequest(f"'{key}' must be true or false")
    return value


def _values(body: dict[str, Any]) -> dict[str, str]:
    """The variables' values the page sent, as name -> text."""
    values = body.get("values") or {}
    if not isinstance(values, dict) or len(values) > 100:
        raise BadRequest("'values' must map at most 100 variable names to text")
    given = {_key(name): _text(values, name) for name in values if str(values[name]).strip()}
    for name, value in given.items():
        if problem := script_language.value_problem(value):
            raise UsageError(f"the value of '{name}' {problem}", hint=script_language.VALUE_HINT)
    return given


def _key(name: object) -> str:
    """A variable or column name as sent."""
    if not isinstance(name, str) or len(name) > 100:
        raise BadRequest("a variable name must be text of at most 100 characters")
    return name


def _rows(body: dict[str, Any]) -> list[dict[str, str]]:
    """The table of clients: a list of objects, column -> text."""
    rows = body.get("rows")
    if not isinstance(rows, list) or len(rows) > personalize.MAX_CLIENTS or not all(isinstance(r, dict) for r in rows):
        raise BadRequest(f"'rows' must be a list of at most {personalize.MAX_CLIENTS} objects")
    return [{_key(column): _text(row, column) for column in row} for row in rows]


def _part_of(body: dict[str, Any], parsed: Script) -> Script:
    """The part of the practice to hear: a section by title, or from a line to the end of its section."""
    section = _optional_text(body, "section")
    if section is not None:
        return preview.part(parsed, section=section)
    line = _number(body, "line", 1, 1_000_000, None)
    if line is None:
        raise BadRequest("say which part to hear: 'section' or 'line'")
    return preview.from_line(parsed, int(line))


def _choices(body: dict[str, Any], studio: Studio) -> tuple[Pace, RenderOptions]:
    """The voice, rate, bells and ambience the page chose, checked like their command-line options."""
    voice = _optional_text(body, "voice")
    if voice:
        studio.speaker.resolve(voice)
    rate = _number(body, "rate", 60, 300, None)
    bed = _optional_text(body, "ambience")
    if bed is not None and bed not in ambience.BEDS:
        raise BadRequest(f"'ambience' must be one of {', '.join(ambience.BEDS)}")
    pace = session.pace(voice, int(rate) if rate else None, None, _flag(body, "bells", True))
    options = session.render_options(RenderOptions.loudness, _number(body, "bell_volume", 0, 2, 1.0), bed,
                                     _number(body, "ambience_volume", 0, 2, 1.0))
    return pace, options


def _practice(body: dict[str, Any]) -> tuple[str, str]:
    """The text the page holds and the practice id it came from (which names it in findings)."""
    return _text(body, "text", MAX_TEXT), _name(_text(body, "id", 200, "untitled.txt"))


def _name(name: str) -> str:
    """A practice's id or name, refused when it is too long for a file name on any file system."""
    if len(name.encode("utf-8")) > NAME_BYTES:
        shown = name if len(name) <= SHOWN else name[:SHOWN] + "\u2026"
        raise UsageError(f"'{shown}' is too long to name a practice",
                         hint=f"a name may take {NAME_BYTES} bytes of UTF-8: about {NAME_BYTES // 3} characters "
                              "of Chinese or Japanese, more of most other scripts")
    return name


# ---------------------------------------------------------------- the page and the library


def page(request: Request) -> Response:
    """The studio's one page, with a fresh nonce for the editor's style element."""
    nonce = secrets.token_urlsafe(16)
    html = (resources.files("stillpoint.studio") / "static" / "index.html").read_text(encoding="utf-8")
    return HTMLResponse(html.replace("{{nonce}}", nonce),
                        headers={"content-security-policy": PAGE_POLICY.format(nonce=nonce)})


def library(request: Request) -> Response:
    """The practices of the folder and the built-ins, with their tags."""
    studio: Studio = request.app.state.studio
    entries = studio.workspace.entries(lexicon.load())
    tags = sorted({tag for entry in entries for tag in entry.tags}, key=str.casefold)
    return JSONResponse({"folder": str(studio.workspace.folder), "practices": [asdict(e) for e in entries],
                         "tags": tags})


def open_practice(request: Request) -> Response:
    """One practice's text and version."""
    document = request.app.state.studio.workspace.open(_name(request.query_params.get("id", "")))
    return JSONResponse(asdict(document))


def practice_version(request: Request) -> Response:
    """The version of a practice on disk now (the page asks, to notice changes made elsewhere)."""
    practice = _name(request.query_params.get("id", ""))
    return JSONResponse({"version": request.app.state.studio.workspace.version(practice)})


async def save(request: Request) -> Response:
    """Save the page's text over the practice, unless the file changed since it was opened."""
    body = await _body(request)
    workspace: Workspace = request.app.state.studio.workspace
    text, practice = _practice(body)
    version = workspace.save(practice, text, _text(body, "base", 64))
    return JSONResponse({"version": version})


async def create(request: Request) -> Response:
    """A new practice from the template, or a copy of another one."""
    body = await _body(request)
    source = _optional_text(body, "from")
    name = _name(_text(body, "name", 100) + ".txt").removesuffix(".txt")
    document = request.app.state.studio.workspace.create(name, _name(source) if source else None)
    return JSONResponse(asdict(document))


# ---------------------------------------------------------------- checking and timing


async def check(request: Request) -> Response:
    """The findings, variables and estimated timeline of the page's text, as `check` (with `--review` if the page
    asks) would find them."""
    body = await _body(request)
    studio: Studio = request.app.state.studio
    text, practice = _practice(body)
    pace, _ = _choices(body, studio)
    reviewing = review.Options() if _flag(body, "review", False) else None
    found = await asyncio.to_thread(authoring.draft, text, practice, pace, lexicon.load(), studio.speaker.resolve,
                                    reviewing)
    return JSONResponse(reports.draft_report(found))


def voices(request: Request) -> Response:
    """The voices installed (by the name a script uses, and what they are), and the ambiences."""
    offered = [v for v in request.app.state.studio.speaker.voices() if v.installed]
    return JSONResponse({"voices": [{"id": v.name, "name": v.title or v.description, "languages": list(v.languages)}
                                    for v in offered],
                         "ambiences": list(ambience.BEDS)})


# ---------------------------------------------------------------- hearing


async def hear(request: Request) -> Response:
    """Render a part of the page's text as `preview -o part.wav` would, and say when each line is spoken."""
    body = await _body(request)
    studio: Studio = request.app.state.studio
    text, practice = _practice(body)
    part = _part_of(body, script_language.parse(text, practice))
    pace, options = _choices(body, studio)
    dest = studio.next_part()
    written, heard = await _on_voice(studio, lambda synth: preview.write(part, pace, synth, dest, options, True))
    events = [{"start": round(e.start, 3), "end": round(e.end, 3), "line": e.line, "kind": e.kind}
              for e in heard.events]
    return JSONResponse({"audio": f"/audio/{written.name}", "total": round(heard.total, 3), "events": events})


def audio(request: Request) -> Response:
    """A part rendered for hearing (byte ranges served, for seeking)."""
    name = request.path_params["name"]
    path = request.app.state.studio.audio / name
    if not AUDIO_NAME.fullmatch(name) or not path.is_file():
        raise HTTPException(404, "no such part")
    return FileResponse(path, media_type="audio/wav")


async def _on_voice(studio: Studio, work: Callable[[Synthesizer], Any]) -> Any:
    """Run ``work`` with the synthesizer on its thread, and wait for it without holding up other requests."""
    return await asyncio.wrap_future(studio.speaker.submit(work))


# ---------------------------------------------------------------- handing over


async def export(request: Request) -> Response:
    """Start an MP3 export of the page's text with the values given; the page follows the job."""
    body = await _body(request)
    studio: Studio = request.app.state.studio
    text, practice = _practice(body)
    values = _values(body)
    parsed = script_language.parse(text, practice, values)
    pipeline.check_values(values, [parsed])
    pace, options = _choices(body, studio)
    name = f"{safe_name(parsed.meta.title)}.mp3"

    def work(synth: Synthesizer, job: Job) -> list[Path]:
        settings = pipeline.ExportSettings(dest=job.folder / name)
        written, _ = pipeline.export(parsed, pace, synth, settings, options, _following(job))
        return [written]

    return _job(studio.jobs.start(len(timing.utterances(parsed, pace)), work))


async def export_clients(request: Request) -> Response:
    """Start one personalized export per client of the table, with a playlist and a zip of them all."""
    body = await _body(request)
    studio: Studio = request.app.state.studio
    text, practice = _practice(body)
    scripts = personalize.scripts_for_table(text, practice, _rows(body))
    pace, options = _choices(body, studio)
    counted: dict[int, SynthProgress] = {}

    def work(synth: Synthesizer, job: Job) -> list[Path]:
        def progress(state: batch.BatchProgress) -> None:
            counted[state.number] = state.speech
            job.message = f"{state.number} of {state.total}: {state.title}"
            job.done = state.number - 1
            job.synthesized = sum(s.done - s.cached for s in counted.values())
            job.cached = sum(s.cached for s in counted.values())

        def written(_track: batch.Exported) -> None:
            job.done = sum(1 for _ in job.folder.glob("*.mp3"))

        exported = personalize.export_for_clients(scripts, job.folder, pace, synth, options=options,
                                                  on_progress=progress, on_written=written)
        return [*(track.path for track in exported), *job.folder.glob(f"*{batch.PLAYLIST_SUFFIX}"),
                _zipped(job.folder, [track.path for track in exported])]

    return _job(studio.jobs.start(len(scripts), work))


async def clients_csv(request: Request) -> Response:
    """The clients of an uploaded CSV file, checked against the practice, as rows for the page's table."""
    body = await _body(request)
    text, practice = _practice(body)
    name = _text(body, "name", 200, "clients.csv")
    clients = personalize.parse_clients(_text(body, "csv", personalize.MAX_BYTES), name,
                                        script_language.variables(text, practice))
    return JSONResponse({"rows": [{personalize.CLIENT_COLUMN: c.name, **c.values} for c in clients]})


def _following(job: Job) -> Callable[[SynthProgress], None]:
    """A synthesis progress callback that keeps ``job`` up to date."""

    def follow(state: SynthProgress) -> None:
        job.done, job.total = state.done, state.total
        job.synthesized, job.cached = state.done - state.cached, state.cached

    return follow


def _zipped(folder: Path, tracks: list[Path]) -> Path:
    """All ``tracks`` in one zip file beside them (stored: MP3 does not compress)."""
    dest = folder / "tracks.zip"
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_STORED) as bundle:
        for track in tracks:
            bundle.write(track, track.name)
    return dest


def _job(job: Job) -> Response:
    """A job as the page follows it."""
    return JSONResponse({"id": job.id, "state": job.state, "done": job.done, "total": job.total,
                         "message": job.message, "synthesized": job.synthesized, "cached": job.cached,
                         "error": job.error,
                         "files": [{"name": path.name, "url": f"/jobs/{job.id}/{path.name}"} for path in job.files]})


def job_state(request: Request) -> Response:
    """How far an export has come, and its files once done."""
    job = request.app.state.studio.jobs.get(request.path_params["job"])
    if job is None:
        raise HTTPException(404, "no such export")
    return _job(job)


def job_file(request: Request) -> Response:
    """A file an export wrote, as a download."""
    job = request.app.state.studio.jobs.get(request.path_params["job"])
    name = request.path_params["name"]
    chosen = next((path for path in job.files if path.name == name), None) if job else None
    if chosen is None:
        raise HTTPException(404, "no such file")
    return FileResponse(chosen, filename=chosen.name)


# ---------------------------------------------------------------- errors


def stillpoint_error(request: Request, err: Exception) -> Response:
    """A mistake in what the user wrote or chose: its findings, for the page to show (409 for a conflict)."""
    assert isinstance(err, StillpointError)
    found = [d.naming(field) for d in (err.diagnostics if isinstance(err, ScriptError) else [err.diagnostic])]
    answer: dict[str, Any] = {"error": str(found[0]), "diagnostics": [reports.diagnostic(d) for d in found]}
    if isinstance(err, Conflict):
        answer.update(conflict={"text": err.text, "version": err.version})
    return JSONResponse(answer, 409 if isinstance(err, Conflict) else 422)


# The page's name for each setting a message can be about: its field, not a command-line flag.
FIELDS = {"set": "Variable {}", "voice": "Voice", "length": "Length", "lines": "Lines", "feed-url": "Feed address"}


def field(setting: Setting) -> str:
    """A setting as the page names it: its field ("Voice"), or the variable ("Variable x")."""
    return FIELDS.get(setting.name, setting.name).format(setting.value)


def http_error(request: Request, err: Exception) -> Response:
    """A refused request, as plain text."""
    assert isinstance(err, HTTPException)
    return JSONResponse({"error": err.detail}, err.status_code)


ROUTES = [
    Route("/", page),
    Route("/api/library", library),
    Route("/api/practice", open_practice),
    Route("/api/version", practice_version),
    Route("/api/save", save, methods=["POST"]),
    Route("/api/new", create, methods=["POST"]),
    Route("/api/check", check, methods=["POST"]),
    Route("/api/voices", voices),
    Route("/api/hear", hear, methods=["POST"]),
    Route("/audio/{name}", audio),
    Route("/api/export", export, methods=["POST"]),
    Route("/api/export-clients", export_clients, methods=["POST"]),
    Route("/api/clients-csv", clients_csv, methods=["POST"]),
    Route("/api/jobs/{job}", job_state),
    Route("/jobs/{job}/{name}", job_file),
]
