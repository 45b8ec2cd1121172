"""Lines slower than their engine's floor: said in phrases at the floor, each phrase cached on its own, the line's
clip joined from theirs with pauses of exact zeros, and cached whole."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from stillpoint.audio import SAMPLE_RATE, SAMPLE_WIDTH
from stillpoint.language import pacing
from stillpoint.voice import ClipCache, Synthesizer, SynthProgress
from stillpoint.voice.fake import FakeEngine

from . import faulty_engines
from .faulty_engines import line, spoken

FAULTY = f"{faulty_engines.__name__}:FaultyEngine"
LINE = "Settle in, and let your breath be easy; nothing to do, nowhere to go."
PHRASES = ["Settle in,", "and let your breath be easy;", "nothing to do,", "nowhere to go."]


def test_a_line_below_the_floor_is_said_in_phrases_at_the_floor_with_the_pauses_the_rule_gives(log) -> None:
    slow = line(LINE, rate=80)
    with Synthesizer(FAULTY, workers=1) as synth:
        [clip] = synth.clips([slow])
    assert [text for _, text in log()] == PHRASES
    parts = [spoken(line(text, rate=FakeEngine.floor)) for text in PHRASES]
    gaps = pacing.pauses(pacing.phrasing(LINE), [part.seconds for part in parts], 80)
    assert clip.pcm == b"".join(part.pcm + bytes(SAMPLE_WIDTH * gap) for part, gap in zip(parts, gaps))
    assert clip.seconds == pytest.approx(14 * 60 / 80, abs=2 / SAMPLE_RATE)  # as long as the rate asks
    assert min(gaps) > 0 and clip.loudness is not None


def test_a_line_at_its_floor_or_faster_is_said_whole_as_before(log) -> None:
    with Synthesizer(FAULTY, workers=1) as synth:
        [clip] = synth.clips([line(LINE, rate=FakeEngine.floor)])
    assert [text for _, text in log()] == [LINE]
    assert clip == spoken(line(LINE, rate=FakeEngine.floor))


def test_phrases_are_cached_at_the_floor_for_every_slower_rate_and_the_line_whole(tmp_path: Path, log) -> None:
    runs = []
    for rate in (80, 70, 70):
        progress: list[SynthProgress] = []
        with Synthesizer(FAULTY, cache=ClipCache(tmp_path / "cache"), workers=1) as synth:
            [clip] = synth.clips([line(LINE, rate=rate)], progress.append)
        runs.append((clip, progress[-1].cached))
    assert [text for _, text in log()] == PHRASES  # spoken once, at the floor, for both rates
    assert runs[1][0].seconds == pytest.approx(14 * 60 / 70, abs=2 / SAMPLE_RATE)
    assert runs[1][0] == runs[2][0] and [cached for _, cached in runs] == [0, 1, 1]
    assert len(list((tmp_path / "cache").glob("*/*.wav"))) == len(PHRASES) + 2  # the phrases and each line


def test_a_paced_line_levelled_for_the_renderer_keeps_its_pauses_exact_zeros(tmp_path: Path) -> None:
    with Synthesizer(FAULTY, cache=ClipCache(tmp_path / "cache"), workers=1) as synth:
        [clip] = synth.clips([line(LINE, rate=60)], level=(-19.0, -1.0))
        [again] = synth.clips([line(LINE, rate=60)], level=(-19.0, -1.0))
    levelled = np.frombuffer(clip.levelled_to((-19.0, -1.0)), "<i2")
    silent = np.frombuffer(clip.pcm, "<i2") == 0
    assert len(levelled) == clip.samples and not levelled[silent].any() and levelled.any()
    assert again.levelled_to((-19.0, -1.0)) == clip.levelled_to((-19.0, -1.0))


def test_identical_slow_lines_share_their_phrases(log) -> None:
    with Synthesizer(FAULTY, workers=2) as synth:
        clips = list(synth.clips([line(LINE, 1, rate=80), line("Rest here.", 2, rate=80), line(LINE, 3, rate=80)]))
    assert clips[0] == clips[2]
    assert sorted(text for _, text in log()) == sorted([*PHRASES, "Rest here."])
