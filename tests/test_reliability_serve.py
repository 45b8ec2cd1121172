"""`stillpoint serve` decides at every request, and keeps its secret without following a link.

The server runs in a subprocess under a memory limit; every request has a timeout, so a FIFO that would block a
read fails its test instead of hanging. A track is swapped after the start for a link to a file outside the
folder, a FIFO, a device or a folder: each is a 404, and the other tracks are still served whole.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from reliability import MEMORY, bounded, cli_env, fifo, fingerprint, refused, stillpoint

from stillpoint.places import FEED_SECRET_NAME

from conftest import FAKE_ENGINE, SMALL_PRACTICE

REQUEST_SECONDS = 10.0


def limited() -> None:
    """Run the child with at most MEMORY bytes of address space."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


@contextlib.contextmanager
def serving(folder: Path, state: Path) -> Iterator[str]:
    """`stillpoint serve FOLDER` bounded, on loopback and a free port; yields the feed's URL, then stops it with
    Ctrl-C and checks that it stopped as it should: exit 130, nothing on stderr."""
    env = {**os.environ, "STILLPOINT_STATE": str(state)}
    process = subprocess.Popen(stillpoint("serve", folder, "--host", "127.0.0.1", "--port", "0"), env=env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=limited)
    try:
        yield process.stdout.readline().strip()
        assert process.poll() is None, "the server stopped while being asked"
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(20)
        errors = process.stderr.read()
    assert code == 130 and errors == "", errors


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of two exported tracks, and a file outside it that must never be served."""
    root = tmp_path_factory.mktemp("served")
    for name, title in (("one.txt", "Track One"), ("two.txt", "Track Two")):
        (root / name).write_text(SMALL_PRACTICE.replace("Small Practice", title), encoding="utf-8")
    done = bounded("export", root / "one.txt", root / "two.txt", "-o", root / "tracks", "-q",
                   env=cli_env(root / "cache", engine=FAKE_ENGINE))
    assert done.returncode == 0, done.stderr
    shutil.copy(root / "tracks" / "Track One.mp3", root / "private.mp3")
    (root / "private.mp3").write_bytes((root / "private.mp3").read_bytes() + b"PRIVATE")
    return root / "tracks"


def swap(track: Path, kind: str, outside: Path) -> None:
    """Put something that is not a regular file where ``track`` is."""
    track.unlink()
    if kind == "link to a file outside":
        track.symlink_to(outside)
    elif kind == "link to a track beside it":
        track.symlink_to(track.with_name("Track Two.mp3"))
    elif kind == "fifo":
        fifo(track)
    elif kind == "device":
        try:
            os.mknod(track, stat.S_IFCHR | 0o600, os.makedev(1, 5))  # /dev/zero's numbers: root only
        except PermissionError:
            track.symlink_to("/dev/zero")
    else:
        track.mkdir()


@pytest.mark.parametrize("kind", ["link to a file outside", "link to a track beside it", "fifo", "device", "folder"])
def test_a_track_swapped_after_the_start_is_not_found(library: Path, tmp_path: Path, kind: str) -> None:
    folder = tmp_path / "tracks"
    shutil.copytree(library, folder)
    one, two = folder / "Track One.mp3", folder / "Track Two.mp3"
    whole = two.read_bytes()
    with serving(folder, tmp_path / "state") as feed:
        base = feed.rsplit("/", 1)[0] + "/"
        assert httpx.head(base + quote(one.name), timeout=REQUEST_SECONDS).status_code == 200
        swap(one, kind, library.parent / "private.mp3")
        before = fingerprint(tmp_path)
        for method in ("GET", "HEAD"):
            for headers in ({}, {"Range": "bytes=0-99"}):
                answer = httpx.request(method, base + quote(one.name), headers=headers, timeout=REQUEST_SECONDS)
                assert answer.status_code == 404 and b"PRIVATE" not in answer.content
        assert httpx.get(base + quote(two.name), timeout=REQUEST_SECONDS).content == whole
    assert fingerprint(tmp_path) == before


@pytest.mark.parametrize("kind", ["link to a file of the user", "dangling link", "fifo", "folder"])
def test_the_secret_is_never_read_or_written_through_what_stands_in_its_place(library: Path, tmp_path: Path,
                                                                               kind: str) -> None:
    state, victim = tmp_path / "state", tmp_path / "notes.txt"
    state.mkdir()
    victim.write_text("my own words", encoding="utf-8")
    secret = state / FEED_SECRET_NAME
    {"link to a file of the user": lambda: secret.symlink_to(victim),
     "dangling link": lambda: secret.symlink_to(tmp_path / "created-through-the-link"),
     "fifo": lambda: fifo(secret), "folder": secret.mkdir}[kind]()
    before = fingerprint(tmp_path)
    if kind == "folder":  # a folder is not replaced: without a secret kept, the address would change at each start
        done = bounded("serve", library, "--host", "127.0.0.1", "--port", "0", env={**os.environ,
                       "STILLPOINT_STATE": str(state)})
        refused(done, 1, str(secret), "cannot keep the secret", "STILLPOINT_STATE")
        assert fingerprint(tmp_path) == before
        return
    with serving(library, state) as feed:
        assert httpx.get(feed, timeout=REQUEST_SECONDS).status_code == 200
    assert stat.S_ISREG(secret.lstat().st_mode) and len(bytes.fromhex(secret.read_text())) == 32
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    after = fingerprint(tmp_path)
    assert {name: after.get(name) for name in before if name != f"state/{FEED_SECRET_NAME}"} == \
        {name: value for name, value in before.items() if name != f"state/{FEED_SECRET_NAME}"}
    assert set(after) == set(before) and [path.name for path in state.iterdir()] == [FEED_SECRET_NAME]
