"""Many practices at once: a tagged, numbered file each, named from its title, and a playlist. Prints nothing."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ALL_COMPLETED, FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from stillpoint.app import pipeline, session
from stillpoint.app.pipeline import ExportSettings
from stillpoint.audio import Clip
from stillpoint.errors import ExportError, UsageError
from stillpoint.language import library
from stillpoint.language.script import Script
from stillpoint.language.timeline import Pace, Timeline
from stillpoint.output import files, sidecars
from stillpoint.output.export import FORMATS, check_bitrate, format_for
from stillpoint.output.filenames import safe_name, unique_names
from stillpoint.output.track import TrackInfo
from stillpoint.sound.render import RenderOptions
from stillpoint.voice import Synthesizer, SynthProgress

PLAYLIST_SUFFIX = ".m3u8"


@dataclass(frozen=True)
class Exported:
    """One finished file of a batch, the timeline it follows and its tags."""

    path: Path
    timeline: Timeline
    info: TrackInfo


@dataclass(frozen=True)
class BatchProgress:
    """Which practice of a batch is being spoken, and how far its speech has come."""

    title: str
    number: int
    total: int
    speech: SynthProgress


def sources(names: list[str], everything: bool) -> list[str]:
    """The practices to export: those named, or with ``everything`` each one the library knows."""
    if names and everything:
        raise UsageError("give practice names or --all, not both")
    if everything:
        return [str(path) for path in library.practices().values()]
    if not names:
        raise UsageError("say which practice to export", hint="give its name (see `stillpoint list`) or --all")
    return names


def destinations(scripts: list[Script], folder: Path, fmt: str) -> list[Path]:
    """One file per practice in ``folder``, named from its title, no two alike."""
    names = unique_names([safe_name(parsed.meta.title) for parsed in scripts])
    return [folder / f"{name}.{fmt}" for name in names]


def playlist_path(folder: Path, album: str) -> Path:
    """Where the playlist of a batch goes: in its folder, named after the album."""
    return folder / f"{safe_name(album)}{PLAYLIST_SUFFIX}"


def playlist(tracks: list[Exported]) -> str:
    """An extended M3U playlist of ``tracks`` in order, naming each file relative to the playlist."""
    lines = ["#EXTM3U", f"#PLAYLIST:{tracks[0].info.album}"] if tracks else ["#EXTM3U"]
    for track in tracks:
        lines.append(f"#EXTINF:{round(track.timeline.total)},{track.info.artist} - {track.info.title}")
        lines.append(track.path.name)
    return "\n".join(lines) + "\n"


def export_batch(
    scripts: list[Script],
    folder: Path,
    pace: Pace,
    synth: Synthesizer,
    settings: ExportSettings = ExportSettings(),
    options: RenderOptions = RenderOptions(),
    on_progress: Callable[[BatchProgress], None] | None = None,
    on_written: Callable[[Exported], None] | None = None,
    writers: int | None = None,
) -> list[Exported]:
    """Export each practice into ``folder`` (created if missing), with a playlist when there are several.

    Everything is checked before any work starts. Files are rendered on ``writers`` threads (one per core
    by default) while the next practice is spoken; after a failure or an interrupt the files already
    finished are complete and no partial file is left.
    """
    fmt = format_for(Path(f"track.{settings.fmt or 'mp3'}"), settings.fmt)
    level = pipeline.sound_for(options, fmt, settings.bitrate).level
    check_bitrate(fmt, settings.bitrate)
    for parsed in scripts:
        session.check_cues(parsed, options)
    dests = destinations(scripts, folder, fmt)
    listing = [playlist_path(folder, settings.album)] if len(scripts) > 1 else []
    outputs = [*dests, *(path for dest in dests for path in sidecars.paths(dest, settings.sidecars)), *listing,
               *_feed_files(dests, settings)]
    _prepare(folder, outputs, settings.force, settings.read)
    pool = _Writers(writers or os.cpu_count() or 1, on_written)
    with pool:
        for number, (parsed, dest) in enumerate(zip(scripts, dests, strict=True), start=1):
            report = _reporter(on_progress, parsed.meta.title, number, len(scripts))
            timeline = pipeline.timed_plan(parsed, pace, synth, report, level)
            clips = list(pipeline.speech_clips(timeline, synth, level=level))
            info = pipeline.track_info(parsed, timeline, settings, (number, len(scripts)))
            pool.submit(timeline, clips, dest, info, settings, options)
        pool.finish()
    finished = sorted(pool.finished, key=lambda track: dests.index(track.path))
    for path in listing:
        files.write_text(path, playlist(finished), force=True)
    if settings.feed_url and finished:
        from stillpoint.app import publish  # feedgen loads only for a batch with a feed

        publish.write_feed([track.path for track in finished], settings.feed_url)
    return finished


def _feed_files(dests: list[Path], settings: ExportSettings) -> list[Path]:
    """The files the podcast feed of a batch will add beside its tracks, if it has one."""
    if not settings.feed_url:
        return []
    from stillpoint.app import publish

    return publish.feed_files(dests, settings.cover)


def _prepare(folder: Path, outputs: list[Path], force: bool, read: files.Inputs) -> None:
    """Refuse outputs that exist (unless ``force``) or are files ``read``, then make sure the folder is there."""
    if folder.exists() and not folder.is_dir():
        raise ExportError("is a file, not a folder", path=str(folder), hint="give a folder to put the practices in")
    if not folder.exists() and folder.suffix.lower().lstrip(".") in FORMATS:
        raise UsageError("names a file, but several practices need a folder", path=str(folder),
                         hint="give a folder, e.g. -o ~/Music/Stillpoint/")
    files.check_destinations(outputs, force, read)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ExportError(f"cannot be created ({err.strerror})", path=str(folder),
                          hint="choose a folder you can write to") from None


def _reporter(
    on_progress: Callable[[BatchProgress], None] | None, title: str, number: int, total: int
) -> Callable[[SynthProgress], None]:
    """A synthesis progress callback that says which practice of the batch it is about."""

    def report(speech: SynthProgress) -> None:
        if on_progress:
            on_progress(BatchProgress(title, number, total, speech))

    return report


class _Cancelled(Exception):
    """Stops a track being written because the batch is ending."""


class _Writers:
    """Threads that render and write tracks; when the batch ends early they drop what they are doing."""

    def __init__(self, limit: int, on_written: Callable[[Exported], None] | None):
        self.limit = limit
        self.on_written = on_written
        self.pool = ThreadPoolExecutor(limit, thread_name_prefix="stillpoint-writer")
        self.cancelled = threading.Event()
        self.pending: list[Future[Exported]] = []
        self.finished: list[Exported] = []

    def __enter__(self) -> _Writers:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is not None:
            self.cancelled.set()
        self.pool.shutdown(wait=True, cancel_futures=True)
        if kind is not None:
            self._collect(ALL_COMPLETED, failing=False)  # still report the tracks that did get written

    def submit(self, timeline: Timeline, clips: list[Clip], dest: Path, info: TrackInfo,
               settings: ExportSettings, options: RenderOptions) -> None:
        """Write one track on a thread, once one is free: only a few tracks' clips are held at a time."""
        while len(self.pending) >= self.limit:
            self._collect(FIRST_COMPLETED)
        self.pending.append(self.pool.submit(self._write, timeline, clips, dest, info, settings, options))

    def finish(self) -> None:
        """Wait for every track; the first failure is raised once all have ended."""
        self._collect(ALL_COMPLETED)

    def _write(self, timeline: Timeline, clips: list[Clip], dest: Path, info: TrackInfo,
               settings: ExportSettings, options: RenderOptions) -> Exported:
        """Render and write one track (on a worker thread)."""
        path, _ = pipeline.write_track(timeline, self._unless_cancelled(clips), dest, lambda _heard: info, settings,
                                       options)
        return Exported(path, timeline, info)

    def _unless_cancelled(self, clips: Iterable[Clip]) -> Iterator[Clip]:
        """``clips``, stopping the track they feed as soon as the batch is cancelled."""
        for clip in clips:
            if self.cancelled.is_set():
                raise _Cancelled
            yield clip

    def _collect(self, until: str, failing: bool = True) -> None:
        """Take in the tracks written so far (waiting as ``until`` says); raise the first failure if ``failing``."""
        done, _ = wait(self.pending, return_when=until)
        failures = []
        for future in [future for future in self.pending if future in done]:
            self.pending.remove(future)
            if future.cancelled():
                continue
            if future.exception() is not None:
                failures.append(future.exception())
                continue
            self.finished.append(future.result())
            if self.on_written:
                self.on_written(self.finished[-1])
        if failures and failing:
            raise failures[0]
