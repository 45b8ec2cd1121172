"""The voice catalogue and its one resolution rule, on a fixed catalogue (no engine is loaded)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from stillpoint.errors import VoiceError
from stillpoint.language.script import DEFAULT_VOICE
from stillpoint.voice import catalogue
from stillpoint.voice.catalogue import ESPEAK_ENGINE, HIBARI_ENGINE, PIPER_ENGINE, Catalogue, Voice, choose
from stillpoint.voice.engine import VoiceInfo

ESPEAK = catalogue.listed_voices([
    VoiceInfo("gmw/en-029", "English (Caribbean)", ("en-029",)),
    VoiceInfo("gmw/en", "English (Great Britain)", ("en-gb",)),
    VoiceInfo("gmw/en-gb-scotland", "English (Scotland)", ("en-gb-scotland",)),
    VoiceInfo("gmw/en-us", "English (America)", ("en-us",)),
    VoiceInfo("gmw/de", "German", ("de",)),
    VoiceInfo("roa/fr-be", "French (Belgium)", ("fr-be",)),
    VoiceInfo("roa/fr", "French (France)", ("fr-fr",)),
    VoiceInfo("roa/pt", "Portuguese (Portugal)", ("pt",)),
    VoiceInfo("roa/pt-br", "Portuguese (Brazil)", ("pt-br",)),
    VoiceInfo("roa/es-419", "Spanish (Latin America)", ("es-419",)),
])
HEART, JOE = (replace(voice, installed=voice.name == "heart") for voice, _needs in catalogue.NEURAL)
VOICES = [HEART, JOE, *ESPEAK]

# What a script's `voice:` (or --voice) says -> the voice it gets, or the error it gets.
GOLDEN = [
    # 1. names, before anything else, in any case
    ("heart", "heart"),
    ("HEART", "heart"),
    ("  heart ", "heart"),
    ("en-us", "en-us"),  # espeak-ng's voice, when named
    ("gmw/en-us", "en-us"),
    ("English (America)", "en-us"),
    ("english (great britain)", "en"),
    ("en", "en"),  # espeak-ng's name for its British voice
    ("German", "de"),
    ("fr", "fr"),
    # 2. languages: the neural voice if it has one, else espeak-ng's
    ("english", "heart"),
    ("en-au", "heart"),  # a region no voice has: its language
    ("en-gb", "en"),  # no neural British voice: espeak-ng's
    ("en-GB-scotland", "en-gb-scotland"),
    ("french", "fr"),  # a language's name: its code, then the rule for the code
    ("fr-fr", "fr"),
    ("fr-ca", "fr"),
    ("portuguese", "pt"),
    ("es-419", "es-419"),
    ("es-mx", "error: unknown voice 'es-mx'"),  # a region of a language no voice names plainly
    # 3. nothing
    ("en-uss", "error: unknown voice 'en-uss'"),  # not a region: a typo is never replaced by a guess
    ("klingon", "error: unknown voice 'klingon'"),
    ("joe", "error: the voice 'joe' is not installed"),
]


def outcome(requested: str) -> str:
    """The name of the voice ``requested`` picks, or its error's message."""
    try:
        return choose(requested, VOICES).name
    except VoiceError as err:
        return f"error: {err.diagnostic.message}"


@pytest.mark.parametrize(("requested", "expected"), GOLDEN)
def test_the_resolution_rule(requested, expected):
    assert outcome(requested) == expected


def test_the_default_voice_is_the_bundled_neural_one():
    assert DEFAULT_VOICE == "heart" == HEART.name
    assert (HEART.engine, HEART.neural) == (HIBARI_ENGINE, True)


def test_a_language_skips_a_neural_voice_that_is_not_installed():
    assert choose("en-au", [replace(HEART, installed=False), *ESPEAK]).name == "en"


def test_a_missing_optional_voice_says_how_to_install_it():
    with pytest.raises(VoiceError) as caught:
        choose("joe", VOICES)
    assert caught.value.diagnostic.hint == "install the optional voice with: pip install 'stillpoint[piper]'"
    assert JOE.engine == PIPER_ENGINE


@pytest.mark.parametrize(
    ("requested", "suggested"),
    [("en-uss", "did you mean 'en-us'"), ("haert", "did you mean 'heart'"), ("frensh", "did you mean 'french'")],
)
def test_an_unknown_voice_gets_the_closest_names(requested, suggested):
    with pytest.raises(VoiceError) as caught:
        choose(requested, VOICES)
    assert caught.value.diagnostic.hint.startswith(suggested)
    assert caught.value.diagnostic.hint.endswith("run `stillpoint voices` to list them")


def test_a_neural_voice_is_chosen_without_asking_the_engine_for_its_voices():
    asked = []
    voices = Catalogue([HEART, JOE], lambda: asked.append(1) or ESPEAK)
    assert voices.choose("Heart") == HEART and not asked
    assert voices.choose("en-us").id == "gmw/en-us" and voices.choose("french").name == "fr"
    assert asked == [1]  # asked once, then remembered
    assert [v.name for v in voices.voices()][:3] == ["heart", "joe", "en-029"]


def test_espeak_voices_are_listed_under_their_short_ids():
    (voice,) = catalogue.listed_voices([VoiceInfo("gmw/en-us", "English (America)", ("en-us",))])
    assert voice == Voice("en-us", ESPEAK_ENGINE, "en-us", "English (America); formant synthesis, espeak-ng",
                          id="gmw/en-us", title="English (America)", languages=("en-us",))
    assert voice.engine_voice == "gmw/en-us" and HEART.engine_voice == "heart"


def test_installed_means_the_engine_and_its_packages_can_be_found(monkeypatch):
    monkeypatch.setattr(catalogue, "NEURAL", (
        (Voice("here", "stillpoint.voice.fake:FakeEngine", neural=True), ("numpy",)),
        (Voice("package", "stillpoint.voice.fake:FakeEngine", neural=True), ("no_such_voice_package",)),
        (Voice("engine", "stillpoint.voice.no_such_engine:Engine", neural=True), ()),
        (Voice("parent", "no_such_package.engine:Engine", neural=True), ()),
    ))
    assert [(v.name, v.installed) for v in catalogue.neural_voices()] == [
        ("here", True), ("package", False), ("engine", False), ("parent", False)]


@pytest.mark.parametrize("requested", ["emma", "Kore"])
def test_a_voice_hibari_would_download_is_refused_naming_the_bundled_one(requested):
    with pytest.raises(VoiceError, match="downloaded from hibari's model hub") as caught:
        choose(requested, VOICES)
    assert caught.value.diagnostic.hint == catalogue.HUB_HINT
