"""Wiring of the stages for one practice: find, parse, time, render, write, tag. Prints nothing."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from stillpoint import places
from stillpoint.app import session
from stillpoint.audio import Clip
from stillpoint.errors import Setting, UsageError
from stillpoint.language import library
from stillpoint.language import script as script_language
from stillpoint.language import timeline as timing
from stillpoint.language.script import Meta, Script
from stillpoint.language.timeline import Event, Pace, Timeline
from stillpoint.output import files, sidecars
from stillpoint.output.export import check_bitrate, check_destination, export_track, format_for, peak_headroom
from stillpoint.output.track import TrackInfo
from stillpoint.sound.ambience import BEDS
from stillpoint.sound.render import RenderOptions, render_events
from stillpoint.voice import Level, Synthesizer, SynthProgress

ProgressCallback = Callable[[SynthProgress], None] | None
DEFAULT_ALBUM = "Stillpoint"


@dataclass(frozen=True)
class ExportSettings:
    """Where and how a track is written."""

    dest: Path | None = None
    fmt: str | None = None
    bitrate: int = 64
    force: bool = False
    album: str = DEFAULT_ALBUM
    cover: bytes | None = None  # one picture for every track; None makes one from each title
    sidecars: tuple[str, ...] = ()  # any of sidecars.KINDS, written beside the audio
    feed_url: str | None = None  # for a folder of tracks: where its podcast feed (feed.xml) will be found
    read: files.Inputs = field(default_factory=dict)  # the files the export reads: none is ever written over


def files_read(sources: Iterable[str | Path], cover: Path | None = None, ambience: str | None = None,
               clients: Path | None = None, what: str = "the practice script") -> files.Inputs:
    """The files a command reads, by what each is: its ``sources`` (scripts, or ``what`` they are), the lexicon,
    and a cover, ambience file or table of clients given.

    An output that would replace one of them is refused (see files.check_destinations).
    """
    named = {Path(source): what for source in sources}
    named[places.lexicon_file()] = "the lexicon"
    given = {"the cover": cover, "the ambience file": ambience if ambience not in BEDS else None,
             "the table of clients": clients}
    return {Path(path).expanduser(): what for path, what in named.items()} | {
        Path(path).expanduser(): what for what, path in given.items() if path is not None}


def load_script(source: str, values: dict[str, str] | None = None) -> Script:
    """The practice named or pointed to by ``source``, with the variables' ``values`` applied."""
    return load_scripts([source], values)[0]


def load_scripts(sources: list[str], values: dict[str, str] | None = None) -> list[Script]:
    """The practices named or pointed to, with the ``values`` that apply to each; one named twice is refused."""
    values = values or {}
    paths: dict[Path, tuple[str, Path]] = {}
    for source in sources:
        path = library.find(source)
        if path.resolve() in paths:
            earlier = paths[path.resolve()][0]
            twice = f"'{source}' is named twice" if source == earlier else f"'{earlier}' and '{source}' are one practice"
            raise UsageError(twice, path=str(path), hint="name each practice once")
        paths[path.resolve()] = (source, path)
    parsed = [script_language.load(path, values) for _source, path in paths.values()]
    check_values(values, parsed)
    return parsed


def check_values(values: dict[str, str], parsed: list[Script]) -> None:
    """Refuse a value for a name that is a variable of none of the practices (named by its file's name, which each
    door shows alike)."""
    known = {name for each in parsed for name in (*each.meta.vars, *each.variables)}
    for name in values:
        if name not in known:
            single = len(parsed) == 1
            where = f"{Path(parsed[0].path).name} has no" if single else "none of the practices has a"
            choices = ", ".join(sorted(known)) or "none"
            raise UsageError(f"{where} variable {{{name}}}", setting=Setting("set", name),
                             hint=f"{'its' if single else 'their'} variables: {choices}")


def timed_plan(
    parsed: Script, pace: Pace, synth: Synthesizer, on_progress: ProgressCallback = None, level: Level | None = None
) -> Timeline:
    """The exact timeline: every line synthesized (or taken from the cache) to learn its length.

    With ``level`` (RenderOptions.level), the voice workers level the speech too, ready for rendering.
    """
    wanted = timing.utterances(parsed, pace)
    durations = {u: clip.seconds for u, clip in zip(wanted, synth.clips(wanted, on_progress, level))}
    return timing.plan(parsed, pace, durations)


def speech_clips(
    timeline: Timeline, synth: Synthesizer, on_progress: ProgressCallback = None, level: Level | None = None
) -> Iterator[Clip]:
    """The clips of a timeline's speech events, in order; levelled to ``level`` if given."""
    return synth.clips([e.utterance for e in timeline.events if e.utterance], on_progress, level)


def track_info(
    parsed: Script, timeline: Timeline, settings: ExportSettings = ExportSettings(),
    track: tuple[int, int] | None = None,
) -> TrackInfo:
    """Tags for the exported file, taken from the script, its timeline, and the album it goes in."""
    from stillpoint.output import cover as cover_art  # Pillow loads only when a track is tagged, not when playing

    meta = parsed.meta
    return TrackInfo(
        title=meta.title,
        artist=meta.author or "Stillpoint",
        album=settings.album,
        year=str(meta.year or date.today().year),
        comment=comment(meta),
        track=track,
        chapters=timing.chapters(timeline),
        lyrics=[(start, text) for start, _end, text in sidecars.captions(timeline)],
        cover=settings.cover or cover_art.generated(meta.title),
        length_seconds=timeline.total,
    )


def comment(meta: Meta) -> str:
    """What the track's comment (and so a feed's episode) says of it: its content note first, then its description."""
    note = f"Content note: {meta.content_note.rstrip('. ')}." if meta.content_note.strip() else ""
    return " ".join(part for part in (note, meta.description) if part)


def default_destination(parsed: Script, fmt: str | None) -> Path:
    """``<practice-name>.<format>`` in the current folder."""
    return Path.cwd() / f"{Path(parsed.path).stem}.{fmt or 'mp3'}"


def export(
    parsed: Script,
    pace: Pace,
    synth: Synthesizer,
    settings: ExportSettings = ExportSettings(),
    options: RenderOptions = RenderOptions(),
    on_progress: ProgressCallback = None,
) -> tuple[Path, Timeline]:
    """Render a practice to a file; returns where it went and the timeline it follows."""
    session.check_cues(parsed, options)
    dest = settings.dest or default_destination(parsed, settings.fmt)
    fmt = format_for(dest, settings.fmt)
    check_bitrate(fmt, settings.bitrate)
    check_destination(dest, settings.force, settings.read)
    files.check_destinations(sidecars.paths(dest, settings.sidecars), settings.force, settings.read)
    level = sound_for(options, fmt, settings.bitrate).level
    if timing.length_target(parsed, pace) is not None:
        # Fitting moves silences by the real speech lengths: every line must be known before rendering.
        timeline = timed_plan(parsed, pace, synth, on_progress, level)
        clips = speech_clips(timeline, synth, level=level)
    else:
        # Silences don't depend on speech lengths: encode while later lines are still being synthesized.
        timeline = timing.plan(parsed, pace)
        clips = speech_clips(timeline, synth, on_progress, level)
    return write_track(timeline, clips, dest, lambda heard: track_info(parsed, heard, settings), settings, options)


def write_track(
    timeline: Timeline, clips: Iterable[Clip], dest: Path, describe: Callable[[Timeline], TrackInfo],
    settings: ExportSettings, options: RenderOptions,
) -> tuple[Path, Timeline]:
    """Render a practice into ``dest`` and write its sidecars; returns the file and the timeline as rendered.

    The tags come from ``describe`` applied to the timeline as rendered, with every line's real length.
    """
    fmt = format_for(dest, settings.fmt)
    options = sound_for(options, fmt, settings.bitrate)
    heard: list[Event] = []
    tags = functools.cache(lambda: describe(Timeline(timeline.title, tuple(heard))))  # asked once the audio is out
    chunks = _noting(render_events(timeline, clips, options), heard)
    written = export_track(chunks, dest, fmt, tags, bitrate=settings.bitrate, force=settings.force)
    sidecars.write(written, settings.sidecars, Timeline(timeline.title, tuple(heard)), tags().artist, tags().album)
    return written, Timeline(timeline.title, tuple(heard))


def _noting(events: Iterable[tuple[Event, bytes]], heard: list[Event]) -> Iterator[bytes]:
    """The PCM of rendered events, noting each event, timed as rendered, in ``heard``."""
    for event, pcm in events:
        if not heard or heard[-1] is not event:
            heard.append(event)
        yield pcm


def sound_for(options: RenderOptions, fmt: str, bitrate: int) -> RenderOptions:
    """``options`` with the peaks kept low enough for the codec of ``fmt`` at ``bitrate``."""
    return replace(options, peak=options.peak - peak_headroom(fmt, bitrate))
