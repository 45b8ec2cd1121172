"""Content-addressed store of synthesized lines: one self-checking WAV file per line."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import struct
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

from stillpoint import inputs
from stillpoint.audio import CHANNELS, SAMPLE_RATE, SAMPLE_WIDTH, Clip
from stillpoint.errors import CacheError
from stillpoint.voice.shape import SHAPE_VERSION

SCHEMA = 2  # 2: voices resolved to their engine's id, each engine its own workers
ENTRY_SUFFIX = ".wav"
TEMP_SUFFIX = ".tmp"
STALE_SECONDS = 3600.0
HASH_CHUNK = b"spsh"  # custom RIFF chunk after the audio: sha256 of the PCM
LOUDNESS_CHUNK = b"splm"  # optional custom chunk: measured LUFS and true peak, two little-endian doubles
LEVELLED_CHUNK = b"splv"  # optional custom chunk: target LUFS and ceiling dBTP (two doubles), then levelled PCM
FORMAT = struct.pack(
    "<HHIIHH",
    1,
    CHANNELS,
    SAMPLE_RATE,
    SAMPLE_RATE * SAMPLE_WIDTH * CHANNELS,
    SAMPLE_WIDTH * CHANNELS,
    8 * SAMPLE_WIDTH,
)


def default_folder() -> Path:
    """$XDG_CACHE_HOME/stillpoint, else ~/.cache/stillpoint: the cache wherever the command is run from."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "stillpoint"


def cache_key(engine: str, version: str, voice: str, rate: int, text: str) -> str:
    """The address of one line of speech: a hash of everything that shapes its sound.

    ``version`` is the engine's (it names the model file too), ``voice`` the engine's own id of the voice; the
    schema and the shape version change when what an entry holds, or how clips are trimmed and faded, does.
    """
    fields = {"schema": SCHEMA, "shape": SHAPE_VERSION, "engine": engine, "version": version, "voice": voice,
              "rate": rate, "text": text}
    return hashlib.sha256(json.dumps(fields, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def encode_entry(clip: Clip) -> bytes:
    """A WAV file holding the clip, followed by chunks with its loudness, its levelled form and the sha256 of all."""
    loudness = struct.pack("<dd", *clip.loudness) if clip.loudness else b""
    levelled = struct.pack("<dd", *clip.levelled[:2]) + clip.levelled[2] if clip.levelled else b""
    digest = hashlib.sha256(clip.pcm + loudness + levelled).digest()
    chunks = _chunk(b"fmt ", FORMAT) + _chunk(b"data", clip.pcm)
    for tag, payload in ((LOUDNESS_CHUNK, loudness), (LEVELLED_CHUNK, levelled)):
        chunks += _chunk(tag, payload) if payload else b""
    chunks += _chunk(HASH_CHUNK, digest)
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


def decode_entry(data: bytes) -> Clip | None:
    """The clip in a cache entry, or None when it is truncated, malformed or fails its hash."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE" or struct.unpack_from("<I", data, 4)[0] != len(data) - 8:
        return None
    chunks = _read_chunks(data, 12)
    if chunks is None or chunks.get(b"fmt ") != FORMAT:
        return None
    pcm, loudness, levelled = (chunks.get(tag, b"") for tag in (b"data", LOUDNESS_CHUNK, LEVELLED_CHUNK))
    digest = hashlib.sha256(pcm + loudness + levelled).digest()
    if not pcm or len(pcm) % SAMPLE_WIDTH or digest != chunks.get(HASH_CHUNK):
        return None
    if (loudness and len(loudness) != 16) or (levelled and (len(levelled) < 18 or len(levelled) % SAMPLE_WIDTH)):
        return None
    return Clip(pcm, struct.unpack("<dd", loudness) if loudness else None, _levelled(levelled))


def _levelled(payload: bytes) -> tuple[float, float, bytes] | None:
    """The (target, ceiling, PCM) held in a levelled chunk's payload, or None for no chunk."""
    if not payload:
        return None
    target, ceiling = struct.unpack_from("<dd", payload)
    return target, ceiling, payload[16:]


def _chunk(tag: bytes, payload: bytes) -> bytes:
    """One RIFF chunk, padded to an even length."""
    return tag + struct.pack("<I", len(payload)) + payload + b"\0" * (len(payload) % 2)


def _read_chunks(data: bytes, offset: int) -> dict[bytes, bytes] | None:
    """The RIFF chunks from offset to the end, or None when one runs past the end."""
    found = {}
    while offset + 8 <= len(data):
        tag, size = data[offset : offset + 4], struct.unpack_from("<I", data, offset + 4)[0]
        found[tag] = data[offset + 8 : offset + 8 + size]
        offset += 8 + size + size % 2
    return found if offset == len(data) else None


class CacheInfo(NamedTuple):
    """How much the cache holds and where."""

    entries: int
    bytes: int
    folder: Path


class ClipCache:
    """Synthesized clips on disk, addressed by content, safe to share between processes."""

    def __init__(self, folder: str | os.PathLike[str], on_warning: Callable[[str], None] | None = None):
        self.folder = Path(folder)
        self.warnings: list[str] = []
        self._on_warning = on_warning
        self._writable = True
        self._blocked = False  # something stands where an entry should be, and has been warned about
        _check_folder(self.folder)
        self.sweep()

    def path(self, key: str) -> Path:
        """Where the entry for key lives."""
        return self.folder / key[:2] / f"{key}{ENTRY_SUFFIX}"

    def get(self, key: str) -> Clip | None:
        """The cached clip for key, or None; a damaged entry is removed."""
        path = self.path(key)
        try:
            data = inputs.read_capped(path, inputs.CACHE_ENTRY_CAP, "a cache entry")
        except inputs.MissingFile:
            return None
        except inputs.InputError:
            data = b""  # a folder, pipe, device or oversized file where the entry should be: damaged
        clip = decode_entry(data)
        if clip is None:
            _remove(path)
        return clip

    def put(self, key: str, clip: Clip) -> None:
        """Store clip under key atomically; if the cache cannot be written, warn once and go on.

        When something else stands where this one entry (or its shard folder) should be, only this line
        goes uncached (with a warning the first time).
        """
        if not self._writable:
            return
        path = self.path(key)
        try:
            _write_atomically(path, encode_entry(clip))
        except OSError as exc:
            obstacle = _in_the_way(path)
            if obstacle:
                return self._passed_over(obstacle)
            self._writable = False
            reason = exc.strerror or str(exc)
            self._warn(f"the audio cache {self.folder} cannot be written ({reason}); lines are not being cached")

    def _passed_over(self, obstacle: Path) -> None:
        """Warn, the first time only, that something in the cache stands where an entry or its folder should be."""
        if not self._blocked:
            self._blocked = True
            self._warn(f"{obstacle} is in the way of the audio cache's entries; the lines that belong there are "
                       "not cached (remove it to cache them again)")

    def info(self) -> CacheInfo:
        """Number of entries, their total size in bytes, and the folder."""
        sizes = [_size(path) for path in self._files(f"*{ENTRY_SUFFIX}")]
        return CacheInfo(len(sizes), sum(sizes), self.folder)

    def clear(self) -> int:
        """Remove every entry and leftover temporary file; returns how many entries went."""
        removed = sum(_remove(path) for path in self._files(f"*{ENTRY_SUFFIX}"))
        self.sweep(max_age=0.0)
        for shard in self._files(""):
            _remove_folder(shard)
        return removed

    def sweep(self, max_age: float = STALE_SECONDS) -> int:
        """Remove temporary files older than max_age seconds, left by interrupted writes."""
        cutoff = time.time() - max_age
        stale = [path for path in self._files(f"*{TEMP_SUFFIX}") if _mtime(path) <= cutoff]
        return sum(_remove(path) for path in stale)

    def _files(self, pattern: str) -> Iterator[Path]:
        """Paths inside the shard folders matching pattern ('' gives the shards themselves)."""
        try:
            yield from sorted(self.folder.glob(f"??/{pattern}" if pattern else "??"))
        except OSError:
            return

    def _warn(self, message: str) -> None:
        """Record a warning for the caller to show."""
        self.warnings.append(message)
        if self._on_warning:
            self._on_warning(message)


def _check_folder(folder: Path) -> None:
    """Refuse a cache folder when a file stands where it or one of its parents should be."""
    for part in (folder, *folder.parents):
        if part.is_dir():
            return
        if part.exists():
            raise CacheError(
                f"cannot use {folder} as the audio cache: {part} is a file, not a folder",
                hint="move that file away or choose another folder with --cache-dir",
            )


def _write_atomically(path: Path, data: bytes) -> None:
    """Write data to a temporary file beside path, then rename it over path.

    No fsync: an entry checks itself when read, so one a power cut left incomplete is only synthesized again,
    and syncing every line would stall the process that streams the track.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem[:16]}.", suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temp, path)
    except BaseException:
        _remove(Path(temp))
        raise


def _in_the_way(path: Path) -> Path | None:
    """What stands where the entry ``path`` or its shard folder should be, if it is neither a file nor a folder."""
    if os.path.lexists(path.parent) and not path.parent.is_dir():
        return path.parent
    return path if os.path.lexists(path) and not path.is_file() else None


def _remove(path: Path) -> bool:
    """Delete a file if possible; says whether it went."""
    try:
        path.unlink()
    except OSError:
        return False
    return True


def _remove_folder(path: Path) -> None:
    """Delete a folder if it is empty and removable."""
    with contextlib.suppress(OSError):
        path.rmdir()


def _size(path: Path) -> int:
    """Size of a file, or 0 if it vanished."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _mtime(path: Path) -> float:
    """Last change of a file, or +inf if it vanished."""
    try:
        return path.stat().st_mtime
    except OSError:
        return float("inf")
