"""Takes of the user's own voice for a practice's lines, kept beside it in ``<name>.recordings/``. Prints nothing.

A take is a 16-bit PCM WAV file named after its line (``012-breathe-in-slowly.wav``); the line then ends with the
marker ``[recorded <name>.recordings/<file>.wav]`` (the path relative to the practice's folder). The folder holds
``takes.json`` beside the takes: for each file the studio wrote, a hash of its bytes (so that only the studio's own
takes are ever replaced) and of the line's text when it was recorded (so that a take whose line has changed since
is flagged stale). The folder and every file in it are opened without following a link: a link there is refused.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import json
import os
import re
import threading
import unicodedata
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from stillpoint.app.workspace import Workspace
from stillpoint.errors import UsageError
from stillpoint.output import files
from stillpoint.voice import recording

# A take is held to the language's limits on a recording (10 minutes, 100 MB; 10 minutes of the studio's takes,
# mono at 48 kHz, are 57.6 MB), so every take kept can be played.
MAX_SECONDS, MAX_BYTES = recording.MAX_SECONDS, recording.MAX_BYTES
MAX_LINE = 4000  # characters of a line to record: a spoken line is a sentence or a few
MAX_LEDGER = 4_000_000  # bytes of takes.json: about 20,000 takes
RATES = (8000, 192_000)
SUFFIX = ".recordings"
LEDGER = "takes.json"
STATES = ("recorded", "stale", "missing")
MARKER = re.compile(r"\s*\[recorded\s+([^\[\]\n]*?)\s*\]\s*$")
NOT_SPOKEN = re.compile(r"\[[^\]\n]*\]|<[^>\n]*>")  # markers and tags: silence, not words
CHUNK = 1 << 20
_saving = threading.Lock()


@dataclass(frozen=True)
class Line:
    """A spoken line of a practice: its number, its words (its marker left out) and the file its marker names."""

    number: int
    text: str
    file: str | None


@dataclass(frozen=True)
class Take:
    """A take kept: the line it is for, its file's name, the marker that plays it, and its length."""

    line: int
    file: str
    marker: str
    seconds: float


@dataclass(frozen=True)
class Recorded:
    """A line whose marker names a take, and the take's state: recorded, stale (the line changed) or missing."""

    line: int
    file: str
    state: str


def folder_name(script: Path) -> str:
    """The name of a practice's folder of takes, beside it: ``evening.recordings``."""
    return script.stem + SUFFIX


def marker(script: Path, file: str) -> str:
    """The marker that plays the take ``file`` of the practice ``script``."""
    return f"[recorded {folder_name(script)}/{file}]"


def split_line(raw: str) -> tuple[str, str | None]:
    """A line's words without a ``[recorded FILE]`` at its end, and that FILE (None without one)."""
    found = MARKER.search(raw)
    return (raw[:found.start()].strip(), found.group(1)) if found else (raw.strip(), None)


def spoken_line(text: str, number: int) -> Line:
    """Line ``number`` of a practice's ``text``, refused unless it is a line of words to be spoken."""
    lines = text.splitlines()
    if not 1 <= number <= len(lines):
        raise UsageError(f"the practice has no line {number}", hint="put the cursor on a spoken line")
    kind = _kind(lines, number)
    if kind:
        raise UsageError(f"line {number} is {kind}, not a spoken line", line=number,
                         hint="put the cursor on a line of words to record")
    words, file = split_line(lines[number - 1])
    return Line(number, words, file)


def save_take(workspace: Workspace, practice: str, number: int, raw: str, data: bytes | bytearray) -> Take:
    """Keep ``data`` (a WAV file) as the take of line ``number``, whose text is ``raw``, of ``practice``.

    A retake replaces the line's take if the studio wrote that file and it is unchanged since; the file is written
    in one step, never over a file the studio did not write, and takes.json records it.
    """
    script = _recordable(workspace, practice)
    words, file = split_line(raw)
    if not words or len(raw) > MAX_LINE:
        raise UsageError(f"line {number} has no words to record" if not words else
                         f"line {number} is longer than {MAX_LINE} characters", line=number,
                         hint="put the cursor on a spoken line")
    name = _retaken(script, file) or _name_for(number, words)
    where = f"{folder_name(script)}/{name}"
    seconds = wav_seconds(data, where)
    with _saving, _folder(script.with_name(folder_name(script)), create=True) as folder:
        ledger = _ledger(folder)
        _refuse_foreign(folder, name, ledger, where)
        _write(folder, name, data, where)
        ledger[name] = {"text": _hash(words.encode()), "sha256": _hash(data), "line": number,
                        "seconds": round(seconds, 3)}
        record = json.dumps(_present(folder, ledger), indent=1).encode()
        _write(folder, LEDGER, record, f"{folder_name(script)}/{LEDGER}")
    return Take(number, name, marker(script, name), seconds)


def recorded_lines(workspace: Workspace, practice: str, text: str) -> list[Recorded]:
    """The lines of ``text`` whose marker names a take in the practice's folder of takes, each with its state."""
    script = workspace.path(practice)[0]
    prefix = folder_name(script) + "/"
    marked = [(number, *split_line(raw)) for number, raw in enumerate(text.splitlines(), 1) if "[recorded" in raw]
    ours = [(number, words, file[len(prefix):]) for number, words, file in marked
            if file and file.startswith(prefix) and "/" not in file[len(prefix):]]
    if not ours:
        return []
    with _folder(script.with_name(folder_name(script)), create=False) as folder:
        ledger = _ledger(folder) if folder is not None else {}
        return [Recorded(number, name, _state(folder, ledger, name, words)) for number, words, name in ours]


def wav_seconds(data: bytes | bytearray, where: str) -> float:
    """The length of a take sent as WAV, refused unless it is 16-bit PCM, whole, and within the limits."""
    if len(data) > MAX_BYTES:
        raise UsageError(f"is larger than {MAX_BYTES // 1_000_000:.0f} MB", path=where, hint="record a shorter take")
    try:
        with wave.open(io.BytesIO(data)) as wav:
            rate, width, channels, frames = (wav.getframerate(), wav.getsampwidth(), wav.getnchannels(),
                                             wav.getnframes())
            held = sum(len(chunk) for chunk in iter(lambda: wav.readframes(CHUNK), b""))
    except (wave.Error, EOFError, ValueError):
        raise UsageError("is not a WAV file", path=where, hint="record the take again") from None
    if width != 2 or channels not in (1, 2) or not RATES[0] <= rate <= RATES[1]:
        raise UsageError("is not 16-bit PCM WAV, mono or stereo, at 8 to 192 kHz", path=where,
                         hint="record the take again in the studio")
    if not frames or held < frames * width * channels:
        raise UsageError("holds no sound" if not frames else "is cut short", path=where,
                         hint="record the take again")
    if frames / rate > MAX_SECONDS:
        raise UsageError(f"is longer than {MAX_SECONDS / 60:.0f} minutes", path=where, hint="record a shorter take")
    return frames / rate


def _kind(lines: list[str], number: int) -> str:
    """What line ``number`` is if not spoken words (front matter, a heading, a comment, blank, only markers)."""
    if lines[0].strip() == "---":
        closing = next((at for at, line in enumerate(lines[1:], 2) if line.strip() == "---"), len(lines))
        if number <= closing:
            return "in the front matter"
    line = lines[number - 1].strip()
    if line.startswith("#"):
        return "a heading"
    if line.startswith("//"):
        return "a comment"
    words = NOT_SPOKEN.sub("", split_line(line)[0])
    return "" if any(c.isalnum() for c in words) else ("blank" if not line else "only markers")


def _recordable(workspace: Workspace, practice: str) -> Path:
    """The practice's file, refused if it is a built-in or not in the folder yet."""
    script, editable = workspace.path(practice)
    if not editable:
        raise UsageError("is a built-in practice: its lines cannot be recorded", path=script.name,
                         hint="make a copy to record your own voice")
    if not script.is_file():
        raise UsageError("no such practice", path=script.name, hint="create the practice, then record its lines")
    return script


def _retaken(script: Path, file: str | None) -> str | None:
    """The name of the take a line's marker names, when it is one of this practice's folder of takes."""
    prefix = folder_name(script) + "/"
    name = file[len(prefix):] if file and file.startswith(prefix) else ""
    return name if re.fullmatch(r"[\w-]{1,80}\.wav", name, re.ASCII) else None


def _name_for(number: int, words: str) -> str:
    """A take's file name from its line: the number and the first words, in plain letters (``012-rest-here.wav``)."""
    plain = unicodedata.normalize("NFKD", words).encode("ascii", "ignore").decode().lower()
    slug = "-".join(re.findall(r"[a-z0-9]+", plain)[:6])[:40].strip("-")
    return f"{number:03d}-{slug or 'take'}.wav"


def _hash(data: bytes | bytearray) -> str:
    """The start of the SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()[:32]


@contextlib.contextmanager
def _folder(path: Path, create: bool) -> Iterator[int | None]:
    """The folder of takes opened without following a link (made first if ``create``); None if it is absent."""
    if create:
        with contextlib.suppress(FileExistsError):
            os.mkdir(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | files.NO_FOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        if create:
            raise UsageError("could not be made", path=path.name, hint="check that you may write to the folder")
        fd = None
    except OSError as err:
        if err.errno not in (errno.ELOOP, errno.ENOTDIR):
            raise UsageError(f"cannot be opened ({err.strerror})", path=path.name,
                             hint="check that you may write to the folder") from None
        raise UsageError("is a link or a file, not the studio's folder of takes", path=path.name,
                         hint="move it away: takes are kept only in a folder of their own") from None
    try:
        yield fd
    finally:
        if fd is not None:
            os.close(fd)


def _ledger(folder: int) -> dict[str, dict]:
    """What takes.json records of the takes the studio wrote; empty if it is absent, too large or unreadable."""
    opened = files.open_own(LEDGER, dir_fd=folder)
    if opened is None:
        return {}
    with opened:
        data = opened.read(MAX_LEDGER + 1)
    try:
        found = json.loads(data) if len(data) <= MAX_LEDGER else {}
    except ValueError:
        return {}
    return {k: v for k, v in found.items() if isinstance(v, dict)} if isinstance(found, dict) else {}


def _own_hash(folder: int, name: str) -> str | None:
    """The hash of the regular file ``name`` in the folder (a link there is not followed); None if there is none."""
    opened = files.open_own(name, dir_fd=folder)
    if opened is None:
        return None
    digest = hashlib.sha256()
    with opened:
        for chunk in iter(lambda: opened.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()[:32]


def _refuse_foreign(folder: int, name: str, ledger: dict[str, dict], where: str) -> None:
    """Refuse to write over anything at ``name`` but a take the studio wrote and nobody changed since."""
    try:
        os.lstat(name, dir_fd=folder)
    except FileNotFoundError:
        return
    held = _own_hash(folder, name)
    if held is None or held != ledger.get(name, {}).get("sha256"):
        raise UsageError("is not a take the studio recorded, or was changed since; nothing was replaced",
                         path=where, hint="move it away, or take the marker off the line to record it afresh")


def _write(folder: int, name: str, data: bytes | bytearray, where: str) -> None:
    """Put ``data`` at ``name`` in the folder in one step."""
    try:
        files.write_own(name, data, dir_fd=folder)
    except OSError as err:
        raise UsageError(f"cannot be written ({err.strerror})", path=where,
                         hint="check that you may write to the folder and that the disk has room") from None


def _present(folder: int, ledger: dict[str, dict]) -> dict[str, dict]:
    """The entries of the ledger whose takes are still in the folder."""
    return {name: entry for name, entry in ledger.items() if _exists(folder, name)}


def _exists(folder: int, name: str) -> bool:
    """Whether anything is at ``name`` in the folder."""
    try:
        os.lstat(name, dir_fd=folder)
    except (OSError, ValueError):
        return False
    return True


def _state(folder: int | None, ledger: dict[str, dict], name: str, words: str) -> str:
    """A take's state for a line of ``words``: missing, stale (recorded for other words), or recorded."""
    if folder is None or not _exists(folder, name):
        return "missing"
    recorded_for = ledger.get(name, {}).get("text")
    return "stale" if recorded_for and recorded_for != _hash(words.encode()) else "recorded"
