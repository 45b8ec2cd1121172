"""The fake engine and the voice-name lookup shared by all engines."""

from __future__ import annotations

import numpy as np
import pytest

from stillpoint.audio import SAMPLE_RATE
from stillpoint.errors import VoiceError
from stillpoint.voice import VoiceInfo, resolve_voice
from stillpoint.voice.engine import LIST_HINT
from stillpoint.voice.fake import FakeEngine


def samples(text: str, voice: str = "fake-a", rate: int = 120) -> np.ndarray:
    """The fake engine's output as an array."""
    return np.frombuffer(FakeEngine().synthesize(text, voice, rate).pcm, dtype="<i2")


def test_same_input_gives_the_same_clip():
    assert FakeEngine().synthesize("soften the belly", "fake-a", 120) == FakeEngine().synthesize(
        "soften the belly", "fake-a", 120
    )


@pytest.mark.parametrize(
    ("text", "rate", "seconds"), [("one two three four", 120, 2.2), ("one", 60, 1.2), ("", 100, 0.2)]
)
def test_length_is_words_at_the_rate_plus_a_tail(text, rate, seconds):
    assert len(samples(text, rate=rate)) == round(seconds * SAMPLE_RATE)


def test_different_texts_of_equal_length_give_different_audio():
    assert not np.array_equal(samples("rest here now"), samples("rest there now"))


def test_audio_is_a_quiet_tone_not_silence():
    peak = np.abs(samples("feel the ground")).max()
    assert 1000 < peak < 8000


def test_voices_are_validated():
    assert [voice.short for voice in FakeEngine().voices()] == ["fake-a", "fake-b", "heart", "en-us"]
    with pytest.raises(VoiceError, match="unknown voice 'nobody'"):
        FakeEngine().synthesize("hello", "nobody", 120)


VOICES = [
    VoiceInfo("gmw/en-us", "English (America)", ("en-us",)),
    VoiceInfo("gmw/en", "English (Great Britain)", ("en-gb",)),
    VoiceInfo("en", "Odd Voice Whose Id Is A Short Form", ()),
    VoiceInfo("roa/fr", "French", ("fr-fr",)),
]


@pytest.mark.parametrize(
    ("requested", "found"),
    [
        ("gmw/en-us", "gmw/en-us"),
        ("EN-US", "gmw/en-us"),
        (" english (america) ", "gmw/en-us"),
        ("french", "roa/fr"),
        ("en", "en"),
        ("GMW/EN", "gmw/en"),
        ("en-gb", "gmw/en"),
        ("FR-FR", "roa/fr"),
    ],
)
def test_a_voice_is_found_by_id_short_id_name_or_language_in_that_order(requested, found):
    assert resolve_voice(requested, VOICES) == found


def test_an_unknown_voice_suggests_close_names():
    with pytest.raises(VoiceError) as caught:
        resolve_voice("en_us", VOICES)
    assert caught.value.diagnostic.message == "unknown voice 'en_us'"
    assert caught.value.diagnostic.hint.startswith("did you mean 'en-us'")
    assert caught.value.diagnostic.hint.endswith(LIST_HINT)


def test_an_unknown_voice_with_nothing_close_only_says_how_to_list_voices():
    with pytest.raises(VoiceError) as caught:
        resolve_voice("zzzzzz", VOICES)
    assert caught.value.diagnostic.hint == LIST_HINT == "run `stillpoint voices` to list them"
