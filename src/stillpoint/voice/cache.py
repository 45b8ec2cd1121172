"""Content-addressed store of synthesized lines: one self-checking WAV file per line.

The cache owns only what it wrote. Its folder is marked with a CACHEDIR.TAG (the Cache Directory Tagging
convention); a folder holding anything else and no tag is refused. Inside it, only real shard folders are entered
and only files of the cache's own names are read, replaced or removed; links are never followed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
import struct
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, NamedTuple, TypeVar

from stillpoint import inputs
from stillpoint.audio import CHANNELS, SAMPLE_RATE, SAMPLE_WIDTH, Clip
from stillpoint.errors import CacheError
from stillpoint.output import files
from stillpoint.voice.shape import SHAPE_VERSION

SCHEMA = 2  # 2: voices resolved to their engine's id, each engine its own workers
ENTRY_SUFFIX = ".wav"
TEMP_SUFFIX = ".tmp"
STALE_SECONDS = 3600.0
TAG_NAME = "CACHEDIR.TAG"
TAG_SIGNATURE = b"Signature: 8a477f597d28d172789f06886806bc55"  # https://bford.info/cachedir/
TAG = TAG_SIGNATURE + b"\n# This folder is Stillpoint's cache of synthesized speech; see https://bford.info/cachedir/\n"
# The cache's own names: shard folders, entries (a key, in the shard of its first two characters) and the
# temporary files of writes under way (earlier versions named theirs with letters, digits and '_' as well).
SHARD = re.compile(r"[0-9a-f]{2}")
ENTRY = re.compile(r"(?P<shard>[0-9a-f]{2})[0-9a-f]{62}\.wav")
TEMP = re.compile(r"\.(?P<shard>[0-9a-f]{2})[0-9a-f]{14}\.[a-z0-9_]{8}\.tmp")
TAG_TEMP = re.compile(r"\.CACHEDIR\.TAG\.[0-9a-f]{8}\.tmp")
T = TypeVar("T")
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


def cache_key(engine: str, version: str, voice: str, rate: int, text: str, paced: int = 0) -> str:
    """The address of one line of speech: a hash of everything that shapes its sound.

    ``version`` is the engine's (it names the model file too), ``voice`` the engine's own id of the voice; the
    schema and the shape version change when what an entry holds, or how clips are trimmed and faded, does.
    ``paced`` is the version of the pause rule for a line joined from phrases (language/pacing.py), 0 otherwise.
    """
    fields = {"schema": SCHEMA, "shape": SHAPE_VERSION, "engine": engine, "version": version, "voice": voice,
              "rate": rate, "text": text, **({"paced": paced} if paced else {})}
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
    """Synthesized clips on disk, addressed by content, safe to share between processes.

    Opening one deletes nothing: it marks a folder of the cache's own files as a cache (one made now is marked at
    the first write), and the temporary files interrupted writes left are swept at the first write.
    """

    def __init__(self, folder: str | os.PathLike[str], on_warning: Callable[[str], None] | None = None):
        self.folder = Path(folder)
        self.warnings: list[str] = []
        self._on_warning = on_warning
        self._writable = True
        self._claimed = False  # marked as a cache and swept, at the first write
        self._blocked = False  # something stands where an entry should be, and has been warned about
        _check_folder(self.folder)
        _check_owned(self.folder)

    def path(self, key: str) -> Path:
        """Where the entry for key lives."""
        return self.folder / key[:2] / _entry_name(key)

    def get(self, key: str) -> Clip | None:
        """The cached clip for key, or None; a damaged entry is removed, anything else in its place left alone."""
        try:
            with _opened(self.folder, follow=True) as top, _opened(key[:2], top) as shard:
                return _read_entry(shard, _entry_name(key))
        except OSError:  # no folder yet, or no real shard folder: a miss
            return None

    def put(self, key: str, clip: Clip) -> None:
        """Store clip under key atomically; if the cache cannot be written, warn once and go on.

        When something else stands where this one entry (or its shard folder) should be, only this line
        goes uncached (with a warning the first time).
        """
        if not self._writable:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with _opened(self.folder, follow=True) as top:
                self._claim(top)
                with _opened(_made(key[:2], top), top) as shard:
                    files.write_own(_entry_name(key), encode_entry(clip), dir_fd=shard, suffix=TEMP_SUFFIX)
        except OSError as exc:
            obstacle = _in_the_way(self.path(key))
            if obstacle:
                return self._passed_over(obstacle)
            self._writable = False
            reason = exc.strerror or str(exc)
            self._warn(f"the audio cache {self.folder} cannot be written ({reason}); lines are not being cached")

    def _claim(self, top: int) -> None:
        """At the first write: mark the folder as a cache (if it is not yet) and sweep what interrupted writes left."""
        if self._claimed:
            return
        if not _tagged(top):
            _tag(top)
        _sweep(top, STALE_SECONDS)
        self._claimed = True

    def _passed_over(self, obstacle: Path) -> None:
        """Warn, the first time only, that something in the cache stands where an entry or its folder should be."""
        if not self._blocked:
            self._blocked = True
            self._warn(f"{obstacle} is in the way of the audio cache's entries; the lines that belong there are "
                       "not cached (remove it to cache them again)")

    def info(self) -> CacheInfo:
        """Number of entries, their total size in bytes, and the folder; reads only."""
        try:
            with _opened(self.folder, follow=True) as top:
                sizes = _for_own_files(top, ENTRY, lambda _shard, entry: _size(entry))
        except FileNotFoundError:
            sizes = []
        return CacheInfo(len(sizes), sum(sizes), self.folder)

    def clear(self) -> int:
        """Remove every entry and temporary file the cache wrote, and its emptied shards; returns how many entries
        went. The tag stays, and so does anything else."""
        try:
            with _opened(self.folder, follow=True) as top:
                removed = sum(_for_own_files(top, ENTRY, lambda shard, entry: _remove(entry.name, shard)))
                _sweep(top, max_age=0.0)
                for name in _shards(top):
                    with contextlib.suppress(OSError):
                        os.rmdir(name, dir_fd=top)
        except FileNotFoundError:
            return 0
        return removed

    def _warn(self, message: str) -> None:
        """Record a warning for the caller to show."""
        self.warnings.append(message)
        if self._on_warning:
            self._on_warning(message)


def _entry_name(key: str) -> str:
    """The file name of key's entry inside its shard."""
    return f"{key}{ENTRY_SUFFIX}"


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


def _check_owned(folder: Path) -> None:
    """Refuse a folder holding anything the cache does not write, unless it is marked as a cache; mark it if not.

    A missing or empty folder becomes a cache, and so does one from before the tag, holding only entries.
    """
    try:
        with _opened(folder, follow=True) as top:
            if _tagged(top):
                return
            stranger = _stranger(top)
            if stranger is None:
                _tag(top)
    except FileNotFoundError:
        return
    except OSError as err:
        raise CacheError(f"cannot use {folder} as the audio cache: it cannot be read ({err.strerror})",
                         hint="check its permissions, or choose another folder with --cache-dir") from None
    if stranger:
        raise CacheError(f"cannot use {folder} as the audio cache: it holds {stranger}, which the cache did not "
                         f"write, and no {TAG_NAME}", hint="give an empty or new folder with --cache-dir or "
                         "STILLPOINT_CACHE; the cache never touches what it did not write")


def _tag(top: int) -> None:
    """Mark the folder as a cache, if it can be written (if not, writing the first entry says so)."""
    with contextlib.suppress(OSError):
        files.write_own(TAG_NAME, TAG, dir_fd=top, suffix=TEMP_SUFFIX)


def _tagged(top: int) -> bool:
    """Whether the folder holds a cache directory tag: a regular file (not a link) starting with the signature."""
    tag = files.open_own(TAG_NAME, dir_fd=top)
    if tag is None:
        return False
    with tag:
        return tag.read(len(TAG_SIGNATURE)) == TAG_SIGNATURE


def _stranger(top: int) -> str | None:
    """The first thing in an untagged folder that the cache would not have written (its name), or None."""
    with os.scandir(top) as found:
        for item in found:
            if TAG_TEMP.fullmatch(item.name) and item.is_file(follow_symlinks=False):
                continue
            if not (SHARD.fullmatch(item.name) and item.is_dir(follow_symlinks=False)):
                return item.name
            with _opened(item.name, top) as shard, os.scandir(shard) as inside:
                for entry in inside:
                    if _own_name(entry.name) != item.name or not entry.is_file(follow_symlinks=False):
                        return f"{item.name}/{entry.name}"
    return None


def _own_name(name: str) -> str | None:
    """The shard an entry's or a temporary file's name belongs in, or None for a name the cache never writes."""
    match = ENTRY.fullmatch(name) or TEMP.fullmatch(name)
    return match["shard"] if match else None


@contextlib.contextmanager
def _opened(name: str | os.PathLike[str], dir_fd: int | None = None, follow: bool = False) -> Iterator[int]:
    """A real folder opened to work inside it by its descriptor, closed afterwards; OSError if none is there.

    Unless ``follow`` (the cache folder itself, which the user names), a link in its place is refused.
    """
    fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC | (0 if follow else files.NO_FOLLOW), dir_fd=dir_fd)
    try:
        yield fd
    finally:
        os.close(fd)


def _made(name: str, top: int) -> str:
    """The shard folder ``name``, made if it is missing."""
    with contextlib.suppress(FileExistsError):
        os.mkdir(name, dir_fd=top)
    return name


def _shards(top: int) -> list[str]:
    """The names of the real shard folders (a link, or a file, under a shard's name is none)."""
    with os.scandir(top) as found:
        return sorted(item.name for item in found if SHARD.fullmatch(item.name) and item.is_dir(follow_symlinks=False))


def _for_own_files(top: int, pattern: re.Pattern[str], action: Callable[[int, os.DirEntry[str]], T]) -> list[T]:
    """``action(shard descriptor, entry)`` for every regular file named by ``pattern`` inside its own real shard."""
    done: list[T] = []
    for name in _shards(top):
        try:
            with _opened(name, top) as shard, os.scandir(shard) as found:
                own = [item for item in found if (match := pattern.fullmatch(item.name))
                       and match["shard"] == name and item.is_file(follow_symlinks=False)]
                done += [action(shard, item) for item in own]
        except OSError:  # replaced or removed meanwhile
            continue
    return done


def _read_entry(shard: int, name: str) -> Clip | None:
    """The clip in the entry ``name``; None when it is missing, not a regular file, or damaged (then removed)."""
    entry = files.open_own(name, dir_fd=shard)
    if entry is None:
        return None
    with entry:
        data = _read_capped(entry)
    clip = decode_entry(data)
    if clip is None:
        _remove(name, shard)
    return clip


def _read_capped(entry: BinaryIO) -> bytes:
    """The bytes of an opened entry; none when it holds more than an entry can, or grows while read (an entry is
    written whole and renamed into place, so one still growing is no entry)."""
    size = os.fstat(entry.fileno()).st_size
    if size > inputs.CACHE_ENTRY_CAP:
        return b""
    try:
        data = entry.read(size + 1)  # a read sets aside room for all it may return: the size, not the cap
    except OSError:
        return b""
    return data if len(data) == size else b""


def _sweep(top: int, max_age: float) -> None:
    """Remove the temporary files of writes older than max_age seconds: what interrupted writes left."""
    cutoff = time.time() - max_age
    _for_own_files(top, TEMP, lambda shard, item: _mtime(item) <= cutoff and _remove(item.name, shard))
    with os.scandir(top) as found:
        tags = [item.name for item in found if TAG_TEMP.fullmatch(item.name) and item.is_file(follow_symlinks=False)
                and _mtime(item) <= cutoff]
    for name in tags:
        _remove(name, top)


def _in_the_way(path: Path) -> Path | None:
    """What stands where the entry ``path`` or its shard folder should be, if it is not a file or a real folder."""
    for place, wanted in ((path.parent, stat.S_ISDIR), (path, stat.S_ISREG)):
        try:
            if not wanted(place.lstat().st_mode):
                return place
        except OSError:
            continue
    return None


def _remove(name: str, dir_fd: int) -> bool:
    """Delete the file ``name`` in the folder ``dir_fd`` if possible; says whether it went."""
    try:
        os.unlink(name, dir_fd=dir_fd)
    except OSError:
        return False
    return True


def _size(item: os.DirEntry[str]) -> int:
    """Size of a file, or 0 if it vanished."""
    try:
        return item.stat(follow_symlinks=False).st_size
    except OSError:
        return 0


def _mtime(item: os.DirEntry[str]) -> float:
    """Last change of a file, or +inf if it vanished."""
    try:
        return item.stat(follow_symlinks=False).st_mtime
    except OSError:
        return float("inf")
