"""Takes over real HTTP: a WAV body kept beside the practice, the lines recorded and stale, and whatever else a
request could send (not WAV, too large, a link in the way) refused in one line, never a 500 or a traceback."""

from __future__ import annotations

import http.client
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from app.test_recording import LINE, wav

from conftest import SMALL_PRACTICE
from studio.conftest import RunningStudio, exchange, start_studio

from stillpoint.app import recording

TAKE = "010-settle-in-and-let-the-floor.wav"


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStudio]:
    """A studio of this module alone; after it, its stderr must hold no traceback."""
    studio = start_studio(tmp_path_factory.mktemp("recording"))
    exchange(studio)
    yield studio
    assert studio.stop() in (0, 130)
    errors = studio.process.stderr.read()
    assert "Traceback" not in errors and "500 Internal Server Error" not in errors, errors[-3000:]


@pytest.fixture
def client(running: RunningStudio) -> Iterator[httpx.Client]:
    with running.client() as http:
        yield http


def _keep(client: httpx.Client, data: bytes, line: int | str = 10, text: str = LINE, practice: str = "small.txt"
          ) -> httpx.Response:
    """The studio's answer to keeping ``data`` as the take of ``line``."""
    query = urlencode({"id": practice, "line": line, "text": text})
    return client.post(f"/api/take?{query}", content=data, headers={"content-type": "audio/wav"})


def _one_line(answer: httpx.Response, status: int, words: str) -> str:
    """The error of a refused request, checked: its status, one line, holding ``words``."""
    assert answer.status_code == status, answer.text[:300]
    error = answer.json()["error"]
    assert words in error and "\n" not in error, error
    return error


def test_a_take_is_kept_and_its_line_shows_recorded_then_stale(client: httpx.Client, running: RunningStudio) -> None:
    data = wav(3.0)
    answer = _keep(client, data)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"line": 10, "file": TAKE, "marker": f"[recorded small.recordings/{TAKE}]",
                             "seconds": 3.0}
    assert (running.folder / "small.recordings" / TAKE).read_bytes() == data
    marked = SMALL_PRACTICE.replace(LINE, f"{LINE} {answer.json()['marker']}")
    listed = client.post("/api/takes", json={"id": "small.txt", "text": marked}).json()
    assert listed == {"recorded": [{"line": 10, "file": TAKE, "state": "recorded"}]}
    changed = marked.replace("the floor", "the earth")
    listed = client.post("/api/takes", json={"id": "small.txt", "text": changed, "line": 10}).json()
    assert listed["recorded"][0]["state"] == "stale"
    assert listed["line"] == {"number": 10, "text": "Settle in and let the earth hold you.",
                              "file": f"small.recordings/{TAKE}"}


def test_a_take_larger_than_a_page_s_json_is_kept(client: httpx.Client, running: RunningStudio) -> None:
    data = wav(30.0)  # 2.9 MB: more than the 2 MB any other request may carry
    assert len(data) > 2_000_000
    assert _keep(client, data, 15, "Come back when you are ready.").status_code == 200
    assert (running.folder / "small.recordings" / "015-come-back-when-you-are-ready.wav").stat().st_size == len(data)
    assert client.post("/api/check", content=b" " * len(data)).status_code == 413


def test_a_line_that_is_not_spoken_cannot_be_recorded(client: httpx.Client) -> None:
    answer = client.post("/api/takes", json={"id": "small.txt", "text": SMALL_PRACTICE, "line": 9})
    _one_line(answer, 422, "line 9 is a heading, not a spoken line")
    _one_line(client.post("/api/takes", json={"id": "small.txt", "text": "", "line": 0}), 400, "'line' must be")
    _one_line(_keep(client, wav(), line=3, text="   "), 422, "line 3 has no words to record")
    for line in ("²", "-1", "1e3", "99999999"):  # a digit of another kind, a sign, an exponent, too many digits
        _one_line(_keep(client, wav(), line=line), 400, "'line' must be a line number from 1 to")


def test_what_is_not_a_take_is_refused_in_one_line_and_nothing_written(client: httpx.Client,
                                                                      running: RunningStudio) -> None:
    before = sorted(p.name for p in running.folder.rglob("*"))
    _one_line(_keep(client, b"<html>not audio</html>", 12, "Think of {who}."), 422,
              "small.recordings/012-think-of-who.wav: error: is not a WAV file")
    _one_line(_keep(client, wav(), practice="builtin/benefactor.txt"), 422, "is a built-in practice")
    _one_line(_keep(client, wav(), practice="../small.txt"), 422, "is not the name of a practice")
    _one_line(_keep(client, wav(), line=10, text="x" * (recording.MAX_LINE + 1)), 400, "'text' must be text")
    assert sorted(p.name for p in running.folder.rglob("*")) == before


def test_a_body_past_100_mb_is_refused_announced_or_not(running: RunningStudio) -> None:
    host, port = running.base.removeprefix("http://").split(":")
    query = urlencode({"id": "small.txt", "line": 10, "text": LINE})
    cookie = "; ".join(f"{name}={value}" for name, value in running.cookies.items())
    headers = {"Origin": running.base, "Cookie": cookie, "Content-Type": "audio/wav"}
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    connection.request("POST", f"/api/take?{query}", headers={**headers, "Content-Length": str(10**9)})
    assert connection.getresponse().status == 413  # announced: refused before a byte is read
    connection.close()
    block = bytes(2**20)
    with running.client() as client:
        answer = client.post(f"/api/take?{query}", content=(block for _ in range(recording.MAX_BYTES // 2**20 + 2)),
                             headers={"content-type": "audio/wav"})
    assert answer.status_code == 413 and answer.json()["error"] == "request too large"


def test_a_link_in_place_of_the_folder_of_takes_is_refused(client: httpx.Client, running: RunningStudio,
                                                           tmp_path: Path) -> None:
    (running.folder / "linked.txt").write_text("Rest here.\n")
    os.symlink(tmp_path, running.folder / "linked.recordings")
    answer = _keep(client, wav(), 1, "Rest here.", practice="linked.txt")
    _one_line(answer, 422, "linked.recordings: error: is a link or a file, not the studio's folder of takes")
    assert list(tmp_path.iterdir()) == []
