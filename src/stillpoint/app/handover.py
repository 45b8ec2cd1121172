"""Handing a practice over as files to download: one track, or one track per client with their playlist and a zip
of the tracks; with the progress a follower shows (the studio's Hand over panel). Prints nothing.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from stillpoint.app import batch, pipeline
from stillpoint.language import script as script_language
from stillpoint.language import timeline as timing
from stillpoint.language.script import Script
from stillpoint.language.timeline import Pace
from stillpoint.output.filenames import safe_name
from stillpoint.sound.render import RenderOptions
from stillpoint.voice import Synthesizer, SynthProgress

ZIP_NAME = "tracks.zip"


@dataclass(frozen=True)
class Progress:
    """How far a hand-over has come: steps done of its total, and the lines synthesized or taken from the cache."""

    done: int
    total: int
    synthesized: int
    cached: int
    message: str = ""


Follower = Callable[[Progress], None]


def practice(text: str, path: str, values: dict[str, str]) -> Script:
    """The practice in ``text`` with ``values`` for its variables; a value for a variable it lacks is refused."""
    parsed = script_language.parse(text, path, values)
    pipeline.check_values(values, [parsed])
    return parsed


def track_steps(parsed: Script, pace: Pace) -> int:
    """The steps the progress of one track counts: its lines to speak."""
    return len(timing.utterances(parsed, pace))


def export_track(parsed: Script, pace: Pace, options: RenderOptions, synth: Synthesizer, folder: Path,
                 on_progress: Follower) -> list[Path]:
    """``parsed`` as one MP3 in ``folder``, named from its title."""
    settings = pipeline.ExportSettings(dest=folder / f"{safe_name(parsed.meta.title)}.mp3")
    written, _ = pipeline.export(parsed, pace, synth, settings, options, lambda state: on_progress(_spoken(state)))
    return [written]


def export_clients(scripts: list[Script], pace: Pace, options: RenderOptions, synth: Synthesizer, folder: Path,
                   on_progress: Follower) -> list[Path]:
    """Each client's track in ``folder``, then their playlist (for several) and a zip of the tracks.

    The progress counts clients: the one being spoken, and the tracks written; its lines are every client's so far.
    """
    tally = _Tally(len(scripts), on_progress)
    exported = batch.export_batch(scripts, folder, pace, synth, options=options, on_progress=tally.speaking,
                                  on_written=tally.wrote)
    tracks = [track.path for track in exported]
    return [*tracks, *folder.glob(f"*{batch.PLAYLIST_SUFFIX}"), zipped(folder, tracks)]


def zipped(folder: Path, tracks: list[Path]) -> Path:
    """All ``tracks`` in one zip file in ``folder`` (stored: MP3 does not compress)."""
    dest = folder / ZIP_NAME
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_STORED) as bundle:
        for track in tracks:
            bundle.write(track, track.name)
    return dest


def _spoken(state: SynthProgress) -> Progress:
    """The progress of one track: its lines handed out, of which some came from the cache."""
    return Progress(state.done, state.total, state.done - state.cached, state.cached)


class _Tally:
    """The progress of a batch of client tracks: the lines of every client spoken so far, and the tracks written."""

    def __init__(self, total: int, on_progress: Follower):
        self._total, self._on_progress = total, on_progress
        self._speech: dict[int, SynthProgress] = {}
        self._done, self._written, self._message = 0, 0, ""

    def speaking(self, state: batch.BatchProgress) -> None:
        """A client's lines are being spoken: the tracks before it are done, or being written."""
        self._speech[state.number] = state.speech
        self._message = f"{state.number} of {state.total}: {state.title}"
        self._done = state.number - 1
        self._report()

    def wrote(self, _track: batch.Exported) -> None:
        """One more track is written."""
        self._written += 1
        self._done = self._written
        self._report()

    def _report(self) -> None:
        """Hand the sums so far to the follower."""
        speech = self._speech.values()
        cached = sum(state.cached for state in speech)
        self._on_progress(Progress(self._done, self._total, sum(state.done for state in speech) - cached, cached,
                                   self._message))
