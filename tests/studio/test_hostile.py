"""A running studio under requests the page never sends, and after many exports: a 4xx saying why, never a 500.

Each test starts a studio of its own, so that what it wrote on stderr (a traceback would be there) is its own.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from studio.conftest import RunningStudio, exchange, start_studio

from stillpoint.studio.jobs import MAX_JOBS

LONE = "calm \\ud800 here"  # as JSON escapes it: half of a surrogate pair, which no UTF-8 text can hold
SURROGATE_REQUESTS = {
    "/api/new": {"name": LONE},
    "/api/save": {"id": "small.txt", "text": LONE, "base": ""},
    "/api/check": {"id": "small.txt", "text": LONE},
    "/api/hear": {"id": "small.txt", "text": "# A\nRest.", "section": LONE},
    "/api/export": {"id": "small.txt", "text": "Rest {who}.", "values": {"who": LONE}},
    "/api/export-clients": {"id": "small.txt", "text": "Rest {who}.", "rows": [{"who": LONE}]},
    "/api/clients-csv": {"id": "small.txt", "text": "Rest {who}.", "csv": f"who\n{LONE}\n"},
}
QUIET = "\u9759" * 100  # letters, as a practice's name may hold, of three bytes each: 304 bytes with .txt
LONG_REQUESTS = {
    "new": ("post", "/api/new", {"name": QUIET}),
    "copy": ("post", "/api/new", {"name": "b", "from": QUIET + ".txt"}),
    "save": ("post", "/api/save", {"id": QUIET + ".txt", "text": "Rest.", "base": ""}),
    "open": ("get", f"/api/practice?id={QUIET}.txt", None),
    "version": ("get", f"/api/version?id={QUIET}.txt", None),
    "check": ("post", "/api/check", {"id": QUIET + ".txt", "text": "Rest."}),
    "open-ascii": ("get", "/api/practice?id=" + "a" * 5000 + ".txt", None),
    "section": ("post", "/api/hear", {"id": "small.txt", "text": "# A\nRest.", "section": "a" * 300}),
    "job": ("get", "/jobs/" + "a" * 3000 + "/" + "b" * 3000, None),
}


@pytest.fixture
def own_studio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningStudio]:
    """A studio of this test alone, its scratch folder in ``tmp_path``/tmp; after it, its stderr must hold no
    traceback."""
    (tmp_path / "tmp").mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    running = start_studio(tmp_path)
    exchange(running)
    yield running
    assert running.stop() in (0, 130)
    errors = running.process.stderr.read()
    assert "Traceback" not in errors and "500 Internal Server Error" not in errors, errors[-3000:]


def _posted(client: httpx.Client, path: str, body: str) -> httpx.Response:
    """The answer to a POST of ``body``, JSON sent exactly as written."""
    return client.post(path, content=body.encode(), headers={"content-type": "application/json"})


def _done(client: httpx.Client, job: dict) -> dict:
    """The job once it has ended."""
    deadline = time.monotonic() + 120
    while job["state"] == "running" and time.monotonic() < deadline:
        time.sleep(0.05)
        job = client.get(f"/api/jobs/{job['id']}").json()
    return job


def test_a_lone_surrogate_in_any_request_is_a_400_saying_so(own_studio: RunningStudio) -> None:
    with own_studio.client() as client:
        for path, payload in SURROGATE_REQUESTS.items():
            answer = _posted(client, path, json.dumps(payload).replace("\\\\ud800", "\\ud800"))
            assert answer.status_code == 400, (path, answer.text)
            assert "lone surrogate" in answer.json()["error"], path
        assert client.post("/api/check", json={"id": "small.txt", "text": "Rest here."}).status_code == 200


def test_an_over_long_name_is_refused_with_a_reason(own_studio: RunningStudio) -> None:
    with own_studio.client() as client:
        for case, (method, path, payload) in LONG_REQUESTS.items():
            answer = client.post(path, json=payload) if method == "post" else client.get(path)
            assert answer.status_code in (400, 404, 422) and answer.json()["error"], (case, answer.text[:300])
    assert [path.name for path in own_studio.folder.iterdir()] == ["small.txt"]


@pytest.mark.slow
def test_exports_go_on_past_the_jobs_kept_and_the_oldest_are_forgotten_with_their_files(
        own_studio: RunningStudio, tmp_path: Path) -> None:
    jobs = []
    with own_studio.client() as client:
        for number in range(MAX_JOBS + 5):
            answer = client.post("/api/export", json={"id": "small.txt", "text": f"Rest here, {number}."})
            assert answer.status_code == 200, (number, answer.text)
            jobs.append(_done(client, answer.json()))
            assert jobs[-1]["state"] == "done", jobs[-1]
        latest = client.get(jobs[-1]["files"][0]["url"])
        assert latest.status_code == 200 and latest.content[:3] == b"ID3"
        assert client.get(f"/api/jobs/{jobs[0]['id']}").status_code == 404
        assert client.get(jobs[0]["files"][0]["url"]).status_code == 404
    assert len(list((tmp_path / "tmp").glob("*/export-*/*.mp3"))) == MAX_JOBS
