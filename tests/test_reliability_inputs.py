"""Every file a user names to be read, when it is a device, a pipe, a socket or too large, in a bounded run.

Each reader (script, lexicon, cover, ambience, SSML, `new --from`, `check`, a table of clients) is given each kind of file that is
not an ordinary one; the answer must be one line at once, within the memory and time of tests/reliability.py,
and nothing may be written. Damaged cache entries are in tests/test_reliability_cache.py.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from reliability import bounded, cli_env, fifo, fingerprint, listening_socket, long_wav, png_of_size, refused
from stillpoint import inputs

# reader: (arguments with {path} for the file under test, extra environment, exit code)
READERS = {
    "script": (("plan", "{path}"), {}, 1),
    "check": (("check", "{path}"), {}, 1),
    "lexicon": (("plan", "{good}"), {"STILLPOINT_LEXICON": "{path}"}, 1),
    "cover": (("export", "{good}", "--cover", "{path}", "-o", "{work}/out.mp3"), {}, 2),
    "ambience": (("export", "{good}", "--ambience", "{path}", "-o", "{work}/out.mp3"), {}, 1),
    "ssml": (("convert", "{path}", "--from", "ssml"), {}, 1),
    "new --from": (("new", "{work}/mine", "--from", "{path}"), {}, 1),
    "clients": (("export", "{good}", "--for", "{path}", "-o", "{work}/album"), {}, 1),
}
KINDS = {"device": "is a device", "fifo": "is a pipe (FIFO)", "socket": "is a socket", "folder": "is a folder"}


@contextlib.contextmanager
def special(kind: str, folder: Path) -> Iterator[Path]:
    """A file of ``kind`` that is no ordinary file: /dev/zero never ends, a FIFO never answers."""
    if kind == "device":
        yield Path("/dev/zero")
    elif kind == "fifo":
        yield fifo(folder / "pipe.txt")
    elif kind == "folder":
        (folder / "folder.txt").mkdir()
        yield folder / "folder.txt"
    else:
        with listening_socket(folder / "socket.txt") as path:
            yield path


def run(tmp_path: Path, reader: str, path: Path) -> tuple[int, object]:
    """The reader given ``path``, in a bounded run in ``tmp_path/work``; its expected exit code and its run."""
    work = tmp_path / "work"
    args, env, code = READERS[reader]
    names = {"path": path, "good": tmp_path / "good.txt", "work": work}
    environment = {**cli_env(tmp_path / "cache"), **{key: value.format(**names) for key, value in env.items()}}
    return code, bounded(*(arg.format(**names) for arg in args), env=environment, cwd=work)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A one-line practice and an empty working folder."""
    (tmp_path / "good.txt").write_text("Rest here.\n", encoding="utf-8")
    (tmp_path / "work").mkdir()
    return tmp_path


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("reader", READERS)
def test_a_file_that_is_not_an_ordinary_one_is_refused_at_once_in_one_line(folder: Path, reader: str,
                                                                            kind: str) -> None:
    with special(kind, folder) as path:
        before = fingerprint(folder)
        code, done = run(folder, reader, path)
        assert fingerprint(folder) == before
    refused(done, code, str(path), KINDS[kind])


@pytest.mark.parametrize(("reader", "cap"), [
    ("script", inputs.TEXT_CAP), ("lexicon", inputs.TEXT_CAP), ("ssml", inputs.TEXT_CAP),
    ("cover", inputs.COVER_CAP),
])
def test_a_file_larger_than_its_cap_is_refused_without_being_read(folder: Path, reader: str, cap: int) -> None:
    path = folder / "huge.txt"
    with path.open("wb") as out:
        out.truncate(cap + 1)  # sparse: the size is there, the disk space is not
    before = fingerprint(folder)
    code, done = run(folder, reader, path)
    assert fingerprint(folder) == before
    refused(done, code, str(path), f"is larger than {inputs.size_text(cap)}")


@pytest.mark.parametrize("reader", ["script", "lexicon"])
def test_a_file_just_under_its_cap_is_read(folder: Path, reader: str) -> None:
    path = folder / "long.txt"
    line = "Rest here a while and let the breath be easy. " * 20 + "\n"  # about a thousand characters
    lines = [line] * (inputs.TEXT_CAP // len(line)) if reader == "script" else \
        [f"word{number:07d}: sound\n" for number in range(inputs.TEXT_CAP // len("word0000000: sound\n"))]
    path.write_text("".join(lines), encoding="utf-8")
    assert inputs.TEXT_CAP - 1000 < path.stat().st_size <= inputs.TEXT_CAP
    lexicon = {"STILLPOINT_LEXICON": str(path)} if reader == "lexicon" else {}
    done = bounded("check", path if reader == "script" else folder / "good.txt",
                   env={**cli_env(folder / "cache"), **lexicon}, cwd=folder / "work")
    assert done.returncode == 0, done.stderr[-2000:]


def test_an_ambience_file_hours_long_is_laid_under_the_practice_in_bounded_memory(folder: Path) -> None:
    bed = long_wav(folder / "night.wav", 3 * 3600)  # 48 kHz stereo: 2 GB, of which a few MB on disk
    done = bounded("export", folder / "good.txt", "--ambience", bed, "-o", folder / "work" / "out.mp3",
                   env=cli_env(folder / "cache"), cwd=folder / "work")
    assert done.returncode == 0 and done.stderr == "", done.stderr[-2000:]
    assert (folder / "work" / "out.mp3").stat().st_size > 1000


@pytest.mark.parametrize("side", [30000, 12000, 8001])
def test_a_cover_of_enormous_dimensions_is_one_line_and_never_decoded(folder: Path, side: int) -> None:
    picture = png_of_size(folder / "bomb.png", side, side)
    code, done = run(folder, "cover", picture)
    assert not (folder / "work" / "out.mp3").exists()
    refused(done, code, str(picture), "--cover: the picture has more than 8000x8000 pixels")


def test_a_cover_at_the_most_pixels_is_embedded(folder: Path) -> None:
    picture = png_of_size(folder / "large.png", 8000, 8000)
    code, done = run(folder, "cover", picture)
    assert done.returncode == 0 and done.stderr == "", done.stderr
