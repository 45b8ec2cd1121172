"""A practice ready to be played from any event: speech streams from the synthesizer into the renderer."""

from __future__ import annotations

from collections.abc import Iterator

from stillpoint.app import pipeline, session
from stillpoint.audio import Clip
from stillpoint.language import timeline as timing
from stillpoint.language.script import Script
from stillpoint.language.timeline import Event, Pace, Utterance
from stillpoint.sound.render import RenderOptions, render_events
from stillpoint.voice import Synthesizer


class Program:
    """The audio of a practice on demand from any event; its timeline refines as real speech lengths arrive.

    Silences never depend on speech lengths and speech is always the real clip, so the audio streamed from
    the first event is the audio a WAV export of the same practice and options holds.
    """

    def __init__(self, script: Script, pace: Pace, synth: Synthesizer, options: RenderOptions):
        self.script = script
        self.pace = pace
        self.synth = synth
        self.options = options
        session.check_cues(script, options)
        self.timeline = timing.plan(script, pace)
        self._durations: dict[Utterance, float] = {}

    @property
    def needs_every_line(self) -> bool:
        """Whether the practice is fitted to a length, which takes every line's real length before it starts."""
        target = self.pace.length if self.pace.length is not None else self.script.meta.length
        return target is not None

    def measure(self, on_progress: pipeline.ProgressCallback = None) -> None:
        """Synthesize every line now, so the timeline is exact from the start."""
        self.timeline = pipeline.timed_plan(self.script, self.pace, self.synth, on_progress)

    def stream(self, first: int = 0) -> Iterator[tuple[Event, bytes]]:
        """The rendered practice from event ``first`` on; lines are synthesized as the stream reaches them."""
        timeline = self.timeline
        wanted = [event.utterance for event in timeline.events[first:] if event.utterance]
        return render_events(timeline, self._clips(wanted), self.options, first)

    def _clips(self, wanted: list[Utterance]) -> Iterator[Clip]:
        """Clips for ``wanted``, learning each one's length."""
        for utterance, clip in zip(wanted, self.synth.clips(wanted, level=self.options.level)):
            self._learn(utterance, clip.seconds)
            yield clip

    def _learn(self, utterance: Utterance, seconds: float) -> None:
        """Put a line's real length into the timeline."""
        if self.timeline.exact or utterance in self._durations:
            return
        self._durations[utterance] = seconds
        self.timeline = timing.plan(self.script, self.pace, self._durations)
