"""Ambience beds: seamless loops, ducking under speech, fades, determinism, and files that cannot be read."""

from __future__ import annotations

import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest
from reliability import long_wav

from stillpoint.audio import SAMPLE_RATE
from stillpoint.errors import AmbienceError
from stillpoint.language import script, timeline
from stillpoint.sound import ambience, seams
from stillpoint.sound.render import RenderOptions, render
from stillpoint.voice.fake import FakeEngine

PRACTICE = """---
title: Bed
voice: fake-a
rate: 150
---
# Only
Let the sound hold you while you listen to these words.
[soak 8s]
And again a few words, spoken over the bed.
[pause 6s]
"""


def samples(pcm: bytes) -> np.ndarray:
    """PCM as float samples."""
    return np.frombuffer(pcm, dtype="<i2").astype(np.float64)


def rendered(options: RenderOptions) -> tuple[timeline.Timeline, np.ndarray]:
    """The practice's timeline (exact) and its rendering with ``options``."""
    parsed = script.parse(PRACTICE, "bed.txt")
    pace = timeline.Pace(bells=False)
    clips = [FakeEngine().synthesize(u.text, u.voice, u.rate) for u in timeline.utterances(parsed, pace)]
    plan = timeline.plan(parsed, pace, {u: c.seconds for u, c in zip(timeline.utterances(parsed, pace), clips)})
    return plan, samples(b"".join(render(plan, clips, options)))


def window(signal: np.ndarray, start: float, seconds: float) -> np.ndarray:
    """The part of ``signal`` from ``start`` lasting ``seconds``."""
    first = int(start * SAMPLE_RATE)
    return signal[first:first + int(seconds * SAMPLE_RATE)]


def rms(signal: np.ndarray) -> float:
    return float(np.sqrt(np.mean(signal**2)))


def seam_jump(loop: np.ndarray) -> float:
    """How far the loop jumps from its last sample back to its first."""
    return abs(float(loop[0]) - float(loop[-1]))


@pytest.mark.parametrize("bed", ambience.BEDS)
def test_generated_beds_loop_without_a_seam(bed: str) -> None:
    loop = ambience.loop(bed)
    steps = np.abs(np.diff(loop))
    assert seam_jump(loop) <= np.percentile(steps, 99.9)
    assert rms(loop) == pytest.approx(ambience.LEVEL, rel=0.01)


def test_a_sound_file_is_crossfaded_into_a_seamless_loop(tmp_path: Path) -> None:
    t = np.arange(int(2.3 * SAMPLE_RATE)) / SAMPLE_RATE
    tone = (8000 * np.sin(2 * np.pi * 220.5 * t) * (1 + 0.5 * t)).astype("<i2")
    path = tmp_path / "tone.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(tone.tobytes())
    raw = tone.astype(np.float64)
    steps = np.abs(np.diff(raw))
    assert seam_jump(raw) > 3 * steps.max()  # played as it is, the file would click at every loop
    loop = ambience.loop(str(path))
    assert seam_jump(loop) <= 1.05 * np.abs(np.diff(loop)).max()


def gains(bed: np.ndarray, name: str, seconds: float = 0.02) -> np.ndarray:
    """The gain the loop was laid in with, window by window (least squares against the loop itself)."""
    loop = ambience.loop(name)
    reference = loop[np.arange(len(bed)) % len(loop)] * 32767.0
    size = int(seconds * SAMPLE_RATE)
    pairs = [(bed[i:i + size], reference[i:i + size]) for i in range(0, len(bed) - size, size)]
    return np.array([np.dot(b, r) / np.dot(r, r) for b, r in pairs])


def test_the_bed_ducks_under_speech_and_comes_back_smoothly() -> None:
    plan, with_bed = rendered(RenderOptions(ambience="brown"))
    _, without = rendered(RenderOptions())
    gain = gains(with_bed - without, "brown")
    def at(seconds: float) -> float:
        return gain[int(seconds / 0.02)]

    speech = [e for e in plan.events if e.kind == timeline.SPEECH][-1]  # the first is inside the bed's fade-in
    soak = next(e for e in plan.events if e.kind == timeline.SOAK)
    assert at(speech.start + speech.duration / 2) == pytest.approx(ambience.DUCK, abs=0.01)
    assert at(soak.start + soak.duration / 2) == pytest.approx(1.0, abs=0.01)
    assert at(soak.end - 0.05) < 0.5  # already leaning back before the next line
    assert np.abs(np.diff(gain)).max() < 0.05  # ramps: a switch would step by 1 - DUCK


def test_the_bed_fades_in_at_the_start_and_out_at_the_end() -> None:
    plan, with_bed = rendered(RenderOptions(ambience="ocean", loudness=None))
    _, without = rendered(RenderOptions(loudness=None))
    bed = with_bed - without
    assert rms(bed[:200]) < 0.05 * rms(window(bed, ambience.FADE_IN_SECONDS + 1, 1.0))
    assert np.abs(bed[-50:]).max() <= 2
    assert len(bed) == round(plan.total * SAMPLE_RATE)


def test_beds_are_the_same_every_time_and_differ_from_each_other() -> None:
    first = rendered(RenderOptions(ambience="rain"))[1]
    ambience._loop.cache_clear()
    assert np.array_equal(first, rendered(RenderOptions(ambience="rain"))[1])
    assert not np.array_equal(first, rendered(RenderOptions(ambience="ocean"))[1])


def test_a_file_that_is_not_sound_is_named_in_the_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.wav"
    path.write_text("these are not samples")
    with pytest.raises(AmbienceError, match="cannot be decoded") as caught:
        ambience.loop(str(path))
    assert str(path) in str(caught.value)


def test_a_missing_file_is_named_in_the_error(tmp_path: Path) -> None:
    with pytest.raises(AmbienceError, match="no such ambience") as caught:
        ambience.loop(str(tmp_path / "forest.ogg"))
    assert "forest.ogg" in str(caught.value) and "rain, ocean, brown" in str(caught.value)


def test_compressed_files_without_ffmpeg_say_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "waves.mp3"
    path.write_bytes(b"\xff\xfb" + bytes(400))
    monkeypatch.setattr(ambience.shutil, "which", lambda _name: None)
    with pytest.raises(AmbienceError, match="without ffmpeg") as caught:
        ambience.loop(str(path))
    assert str(path) in str(caught.value)


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is needed to write and read FLAC")
def test_compressed_files_are_decoded_with_ffmpeg(tmp_path: Path) -> None:
    t = np.arange(3 * 44100) / 44100
    stereo = np.repeat((6000 * np.sin(2 * np.pi * 330 * t)).astype("<i2"), 2)
    path = tmp_path / "bowl.flac"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "s16le", "-ar", "44100", "-ac", "2", "-i", "-", str(path)],
                   input=stereo.tobytes(), check=True)
    loop = ambience.loop(str(path))
    assert len(loop) == pytest.approx(3.0 * 0.75 * SAMPLE_RATE, abs=10)  # a quarter of it crossfades into the seam
    assert rms(loop) == pytest.approx(ambience.LEVEL, rel=0.01)


def test_only_the_first_ten_minutes_of_a_long_wav_file_are_read(tmp_path: Path) -> None:
    path = long_wav(tmp_path / "night.wav", 3 * 3600.0)
    loop = ambience.decode(path)
    assert len(loop) == pytest.approx(ambience.MAX_FILE_SECONDS * SAMPLE_RATE, abs=2)
    assert loop[: 25 * SAMPLE_RATE].std() > 1000 and not loop[-SAMPLE_RATE:].any()


@pytest.mark.parametrize(("width", "channels", "rate"), [(1, 1, 8000), (2, 2, 44100), (3, 2, 96000), (4, 1, 48000)])
def test_wav_files_of_every_sample_width_decode_to_the_same_tone(tmp_path: Path, width: int, channels: int,
                                                                  rate: int) -> None:
    t = np.arange(2 * rate) / rate
    tone = 0.25 * np.sin(2 * np.pi * 220.0 * t)
    scale, offset = 2 ** (8 * width - 1) - 1, 128 if width == 1 else 0
    ints = np.repeat(np.rint(tone * scale).astype(np.int64) + offset, channels)
    data = b"".join(int(v).to_bytes(width, "little", signed=width > 1) for v in ints)
    path = tmp_path / "tone.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(data)
    decoded = ambience.decode(path) / 32768.0
    assert len(decoded) == pytest.approx(2 * SAMPLE_RATE, abs=2)
    assert rms(decoded[SAMPLE_RATE // 2: -SAMPLE_RATE // 2]) == pytest.approx(0.25 / np.sqrt(2), rel=0.02)


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is needed to write and read FLAC")
def test_only_the_first_ten_minutes_of_a_long_compressed_file_are_decoded(tmp_path: Path) -> None:
    path = tmp_path / "long.flac"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=f=200:r=8000:d=700", str(path)], check=True)
    assert len(ambience.decode(path)) == pytest.approx(ambience.MAX_FILE_SECONDS * SAMPLE_RATE, abs=2)


def test_a_float_wav_file_is_left_to_ffmpeg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "float.wav"
    path.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x03\x00\x01\x00\x22\x56\x00\x00\x88\x58\x01\x00"
                     b"\x04\x00\x20\x00data\x00\x00\x00\x00")
    monkeypatch.setattr(ambience.shutil, "which", lambda _name: None)
    with pytest.raises(AmbienceError, match="without ffmpeg"):
        ambience.decode(path)


def test_ducking_and_the_fades_change_the_bed_gently_sample_by_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    # A steady bed shows the gain itself: ducking under speech and the fades must never step it at once.
    steady = np.full(SAMPLE_RATE, 0.25, dtype=np.float32)
    monkeypatch.setattr(ambience, "loop", lambda _spec: steady)
    _, with_bed = rendered(RenderOptions(ambience="rain", loudness=None))
    _, without = rendered(RenderOptions(loudness=None))
    bed = with_bed - without
    assert bed.max() == pytest.approx(0.25 * 32767, rel=0.01)  # the bed rises to full between the lines
    assert bed[len(bed) // 3:].min() < 0.4 * bed.max()  # and ducks under the last one
    assert np.abs(np.diff(bed)).max() <= 2
    assert seams.edges(with_bed.astype("<i2").tobytes()).over == 0
