"""Listening on this machine: a practice, or a part of one, played on the sound card from where the listener asks.

What `play` (and `preview` without -o) does between reading its options and the player: the sound card opened
first (a missing one is said at once), then the synthesizer, with one worker of each engine started under the
bell; the program; the place the practice was left; and, for a whole practice, where it stops remembered.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from stillpoint.app import pipeline, resume, session
from stillpoint.app.program import Program
from stillpoint.audio import clock
from stillpoint.errors import StillpointError
from stillpoint.language.script import Script
from stillpoint.language.timeline import Pace
from stillpoint.listen import player
from stillpoint.listen.device import DeviceSink
from stillpoint.listen.player import Bookmark
from stillpoint.listen.screen import screen_for
from stillpoint.sound.render import RenderOptions

Warn = Callable[[str], None]


class Listening:
    """A practice ready on the sound card: the device open, the synthesizer started, the program to play."""

    def __init__(self, program: Program, sink: DeviceSink, opened: ExitStack):
        self.program = program
        self._sink = sink
        self._opened = opened
        self._player: player.Player | None = None

    @classmethod
    def open(cls, script: Script, pace: Pace, options: RenderOptions, cache_dir: Path | None = None) -> Listening:
        """The sound card opened (a PlaybackError if there is none), then the synthesizer; close it when done."""
        with ExitStack() as opened:
            sink = opened.enter_context(DeviceSink())
            synth = opened.enter_context(session.synthesizer(cache_dir, pace.voice))
            program = Program(script, pace, synth, options)
            # One worker of each engine loads under the bell: two neural ones at once on two cores delay the first words.
            synth.start_workers((event.utterance for event in program.timeline.events if event.utterance), each=1)
            return cls(program, sink, opened.pop_all())

    def __enter__(self) -> Listening:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the voice workers, then close the sound card."""
        self._opened.close()

    @property
    def needs_every_line(self) -> bool:
        """Whether the practice is fitted to a length, which takes every line's real length before it starts."""
        return self.program.needs_every_line

    def fit(self, on_progress: pipeline.ProgressCallback = None) -> str:
        """Speak every line now, so the fitted timeline is exact from the start; the note the player shows about it."""
        self.program.measure(on_progress)
        return f"fitted to {clock(self.program.timeline.total)}: every line was spoken before the start"

    def resume_point(self) -> tuple[int, str]:
        """The first event of the section where the practice was last stopped (0 if none), and a note saying so."""
        timeline = self.program.timeline
        first = resume.starting_point(timeline, resume.load(self.program.script.path))
        if not first:
            return 0, "starting at the beginning"
        return first, f"continuing at “{timeline.events[first].section}”"

    def play(self, first: int = 0, note: str = "", plain: bool = False, quiet: bool = False) -> Bookmark | None:
        """Play from event ``first`` to the end (None) or until the listener stops it (the place it stopped).

        ``plain`` shows progress lines instead of the screen, ``quiet`` nothing; keys are read from a terminal.
        """
        from stillpoint.listen.keys import Keys  # POSIX only (termios): the doors refuse the player on Windows

        self._player = player.Player(self.program, self._sink, note)
        keys = Keys.from_stdin()
        with screen_for(plain, quiet, keys.active) as screen, keys:
            self._player.play(screen, keys, first)
        return self._player.bookmark()

    def play_remembered(self, first: int = 0, note: str = "", plain: bool = False, quiet: bool = False,
                        on_warning: Warn = lambda _message: None) -> Bookmark | None:
        """``play``, then remember where it stopped (forget it after the end), even when interrupted.

        A place that cannot be saved stops nothing: ``on_warning`` is told.
        """
        try:
            return self.play(first, note, plain, quiet)
        finally:
            self._remember(on_warning)

    def _remember(self, on_warning: Warn) -> None:
        """Save where the player is for the next resume; None (played to the end) forgets the practice's place."""
        if self._player is None:
            return
        try:
            resume.save(self.program.script.path, self._player.bookmark())
        except (OSError, StillpointError) as err:
            on_warning(f"cannot remember where the practice stopped: {err}")

    def warnings(self) -> list[str]:
        """Problems that did not stop the playing but are worth telling (e.g. an unwritable cache)."""
        return self.program.synth.warnings()
