"""The espeak-ng engine (marked ``espeak``) and its WAV reading (no engine needed)."""

from __future__ import annotations

import re
import wave
from pathlib import Path

import numpy as np
import pytest

from stillpoint.audio import SAMPLE_RATE
from stillpoint.errors import SynthesisError, VoiceError
from stillpoint.language.timeline import Utterance
from stillpoint.voice import Synthesizer
from stillpoint.voice import espeak as espeak_module
from stillpoint.voice.espeak import read_wav
from stillpoint.sound.seams import edges, faded
from stillpoint.voice.shape import LEAD_SECONDS
from tests.voice.rates import RATE_LINES, assert_heard_rate_within_tolerance, assert_rate_within_tolerance

SCRIPT_FORMAT = Path(__file__).parents[2] / "docs" / "script-format.md"
SENTENCE = "Find a comfortable position, and let your body be supported."  # ten words


def write_wav(path, frames: bytes, rate: int = SAMPLE_RATE, channels: int = 1, width: int = 2):
    """A WAV file with the given frames and format."""
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(width)
        wav.setframerate(rate)
        wav.writeframes(frames)
    return path


def test_read_wav_shapes_the_audio_it_reads(tmp_path):
    raw = np.concatenate([np.zeros(SAMPLE_RATE, "<i2"), np.full(SAMPLE_RATE, 1500, "<i2")])
    audio = np.frombuffer(read_wav(write_wav(tmp_path / "a.wav", raw.tobytes())).pcm, dtype="<i2")
    assert len(audio) == round((1 + LEAD_SECONDS) * SAMPLE_RATE)  # the leading second trimmed
    assert np.all(audio[SAMPLE_RATE // 2 : SAMPLE_RATE] == 1500)


def test_read_wav_resamples_and_mixes_down(tmp_path):
    stereo = np.repeat(np.array([[1000, 3000]], dtype="<i2"), 16000, axis=0).tobytes()
    audio = np.frombuffer(read_wav(write_wav(tmp_path / "a.wav", stereo, rate=16000, channels=2)).pcm, dtype="<i2")
    assert len(audio) == SAMPLE_RATE
    assert np.all(np.abs(audio[SAMPLE_RATE // 4 : -SAMPLE_RATE // 4] - 2000) <= 1)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda path: path.write_bytes(b""), "no readable audio"),
        (lambda path: write_wav(path, b""), "empty audio file"),
        (lambda path: path.write_bytes(b"RIFF\x00\x00"), "no readable audio"),
        (lambda path: write_wav(path, b"\x80" * 100, width=1), "8-bit"),
        (lambda path: None, "no readable audio"),
    ],
    ids=["empty-file", "header-only", "garbage", "8-bit", "missing"],
)
def test_read_wav_rejects_files_without_usable_audio(tmp_path, make, message):
    make(tmp_path / "a.wav")
    with pytest.raises(SynthesisError, match=message):
        read_wav(tmp_path / "a.wav")


@pytest.fixture(scope="module")
def synth():
    """The real engine in two workers, shared by this module's tests."""
    with Synthesizer(workers=2) as pool:
        yield pool


def say(synth: Synthesizer, text: str, rate: int = 140, voice: str = "en-us") -> np.ndarray:
    """One line through the real engine, as samples."""
    (clip,) = synth.clips([Utterance(text, voice, rate, "practice.txt", 1)])
    return np.frombuffer(clip.pcm, dtype="<i2")


@pytest.mark.espeak
def test_espeak_writes_internal_rate_audio_that_needs_no_resampling(monkeypatch):
    rates = []

    def spy(path):
        with wave.open(str(path)) as wav:
            rates.append((wav.getframerate(), wav.getnchannels(), wav.getsampwidth()))
        return read_wav(path)

    monkeypatch.setattr(espeak_module, "read_wav", spy)
    espeak_module.EspeakEngine().synthesize("Hello there.", "en-us", 140)
    assert rates == [(SAMPLE_RATE, 1, 2)]


@pytest.mark.espeak
def test_a_sentence_gives_speech_of_plausible_length(synth):
    audio = say(synth, SENTENCE)
    seconds = len(audio) / SAMPLE_RATE
    assert 10 * 60 / 140 * 0.6 < seconds < 10 * 60 / 140 * 1.6
    assert np.sqrt(np.mean(audio.astype(float) ** 2)) > 300


def test_below_its_slowest_setting_espeak_is_slowed_by_pauses_between_words():
    assert espeak_module.setting_for(300) > espeak_module.setting_for(150) > espeak_module.setting_for(110)
    assert espeak_module.setting_for(60) == espeak_module.setting_for(90) == espeak_module.MIN_SETTING
    assert espeak_module.word_gap_for(110) == espeak_module.word_gap_for(150) == 0
    assert 0 < espeak_module.word_gap_for(90) < espeak_module.word_gap_for(60)


@pytest.mark.espeak
@pytest.mark.parametrize("rate", [70, 100, 120, 150])
def test_the_rate_asked_is_the_rate_spoken(rate):
    engine = espeak_module.EspeakEngine()
    assert_rate_within_tolerance(lambda text: engine.synthesize(text, "en-us", rate), RATE_LINES, rate)


@pytest.mark.espeak
@pytest.mark.parametrize("rate", [70, 90])
def test_below_its_floor_espeak_is_heard_at_the_rate_asked_through_pauses(synth, rate):
    assert rate < espeak_module.EspeakEngine.floor
    assert_heard_rate_within_tolerance(synth, "en-us", rate)


@pytest.mark.espeak
def test_espeaks_silences_inside_a_line_step_and_the_renderers_fade_removes_every_step(synth):
    for line in RATE_LINES:
        pcm = say(synth, line, rate=120).tobytes()
        assert edges(pcm).count > 2  # pauses of digital silence inside the line, not only its two ends
        assert edges(faded(pcm)).over == 0


@pytest.mark.espeak
def test_rate_changes_the_length(synth):
    slow, fast = say(synth, SENTENCE, rate=80), say(synth, SENTENCE, rate=200)
    assert len(slow) > 1.8 * len(fast)


@pytest.mark.espeak
def test_voices_resolve_by_short_id_and_name(synth):
    assert synth.resolve_voice("en-us").id == synth.resolve_voice("English (America)").id == "gmw/en-us"
    assert len(synth.voices()) > 50


@pytest.mark.espeak
def test_every_voice_the_script_format_names_is_offered(synth):
    named = set(re.findall(r"voice: ([A-Za-z][\w-]*)(?=[,}`\n])", SCRIPT_FORMAT.read_text(encoding="utf-8")))
    assert {"heart", "en-gb", "english"} <= named
    assert {name: synth.resolve_voice(name).engine_voice for name in named} == {
        "heart": "heart", "en-gb": "gmw/en", "english": "heart"}


@pytest.mark.espeak
def test_an_unknown_voice_is_refused_not_silently_replaced(synth):
    with pytest.raises(VoiceError, match="unknown voice 'en-uss'") as caught:
        say(synth, "Hello.", voice="en-uss")
    assert caught.value.diagnostic.line == 1
    assert (
        "did you mean 'en-us'" in caught.value.diagnostic.hint and "stillpoint voices" in caught.value.diagnostic.hint
    )


@pytest.mark.espeak
def test_version_names_both_libraries(synth):
    name, version = synth.engine_of("en-us")
    assert name == "espeak-ng"
    assert version.startswith("pyttsx3 2.99, espeak-ng 1.")


@pytest.mark.espeak
def test_nothing_reaches_stdout(capfd):
    with Synthesizer(workers=1) as pool:
        assert len(say(pool, "Rest here.")) > 0
    assert capfd.readouterr().out == ""
