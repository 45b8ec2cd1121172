"""Who may talk to a running studio: its own page, on this machine, with the cookie its link gave."""

from __future__ import annotations

import http.client
import json
import os
import random

import httpx
import pytest

from conftest import FAKE_ENGINE
from studio.conftest import RunningStudio, exchange, start_studio


def _raw(studio: RunningStudio, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> int:
    """The status of a request sent exactly as given (any Host header), through http.client."""
    host, port = studio.base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.putheader("Content-Length", str(len(body)))
    connection.endheaders(body)
    status = connection.getresponse().status
    connection.close()
    return status


def test_a_request_without_the_cookie_gets_a_page_saying_how_to_get_in(studio: RunningStudio) -> None:
    port = studio.base.rsplit(":", 1)[1]
    for path in ("/", "/static/editor.js", "/audio/part-1.wav", "/?token=not-this-one"):
        answer = httpx.get(studio.base + path)
        assert answer.status_code == 403, path
        assert answer.headers["content-type"].startswith("text/html"), path
        assert "<code>stillpoint studio</code> printed in its" in answer.text, path
        assert f"http://127.0.0.1:{port}/?token=" in answer.text and studio.link not in answer.text, path
        assert "script-src" not in answer.headers["content-security-policy"], path
    for path in ("/api/library", "/api/practice?id=small.txt"):
        answer = httpx.get(studio.base + path)
        assert answer.status_code == 403, path
        assert "stillpoint studio` printed in its terminal" in answer.json()["error"], path


def test_the_token_opens_the_studio_for_as_long_as_it_runs(tmp_path) -> None:
    running = start_studio(tmp_path)
    try:
        cookies = []
        for _browser in range(3):  # a second browser, or the first one restarted without its cookie
            answer = httpx.get(running.link)
            assert answer.status_code == 303 and answer.headers["location"] == "/"
            cookie = answer.headers["set-cookie"].lower()
            assert "httponly" in cookie and "samesite=strict" in cookie
            cookies.append(answer.cookies)
        assert len({tuple(jar.items()) for jar in cookies}) == 1
        for jar in cookies:
            page = httpx.get(running.base + "/", cookies=jar)
            assert page.status_code == 200 and "set-cookie" not in page.headers
            assert "script-src 'self'" in page.headers["content-security-policy"]
        wrong = httpx.get(running.link.replace("token=", "token=x"))
        assert wrong.status_code == 403 and "set-cookie" not in wrong.headers
        stale = httpx.get(running.link.replace("token=", "token=x"), cookies=cookies[0])
        assert stale.status_code == 303 and "set-cookie" not in stale.headers  # the cookie alone is enough
    finally:
        running.stop()


def test_an_earlier_run_s_link_and_cookie_open_nothing(tmp_path) -> None:
    first = start_studio(tmp_path)
    exchange(first)
    first.stop()
    second = start_studio(tmp_path, FAKE_ENGINE, "--port", first.base.rsplit(":", 1)[1])
    try:
        assert second.base == first.base and second.link != first.link
        assert httpx.get(first.link).status_code == 403
        assert httpx.get(second.base + "/api/library", cookies=first.cookies).status_code == 403
        exchange(second)
        assert httpx.get(second.base + "/api/library", cookies=second.cookies).status_code == 200
    finally:
        second.stop()


def test_a_foreign_host_header_is_refused(studio: RunningStudio) -> None:
    cookie = "; ".join(f"{name}={value}" for name, value in studio.cookies.items())
    port = studio.base.rsplit(":", 1)[1]
    assert _raw(studio, "GET", "/api/library", {"Host": f"127.0.0.1:{port}", "Cookie": cookie}) == 200
    for host in (f"evil.example:{port}", "attacker.test", f"127.0.0.1.evil.example:{port}", ""):
        assert _raw(studio, "GET", "/api/library", {"Host": host, "Cookie": cookie}) == 400, host


def test_a_state_changing_request_from_another_origin_is_refused(client: httpx.Client, studio: RunningStudio) -> None:
    body = {"name": "from-elsewhere"}
    assert client.post("/api/new", json=body, headers={"origin": "http://evil.example"}).status_code == 403
    del client.headers["origin"]
    assert client.post("/api/new", json=body).status_code == 403
    assert not (studio.folder / "from-elsewhere.txt").exists()
    assert client.post("/api/new", json=body, headers={"origin": studio.base}).status_code == 200
    assert (studio.folder / "from-elsewhere.txt").exists()


@pytest.mark.parametrize("practice", ["../small.txt", "..", "builtin/../../etc/passwd", "/etc/passwd",
                                      "sub/small.txt", "builtin/..%2Fsmall.txt", "small.txt/..", "small", ""])
def test_paths_outside_the_library_are_refused(client: httpx.Client, practice: str) -> None:
    answer = client.get("/api/practice", params={"id": practice})
    assert answer.status_code == 422
    assert "not the name of a practice" in answer.json()["error"]
    saved = client.post("/api/save", json={"id": practice, "text": "# A\nHello.\n", "base": ""})
    assert saved.status_code == 422


def test_a_link_leading_out_of_the_folder_is_refused(client: httpx.Client, studio: RunningStudio, tmp_path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("# Secret\nNot for the studio.\n")
    (studio.folder / "leak.txt").symlink_to(secret)
    try:
        assert client.get("/api/practice", params={"id": "leak.txt"}).status_code == 422
        assert client.post("/api/save", json={"id": "leak.txt", "text": "x", "base": ""}).status_code == 422
        assert "leak.txt" not in json.dumps(client.get("/api/library").json())
        assert secret.read_text() == "# Secret\nNot for the studio.\n"
    finally:
        (studio.folder / "leak.txt").unlink()


def test_bodies_larger_than_the_studio_uses_are_refused(client: httpx.Client) -> None:
    huge = b'{"text": "' + b"a" * 3_000_000 + b'"}'
    assert client.post("/api/check", content=huge, headers={"content-type": "application/json"}).status_code == 413

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(30):
            yield b"a" * 100_000

    assert client.post("/api/check", content=chunks()).status_code == 413


def test_a_broken_script_gives_findings_not_an_error(client: httpx.Client) -> None:
    for text in ("", "[paws 5s]", "---\ntitle: x\n", "{" * 10_000, "# A\n[pause -1s]\n"):
        answer = client.post("/api/check", json={"text": text, "id": "small.txt"})
        assert answer.status_code == 200, text
        assert answer.json()["errors"] >= 1


def test_garbage_requests_never_bring_the_server_down(client: httpx.Client, studio: RunningStudio) -> None:
    rng = random.Random(7)
    routes = ["/api/check", "/api/save", "/api/new", "/api/hear", "/api/export", "/api/export-clients",
              "/api/clients-csv"]
    shapes = [b"", b"null", b"[]", b"{", b'{"text": 5}', b'{"text": "x", "rate": "fast"}', b'{"rows": [1, 2]}',
              b'{"text": "# A\\nHi.", "section": {"a": 1}}', b'{"text": "# A\\nHi.", "line": 1e400}',
              b'{"values": {"a": null}}', b'{"text": "# A\\nHi.", "voice": "klingon-ish"}', os.urandom(64),
              b'{"id": "\\u0000", "text": "x", "base": 1}', b'[' * 100_000]
    for _ in range(120):
        answer = client.post(rng.choice(routes), content=rng.choice(shapes))
        assert answer.status_code < 500, answer.text
    for path in ("/api/jobs/nope", "/jobs/nope/x.mp3", "/audio/../../etc/passwd", "/audio/part-1.wav",
                 "/static/../routes.py", "/api/practice?id=%00"):
        assert client.get(path).status_code in (404, 422), path
    assert client.get("/api/library").status_code == 200
    assert studio.process.poll() is None
