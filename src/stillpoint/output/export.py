"""Export a rendered track as a tagged MP3 or WAV, streamed chunk by chunk and written atomically."""

from __future__ import annotations

import contextlib
import errno
import os
import wave
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np
from mutagen import MutagenError

from stillpoint.output import files
from stillpoint.audio import CHANNELS, SAMPLE_RATE, SAMPLE_WIDTH
from stillpoint.errors import ExportError, UsageError
from stillpoint.output.mp3 import MP3_BITRATES, InfoFrame, SilenceSkippingEncoder
from stillpoint.output.track import TrackInfo

FORMATS = ("mp3", "wav")
PART_SUFFIX = ".stillpoint-part"
PART_NAME_BYTES = 200  # of the destination's name in a part file's name: with the rest, within 255 bytes
# lame scales what it is given by 0.95 (measured: the same at every bitrate and quality); the writer
# undoes it so that a decoded track is exactly as loud as the rendered one.
LAME_INPUT_SCALE = 0.95
# The lower the bitrate, the further decoded MP3 overshoots the peaks it was given (measured on speech:
# up to 2.0 dB at 32 kbps, 0.5 dB at 64 kbps, 0.05 dB at 128 kbps); the headroom kept, (64 / kbps) ** 1.5 dB,
# stays a little above that: 2.8, 1.0 and 0.35 dB.
MP3_HEADROOM_KBPS = 64.0
MP3_HEADROOM_POWER = 1.5
# What each format can hold: a WAV file's sizes are 32-bit numbers (4 GiB: 27 hours at 22050 Hz), and so are an
# MP3's byte count in its Info frame and the millisecond times of its chapters and synced lyrics. FORMAT_ROOM
# is kept for the rest of the file (headers, the Info frame, LAME's delay and padding, a WAV's tag chunk).
UINT32 = 2**32 - 1
FORMAT_ROOM = 2**20
_HINTS = {
    errno.ENOSPC: "free some space or export to another disk",
    errno.EDQUOT: "free some space or export to another disk",
    errno.EACCES: "choose a folder you can write to",
    errno.EPERM: "choose a folder you can write to",
    errno.EROFS: "choose a folder you can write to",
}


class ExportUsageError(ExportError, UsageError):
    """An export option (format, bitrate) cannot be used as given."""


def format_for(dest: Path, fmt: str | None) -> str:
    """The output format named by ``fmt`` (``--format``), or else by the extension of ``dest``."""
    name = (fmt or Path(dest).suffix).lower().lstrip(".")
    if name in FORMATS:
        return name
    if fmt:
        raise ExportUsageError(f"unknown audio format '{fmt}'", hint="use --format mp3 or --format wav")
    raise ExportUsageError(
        "cannot tell the audio format from the file name",
        path=str(dest),
        hint="end the name with .mp3 or .wav, or pass --format",
    )


TrackInfoSource = TrackInfo | Callable[[], TrackInfo]


def export_track(
    chunks: Iterable[bytes], dest: Path, fmt: str, info: TrackInfoSource, *, bitrate: int = 64, force: bool = False
) -> Path:
    """Write PCM ``chunks`` to ``dest`` as a tagged MP3 or WAV; ``dest`` changes only on success.

    ``info`` may be a function: it is called once the audio is written, so tags can follow the real timing.
    """
    dest = Path(dest)
    fmt = format_for(dest, fmt)
    check_bitrate(fmt, bitrate)
    check_destination(dest, force)
    sweep_stale_parts(dest.parent)
    part = _part_path(dest)
    try:
        _write_part(part, _within_capacity(chunks, dest, fmt, bitrate), fmt, info, bitrate)
        files.put_in_place(part, dest, force)
    except (OSError, MutagenError) as exc:
        raise _export_error(dest, exc) from exc
    finally:
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)
    _sync_folder(dest.parent)
    return dest


def capacity(fmt: str, bitrate: int) -> int:
    """The most samples a file of format ``fmt`` (at ``bitrate`` kbps, for MP3) can hold."""
    if fmt == "wav":
        return (UINT32 - FORMAT_ROOM) // SAMPLE_WIDTH
    by_bytes = (UINT32 - FORMAT_ROOM) * 8 * SAMPLE_RATE // (bitrate * 1000)
    return min(by_bytes, UINT32 // 1000 * SAMPLE_RATE)


def _within_capacity(chunks: Iterable[bytes], dest: Path, fmt: str, bitrate: int) -> Iterator[bytes]:
    """``chunks`` as they come, refused in one line once they pass what a file of format ``fmt`` can hold."""
    room = capacity(fmt, bitrate)
    for chunk in chunks:
        room -= len(chunk) // SAMPLE_WIDTH
        if room < 0:
            hours = capacity(fmt, bitrate) / SAMPLE_RATE / 3600
            kind = "a WAV file" if fmt == "wav" else f"an MP3 file at {bitrate} kbps"
            raise ExportError(f"is longer than {kind} can hold ({hours:.1f} hours)", path=str(dest),
                              hint="export it as MP3, or shorten the practice" if fmt == "wav"
                              else "shorten the practice")
        yield chunk


def sweep_stale_parts(folder: Path) -> list[Path]:
    """Remove part files left in ``folder`` by exports whose process is gone; return them."""
    removed = []
    for part in Path(folder).glob(f"*{PART_SUFFIX}"):
        pid = _part_pid(part)
        if pid is None or _alive(pid):
            continue
        with contextlib.suppress(OSError):
            part.unlink()
            removed.append(part)
    return removed


def peak_headroom(fmt: str, bitrate: int) -> float:
    """dB to keep under the true-peak ceiling when rendering, so the decoded file still stays under it."""
    return (MP3_HEADROOM_KBPS / bitrate) ** MP3_HEADROOM_POWER if fmt == "mp3" else 0.0


def check_destination(dest: Path, force: bool, read: files.Inputs = files.NO_INPUTS) -> None:
    """Refuse a destination that cannot or should not be written (see files.check_destination)."""
    if not dest.parent.is_dir():
        raise ExportError(
            "is not an existing folder", path=str(dest.parent), hint="create it first or choose another destination"
        )
    files.check_destination(dest, force, read)


def _part_path(dest: Path) -> Path:
    """The temporary file this process writes next to ``dest`` before renaming it."""
    # Shortened so that any name the file system allows for dest still leaves room for the additions.
    stem = os.fsdecode(os.fsencode(dest.name)[:PART_NAME_BYTES])
    return dest.with_name(f".{stem}.{os.getpid()}{PART_SUFFIX}")


def _part_pid(part: Path) -> int | None:
    """Process id recorded in a part file's name, if it has one."""
    _, _, pid = part.name[: -len(PART_SUFFIX)].rpartition(".")
    return int(pid) if pid.isdigit() and int(pid) > 0 else None


def _alive(pid: int) -> bool:
    """Whether a process with this id exists (on Windows taken to be so: there, signal 0 is Ctrl-C, not a question)."""
    if os.name != "posix":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def check_bitrate(fmt: str, bitrate: int) -> None:
    """Refuse a bitrate MP3 cannot carry at the internal sample rate (lame would silently round it)."""
    if fmt == "mp3" and bitrate not in MP3_BITRATES:
        choices = ", ".join(str(rate) for rate in MP3_BITRATES)
        raise ExportUsageError(f"MP3 cannot use {bitrate} kbps at {SAMPLE_RATE} Hz", hint=f"use one of {choices}")


def _write_part(part: Path, chunks: Iterable[bytes], fmt: str, info: TrackInfoSource, bitrate: int) -> None:
    """Write the whole tagged file to ``part`` and make it durable."""
    with open(part, "xb+") as out:
        if fmt == "mp3":
            _write_mp3(out, chunks, info, bitrate)
        else:
            _write_wav(out, chunks, info)
        out.flush()
        os.fsync(out.fileno())


def _write_mp3(out: BinaryIO, chunks: Iterable[bytes], info: TrackInfoSource, bitrate: int) -> None:
    """Room for the Info frame, the audio, the Info frame in its room, then the tag (chapters need the real timing)."""
    from stillpoint.output.tags import (
        write_mp3_tags,  # here, not at the top: `play` starts sooner without mutagen's ID3
    )

    encoder, info_frame, samples = SilenceSkippingEncoder(bitrate), InfoFrame(bitrate), 0
    out.write(bytes(info_frame.size))
    for chunk in chunks:
        samples += len(chunk) // SAMPLE_WIDTH
        out.write(info_frame.follow(encoder.encode(_unscaled(chunk))))
    out.write(info_frame.follow(encoder.flush()))
    out.seek(0)
    out.write(info_frame.frame(samples))
    out.seek(0, os.SEEK_END)
    write_mp3_tags(out, _resolved(info))


def _resolved(info: TrackInfoSource) -> TrackInfo:
    """The track's tags, asking for them now if they were given as a function."""
    return info() if callable(info) else info


def _unscaled(chunk: bytes) -> bytes:
    """PCM raised to make up for the scaling lame applies to its input."""
    samples = np.frombuffer(chunk, dtype="<i2")
    if not samples.any():
        return chunk  # silence, most of a practice, needs no work
    return np.clip(np.rint(samples / LAME_INPUT_SCALE), -32768, 32767).astype("<i2").tobytes()


def _write_wav(out: BinaryIO, chunks: Iterable[bytes], info: TrackInfoSource) -> None:
    """Audio (the header's sizes are patched on close), then the tag chunk."""
    from stillpoint.output.tags import write_wav_tags  # as for MP3

    with wave.open(out, "wb") as wav:
        wav.setnchannels(CHANNELS)
        wav.setsampwidth(SAMPLE_WIDTH)
        wav.setframerate(SAMPLE_RATE)
        for chunk in chunks:
            wav.writeframesraw(chunk)
    write_wav_tags(out, _resolved(info))


def _export_error(dest: Path, exc: BaseException) -> ExportError:
    """A one-line error for a failed write, with what to do when that is known."""
    cause = _os_error(exc)
    if cause is None or cause.errno is None:
        return ExportError(f"cannot be written: {exc}", path=str(dest))
    reason = os.strerror(cause.errno)
    return ExportError(f"cannot be written: {reason}", path=str(dest), hint=_HINTS.get(cause.errno, ""))


def _os_error(exc: BaseException | None) -> OSError | None:
    """The operating-system error behind ``exc``; mutagen wraps the ones it meets."""
    while exc is not None and not isinstance(exc, OSError):
        exc = exc.__cause__ or exc.__context__
    return exc


def _sync_folder(folder: Path) -> None:
    """Make the rename durable where the file system allows syncing a folder."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
