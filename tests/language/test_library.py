"""The built-in practices: credited, clean under the strictest check, 8 to 20 minutes (a short practice from 4),
and exportable."""

from __future__ import annotations

import wave
from collections.abc import Iterator
from pathlib import Path

import pytest

from stillpoint.app import authoring, pipeline
from stillpoint.language import library, timeline
from stillpoint.voice import ClipCache, Synthesizer

FAKE_ENGINE = "stillpoint.voice.fake:FakeEngine"
PRACTICES = sorted(library.practices())


def test_the_library_holds_the_seven_practices() -> None:
    assert PRACTICES == ["benefactor", "circle-of-safety", "compassion", "hand-on-heart", "love-flowing-back",
                         "slower-breath", "through-anothers-eyes"]


@pytest.mark.parametrize("name", PRACTICES)
def test_every_practice_passes_the_strict_check(name: str) -> None:
    result = authoring.check(name, strict=True)
    assert [str(d) for d in result.diagnostics] == []


@pytest.mark.parametrize("name", PRACTICES)
def test_every_practice_is_credited_described_tagged_and_8_to_20_minutes(name: str) -> None:
    parsed = pipeline.load_script(name)
    meta = parsed.meta
    assert meta.author and meta.source and meta.description and meta.tags
    shortest = 4 if "short practice" in meta.tags else 8
    assert shortest * 60 <= timeline.plan(parsed).total <= 20 * 60


def test_a_practice_breathes_with_each_pattern_and_cue_it_shows() -> None:
    parsed = pipeline.load_script("slower-breath")
    breaths = [event.breaths for event in timeline.plan(parsed).events if event.breaths]
    assert [(b.pattern, b.cue) for b in breaths] == [((4.0, 6.0), "tone"), ((4.0, 7.0, 8.0), "tone")]
    assert pipeline.load_script("hand-on-heart").meta.breath_cue == "tone"


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synthesizer]:
    """One fake-engine synthesizer for every export of this module."""
    with Synthesizer(engine=FAKE_ENGINE, cache=ClipCache(tmp_path_factory.mktemp("cache"))) as synthesizer:
        yield synthesizer


@pytest.mark.slow
@pytest.mark.parametrize("name", PRACTICES)
def test_every_practice_exports_to_the_length_of_its_plan(name: str, synth: Synthesizer, tmp_path: Path) -> None:
    parsed = pipeline.load_script(name)
    settings = pipeline.ExportSettings(dest=tmp_path / f"{name}.wav")
    written, planned = pipeline.export(parsed, timeline.Pace(), synth, settings)
    with wave.open(str(written)) as audio:
        assert audio.getnframes() / audio.getframerate() == pytest.approx(planned.total, abs=0.01)
