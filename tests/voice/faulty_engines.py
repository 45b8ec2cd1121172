"""Engines that misbehave on request, for fault-injection tests of the worker pool, and lines to ask them for.

The first word of a line picks the fault; every request is logged as "pid<TAB>text" to the file
named by $STILLPOINT_TEST_SYNTH_LOG, and $STILLPOINT_TEST_DELAY seconds are slept per line.
"""

from __future__ import annotations

import os
import tempfile
import time
import wave
from pathlib import Path
from typing import NoReturn

from stillpoint.audio import SAMPLE_RATE, Clip
from stillpoint.language.timeline import Utterance
from stillpoint.voice.espeak import read_wav
from stillpoint.voice.fake import FakeEngine

LOG_ENV = "STILLPOINT_TEST_SYNTH_LOG"
DELAY_ENV = "STILLPOINT_TEST_DELAY"
SLOW_SECONDS = 0.6


def line(text: str, number: int = 1, voice: str = "fake-a", rate: int = 150) -> Utterance:
    """An utterance from line ``number`` of a practice."""
    return Utterance(text, voice, rate, "practice.txt", number)


def lines(*texts: str) -> list[Utterance]:
    """Utterances numbered from line 1."""
    return [line(text, number) for number, text in enumerate(texts, 1)]


def spoken(utterance: Utterance) -> Clip:
    """What the fake engine says for utterance, made in this process."""
    return FakeEngine().synthesize(utterance.text, utterance.voice, utterance.rate)


def _hang() -> NoReturn:
    """Never answer."""
    while True:
        time.sleep(60)


def _crash() -> NoReturn:
    """Die the way a crashing C library would: no exception, no clean-up."""
    os._exit(3)


def _header_only_wav() -> Clip:
    """Write a WAV file with no frames and read it the way the espeak engine does."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "line.wav"
        with wave.open(str(path), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(SAMPLE_RATE)
        return read_wav(path)


def _explode() -> Clip:
    """Fail with an ordinary Python exception."""
    raise RuntimeError("engine exploded")


FAULTS = {
    "hang": _hang,
    "crash": _crash,
    "empty": lambda: Clip(b""),
    "odd": lambda: Clip(b"\x01\x02\x03"),
    "notaclip": lambda: b"\x00\x00",
    "headeronly": _header_only_wav,
    "explode": _explode,
}


class FaultyEngine(FakeEngine):
    """The fake engine, plus logging, an optional delay and faults picked by the first word."""

    def synthesize(self, text: str, voice: str, rate: int) -> Clip:
        """Log the request, then misbehave as the text asks or speak like the fake engine."""
        _log(text)
        first = text.split()[0]
        time.sleep(float(os.environ.get(DELAY_ENV, "0")) + (SLOW_SECONDS if first == "slow" else 0))
        if first == "noisy":
            print("Audio saved to somewhere")
            os.write(1, b"raw bytes on stdout\n")
        fault = FAULTS.get(first)
        return fault() if fault else super().synthesize(text, voice, rate)


class SecondEngine(FaultyEngine):
    """The faulty engine under another name: a second engine, for routing lines between engines."""

    name = "second"


class BrokenEngine(FakeEngine):
    """An engine that cannot even start, nor load what its workers would share."""

    @classmethod
    def preload(cls) -> None:
        """Fail as the engine does."""
        raise RuntimeError("no speech library here")

    def __init__(self) -> None:
        raise RuntimeError("no speech library here")


class PreloadingEngine(FaultyEngine):
    """The faulty engine with a preload: it logs "preload" where it runs, and each engine started logs whether the
    preload had run in its process."""

    preloaded = False

    @classmethod
    def preload(cls) -> None:
        """Log, and leave a mark that the processes forked from this one inherit."""
        _log("preload")
        cls.preloaded = True

    def __init__(self) -> None:
        _log(f"start preloaded={type(self).preloaded}")


class StuckPreloadEngine(FakeEngine):
    """An engine whose shared start never ends."""

    @classmethod
    def preload(cls) -> None:
        """Never return."""
        _hang()


def _log(text: str) -> None:
    """Append one request to the log file, if the test asked for one."""
    path = os.environ.get(LOG_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as log:
            log.write(f"{os.getpid()}\t{text}\n")
