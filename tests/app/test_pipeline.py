"""Wiring of the stages, with the fake engine: caching across edits, variables, destinations."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest
from conftest import FAKE_ENGINE, SMALL_PRACTICE

from stillpoint.app import pipeline
from stillpoint.audio import SAMPLE_RATE
from stillpoint.errors import DestinationError, Setting, UsageError
from stillpoint.language.timeline import SPEECH, Pace
from stillpoint.voice import ClipCache, Synthesizer, SynthProgress


def export_and_count(source: Path, cache: Path, dest: Path) -> SynthProgress:
    """Export ``source`` and return the last progress report of its synthesis."""
    reports: list[SynthProgress] = []
    with Synthesizer(FAKE_ENGINE, cache=ClipCache(cache), workers=1) as synth:
        pipeline.export(pipeline.load_script(str(source)), Pace(), synth,
                        pipeline.ExportSettings(dest=dest, force=True), on_progress=reports.append)
    return reports[-1]


def test_editing_one_line_synthesizes_only_that_line(tmp_path: Path, small_practice: Path) -> None:
    first = export_and_count(small_practice, tmp_path / "cache", tmp_path / "a.mp3")
    small_practice.write_text(SMALL_PRACTICE.replace("Rest here.", "Rest here, softly."))
    second = export_and_count(small_practice, tmp_path / "cache", tmp_path / "a.mp3")
    assert first.cached == 0
    assert second.total - second.cached == 1


def test_load_script_refuses_a_value_for_a_variable_the_script_lacks(small_practice: Path) -> None:
    with pytest.raises(UsageError, match=r"has no variable \{where\}.*its variables: who") as refused:
        pipeline.load_script(str(small_practice), {"where": "home"})
    found = refused.value.diagnostic  # the setting named apart, for each door to word: no command-line flag
    assert found.setting == Setting("set", "where") and found.message.startswith(f"{small_practice.name} has no")


def test_default_destination_is_the_practice_name_in_the_current_folder(
    small_practice: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    parsed = pipeline.load_script(str(small_practice))
    assert pipeline.default_destination(parsed, "wav") == tmp_path / "small.wav"


def test_an_existing_destination_is_refused_before_any_synthesis(tmp_path: Path, small_practice: Path) -> None:
    dest = tmp_path / "taken.mp3"
    dest.write_bytes(b"mine")
    with Synthesizer(FAKE_ENGINE, cache=ClipCache(tmp_path / "cache"), workers=1) as synth:
        with pytest.raises(DestinationError, match="already exists"):
            pipeline.export(pipeline.load_script(str(small_practice)), Pace(), synth,
                            pipeline.ExportSettings(dest=dest))
        assert not synth._pool
    assert dest.read_bytes() == b"mine"


def test_a_sentence_said_in_pieces_is_exported_exactly_as_planned(tmp_path: Path) -> None:
    source, dest = tmp_path / "long.txt", tmp_path / "long.wav"
    run_on = " ".join(["let", "the", "breath", "move", "in", "its", "own", "time"] * 40)
    source.write_text(f"Arrive. {run_on}. Rest.\n", encoding="utf-8")
    parsed = pipeline.load_script(str(source))
    with Synthesizer(FAKE_ENGINE, cache=ClipCache(tmp_path / "cache"), workers=1) as synth:
        planned = pipeline.timed_plan(parsed, Pace(), synth)
        _, heard = pipeline.export(parsed, Pace(), synth, pipeline.ExportSettings(dest=dest))
    assert sum(event.kind == SPEECH for event in planned.events) > 4
    assert [(e.kind, e.start, e.duration) for e in heard.events] == [(e.kind, e.start, e.duration)
                                                                     for e in planned.events]
    with wave.open(str(dest)) as audio:
        assert audio.getnframes() == round(planned.total * SAMPLE_RATE)


@pytest.mark.parametrize("length", [None, 50.0])
def test_a_practice_paced_by_pauses_is_exported_exactly_as_planned(tmp_path: Path, length: float | None) -> None:
    source, dest = tmp_path / "slow.txt", tmp_path / "slow.wav"
    source.write_text("---\nrate: 70\n---\nSettle in, and let your breath be easy; nothing to do, nowhere to go.\n"
                      "[pause]\nNotice the weight of your hands, the floor below, the air.\n", encoding="utf-8")
    parsed, pace = pipeline.load_script(str(source)), Pace(length=length)
    with Synthesizer(FAKE_ENGINE, cache=ClipCache(tmp_path / "cache"), workers=1) as synth:
        planned = pipeline.timed_plan(parsed, pace, synth)
        _, heard = pipeline.export(parsed, pace, synth, pipeline.ExportSettings(dest=dest))
    assert [(e.kind, e.start, e.duration) for e in heard.events] == [(e.kind, e.start, e.duration)
                                                                     for e in planned.events]
    with wave.open(str(dest)) as audio:
        assert audio.getnframes() == round(planned.total * SAMPLE_RATE)
    speech = [e for e in planned.events if e.kind == SPEECH]
    words = sum(len(e.text.split()) for e in speech)
    assert words * 60 / sum(e.duration for e in speech) == pytest.approx(70, rel=0.01)  # heard as the rate asks
    assert planned.total == pytest.approx(length or planned.total, abs=1 / SAMPLE_RATE)
