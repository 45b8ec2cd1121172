"""The player: commands, seeking, pausing and the screen in-process; real playback in subprocesses.

Playback goes through PortAudio to ALSA, which is pointed at its `file` plugin (a capture file behind the null
device) or at a card that does not exist, through a configuration file named in ALSA_CONFIG_PATH; keys are typed
into a pseudo-terminal.
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import pty
import select
import shlex
import signal
import struct
import subprocess
import sys
import termios
import time
import wave
from pathlib import Path

import numpy as np
import pytest
from conftest import FAKE_ENGINE, SMALL_PRACTICE
from rich.console import Console
from voice import faulty_engines

from stillpoint.audio import SAMPLE_RATE, SAMPLE_WIDTH, seconds_to_samples
from stillpoint.app import resume
from stillpoint.errors import SynthesisError
from stillpoint.language import script
from stillpoint.language import timeline as timing
from stillpoint.listen import player
from stillpoint.listen.commands import SKIP_SECONDS
from stillpoint.listen.live import view
from stillpoint.listen.screen import LineScreen, Moment
from stillpoint.sound import breath, seams
from stillpoint.sound.render import RenderOptions, render_events
from stillpoint.voice.fake import FakeEngine

STUB = """---
title: Stub Practice
rate: 150
breath: 4s
---
# Arriving
Settle in and let the floor hold you while the breath slows down.
[breathe 2]
Notice the weight of your hands resting where they are.
[soak 20s]
# Resting
Rest here, with nothing at all to do for a while.
[pause 3s]
Come back when you are ready, in your own time.
"""
TESTS = Path(__file__).parent.parent
FAULTY = f"{faulty_engines.__name__}:FaultyEngine"


class StubProgram:
    """What the player needs of a program, with the fake engine's speech made in this process."""

    def __init__(self, text: str = STUB) -> None:
        parsed = script.parse(text, "stub.txt")
        wanted = timing.utterances(parsed)
        self.clips = {u: FakeEngine().synthesize(u.text, u.voice, u.rate) for u in wanted}
        self.timeline = timing.plan(parsed, timing.Pace(), {u: clip.seconds for u, clip in self.clips.items()})
        self.options = RenderOptions()

    def stream(self, first: int = 0):
        wanted = [event.utterance for event in self.timeline.events[first:] if event.utterance]
        return render_events(self.timeline, [self.clips[u] for u in wanted], self.options, first)

    def audio(self, first: int = 0) -> bytes:
        return b"".join(pcm for _event, pcm in self.stream(first))

    def sample(self, index: int) -> int:
        return seconds_to_samples(self.timeline.events[index].start)


class SleepyProgram(StubProgram):
    """The stub practice with a sleep ending of a minute."""

    def __init__(self) -> None:
        super().__init__()
        lengths = {u: clip.seconds for u, clip in self.clips.items()}
        self.timeline = timing.plan(script.parse(STUB, "stub.txt"), timing.Pace(sleep=60.0), lengths)

    @property
    def ending(self) -> int:
        return len(self.timeline.events) - 1


class FailingProgram(StubProgram):
    """A program whose speech engine fails on the third line."""

    def stream(self, first: int = 0):
        for number, item in enumerate(super().stream(first)):
            if number == 4:
                raise SynthesisError("the speech engine failed", path="stub.txt", line=11)
            yield item


class RecordingSink:
    """A sink that keeps what is written, plays instantly, and counts the times it was let finish."""

    def __init__(self) -> None:
        self.audio = bytearray()
        self.finished = 0

    def write(self, pcm: bytes) -> None:
        self.audio += pcm

    def queued(self) -> int:
        return 0

    def finish(self) -> None:
        self.finished += 1

    @property
    def seconds(self) -> float:
        return len(self.audio) / SAMPLE_WIDTH / SAMPLE_RATE


class ScriptedKeys:
    """Key commands pressed once the sink holds so many seconds of audio; each fires once, in order."""

    def __init__(self, sink: RecordingSink, script_: list[tuple[float, str]]):
        self._sink, self._script = sink, list(script_)
        self.fired_at: list[int] = []

    def pressed(self) -> list[str]:
        if self._script and self._sink.seconds >= self._script[0][0]:
            self.fired_at.append(len(self._sink.audio) // SAMPLE_WIDTH)
            return [self._script.pop(0)[1]]
        return []


class RecordingScreen:
    def __init__(self) -> None:
        self.moments: list[Moment] = []

    def show(self, moment: Moment) -> None:
        self.moments.append(moment)


def played(program: StubProgram, keys: list[tuple[float, str]], screen=None):
    """Play ``program`` with keys pressed as scripted; returns the sink, the keys, the player and its result."""
    sink = RecordingSink()
    scripted = ScriptedKeys(sink, keys)
    session = player.Player(program, sink)
    ended = session.play(screen or RecordingScreen(), scripted)
    return sink, scripted, session, ended


def section_index(program: StubProgram, number: int) -> int:
    return timing.section_starts(program.timeline)[number - 1]


def test_the_player_writes_the_rendered_stream_unchanged() -> None:
    program = StubProgram()
    sink, _keys, session, ended = played(program, [])
    assert ended and session.bookmark() is None
    assert bytes(sink.audio) == program.audio()


def test_next_section_fades_out_and_continues_from_the_next_section() -> None:
    program = StubProgram()
    sink, keys, _session, _ended = played(program, [(9.0, player.NEXT)])
    second = program.audio(section_index(program, 2))
    pressed = keys.fired_at[0]
    audio = bytes(sink.audio)
    assert audio[:pressed * SAMPLE_WIDTH] == program.audio()[:pressed * SAMPLE_WIDTH]
    assert audio[(pressed + player.HUSH) * SAMPLE_WIDTH:] == second
    assert len(audio) < len(program.audio())


def test_previous_goes_back_a_section_early_on_and_restarts_it_later() -> None:
    program = StubProgram()
    second = section_index(program, 2)
    start = program.sample(second) / SAMPLE_RATE
    early = played(program, [(start + 1.0, player.PREVIOUS), (start + 1.0, player.QUIT)])[2]
    assert early.bookmark().number == 1
    sink, _keys, _session, _ended = played(program, [(start + 5.0, player.PREVIOUS)])
    assert bytes(sink.audio).endswith(program.audio(second))
    assert len(sink.audio) // SAMPLE_WIDTH > program.sample(second) + 5 * SAMPLE_RATE


def test_pausing_loses_and_repeats_nothing_and_fades_around_the_pause() -> None:
    program = StubProgram()
    sink, keys, _session, _ended = played(program, [(9.0, player.TOGGLE), (9.0, player.TOGGLE)])
    original = np.frombuffer(program.audio(), dtype="<i2")
    heard = np.frombuffer(bytes(sink.audio), dtype="<i2")
    assert len(heard) == len(original)
    changed = np.flatnonzero(heard != original)
    pause = keys.fired_at[0]
    assert changed.min() >= pause and changed.max() < pause + 2 * player.HUSH
    assert sink.finished == 2  # let the device play out at the pause, and at the end


def test_skipping_back_fifteen_seconds_replays_that_line_from_its_start() -> None:
    program = StubProgram()
    sink, keys, _session, _ended = played(program, [(25.0, player.BACK)])
    target = keys.fired_at[0] / SAMPLE_RATE - SKIP_SECONDS
    index = max(i for i, e in enumerate(program.timeline.events) if e.start <= target)
    assert program.timeline.events[index].kind == timing.SPEECH
    assert bytes(sink.audio).endswith(program.audio(index))


def test_skipping_forward_into_a_silence_lands_exactly_fifteen_seconds_on() -> None:
    program = StubProgram()
    soak = next(i for i, e in enumerate(program.timeline.events) if e.kind == timing.SOAK)
    sink, keys, _session, _ended = played(program, [(program.sample(soak) / SAMPLE_RATE + 1.0, player.FORWARD)])
    pressed = keys.fired_at[0]
    rest = program.audio()[int(pressed + SKIP_SECONDS * SAMPLE_RATE) * SAMPLE_WIDTH:]
    assert bytes(sink.audio).endswith(rest)
    written = len(sink.audio) // SAMPLE_WIDTH - len(rest) // SAMPLE_WIDTH  # before the landing point
    assert pressed <= written <= pressed + player.HUSH


def test_stopping_in_the_sleep_ending_fades_out_shows_it_calmly_and_leaves_nothing_to_resume() -> None:
    program = SleepyProgram()
    into = program.sample(program.ending) / SAMPLE_RATE + 20.0
    screen = RecordingScreen()
    sink, keys, session, ended = played(program, [(into, player.QUIT)], screen)
    pressed, audio = keys.fired_at[0], np.frombuffer(bytes(sink.audio), dtype="<i2")
    assert not ended and len(audio) == pressed + player.HUSH
    assert np.array_equal(audio[:pressed], np.frombuffer(program.audio(), dtype="<i2")[:pressed])
    assert np.abs(audio[-4:]).max() <= seams.STEP_LIMIT  # faded out, not cut
    last = screen.moments[-1]
    assert (last.section, last.caption, last.section_number) == ("Sleep", "sleep well…", 3)
    assert session.bookmark() is None


def test_the_sleep_ending_is_a_section_to_skip_to_and_within() -> None:
    program = SleepyProgram()
    second = section_index(program, 2)
    sink, keys, _session, ended = played(program, [(program.sample(second) / SAMPLE_RATE + 1.0, player.NEXT),
                                                   (program.sample(second) / SAMPLE_RATE + 3.0, player.FORWARD)])
    assert ended
    landed = keys.fired_at[1] - keys.fired_at[0] - player.HUSH + program.sample(program.ending)
    rest = program.audio()[int(landed + SKIP_SECONDS * SAMPLE_RATE) * SAMPLE_WIDTH:]
    assert bytes(sink.audio).endswith(rest) and rest.endswith(bytes(SAMPLE_RATE))


def test_volume_keys_soften_what_is_played_and_never_go_above_full() -> None:
    program = StubProgram()
    screen = RecordingScreen()
    keys = [(0.0, player.SOFTER), (0.0, player.SOFTER), (0.0, player.SOFTER), (0.0, player.LOUDER)]
    sink, _keys, _session, _ended = played(program, keys, screen)
    original = np.frombuffer(program.audio(), dtype="<i2").astype(float)
    heard = np.frombuffer(bytes(sink.audio), dtype="<i2").astype(float)
    settled = 4 * player.PIECE  # the scripted keys come one per piece
    assert np.abs(heard[settled:] - 0.8 * original[settled:]).max() <= 1
    assert "volume 80%" in {moment.note for moment in screen.moments}
    louder = played(program, [(0.0, player.LOUDER)])[0]
    assert bytes(louder.audio) == program.audio()


def test_the_screen_shows_the_line_spoken_and_rests_in_silence() -> None:
    program = StubProgram()
    screen = RecordingScreen()
    played(program, [], screen)
    lines = [e.text for e in program.timeline.events if e.kind == timing.SPEECH]
    by_time = {round(m.elapsed, 1): m for m in screen.moments}
    for event in program.timeline.events:
        middle = by_time[min(by_time, key=lambda t: abs(t - (event.start + event.duration / 2)))]
        expected = {timing.SPEECH: event.text, timing.BREATHE: "breathe out…", timing.SOAK: "rest…",
                    timing.PAUSE: "rest…"}.get(event.kind)  # the middle of two 4s breaths: the first breath out
        if expected is not None:
            assert middle.caption == expected
            assert middle.section == event.section
    assert screen.moments[-1].ended and screen.moments[-1].elapsed == program.timeline.total
    assert {m.caption for m in screen.moments} >= set(lines)


@pytest.mark.parametrize("pattern", ["4-7-8", "2-1-3-1"])
def test_the_screen_says_each_phase_of_a_breath_while_it_is_heard(pattern: str) -> None:
    program = StubProgram(STUB.replace("breath: 4s", f"breath: {pattern}"))
    screen = RecordingScreen()
    played(program, [], screen)
    planned = [phase for event in program.timeline.events for phase in breath.timed(event)]
    checked = set()
    for moment in screen.moments:
        for kind, start, duration in planned:
            if start + 0.15 <= moment.elapsed <= start + duration - 0.15:  # a piece (0.1 s) away from a turn
                assert moment.caption == breath.WORDS[kind], (moment.elapsed, kind)
                checked.add(start)
    assert len(checked) == len(planned) == 2 * len(pattern.split("-"))


def test_quitting_leaves_a_bookmark_that_finds_its_section_again() -> None:
    program = StubProgram()
    second = section_index(program, 2)
    start = program.sample(second) / SAMPLE_RATE
    _sink, _keys, session, ended = played(program, [(start + 2.0, player.QUIT)])
    bookmark = session.bookmark()
    assert not ended
    assert (bookmark.section, bookmark.number) == ("Resting", 2)
    assert bookmark.seconds == pytest.approx(start + 2.0 + player.HUSH / SAMPLE_RATE, abs=0.2)
    assert resume.starting_point(program.timeline, bookmark) == second
    renamed = resume.Bookmark("Resting", 7, 0.0)
    assert resume.starting_point(program.timeline, renamed) == second
    assert resume.starting_point(program.timeline, resume.Bookmark("Gone", 2, 0.0)) == 0


def test_a_synthesis_failure_reaches_the_player_and_stops_it() -> None:
    with pytest.raises(SynthesisError, match="speech engine failed"):
        played(FailingProgram(), [])


def test_rendering_from_an_event_matches_the_whole_rendering_from_there() -> None:
    program = StubProgram()
    for index in (1, section_index(program, 2), len(program.timeline.events) - 1):
        assert program.audio().endswith(program.audio(index))
        first_event, _pcm = next(program.stream(index))
        assert first_event.start == program.timeline.events[index].start


def test_line_screen_prints_the_title_each_section_and_the_end() -> None:
    out = io.StringIO()
    played(StubProgram(), [], LineScreen(out))
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Stub Practice")
    assert [line.split(maxsplit=1)[1] for line in lines[1:]] == ["Arriving", "Resting", "end"]


@pytest.mark.parametrize("width", [80, 24])
def test_the_live_screen_fits_any_width(width: int) -> None:
    console = Console(file=io.StringIO(), width=width, force_terminal=True)
    moment = Moment("Stub Practice", "Resting", 2, 2, "Rest here, with nothing at all to do.", 65.0, 190.0, False,
                    paused=True)
    console.print(view(moment))
    text = console.file.getvalue()
    assert "1:05" in text and "~3:10" in text and "paused" in text


# Real playback, through PortAudio and ALSA, in a subprocess of its own.


@pytest.fixture
def stage(tmp_path: Path) -> dict[str, object]:
    """A practice file, and an environment in which ALSA writes what is played to capture.raw."""
    practice = tmp_path / "small.txt"
    practice.write_text(SMALL_PRACTICE)
    capture, conf = tmp_path / "capture.raw", tmp_path / "asound.conf"
    conf.write_text(f'pcm.!default {{ type file; slave.pcm "null"; file "{capture}"; format "raw" }}\n')
    env = {**os.environ, "ALSA_CONFIG_PATH": f"/usr/share/alsa/alsa.conf:{conf}", "STILLPOINT_ENGINE": FAKE_ENGINE,
           "STILLPOINT_CACHE": str(tmp_path / "cache"), "STILLPOINT_STATE": str(tmp_path / "state"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(TESTS), os.environ.get("PYTHONPATH")])),
           "TERM": "xterm-256color"}
    return {"practice": practice, "env": env, "capture": capture, "folder": tmp_path}


def stillpoint(stage: dict, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "stillpoint", *args], env={**stage["env"], **env}, check=False,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)


def exported(stage: dict, *options: str) -> bytes:
    """The PCM of `stillpoint export --format wav` of the stage's practice with ``options``."""
    out = stage["folder"] / "export.wav"
    done = stillpoint(stage, "export", str(stage["practice"]), "--format", "wav", "-o", str(out), "--force", *options)
    assert done.returncode == 0, done.stderr
    with wave.open(str(out)) as audio:
        return audio.readframes(audio.getnframes())


@pytest.mark.parametrize("options", [(), ("--ambience", "rain", "--ambience-volume", "0.6", "--bell-volume", "0.4",
                                          "--rate", "170")], ids=["defaults", "ambience-and-bells"])
def test_what_play_sends_to_the_device_is_what_export_writes(stage: dict, options: tuple[str, ...]) -> None:
    done = stillpoint(stage, "play", str(stage["practice"]), "--no-ui", *options)
    assert done.returncode == 0, done.stderr
    assert stage["capture"].read_bytes() == exported(stage, *options)
    lines = done.stdout.splitlines()  # stdout is a pipe here: plain lines, not the live screen
    assert lines[0].startswith("Small Practice") and lines[-1].endswith("end")
    assert [line.split(maxsplit=1)[1] for line in lines[1:-1]] == ["Arriving", "Resting"]


def test_play_sends_the_device_the_sleep_ending_export_writes(stage: dict) -> None:
    options = ("--sleep", "6s", "--ambience", "rain")
    done = stillpoint(stage, "play", str(stage["practice"]), "--no-ui", *options)
    assert done.returncode == 0, done.stderr
    audio = stage["capture"].read_bytes()
    assert audio == exported(stage, *options) and audio.endswith(bytes(SAMPLE_RATE))  # the last 0.5 s silent
    lines = done.stdout.splitlines()
    assert [line.split(maxsplit=1)[1] for line in lines[1:-1]] == ["Arriving", "Resting", "Sleep"]


def test_with_no_audio_device_play_says_so_in_one_line_and_fails_fast(stage: dict) -> None:
    conf = stage["folder"] / "nodevice.conf"
    conf.write_text("pcm.!default { type hw; card 31 }\n")
    started = time.monotonic()
    done = stillpoint(stage, "play", str(stage["practice"]), ALSA_CONFIG_PATH=f"/usr/share/alsa/alsa.conf:{conf}")
    assert time.monotonic() - started < 5  # loosely: the message itself comes well within 2 s
    assert done.returncode == 1
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1
    assert "no audio device found" in done.stderr and "stillpoint export" in done.stderr


def test_a_line_that_cannot_be_synthesized_stops_play_naming_it(stage: dict) -> None:
    stage["practice"].write_text(SMALL_PRACTICE.replace("Rest here.", "explode here, please."))
    done = stillpoint(stage, "play", str(stage["practice"]), "--no-ui", STILLPOINT_ENGINE=FAULTY)
    assert done.returncode == 1
    line = SMALL_PRACTICE.splitlines().index("Rest here. [soak 3s]") + 1
    assert done.stderr.startswith(f"{stage['practice']}:{line}:") and "engine exploded" in done.stderr
    assert len(done.stderr.splitlines()) == 1


def _wait_for(stream, text: str, timeout: float = 20.0) -> str:
    """Read ``stream`` (a pipe or a pty's master) until ``text`` appears."""
    seen, deadline = b"", time.monotonic() + timeout
    fd = stream if isinstance(stream, int) else stream.fileno()
    while text.encode() not in seen and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.1)[0]:
            try:
                seen += os.read(fd, 4096)
            except OSError:
                break
    assert text.encode() in seen, seen.decode(errors="replace")[-500:]
    return seen.decode(errors="replace")


def test_resume_continues_from_the_start_of_the_section_that_was_playing(stage: dict) -> None:
    args = [sys.executable, "-m", "stillpoint", "play", str(stage["practice"]), "--no-ui"]
    slow = {**stage["env"], "STILLPOINT_ENGINE": FAULTY, faulty_engines.DELAY_ENV: "0.4"}
    with subprocess.Popen(args, env=slow, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE) as process:
        _wait_for(process.stdout, "Resting")
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 130
    state = list((stage["folder"] / "state").glob("small-*.json"))
    assert len(state) == 1
    saved = json.loads(state[0].read_text())
    assert (saved["section"], saved["number"]) == ("Resting", 2)

    done = stillpoint(stage, "play", str(stage["practice"]), "--resume", "--no-ui")
    assert done.returncode == 0, done.stderr
    assert "continuing at “Resting”" in done.stdout
    plan = json.loads(stillpoint(stage, "plan", str(stage["practice"]), "--json").stdout)
    start = next(e["start"] for e in plan["events"] if e["section"] == "Resting")
    assert stage["capture"].read_bytes() == exported(stage)[seconds_to_samples(start) * SAMPLE_WIDTH:]
    assert not state[0].exists()  # heard to the end: nothing left to resume


def _in_terminal(stage: dict, *args: str, columns: int = 80, controlling: bool = True):
    """Start `stillpoint` on a new pseudo-terminal with a slow engine; returns the process, master and slave.

    The terminal is the process's controlling one, as in a login shell, unless ``controlling`` is False.
    """
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    env = {**stage["env"], "STILLPOINT_ENGINE": FAULTY, faulty_engines.DELAY_ENV: "2"}
    take = (lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0)) if controlling else None
    process = subprocess.Popen([sys.executable, "-m", "stillpoint", *args], env=env, stdin=slave, stdout=slave,
                               stderr=slave, start_new_session=True, preexec_fn=take)
    return process, master, slave


def test_keys_pause_skip_and_quit_then_the_terminal_is_restored(stage: dict) -> None:
    process, master, slave = _in_terminal(stage, "play", str(stage["practice"]))
    try:
        before = termios.tcgetattr(slave)
        _wait_for(master, "Small Practice")
        os.write(master, b" ")
        _wait_for(master, "paused")
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 12, 30, 0, 0))
        os.killpg(process.pid, signal.SIGWINCH)
        os.write(master, b" n")
        time.sleep(0.3)
        os.write(master, b"q")
        assert process.wait(20) == 0
        assert termios.tcgetattr(slave) == before
        saved = json.loads(next((stage["folder"] / "state").glob("small-*.json")).read_text())
        assert (saved["section"], saved["number"]) == ("Resting", 2)
    finally:
        process.kill()
        os.close(master)
        os.close(slave)


def test_keys_work_on_a_terminal_that_is_not_the_controlling_one(stage: dict) -> None:
    """As after setsid: the terminal has no foreground process group to ask about, and play must not fail."""
    process, master, slave = _in_terminal(stage, "play", str(stage["practice"]), controlling=False)
    try:
        _wait_for(master, "Small Practice")
        os.write(master, b"q")
        assert process.wait(20) == 0
    finally:
        process.kill()
        os.close(master)
        os.close(slave)


SHELL_PROMPT = "listener$ "


def test_after_ctrl_z_and_fg_single_keys_work_at_once(stage: dict) -> None:
    """Through a real shell with job control, as a listener would: stopped with Ctrl-Z, continued with fg."""
    env = {**stage["env"], "STILLPOINT_ENGINE": FAULTY, faulty_engines.DELAY_ENV: "6", "PS1": SHELL_PROMPT}
    shell, master = pty.fork()
    if shell == 0:
        os.execvpe("bash", ["bash", "--norc", "--noprofile", "-i"], env)
    try:
        _wait_for(master, SHELL_PROMPT)
        command = shlex.join([sys.executable, "-m", "stillpoint", "play", str(stage["practice"])])
        os.write(master, f"{command}\n".encode())
        _wait_for(master, "Small Practice")
        time.sleep(1.0)
        os.write(master, b"\x1a")
        assert "Stopped" in _wait_for(master, SHELL_PROMPT)
        os.write(master, b"fg\n")
        time.sleep(1.0)
        os.write(master, b"q")  # no Enter: only a terminal in single-key mode passes it on
        _wait_for(master, SHELL_PROMPT, timeout=4)  # each line takes 6 s to speak: only q ends play this soon
        os.write(master, b"echo status=$?\n")
        _wait_for(master, "status=0")
    finally:
        os.kill(shell, signal.SIGKILL)
        os.waitpid(shell, 0)
        os.close(master)


def test_ctrl_c_stops_quietly_with_exit_130_and_restores_the_terminal(stage: dict) -> None:
    process, master, slave = _in_terminal(stage, "play", str(stage["practice"]))
    try:
        before = termios.tcgetattr(slave)
        _wait_for(master, "Small Practice")
        os.write(master, b"\x03")
        assert process.wait(20) == 130
        assert termios.tcgetattr(slave) == before
        rest = b""
        while select.select([master], [], [], 0.2)[0]:
            try:
                rest += os.read(master, 4096)
            except OSError:
                break
        assert b"Traceback" not in rest and b"error" not in rest
    finally:
        process.kill()
        os.close(master)
        os.close(slave)


class SegmentSink(RecordingSink):
    """A recording sink that also cuts what it was given into the stretches between the player's hushes."""

    def __init__(self) -> None:
        super().__init__()
        self.cuts = [0]

    def finish(self) -> None:
        super().finish()
        self.cuts.append(len(self.audio))

    def stretches(self) -> list[bytes]:
        bounds = [*self.cuts, len(self.audio)]
        return [bytes(self.audio[a:b]) for a, b in zip(bounds, bounds[1:]) if b > a]


KEY_RUNS = {
    "next in a line": [(3.3, player.NEXT)],
    "next in the soak": [(12.0, player.NEXT)],
    "pause and resume in a line": [(3.3, player.TOGGLE), (3.3, player.TOGGLE)],
    "forward into the soak": [(12.0, player.FORWARD)],
    "back into the soak": [(31.0, player.BACK)],
    "quit in a line": [(3.3, player.QUIT)],
}


@pytest.mark.parametrize("ambience", [None, "rain"])
@pytest.mark.parametrize("keys", KEY_RUNS.values(), ids=KEY_RUNS.keys())
def test_every_jump_pause_and_stop_fades_out_to_silence_and_back_in_from_it(ambience, keys) -> None:
    # Each stretch the sink is given between hushes starts and ends at an edge with silence: none may step.
    program = StubProgram()
    program.options = RenderOptions(ambience=ambience)
    sink = SegmentSink()
    player.Player(program, sink).play(RecordingScreen(), ScriptedKeys(sink, keys))
    assert len(sink.cuts) >= 2  # hushed at least once
    for stretch in sink.stretches():
        assert seams.edges(stretch).over == 0


@pytest.mark.parametrize("commands", [[player.NEXT], [player.QUIT], [player.TOGGLE, player.TOGGLE]],
                         ids=["next", "quit", "pause"])
def test_a_key_at_the_very_end_of_a_rendered_chunk_still_fades_the_bed_out(commands: list[str]) -> None:
    # Between two chunks the player holds no audio of the one just written, unless it keeps some back.
    program = StubProgram()
    program.options = RenderOptions(ambience="ocean")
    ends = np.cumsum([len(pcm) // SAMPLE_WIDTH for _event, pcm in program.stream()])
    soak = program.timeline.events[next(i for i, e in enumerate(program.timeline.events) if e.kind == timing.SOAK)]
    boundary = next(int(end) for end in ends if end > seconds_to_samples(soak.start) + 2 * SAMPLE_RATE)
    sink = SegmentSink()
    player.Player(program, sink).play(RecordingScreen(), ScriptedKeys(sink, [(boundary / SAMPLE_RATE, c) for c in commands]))
    first = sink.stretches()[0]
    assert len(first) // SAMPLE_WIDTH >= boundary
    assert seams.edges(first).over == 0


def test_a_volume_key_glides_to_the_new_volume_instead_of_stepping() -> None:
    program = StubProgram()
    program.options = RenderOptions(ambience="rain")
    sink, keys, _session, _ended = played(program, [(2.0, player.SOFTER), (2.0, player.SOFTER), (5.0, player.LOUDER)])
    original = np.frombuffer(program.audio(), dtype="<i2").astype(float)
    heard = np.frombuffer(bytes(sink.audio), dtype="<i2").astype(float)
    loud = np.flatnonzero(np.abs(original) > 2000)
    gain = heard[loud] / original[loud]
    assert gain.min() == pytest.approx(0.8, abs=0.01) and gain.max() == pytest.approx(1.0, abs=0.01)
    near = np.diff(loud) < 20  # loud samples close together: the gain between them moved by little
    assert np.abs(np.diff(gain))[near].max() < 0.01
