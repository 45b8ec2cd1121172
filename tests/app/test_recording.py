"""Takes of the user's voice: kept beside the practice as WAV, named by their line, never over a file the studio did
not write, and flagged stale once their line's words change."""

from __future__ import annotations

import io
import json
import os
import struct
import wave
from pathlib import Path

import numpy as np
import pytest

from conftest import SMALL_PRACTICE
from stillpoint.app import recording
from stillpoint.app.workspace import Workspace
from stillpoint.errors import UsageError

LINE = "Settle in and let the floor hold you."  # line 10 of the small practice


def wav(seconds: float = 0.5, rate: int = 48000, width: int = 2, channels: int = 1) -> bytes:
    """A WAV file of a quiet tone."""
    frames = int(seconds * rate)
    tone = (3000 * np.sin(np.arange(frames * channels) * 0.05)).astype("<i2")
    out = io.BytesIO()
    with wave.open(out, "wb") as file:
        file.setnchannels(channels)
        file.setsampwidth(width)
        file.setframerate(rate)
        file.writeframes(tone.tobytes()[:frames * channels * width])
    return out.getvalue()


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    made = Workspace(tmp_path / "practices")
    (made.folder / "small.txt").write_text(SMALL_PRACTICE)
    return made


def _marked(text: str, number: int, marker: str) -> str:
    """``text`` with ``marker`` at the end of line ``number``, in place of a take's marker there."""
    lines = text.splitlines()
    lines[number - 1] = f"{recording.split_line(lines[number - 1])[0]} {marker}"
    return "\n".join(lines) + "\n"


def test_a_take_is_kept_beside_the_practice_and_its_marker_names_it(workspace: Workspace) -> None:
    data = wav(1.25)
    take = recording.save_take(workspace, "small.txt", 10, LINE, data)
    assert take == recording.Take(10, "010-settle-in-and-let-the-floor.wav",
                                  "[recorded small.recordings/010-settle-in-and-let-the-floor.wav]", 1.25)
    folder = workspace.folder / "small.recordings"
    assert (folder / take.file).read_bytes() == data
    ledger = json.loads((folder / "takes.json").read_text())
    assert ledger[take.file]["seconds"] == 1.25 and ledger[take.file]["line"] == 10
    assert sorted(p.name for p in folder.iterdir()) == [take.file, "takes.json"]  # no part file left behind


def test_a_retake_replaces_the_line_s_take_and_its_state_follows_the_words(workspace: Workspace) -> None:
    first = recording.save_take(workspace, "small.txt", 10, LINE, wav(1.0))
    text = _marked(SMALL_PRACTICE, 10, first.marker)
    assert recording.recorded_lines(workspace, "small.txt", text) == [recording.Recorded(10, first.file, "recorded")]
    changed = text.replace("let the floor", "let the chair")
    assert recording.recorded_lines(workspace, "small.txt", changed)[0].state == "stale"
    again = recording.save_take(workspace, "small.txt", 10, changed.splitlines()[9], wav(2.0))
    assert again.file == first.file and again.seconds == 2.0
    assert recording.recorded_lines(workspace, "small.txt", changed)[0].state == "recorded"
    (workspace.folder / "small.recordings" / first.file).unlink()
    assert recording.recorded_lines(workspace, "small.txt", changed)[0].state == "missing"


def test_lines_that_are_not_words_are_not_recorded() -> None:
    for number, kind in ((3, "in the front matter"), (9, "a heading"), (11, "only markers")):
        with pytest.raises(UsageError, match=f"line {number} is {kind}, not a spoken line"):
            recording.spoken_line(SMALL_PRACTICE, number)
    assert recording.spoken_line(SMALL_PRACTICE, 14) == recording.Line(14, "Rest here. [soak 3s]", None)
    marked = recording.spoken_line("Rest.  [recorded a.recordings/001-rest.wav] \n", 1)
    assert marked == recording.Line(1, "Rest.", "a.recordings/001-rest.wav")
    with pytest.raises(UsageError, match="has no line 99"):
        recording.spoken_line(SMALL_PRACTICE, 99)


@pytest.mark.parametrize(("data", "problem"), [
    (b"RIFF\x00\x00\x00\x00WAVEgarbage", "is not a WAV file"),
    (b"OggS" + bytes(100), "is not a WAV file"),
    (wav(width=1), "is not 16-bit PCM WAV"),
    (wav(rate=4000), "is not 16-bit PCM WAV"),
    (wav(0), "holds no sound"),
    (wav(1.0)[:-1000], "is cut short"),
])
def test_a_take_that_is_not_whole_16_bit_wav_is_refused_and_nothing_written(workspace: Workspace, data: bytes,
                                                                            problem: str) -> None:
    with pytest.raises(UsageError, match=problem) as refused:
        recording.save_take(workspace, "small.txt", 10, LINE, data)
    assert refused.value.diagnostic.path == "small.recordings/010-settle-in-and-let-the-floor.wav"
    assert not (workspace.folder / "small.recordings").exists()


def test_a_take_past_ten_minutes_or_100_mb_is_refused_before_anything_is_written(workspace: Workspace) -> None:
    header = wav(0.1, rate=8000)
    claimed = 601 * 8000 * 2  # a header claiming more frames than the data holds is cut short; one that holds them:
    long = header[:40] + struct.pack("<I", claimed) + bytes(claimed)
    long = long[:4] + struct.pack("<I", len(long) - 8) + long[8:]
    with pytest.raises(UsageError, match="is longer than 10 minutes"):
        recording.save_take(workspace, "small.txt", 10, LINE, long)
    with pytest.raises(UsageError, match="is larger than 100 MB"):
        recording.wav_seconds(bytes(recording.MAX_BYTES + 1), "x.wav")
    assert not (workspace.folder / "small.recordings").exists()


def test_a_built_in_or_missing_practice_is_refused(workspace: Workspace) -> None:
    with pytest.raises(UsageError, match="is a built-in practice: its lines cannot be recorded"):
        recording.save_take(workspace, "builtin/benefactor.txt", 10, LINE, wav())
    with pytest.raises(UsageError, match="no such practice"):
        recording.save_take(workspace, "gone.txt", 1, LINE, wav())


def test_a_link_in_place_of_the_folder_of_takes_is_refused_and_not_followed(workspace: Workspace,
                                                                           tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (workspace.folder / "small.recordings").symlink_to(elsewhere)
    with pytest.raises(UsageError, match="is a link or a file, not the studio's folder of takes"):
        recording.save_take(workspace, "small.txt", 10, LINE, wav())
    with pytest.raises(UsageError, match="is a link or a file"):
        recording.recorded_lines(workspace, "small.txt", f"{LINE} [recorded small.recordings/010-x.wav]")
    assert list(elsewhere.iterdir()) == []


def test_a_file_the_studio_did_not_write_is_never_replaced(workspace: Workspace, tmp_path: Path) -> None:
    take = recording.save_take(workspace, "small.txt", 10, LINE, wav())
    folder = workspace.folder / "small.recordings"
    marked = f"{LINE} {take.marker}"
    (folder / take.file).write_bytes(b"edited elsewhere")
    with pytest.raises(UsageError, match="is not a take the studio recorded, or was changed since"):
        recording.save_take(workspace, "small.txt", 10, marked, wav())
    assert (folder / take.file).read_bytes() == b"edited elsewhere"
    secret = tmp_path / "secret.wav"
    secret.write_bytes(b"not yours")
    (folder / take.file).unlink()
    os.symlink(secret, folder / take.file)
    with pytest.raises(UsageError, match="is not a take the studio recorded"):
        recording.save_take(workspace, "small.txt", 10, marked, wav())
    assert secret.read_bytes() == b"not yours" and (folder / take.file).is_symlink()


def test_a_marker_naming_a_file_outside_the_folder_of_takes_gets_a_take_of_its_own(workspace: Workspace) -> None:
    take = recording.save_take(workspace, "small.txt", 10, f"{LINE} [recorded ../../etc/passwd.wav]", wav())
    assert take.file == "010-settle-in-and-let-the-floor.wav"
    assert recording.recorded_lines(workspace, "small.txt", f"{LINE} [recorded ../x.wav]") == []


def test_an_unreadable_ledger_only_forgets_which_takes_are_the_studio_s(workspace: Workspace) -> None:
    take = recording.save_take(workspace, "small.txt", 10, LINE, wav())
    (workspace.folder / "small.recordings" / "takes.json").write_text("{not json")
    text = _marked(SMALL_PRACTICE, 10, take.marker)
    assert recording.recorded_lines(workspace, "small.txt", text)[0].state == "recorded"
    with pytest.raises(UsageError, match="is not a take the studio recorded"):
        recording.save_take(workspace, "small.txt", 10, text.splitlines()[9], wav())
