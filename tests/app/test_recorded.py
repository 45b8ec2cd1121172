"""Practices with recorded lines and clips, exported for real: the take is in the track, levelled, faded, timed."""

from __future__ import annotations

import math
import wave
from pathlib import Path

import miniaudio
import numpy as np
import pyloudnorm
import pytest
from conftest import FAKE_ENGINE
from scipy import signal
from takes import SOURCE_RATE, take, voice_like

from stillpoint.app import personalize, pipeline
from stillpoint.audio import SAMPLE_RATE
from stillpoint.language.timeline import CLIP, SPEECH, Pace, Timeline
from stillpoint.sound import seams
from stillpoint.voice import ClipCache, Synthesizer

PRACTICE = """---
title: Taken
vars:
  who: a friend
---
# Arriving
Welcome. [clip sounds/chime.ogg]
Let the shoulders soften, and rest. [recorded taken.recordings/take 1.wav]
[pause 2s]
Think of {who}. [recorded taken.recordings/take 2.flac]
Goodbye.
"""
TAKE = voice_like(3.0, seed=11, rumble=0.05)


@pytest.fixture
def practice(tmp_path: Path) -> Path:
    """A practice beside its takes (44.1 kHz stereo WAV, 48 kHz mono FLAC) and a chime (Ogg Vorbis)."""
    (tmp_path / "taken.recordings").mkdir()
    (tmp_path / "sounds").mkdir()
    take(tmp_path / "taken.recordings" / "take 1.wav", TAKE, "wav", 44100, 2)
    take(tmp_path / "taken.recordings" / "take 2.flac", voice_like(1.5, seed=12), "flac", 48000, 1)
    take(tmp_path / "sounds" / "chime.ogg", voice_like(0.5, seed=13) * 0.05, "ogg", 44100, 2)
    path = tmp_path / "taken.txt"
    path.write_text(PRACTICE)
    return path


def export(practice: Path, dest: Path) -> Timeline:
    with Synthesizer(FAKE_ENGINE, cache=ClipCache(practice.parent / "cache"), workers=1) as synth:
        return pipeline.export(pipeline.load_script(str(practice)), Pace(), synth,
                               pipeline.ExportSettings(dest=dest, force=True))[1]


def wav_samples(path: Path) -> np.ndarray:
    with wave.open(str(path)) as audio:
        return np.frombuffer(audio.readframes(audio.getnframes()), "<i2").astype(np.float64)


def segment(samples: np.ndarray, timeline: Timeline, line: int, kind: str = SPEECH) -> np.ndarray:
    """The samples of the event of ``kind`` at ``line``."""
    event = next(e for e in timeline.events if e.line == line and e.kind == kind)
    start = round(event.start * SAMPLE_RATE)
    return samples[start: start + round(event.duration * SAMPLE_RATE)]


def as_documented(source: np.ndarray) -> np.ndarray:
    """The take processed as the documentation says, by other means: resampled (polyphase), high-passed by scipy's
    second-order Butterworth at 80 Hz, its gain applied in zero phase."""
    resampled = signal.resample_poly(source, SAMPLE_RATE, SOURCE_RATE)
    size = 2 * len(resampled)
    hz = np.fft.rfftfreq(size, 1 / SAMPLE_RATE)
    _, response = signal.freqz(*signal.butter(2, 80.0, "highpass", fs=SAMPLE_RATE), worN=hz, fs=SAMPLE_RATE)
    return np.fft.irfft(np.fft.rfft(resampled, size) * np.abs(response), size)[: len(resampled)]


def correlation(got: np.ndarray, wanted: np.ndarray) -> float:
    """The normalized correlation of ``got`` with the part of ``wanted`` it lines up with best."""
    lags = signal.correlate(wanted, got, mode="valid", method="fft")
    start = int(np.argmax(lags))
    part = wanted[start: start + len(got)]
    return float(np.dot(got, part) / math.sqrt(np.dot(got, got) * np.dot(part, part)))


def test_a_recorded_line_in_the_export_is_its_take_after_the_documented_processing(practice: Path) -> None:
    heard = export(practice, practice.parent / "out.wav")
    played = segment(wav_samples(practice.parent / "out.wav"), heard, 8)
    assert correlation(played, as_documented(TAKE)) >= 0.99
    event = next(e for e in heard.events if e.line == 8)
    assert event.text == "Let the shoulders soften, and rest."  # captions and lyrics still say the words


def test_a_take_is_played_as_recorded_in_a_practice_slower_than_its_voice_speaks(practice: Path) -> None:
    practice.write_text(PRACTICE.replace("title: Taken\n", "title: Taken\nrate: 70\n"))  # paced by pauses
    heard = export(practice, practice.parent / "out.wav")
    played = segment(wav_samples(practice.parent / "out.wav"), heard, 9)
    assert correlation(played, as_documented(TAKE)) >= 0.99


def test_the_plan_of_a_practice_with_takes_equals_its_export_to_the_sample(practice: Path) -> None:
    heard = export(practice, practice.parent / "out.wav")
    with Synthesizer(FAKE_ENGINE, cache=ClipCache(practice.parent / "cache"), workers=1) as synth:
        planned = pipeline.timed_plan(pipeline.load_script(str(practice)), Pace(), synth)
    assert [(e.kind, e.line) for e in planned.events] == [(e.kind, e.line) for e in heard.events]
    assert round(planned.total * SAMPLE_RATE) == len(wav_samples(practice.parent / "out.wav"))
    assert [e.kind for e in planned.events if e.line == 7] == [SPEECH, CLIP]


def test_takes_are_levelled_like_speech_faded_and_a_quiet_clip_stays_quiet(practice: Path) -> None:
    heard = export(practice, practice.parent / "out.wav")
    samples = wav_samples(practice.parent / "out.wav")
    meter = pyloudnorm.Meter(SAMPLE_RATE)
    for line in (8, 10):
        assert abs(meter.integrated_loudness(segment(samples, heard, line) / 32768.0) - -19.0) < 0.5
    chime = segment(samples, heard, 7, CLIP) / 32768.0
    assert meter.integrated_loudness(chime) < -30.0
    found = seams.edges(samples.astype("<i2").tobytes())
    assert found.count >= 10 and found.over == 0, found


def test_the_take_is_in_the_mp3(practice: Path) -> None:
    heard = export(practice, practice.parent / "out.mp3")
    decoded = miniaudio.decode_file(str(practice.parent / "out.mp3"), nchannels=1, sample_rate=SAMPLE_RATE)
    samples = np.asarray(decoded.samples, dtype=np.float64)
    assert correlation(segment(samples, heard, 8), as_documented(TAKE)) >= 0.97


def test_a_client_hears_the_take_of_a_line_with_no_variable_and_the_voice_saying_their_name(practice: Path) -> None:
    clients = [personalize.Client("Anna", {"who": "Anna"})]
    [anna] = personalize.personalized(practice.read_text(), str(practice), clients)
    recorded = {speech.text: speech.recording is not None for speech in anna.speeches()}
    assert recorded == {"Welcome.": False, "Let the shoulders soften, and rest.": True, "Think of Anna.": False,
                        "Goodbye.": False}
    own = pipeline.load_script(str(practice))
    assert [s.recording is not None for s in own.speeches()] == [False, True, True, False]  # its defaults: the take
