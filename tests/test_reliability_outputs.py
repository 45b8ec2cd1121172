"""An output never replaces an input: every file a command writes is refused, even with --force, where it is
(by its name, a symbolic link or a hard link) the script, the cover, the ambience file, the lexicon or the table
of clients that command reads.

Destinations that are devices, pipes or sockets are in tests/test_reliability_files.py.
"""

from __future__ import annotations

import os
import wave
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from reliability import bounded, cli_env, fingerprint, refused

from stillpoint.audio import SAMPLE_RATE
from stillpoint.errors import ExitStatus

PRACTICE = "---\ntitle: Evening\n---\n# Part\nThink of a friend. [pause 2s]\n"
VARS = "---\ntitle: Evening\nvars:\n  who: a friend\n---\n# Part\nThink of {who}. [pause 2s]\n"
CLIENTS = "client,who\nAnna,her sister\n"


def _tone(path: Path) -> None:
    """Two seconds of a quiet tone as a WAV file, enough to loop under a practice."""
    samples = (np.sin(np.arange(2 * SAMPLE_RATE) * 2 * np.pi * 220 / SAMPLE_RATE) * 8000).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(samples.tobytes())


# case: (arguments, the input the destination is, its kind in the message); paths relative to the working folder
CASES = {
    "export -o the script": (("export", "evening.txt", "-o", "evening.txt", "--format", "mp3"),
                             "evening.txt", "the practice script"),
    "export to its default name": (("export", "evening.mp3"), "evening.mp3", "the practice script"),
    "export --lrc": (("export", "evening.lrc", "-o", "evening.mp3", "--lrc"), "evening.lrc", "the practice script"),
    "export --vtt": (("export", "evening.vtt", "-o", "evening.wav", "--vtt"), "evening.vtt", "the practice script"),
    "export -o the cover": (("export", "evening.txt", "--cover", "cover.png", "-o", "cover.png", "--format", "mp3"),
                            "cover.png", "the cover"),
    "export -o the ambience": (("export", "evening.txt", "--ambience", "bed.wav", "-o", "bed.wav"), "bed.wav",
                               "the ambience file"),
    "export -o the lexicon": (("export", "evening.txt", "-o", "lexicon.txt", "--format", "wav"), "lexicon.txt",
                              "the lexicon"),
    "a batch's track": (("export", "evening.txt", "album/Second.mp3", "-o", "album"), "album/Second.mp3",
                        "the practice script"),
    "a batch's playlist": (("export", "evening.txt", "album/Stillpoint.m3u8", "-o", "album"),
                           "album/Stillpoint.m3u8", "the practice script"),
    "a feed's cover": (("export", "evening.txt", "second.txt", "-o", "album", "--cover", "album/cover.png",
                        "--feed-url", "https://example.org/calm/"), "album/cover.png", "the cover"),
    "a feed's document": (("export", "evening.txt", "album/feed.xml", "-o", "album", "--feed-url",
                           "https://example.org/calm/"), "album/feed.xml", "the practice script"),
    "a client's track": (("export", "vars.txt", "--for", "album/Evening (Anna).mp3", "-o", "album"),
                         "album/Evening (Anna).mp3", "the table of clients"),
    "preview -o": (("preview", "evening.mp3", "--lines", "5", "-o", "evening.mp3"), "evening.mp3",
                   "the practice script"),
    "convert -o": (("convert", "evening.txt", "--to", "ssml", "-o", "evening.txt"), "evening.txt",
                   "the file converted"),
    "new --from": (("new", "evening", "--from", "evening.txt"), "evening.txt", "the practice script"),
    "new over the lexicon": (("new", "lexicon"), "lexicon.txt", "the lexicon"),
}


def _folder(tmp_path: Path, case: str) -> Path:
    """The working folder of a case: every input it may read, each where its arguments name it."""
    work = tmp_path / "work"
    (work / "album").mkdir(parents=True)
    args, target, _what = CASES[case]
    for name in ("evening.txt", "second.txt", "evening.mp3", "evening.lrc", "evening.vtt", "album/Second.mp3",
                 "album/Stillpoint.m3u8", "album/feed.xml"):
        (work / name).write_text(PRACTICE.replace("Evening", Path(name).stem.title()), encoding="utf-8")
    (work / "vars.txt").write_text(VARS, encoding="utf-8")
    (work / "album" / "Evening (Anna).mp3").write_text(CLIENTS, encoding="utf-8")
    (work / "lexicon.txt").write_text("calm: kahm\n", encoding="utf-8")
    _tone(work / "bed.wav")
    for cover in ("cover.png", "album/cover.png"):
        Image.new("RGB", (64, 64), "teal").save(work / cover)
    return work


def _run(work: Path, args: tuple[str, ...], *more: str):
    """The command of a case, with --force, run in ``work`` with its lexicon."""
    env = {**cli_env(work.parent / "cache"), "STILLPOINT_LEXICON": str(work / "lexicon.txt")}
    return bounded(*args, *more, "--force", env=env, cwd=work)


@pytest.mark.parametrize("case", CASES)
def test_an_output_that_is_an_input_is_refused_even_with_force(tmp_path: Path, case: str) -> None:
    work = _folder(tmp_path, case)
    args, target, what = CASES[case]
    before = fingerprint(tmp_path)
    done = _run(work, args)
    assert fingerprint(tmp_path) == before
    refused(done, ExitStatus.ERROR, f"{target}: error: is {what} (", "which this command reads", "--force")


@pytest.mark.parametrize("how", ["symbolic link", "hard link"])
@pytest.mark.parametrize("route", ["export -o", "preview -o", "convert -o"])
def test_a_link_to_an_input_is_refused_as_the_input_itself(tmp_path: Path, route: str, how: str) -> None:
    work = _folder(tmp_path, "export -o the script")
    link = work / ("out.ssml" if route == "convert -o" else "out.mp3")
    (os.symlink if how == "symbolic link" else os.link)(work / "evening.txt", link)
    args = {"export -o": ("export", "evening.txt", "-o", link.name),
            "preview -o": ("preview", "evening.txt", "--lines", "5", "-o", link.name),
            "convert -o": ("convert", "evening.txt", "--to", "ssml", "-o", link.name)}[route]
    before = fingerprint(tmp_path)
    done = _run(work, args)
    assert fingerprint(tmp_path) == before
    refused(done, ExitStatus.ERROR, f"{link.name}: error: is the ", "(evening.txt), which this command reads")


def test_force_still_replaces_an_earlier_output(tmp_path: Path) -> None:
    work = _folder(tmp_path, "export -o the script")
    (work / "out.mp3").write_bytes(b"the file from last time")
    done = _run(work, ("export", "evening.txt", "-o", "out.mp3", "--quiet"))
    assert done.returncode == 0, done.stderr
    assert (work / "out.mp3").read_bytes()[:3] == b"ID3"
