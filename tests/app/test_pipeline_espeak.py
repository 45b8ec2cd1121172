"""The whole pipeline with real espeak-ng speech, exported to MP3 and WAV and read back."""

from __future__ import annotations

import wave
from pathlib import Path

import miniaudio
import numpy as np
import pytest

from stillpoint.app import pipeline
from stillpoint.audio import SAMPLE_RATE
from stillpoint.language.timeline import Pace
from stillpoint.voice import ClipCache, Synthesizer

pytestmark = pytest.mark.espeak

PRACTICE = """---
title: Short Evening Rest
author: Test Author
rate: 140
---
# Arriving
Let your shoulders drop. Feel the floor beneath you.
[soak 6s]
# Resting
Breathe in slowly, [pause 3s] and let the breath go.
Rest here.
"""


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """One real export to MP3 and one to WAV, with their timelines and the cache's traffic."""
    folder = tmp_path_factory.mktemp("espeak")
    source = folder / "evening.txt"
    source.write_text(PRACTICE)
    parsed = pipeline.load_script(str(source))
    progress: list[object] = []
    with Synthesizer(cache=ClipCache(folder / "cache")) as synth:
        mp3, timeline = pipeline.export(parsed, Pace(), synth, pipeline.ExportSettings(dest=folder / "evening.mp3"),
                                        on_progress=progress.append)
        wav, _ = pipeline.export(parsed, Pace(), synth, pipeline.ExportSettings(dest=folder / "evening.wav"),
                                 on_progress=progress.append)
    return {"mp3": mp3, "wav": wav, "timeline": timeline, "progress": progress}


def decoded(path: Path) -> np.ndarray:
    """An audio file decoded by miniaudio to mono floats at the internal rate."""
    sound = miniaudio.decode_file(str(path), nchannels=1, sample_rate=SAMPLE_RATE,
                                  output_format=miniaudio.SampleFormat.SIGNED16)
    return np.asarray(sound.samples, dtype=np.float64) / 32768.0


def rms(samples: np.ndarray, start: float, end: float) -> float:
    """Root-mean-square level between two times in seconds."""
    part = samples[int(start * SAMPLE_RATE):int(end * SAMPLE_RATE)]
    return float(np.sqrt(np.mean(part**2))) if len(part) else 0.0


def test_mp3_lasts_what_the_plan_says_within_one_percent(exported: dict) -> None:
    samples = decoded(exported["mp3"])
    assert len(samples) / SAMPLE_RATE == pytest.approx(exported["timeline"].total, rel=0.01)


def test_wav_has_exactly_the_planned_number_of_samples(exported: dict) -> None:
    with wave.open(str(exported["wav"])) as audio:
        assert audio.getnframes() == round(exported["timeline"].total * SAMPLE_RATE)


def test_speech_is_heard_where_planned_and_markers_are_silent(exported: dict) -> None:
    samples = decoded(exported["mp3"])
    events = exported["timeline"].events
    speech = [e for e in events if e.kind == "speech"]
    silences = [e for e in events if e.kind in ("soak", "pause")]
    assert len(speech) == 5 and [e.kind for e in silences] == ["soak", "pause"]
    for event in speech:
        assert rms(samples, event.start + 0.1, event.end - 0.1) > 0.01, event.text
    for event in silences:
        # the MP3 decoder smears a few milliseconds of the neighbours into the edges
        assert rms(samples, event.start + 0.15, event.end - 0.15) < 0.001, event.kind


def test_the_second_export_takes_every_line_from_the_cache(exported: dict) -> None:
    first, second = exported["progress"][4], exported["progress"][-1]
    assert (first.done, first.total, first.cached) == (5, 5, 0)
    assert (second.done, second.total, second.cached) == (5, 5, 5)
