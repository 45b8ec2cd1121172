"""Where `stillpoint export` writes: names from titles and from -o stay where they were meant to go.

Covered elsewhere and not repeated: titles with path separators, '..', reserved device names, control
characters and overlong titles turned into file names (tests/output/test_filenames.py: test_golden_names,
test_a_300_character_title_is_cut_to_the_byte_limit_at_a_word, test_any_title_gives_a_name_every_file_system_accepts)
and a batch of dangerous titles kept inside its folder
(tests/app/test_batch.py: test_clashing_and_dangerous_titles_get_safe_distinct_names_inside_the_folder).
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from reliability import bounded, cli_env, fifo, fingerprint, listening_socket, refused, stillpoint

NAME_MAX = 255  # bytes in one file name on the usual Linux file systems


def everything(folder: Path) -> set[Path]:
    """Every file and folder under ``folder``, the cache left out."""
    return {path for path in folder.rglob("*") if "cache" not in path.relative_to(folder).parts}


def export(tmp_path: Path, *args: str | Path) -> subprocess.CompletedProcess:
    """`stillpoint export` of a one-line practice titled from front matter, run in ``tmp_path/work``."""
    return subprocess.run(stillpoint("export", tmp_path / "practice.txt", *args), cwd=tmp_path / "work",
                          env=cli_env(tmp_path / "cache"), capture_output=True, text=True, timeout=60)


@pytest.fixture
def titled(tmp_path: Path):
    """Write the practice with a given title; a working folder to run in."""
    (tmp_path / "work").mkdir()

    def write(title: str) -> Path:
        (tmp_path / "practice.txt").write_text(f"---\ntitle: {title}\n---\nRest here.\n", encoding="utf-8")
        return tmp_path

    return write


@pytest.mark.parametrize(("title", "name"), [
    ("../../escaped", r"escaped\.mp3"),
    ("/etc/passwd", r"etc passwd\.mp3"),
    ("../../CON", r"CON_\.mp3"),
    ("a" * 400, r"a{100,}\.mp3"),
])
def test_a_title_names_a_file_inside_the_folder_given_with_o(titled, title: str, name: str) -> None:
    tmp_path = titled(title)
    out = tmp_path / "work" / "phone"
    out.mkdir()
    before = everything(tmp_path)
    done = export(tmp_path, "-o", out)
    assert done.returncode == 0, done.stderr
    (written,) = everything(tmp_path) - before
    assert written.parent == out and re.fullmatch(name, written.name) and len(written.name.encode()) < NAME_MAX


def test_dot_dot_in_o_writes_only_the_file_it_names(titled) -> None:
    tmp_path = titled("Evening")
    (tmp_path / "work" / "sub").mkdir()
    before = everything(tmp_path)
    done = export(tmp_path, "-o", "sub/../../evening.mp3")
    assert done.returncode == 0, done.stderr
    assert everything(tmp_path) - before == {tmp_path / "evening.mp3"}


def test_the_longest_name_the_file_system_allows_can_be_written(titled) -> None:
    tmp_path = titled("Evening")
    name = "é" * ((NAME_MAX - len(".mp3")) // 2) + ".mp3"  # two bytes a letter: 254 bytes in all
    done = export(tmp_path, "-o", name)
    assert done.returncode == 0, done.stderr
    assert [path.name for path in (tmp_path / "work").iterdir()] == [name]


def test_a_name_longer_than_the_file_system_allows_is_one_line_and_writes_nothing(titled) -> None:
    tmp_path = titled("Evening")
    before = everything(tmp_path)
    done = export(tmp_path, "-o", "a" * 300 + ".mp3")
    assert done.returncode == 1
    assert len(done.stderr.splitlines()) == 1 and "File name too long" in done.stderr
    assert "Traceback" not in done.stderr and everything(tmp_path) == before


# ---------------------------------------------------------------- destinations that are not files

TWO = "---\ntitle: Second\n---\nRest here too.\n"
# route: (arguments, the destination under test relative to the working folder)
ROUTES = {
    "export -o": (("export", "{practice}", "-o", "out.mp3"), "out.mp3"),
    "export --lrc": (("export", "{practice}", "-o", "out.mp3", "--lrc"), "out.lrc"),
    "export --vtt": (("export", "{practice}", "-o", "out.wav", "--vtt"), "out.vtt"),
    "playlist": (("export", "{practice}", "{second}", "-o", "album"), "album/Stillpoint.m3u8"),
    "batch track": (("export", "{practice}", "{second}", "-o", "album"), "album/Second.mp3"),
    "feed": (("export", "{practice}", "{second}", "-o", "album", "--feed-url", "https://example.org/a/feed.xml"),
             "album/feed.xml"),
    "preview -o": (("preview", "{practice}", "--lines", "4", "-o", "part.wav"), "part.wav"),
    "new": (("new", "mine"), "mine.txt"),
    "convert -o": (("convert", "{practice}", "--to", "ssml", "-o", "out.ssml"), "out.ssml"),
}
SPECIAL = {"device": "is a device", "fifo": "is a pipe (FIFO)", "socket": "is a socket"}


@contextlib.contextmanager
def special_at(path: Path, kind: str) -> Iterator[None]:
    """A device node (the null device), a FIFO or a listening socket at ``path``."""
    path.parent.mkdir(exist_ok=True)
    if kind == "device":
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    elif kind == "fifo":
        fifo(path)
    if kind != "socket":
        yield
        return
    with listening_socket(path):
        yield


@pytest.mark.parametrize("kind", SPECIAL)
@pytest.mark.parametrize(("route", "force"), [(route, True) for route in ROUTES] + [("export -o", False)],
                         ids=[*ROUTES, "export -o without --force"])
def test_a_destination_that_is_a_device_pipe_or_socket_is_refused_and_never_replaced(
        titled, route: str, kind: str, force: bool) -> None:
    """Refused even with --force, which replaces an existing file."""
    tmp_path = titled("Evening")
    (tmp_path / "second.txt").write_text(TWO, encoding="utf-8")
    args, target = ROUTES[route]
    work = tmp_path / "work"
    argv = [arg.format(practice=tmp_path / "practice.txt", second=tmp_path / "second.txt") for arg in args]
    with special_at(work / target, kind):
        before = fingerprint(tmp_path)
        done = bounded(*argv, *(["--force"] if force else []), env=cli_env(tmp_path / "cache"), cwd=work)
        assert fingerprint(tmp_path) == before
        assert stat.filemode((work / target).lstat().st_mode)[0] == {"device": "c", "fifo": "p", "socket": "s"}[kind]
    refused(done, 1, str(target), SPECIAL[kind])
