"""The speaking-rate check every real engine's tests share: words per minute over real practice lines."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from stillpoint.audio import Clip
from stillpoint.language.script import load
from stillpoint.language.timeline import Utterance, utterances
from stillpoint.voice import Synthesizer

BENEFACTOR = Path(__file__).parents[2] / "scripts" / "benefactor.txt"
# Every fifth line of the benefactor practice: short and long lines, commas and full stops.
RATE_LINES = tuple(utterance.text for utterance in utterances(load(BENEFACTOR))[::5])
TOLERANCE = 0.10


def spoken_rate(speak: Callable[[str], Clip], lines: Sequence[str]) -> float:
    """Words spoken per minute of the clips an engine makes for lines."""
    words = sum(len(line.split()) for line in lines)
    return words / sum(speak(line).seconds for line in lines) * 60


def assert_rate_within_tolerance(speak: Callable[[str], Clip], lines: Sequence[str], rate: int) -> None:
    """Fail unless the rate spoken over lines is within TOLERANCE of the rate asked."""
    measured = spoken_rate(speak, lines)
    assert abs(measured / rate - 1) <= TOLERANCE, f"asked {rate} wpm, spoke {measured:.1f}"


def assert_heard_rate_within_tolerance(synth: Synthesizer, voice: str, rate: int) -> None:
    """Fail unless the lines, spoken through the synthesizer (in phrases with pauses below the engine's floor),
    are heard within TOLERANCE of the rate asked."""
    clips = iter(synth.clips([Utterance(text, voice, rate, "practice.txt", n) for n, text in enumerate(RATE_LINES, 1)]))
    assert_rate_within_tolerance(lambda _text: next(clips), RATE_LINES, rate)
