"""Wiring of the stages for one practice: find, parse, time, render, write. Prints nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from stillpoint import library
from stillpoint import script as script_language
from stillpoint import timeline as timing
from stillpoint.audio import Clip
from stillpoint.errors import UsageError
from stillpoint.export import TrackInfo, check_destination, export_track, format_for
from stillpoint.render import RenderOptions, render
from stillpoint.script import Script
from stillpoint.timeline import Pace, Timeline
from stillpoint.voice import Synthesizer, SynthProgress

ProgressCallback = Callable[[SynthProgress], None] | None


@dataclass(frozen=True)
class ExportSettings:
    """Where and how a track is written."""

    dest: Path | None = None
    fmt: str | None = None
    bitrate: int = 64
    force: bool = False


def load_script(source: str, values: dict[str, str] | None = None) -> Script:
    """The practice named or pointed to by ``source``, with ``--set`` values applied."""
    values = values or {}
    parsed = script_language.load(library.find(source), values)
    known = set(parsed.meta.vars) | set(parsed.variables)
    for name in values:
        if name not in known:
            choices = ", ".join(sorted(known)) or "none"
            raise UsageError(f"--set {name}: {parsed.path} has no variable {{{name}}}", hint=f"its variables: {choices}")
    return parsed


def timed_plan(parsed: Script, pace: Pace, synth: Synthesizer, on_progress: ProgressCallback = None) -> Timeline:
    """The exact timeline: every line synthesized (or taken from the cache) to learn its length."""
    wanted = timing.utterances(parsed, pace)
    durations = {u: clip.seconds for u, clip in zip(wanted, synth.clips(wanted, on_progress))}
    return timing.plan(parsed, pace, durations)


def speech_clips(timeline: Timeline, synth: Synthesizer, on_progress: ProgressCallback = None) -> Iterator[Clip]:
    """The clips of a timeline's speech events, in order."""
    return synth.clips([e.utterance for e in timeline.events if e.utterance], on_progress)


def track_info(parsed: Script, timeline: Timeline) -> TrackInfo:
    """Tags for the exported file, taken from the script and its timeline."""
    meta = parsed.meta
    return TrackInfo(
        title=meta.title,
        artist=meta.author or "Stillpoint",
        comment=meta.description,
        chapters=timing.chapters(timeline),
        lyrics=[(e.start, e.text) for e in timeline.events if e.kind == timing.SPEECH],
        length_seconds=timeline.total,
    )


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
    dest = settings.dest or default_destination(parsed, settings.fmt)
    fmt = format_for(dest, settings.fmt)
    check_destination(dest, settings.force)
    timeline = timed_plan(parsed, pace, synth, on_progress)
    chunks = render(timeline, speech_clips(timeline, synth), options)
    info = track_info(parsed, timeline)
    written = export_track(chunks, dest, fmt, info, bitrate=settings.bitrate, force=settings.force)
    return written, timeline
