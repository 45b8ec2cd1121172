"""`stillpoint serve` as a phone meets it: a real uvicorn in a process of its own on an ephemeral port of the
loopback address, asked by real HTTP clients (httpx, and raw requests where a client would tidy the path)."""

from __future__ import annotations

import fcntl
import http.client
import os
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import feedparser
import httpx
import pytest
from mutagen.id3 import ID3
from typer.testing import CliRunner

from stillpoint.cli import app

from conftest import FAKE_ENGINE, SMALL_PRACTICE

OTHER = SMALL_PRACTICE.replace("title: Small Practice", "title: Second Practice")


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of two tracks as `export` writes them, with a text file and a hidden file beside them."""
    folder = tmp_path_factory.mktemp("library")
    for name, text in (("small.txt", SMALL_PRACTICE), ("second.txt", OTHER)):
        (folder / name).write_text(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STILLPOINT_ENGINE", FAKE_ENGINE)
        patch.setenv("STILLPOINT_CACHE", str(folder / "cache"))
        result = CliRunner().invoke(app, ["export", str(folder / "small.txt"), str(folder / "second.txt"), "-o",
                                          str(folder / "tracks"), "-q"])
    assert result.exit_code == 0, result.output
    (folder / "tracks" / "notes.txt").write_text("not served")
    (folder / "tracks" / ".hidden.mp3").write_bytes(b"not served")
    return folder / "tracks"


def serving(folder: Path, state: Path, *options: str) -> subprocess.Popen:
    """`stillpoint serve FOLDER` in a process of its own, on 127.0.0.1 and any free port unless ``options`` say."""
    env = {**os.environ, "STILLPOINT_STATE": str(state)}
    return subprocess.Popen([sys.executable, "-m", "stillpoint", "serve", str(folder), "--host", "127.0.0.1",
                             "--port", "0", *options], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def server(library: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """The library served; stopped with Ctrl-C (SIGINT) at the end, which must be clean."""
    process = serving(library, tmp_path_factory.mktemp("state"))
    try:
        feed_url = process.stdout.readline().strip()
        yield {"feed": feed_url, "base": feed_url.rsplit("/", 1)[0] + "/", "process": process, "folder": library}
        assert process.poll() is None, "the server stopped while being asked"
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(20)
        rest, errors = process.stdout.read(), process.stderr.read()
    assert code == 130 and errors == "", errors
    assert "Traceback" not in rest


def raw(server: dict, target: str, method: str = "GET", headers: dict | None = None) -> tuple[int, bytes]:
    """Status and body of a request for ``target`` exactly as written (no client tidies its path)."""
    parts = urlsplit(server["feed"])
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request(method, target, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def private(server: dict) -> str:
    """The private first part of the served paths."""
    return urlsplit(server["feed"]).path.split("/")[1]


def test_the_first_line_is_the_feed_address_under_a_private_path(server: dict) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/[a-z2-7]{26}/feed\.xml", server["feed"])
    response = httpx.get(server["feed"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/rss+xml; charset=utf-8"
    parsed = feedparser.parse(response.content)
    assert [entry.title for entry in parsed.entries] == ["Small Practice", "Second Practice"]
    assert {entry.enclosures[0].href for entry in parsed.entries} == {
        server["base"] + quote(name) for name in ("Small Practice.mp3", "Second Practice.mp3")}


def test_every_link_of_the_feed_answers_with_its_media_type(server: dict) -> None:
    parsed = feedparser.parse(httpx.get(server["feed"]).content)
    links = [(parsed.feed.image.href, "image/png")]
    for entry in parsed.entries:
        links += [(entry.enclosures[0].href, "audio/mpeg"), (entry.podcast_chapters["url"], "application/json+chapters"),
                  (entry.podcast_transcript["url"], "text/vtt")]
    for url, media_type in links:
        response = httpx.get(url)
        assert response.status_code == 200, url
        assert response.headers["content-type"].split(";")[0] == media_type
    assert httpx.get(links[0][0]).content.startswith(b"\x89PNG")


def test_chapters_and_transcript_fetched_over_http_match_the_mp3(server: dict) -> None:
    parsed = feedparser.parse(httpx.get(server["feed"]).content)
    for entry in parsed.entries:
        tags = ID3(server["folder"] / f"{entry.title}.mp3")
        chapters = httpx.get(entry.podcast_chapters["url"]).json()["chapters"]
        stored = sorted(tags.getall("CHAP"), key=lambda chapter: chapter.start_time)
        assert [(c["startTime"], c["title"]) for c in chapters] == [
            (chapter.start_time / 1000, chapter.sub_frames["TIT2"].text[0]) for chapter in stored]
        transcript = httpx.get(entry.podcast_transcript["url"]).text
        lines = re.findall(r"--> [\d:.]+\n(.*)", transcript)
        assert lines == tags.getall("USLT")[0].text.split("\n") and lines


def test_audio_is_served_in_byte_ranges(server: dict) -> None:
    url = server["base"] + quote("Small Practice.mp3")
    whole = (server["folder"] / "Small Practice.mp3").read_bytes()
    part = httpx.get(url, headers={"Range": "bytes=1000-1999"})
    assert part.status_code == 206 and part.content == whole[1000:2000]
    assert part.headers["content-range"] == f"bytes 1000-1999/{len(whole)}"
    tail = httpx.get(url, headers={"Range": "bytes=-100"})
    assert tail.status_code == 206 and tail.content == whole[-100:]
    beyond = httpx.get(url, headers={"Range": f"bytes={len(whole) + 10}-"})
    assert beyond.status_code == 416 and beyond.headers["content-range"] == f"bytes */{len(whole)}"
    full = httpx.get(url)
    assert full.content == whole and full.headers["accept-ranges"] == "bytes"


def test_head_gives_the_headers_of_get_without_the_body(server: dict) -> None:
    url = server["base"] + quote("Second Practice.mp3")
    head = httpx.head(url)
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) == (server["folder"] / "Second Practice.mp3").stat().st_size
    assert head.headers["content-type"] == "audio/mpeg" and head.headers["accept-ranges"] == "bytes"
    assert httpx.head(server["feed"]).status_code == 200


@pytest.mark.parametrize("target", [
    "/", "/{p}/", "/{p}", "/{p}/notes.txt", "/{p}/.hidden.mp3", "/{p}/nothing.mp3", "/{p}/feed.xml/",
    "/{p}/../{p}/feed.xml", "/{p}/..", "/{p}/..%2F..%2Fetc%2Fpasswd", "/{p}/%2e%2e/%2e%2e/etc/passwd",
    "/{p}/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/{p}/feed.xml%00", "/{p}/Small%20Practice.mp3/..",
    "/aaaaaaaaaaaaaaaaaaaaaaaaaa/feed.xml", "/{p}x/feed.xml", "/%C3%A9/feed.xml", "/{p}/%C3%A9%00.mp3",
    "/../etc/passwd", "/" + "a" * 5000,
])
def test_anything_but_the_feeds_own_files_is_not_found(server: dict, target: str) -> None:
    status, body = raw(server, target.format(p=private(server)))
    assert status == 404 and b"root:" not in body


def test_requests_that_are_not_reads_or_are_malformed_get_4xx_and_the_server_stays_up(server: dict) -> None:
    assert raw(server, urlsplit(server["feed"]).path, method="POST")[0] == 405
    assert raw(server, urlsplit(server["feed"]).path, method="DELETE")[0] == 405
    assert raw(server, urlsplit(server["feed"]).path, headers={"X-Padding": "a" * 100_000})[0] == 431
    parts = urlsplit(server["feed"])
    for garbage in (b"\x00\xff\xfe not http\r\n\r\n", b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * 5000 + b"\r\n",
                    b"GET " + b"/a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"):
        with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
            sock.sendall(garbage)
            answer = sock.recv(64)
        assert re.match(rb"HTTP/1\.1 4\d\d ", answer), answer
    assert httpx.get(server["feed"]).status_code == 200


def test_the_private_path_is_the_same_at_every_start(library: Path, tmp_path: Path) -> None:
    first, second = (serving(library, tmp_path / "state") for _ in range(2))
    try:
        urls = [process.stdout.readline().strip() for process in (first, second)]
    finally:
        for process in (first, second):
            process.send_signal(signal.SIGINT)
            process.wait(20)
    assert urls[0].split("/")[3] == urls[1].split("/")[3]  # the ports differ (any free one), the path does not


def test_a_port_in_use_is_one_line(library: Path, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = serving(library, tmp_path / "state", "--port", str(port))
        out, errors = process.communicate(timeout=30)
    assert process.returncode == 1 and out == ""
    assert errors.startswith(f"error: port {port} is in use on 127.0.0.1 (choose another with")
    assert len(errors.splitlines()) == 1


@pytest.mark.parametrize(("args", "code", "message"), [
    (("--host", "localhost"), 2, "error: --host localhost: not an IP address"),
    (("--host", "203.0.113.9"), 1, "error: 203.0.113.9 is not an address of this machine"),
])
def test_a_host_that_cannot_be_used_is_one_line(library: Path, tmp_path: Path, args: tuple, code: int,
                                               message: str) -> None:
    env = {**os.environ, "STILLPOINT_STATE": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "stillpoint", "serve", str(library), *args], env=env,
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == code and done.stderr.startswith(message) and len(done.stderr.splitlines()) == 1


def test_a_folder_without_tracks_is_one_line(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "stillpoint", "serve", str(tmp_path), "--host", "127.0.0.1",
                           "--port", "0"], env={**os.environ, "STILLPOINT_STATE": str(tmp_path / "state")},
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == (f"{tmp_path}: error: holds no MP3 track to publish "
                           f"(export some first: stillpoint export --all -o {tmp_path})\n")


def test_on_a_terminal_the_address_comes_first_then_its_qr_code(library: Path, tmp_path: Path) -> None:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 60, 120, 0, 0))
    env = {**os.environ, "STILLPOINT_STATE": str(tmp_path)}
    process = subprocess.Popen([sys.executable, "-m", "stillpoint", "serve", str(library), "--host", "127.0.0.1",
                                "--port", "0"], env=env, stdin=slave, stdout=slave, stderr=slave)
    try:
        seen, deadline = b"", time.monotonic() + 30
        while b"Ctrl-C stops" not in seen and time.monotonic() < deadline:
            if select.select([master], [], [], 0.1)[0]:
                seen += os.read(master, 65536)
        lines = seen.decode().splitlines()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/[a-z2-7]{26}/feed\.xml", lines[0])
        code = lines[1:-1]
        assert len(code) >= 12 and all(set(line) <= set(" ▀▄█") for line in code)
        assert lines[-1].startswith("serving 2 tracks from")
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(20) == 130
        os.close(master)
        os.close(slave)


def test_without_a_host_it_says_which_address_a_phone_can_reach(library: Path, tmp_path: Path) -> None:
    """This machine's address on its network (loopback if it has none), and which it is; nothing is sent to it."""
    process = subprocess.Popen([sys.executable, "-m", "stillpoint", "serve", str(library), "--port", "0"],
                               env={**os.environ, "STILLPOINT_STATE": str(tmp_path)}, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        url, status = process.stdout.readline().strip(), process.stdout.readline()
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(20) == 130
    host = urlsplit(url).hostname
    assert f" at {host} (" in status
    assert ("a phone on the same network reaches it through" in status) != (host == "127.0.0.1")
