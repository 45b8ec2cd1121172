"""Recordings made one shape of clip: real files in every format, rate and channel count, processed and cached."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from takes import SOURCE_RATE, take, tone, voice_like

from stillpoint.audio import SAMPLE_RATE
from stillpoint.errors import RecordingError
from stillpoint.language.timeline import Recording, Utterance
from stillpoint.sound import loudness
from stillpoint.voice import ClipCache, recording, shape

LEVEL = (loudness.TARGET_LUFS, loudness.PEAK_DBTP)


def played(path: Path, clip: bool = False) -> Utterance:
    """The utterance of a line at line 3 of a script beside ``path`` that plays it."""
    return Utterance("Rest here.", "heart", 120, str(path.parent / "s.txt"), 3, recording=Recording(str(path), clip, 12))


def samples_of(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, "<i2").astype(np.float64)


def best_correlation(got: np.ndarray, wanted: np.ndarray) -> float:
    """The normalized correlation of ``got`` with ``wanted`` at the lag that aligns them best."""
    size = 1 << (len(got) + len(wanted)).bit_length()
    lags = np.fft.irfft(np.fft.rfft(wanted, size) * np.conj(np.fft.rfft(got, size)), size)
    lag = int(np.argmax(lags))
    lag = lag - size if lag > size // 2 else lag
    part = wanted[max(lag, 0): max(lag, 0) + len(got)]
    got = got[max(-lag, 0): max(-lag, 0) + len(part)]
    part = part[: len(got)]
    return float(np.dot(got, part) / math.sqrt(np.dot(got, got) * np.dot(part, part)))


SOUND = voice_like(2.0)
SPOKEN = SOUND[SOURCE_RATE // 2: -SOURCE_RATE // 2]


@pytest.mark.parametrize(("kind", "rate", "channels"), [
    ("wav", 8000, 1), ("wav", 22050, 1), ("wav", 44100, 2), ("wav24", 96000, 2), ("wavfloat", 48000, 2),
    ("flac", 44100, 2), ("flac", 16000, 1), ("mp3", 44100, 2), ("mp3", 24000, 1), ("ogg", 48000, 2), ("ogg", 32000, 1),
])
def test_every_format_rate_and_channel_count_becomes_the_sound_at_the_internal_rate(tmp_path: Path, kind: str,
                                                                                    rate: int, channels: int) -> None:
    path = take(tmp_path / f"take.{kind}", SOUND, kind, rate, channels)
    clip = recording.processed(recording.read(played(path)))
    audio = samples_of(clip.pcm)
    lead, tail = (round(seconds * SAMPLE_RATE) for seconds in (shape.LEAD_SECONDS, shape.TAIL_SECONDS))
    # the half seconds of silence are trimmed to a synthesized clip's lead and tail
    assert abs(clip.seconds - (2.0 + shape.LEAD_SECONDS + shape.TAIL_SECONDS)) < 0.03
    assert np.abs(audio[: lead // 2]).max() < 0.02 * np.abs(audio).max()
    assert np.abs(audio[-tail // 2:]).max() < 0.02 * np.abs(audio).max()
    reference = np.interp(np.arange(0, len(SPOKEN), SOURCE_RATE / SAMPLE_RATE), np.arange(len(SPOKEN)), SPOKEN)
    wanted = 0.95 if rate >= 16000 else 0.85  # 8 kHz keeps only what lies under 4 kHz
    assert best_correlation(audio, reference) >= wanted


def hum_below_voice_db(audio: np.ndarray, rate: int) -> float:
    """How far the 30 Hz hum lies under the voice's fundamental (110-170 Hz, with its glide), in dB."""
    spectrum = np.abs(np.fft.rfft(audio))
    hz = np.fft.rfftfreq(len(audio), 1 / rate)
    return 20 * math.log10(spectrum[(hz > 27) & (hz < 33)].max() / spectrum[(hz > 100) & (hz < 190)].max())


def test_rumble_under_the_voice_is_taken_away(tmp_path: Path) -> None:
    hummed = voice_like(2.0, rumble=0.2)
    path = take(tmp_path / "hum.wav", hummed, "wav", 44100, 1)
    audio = samples_of(recording.processed(recording.read(played(path))).pcm)
    before = hum_below_voice_db(hummed[SOURCE_RATE // 2: -SOURCE_RATE // 2], SOURCE_RATE)
    assert hum_below_voice_db(audio, SAMPLE_RATE) < before - 14  # a second-order high-pass at 80 Hz: 17 dB at 30 Hz


def test_a_line_is_levelled_like_speech_and_a_quiet_clip_keeps_its_level(tmp_path: Path) -> None:
    loud = take(tmp_path / "loud.flac", voice_like(2.0) * 3.0, "flac", 44100, 2)
    quiet = take(tmp_path / "quiet.flac", voice_like(2.0) * 0.02, "flac", 44100, 2)
    line, _ = recording.clip_for(played(loud), None, LEVEL)
    soft_clip, _ = recording.clip_for(played(quiet, clip=True), None, LEVEL)
    loud_clip, _ = recording.clip_for(played(loud, clip=True), None, LEVEL)
    for clip, lufs in ((line, -19.0), (loud_clip, -19.0), (soft_clip, soft_clip.loudness[0])):
        measured = loudness.measure(clip.levelled_to(LEVEL))
        assert abs(measured[0] - lufs) < 0.3 and measured[1] <= LEVEL[1] + 0.1
    assert soft_clip.loudness[0] < -30


def test_the_cache_keeps_a_take_by_its_content_so_an_edit_is_read_again(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    cache = ClipCache(tmp_path / "cache")
    path = take(tmp_path / "take.wav", SOUND, "wav", 44100, 2)
    first, cached = recording.clip_for(played(path), cache, LEVEL)
    assert not cached
    real = recording.processed
    monkeypatch.setattr(recording, "processed", lambda sound: pytest.fail("a warm take is processed again"))
    again, cached = recording.clip_for(played(path), cache, LEVEL)
    assert cached and again.levelled_to(LEVEL) == first.levelled_to(LEVEL)
    monkeypatch.setattr(recording, "processed", real)
    take(path, voice_like(2.0, seed=8), "wav", 44100, 2)  # the same name, another take
    edited, cached = recording.clip_for(played(path), cache, LEVEL)
    assert not cached and edited.pcm != first.pcm


def test_a_clip_and_a_line_of_one_file_are_cached_apart(tmp_path: Path) -> None:
    path = take(tmp_path / "take.wav", SOUND, "wav", 44100, 2)
    sound = recording.read(played(path))
    assert recording.key(sound, clip=True) != recording.key(sound, clip=False)


def refusal(utterance: Utterance) -> str:
    with pytest.raises(RecordingError) as refused:
        recording.clip_for(utterance, None, LEVEL)
    return str(refused.value)


def test_a_missing_or_garbage_file_is_one_error_at_its_marker(tmp_path: Path) -> None:
    missing = refusal(played(tmp_path / "nowhere.wav"))
    assert missing.startswith(f"{tmp_path / 's.txt'}:3:12: error: [recorded] '{tmp_path / 'nowhere.wav'}' cannot be read: no such")
    (tmp_path / "noise.wav").write_bytes(b"RIFF" + bytes(range(256)) * 40)
    (tmp_path / "text.mp3").write_text("not a sound at all\n")
    for name in ("noise.wav", "text.mp3"):
        assert "is not a sound file Stillpoint can read (give a WAV, FLAC, MP3 or OGG" in refusal(played(tmp_path / name))


def test_a_silent_recording_says_so(tmp_path: Path) -> None:
    path = take(tmp_path / "silent.wav", np.zeros(SOURCE_RATE), "wav", 44100, 1)
    assert "holds only silence (record it again" in refusal(played(path, clip=True))
    assert "[clip]" in refusal(played(path, clip=True))


def test_a_recording_longer_than_ten_minutes_is_refused_before_it_is_decoded(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    path = tone(tmp_path / "long.ogg", 601)
    monkeypatch.setattr(recording, "processed", lambda sound: pytest.fail("a long take is decoded"))
    assert "lasts 10:01, longer than the 10:00 a recording may (cut it into shorter" in refusal(played(path))


def test_check_remembers_a_file_until_it_changes(tmp_path: Path) -> None:
    path = take(tmp_path / "take.wav", SOUND, "wav", 44100, 2)
    assert abs(recording.check(played(path)) - 3.0) < 0.01
    take(path, voice_like(1.0), "wav", 44100, 2)
    assert abs(recording.check(played(path)) - 2.0) < 0.01
