"""Timeline + speech clips -> a stream of PCM chunks, event by event. Writes nothing, plays nothing."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from stillpoint.audio import SAMPLE_RATE, Clip, seconds_to_samples
from stillpoint.language.script import NO_CUE
from stillpoint.language.timeline import BELL, FROM_CLIPS, SLEEP, Event, Timeline
from stillpoint.sound import ambience as beds
from stillpoint.sound import breath, sleep
from stillpoint.sound.ambience import Ambience
from stillpoint.sound.bell import bell
from stillpoint.sound.loudness import level, measure
from stillpoint.sound.seams import faded

SILENCE_CHUNK = SAMPLE_RATE  # one second of zeros at a time keeps long soaks cheap


@dataclass(frozen=True)
class RenderOptions:
    """How the track sounds: speech loudness (None leaves it as the engine made it), bell volume, ambience bed."""

    loudness: float | None = -19.0
    peak: float = -1.0
    bell_volume: float = 1.0
    ambience: str | None = None
    ambience_volume: float = 1.0
    breath_cue: str | None = None  # the listener's cue for every breath; None follows the script

    @property
    def level(self) -> tuple[float, float] | None:
        """(target LUFS, true-peak ceiling dBTP) speech is levelled to, or None when it is left as made."""
        return None if self.loudness is None else (self.loudness, self.peak)


def render(timeline: Timeline, clips: Iterable[Clip], options: RenderOptions = RenderOptions()) -> Iterator[bytes]:
    """The whole practice as consecutive PCM chunks."""
    for _event, pcm in render_events(timeline, clips, options):
        yield pcm


def render_events(
    timeline: Timeline, clips: Iterable[Clip], options: RenderOptions = RenderOptions(), first: int = 0
) -> Iterator[tuple[Event, bytes]]:
    """Each event from index ``first`` on with its PCM in one or more chunks, re-timed to the samples really produced.

    ``clips`` are those of the speech and clip events from ``first`` on; times count from the start of the practice.
    """
    pending = iter(clips)
    events = timeline.events[first:]
    position = seconds_to_samples(events[0].start) if events else 0
    bed = _bed(options, events, position)
    last: tuple[int, int, int] | None = None  # the event before: its index, first sample and length
    for index, event in enumerate(events):
        if event.kind in FROM_CLIPS:
            chunks: Iterable[bytes] = [speech_pcm(next(pending), options)]
            samples = len(chunks[0]) // 2
        else:
            samples = seconds_to_samples(event.end) - seconds_to_samples(event.start)
            chunks = _sound_chunks(event, samples, options) if event.kind != SLEEP else _ending(
                samples, position, bed.gain_after(*last) if bed and last else 0.0, options)
        timed = replace(event, start=position / SAMPLE_RATE, duration=samples / SAMPLE_RATE)
        for chunk in bed.under(chunks, index, position, samples) if bed and event.kind != SLEEP else chunks:
            yield timed, chunk
        last = (index, position, samples)
        position += samples


def _bed(options: RenderOptions, events: tuple[Event, ...], start: int) -> Ambience | None:
    """The ambience laid under ``events`` (whose stream starts at sample ``start``), if one is asked for."""
    if not options.ambience:
        return None
    swells = {index: breath.Breathing(breath.laid_out(event.breaths, breath.event_samples(event))).swell
              for index, event in enumerate(events) if cue(event, options) == breath.SWELL and event.breaths}
    return Ambience(options.ambience, options.ambience_volume, [event.kind for event in events], start, swells)


def cue(event: Event, options: RenderOptions) -> str:
    """The cue heard through a breathe event: the listener's choice, else the script's; none for other events."""
    if event.breaths is None:
        return NO_CUE
    return options.breath_cue or event.breaths.cue


def _ending(samples: int, position: int, rise: float, options: RenderOptions) -> Iterable[bytes]:
    """A sleep ending of ``samples`` from sample ``position`` on: the practice's bed (else the default one) going on
    from gain ``rise`` (the bed's where the event before ended; 0 when none was under it) and fading to silence."""
    if not options.ambience:
        return sleep.tail(samples, position=position, rise_from=0.0)
    return sleep.tail(samples, beds.loop(options.ambience), options.ambience_volume, position, rise)


def _sound_chunks(event: Event, samples: int, options: RenderOptions) -> Iterable[bytes]:
    if event.kind == BELL:
        return bell(samples / SAMPLE_RATE, options.bell_volume)
    if cue(event, options) == breath.TONE and event.breaths:
        return breath.Breathing(breath.laid_out(event.breaths, samples)).chunks(gain=_cue_gain(options))
    return silence_chunks(samples)


def _cue_gain(options: RenderOptions) -> float:
    """The tone's gain: it keeps its distance under the voice at whatever loudness the voice is levelled to."""
    return 1.0 if options.loudness is None else 10.0 ** ((options.loudness - RenderOptions.loudness) / 20.0)


def speech_pcm(clip: Clip, options: RenderOptions) -> bytes:
    """A clip levelled to the target loudness, faded at every edge with silence, so it never clicks on or off.

    The fades are made here, whatever engine made the clip and whenever it was cached.
    """
    if options.level is None:
        return faded(clip.pcm)
    ready = clip.levelled_to(options.level)  # levelled by a voice worker: no limiter work here
    if ready is not None:
        return faded(ready)
    return faded(level(clip.pcm, clip.loudness or measure(clip.pcm), *options.level))


def silence_chunks(samples: int) -> Iterator[bytes]:
    """``samples`` of silence in chunks of at most one second."""
    remaining = samples
    while remaining > 0:
        step = min(remaining, SILENCE_CHUNK)
        yield bytes(2 * step)
        remaining -= step
