"""Breath patterns and cues through the whole pipeline: plans that give each phase, exports that follow them.

The fake engine for most (the cue does not depend on the voice); espeak-ng once, and hibari once (slow).
"""

from __future__ import annotations

import json
import math
import wave
from pathlib import Path

import numpy as np
import pytest
from conftest import FAKE_ENGINE
from typer.testing import CliRunner

from stillpoint import cli
from stillpoint.app import pipeline, reports
from stillpoint.audio import SAMPLE_RATE, seconds_to_samples
from stillpoint.language import script
from stillpoint.language import timeline as timing
from stillpoint.language.timeline import Pace
from stillpoint.sound import breath, seams
from stillpoint.sound.loudness import measure
from stillpoint.sound.render import RenderOptions, render_events
from stillpoint.voice import ClipCache, Synthesizer
from stillpoint.voice.fake import FakeEngine

GOLDEN = Path(__file__).parent / "golden"
PRACTICE = """---
title: Breathing patterns
breath: 4-6
breath-cue: {cue}
---
# Longer out
Follow the sound in and out. [breathe 2]
# At the top {{breath: 4-7-8}}
Rest at the top if it is easy. [breathe 2]
# Box {{breath: 2-1-2-1}}
Round the box. [breathe 3]
Well done.
"""
STEP_DB = 1.0


def write(folder: Path, cue: str = "tone", voice: str = "") -> Path:
    """The practice, with ``cue`` for every breath (and ``voice``, if given), in ``folder``."""
    path = folder / "patterns.txt"
    text = PRACTICE.format(cue=cue)
    path.write_text(text.replace("---\n#", f"voice: {voice}\n---\n#", 1) if voice else text, encoding="utf-8")
    return path


def planned(path: Path, *args: str) -> dict:
    """`stillpoint plan --json` of ``path`` with ``args`` (the fake engine)."""
    result = CliRunner().invoke(cli.app, ["plan", str(path), "--json", *args])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def exported(path: Path, cache: Path, engine: str | None = FAKE_ENGINE, length: float | None = None,
             options: RenderOptions = RenderOptions()) -> tuple[np.ndarray, timing.Timeline]:
    """``path`` exported to WAV through the pipeline: its samples and the timeline it followed."""
    dest = path.with_suffix(".wav")
    with Synthesizer(engine, cache=ClipCache(cache), workers=1) as synth:
        _, heard = pipeline.export(pipeline.load_script(str(path)), Pace(length=length, bells=False), synth,
                                   pipeline.ExportSettings(dest=dest, force=True), options)
    with wave.open(str(dest)) as audio:
        return np.frombuffer(audio.readframes(audio.getnframes()), dtype="<i2"), heard


def quarters_db(samples: np.ndarray, start: float, duration: float) -> np.ndarray:
    """The RMS level in dB of each quarter of a span of ``samples``."""
    first = seconds_to_samples(start)
    span = samples[first:first + seconds_to_samples(duration)].astype(np.float64)
    return np.array([10 * math.log10(max(float(np.mean(part**2)), 1e-9)) for part in np.array_split(span, 4)])


def follows_every_breath(samples: np.ndarray, phases: list[tuple[str, float, float]]) -> bool:
    """Whether the level rises quarter by quarter through every in-breath and falls through every out-breath."""
    for kind, start, duration in phases:
        if kind != breath.HOLD:
            steps = np.diff(quarters_db(samples, start, duration)) * (1 if kind == breath.IN else -1)
            if not np.all(steps >= STEP_DB):
                return False
    return True


def phases_of(heard: timing.Timeline) -> list[tuple[str, float, float]]:
    """Every breath phase of a timeline, from the start of the track."""
    return [phase for event in heard.events for phase in breath.timed(event)]


def spans(samples: np.ndarray, heard: timing.Timeline, kind: str) -> np.ndarray:
    """The samples of every event of ``kind``, joined."""
    return np.concatenate([samples[seconds_to_samples(e.start):seconds_to_samples(e.end)]
                           for e in heard.events if e.kind == kind])


@pytest.mark.parametrize("length", [None, "3m"])
def test_plan_gives_each_breath_its_phases_as_the_golden_plan_says(fake_engine: Path, tmp_path: Path,
                                                                   length: str | None) -> None:
    plan = planned(write(tmp_path), *(("--length", length) if length else ()))
    breaths = [{key: event[key] for key in ("start", "duration", "section", "phases")}
               for event in plan["events"] if event["kind"] == "breathe"]
    golden = GOLDEN / f"breath-plan{'-' + length if length else ''}.json"
    assert breaths == json.loads(golden.read_text())
    for event in breaths:
        phases = event["phases"]
        assert phases[0]["start"] == pytest.approx(event["start"], abs=1e-3)
        assert sum(p["duration"] for p in phases) == pytest.approx(event["duration"], abs=1e-3)  # it to the ms
        for before, after in zip(phases, phases[1:]):
            assert before["start"] + before["duration"] == pytest.approx(after["start"], abs=1e-6)


def test_fitting_stretches_whole_cycles_alike_keeping_the_pattern(fake_engine: Path, tmp_path: Path) -> None:
    own, fitted = (planned(write(tmp_path), *args) for args in ((), ("--length", "3m")))
    assert fitted["total"] == pytest.approx(180, abs=0.01)
    for before, after in zip(*([e for e in plan["events"] if e["kind"] == "breathe"] for plan in (own, fitted))):
        factor = after["duration"] / before["duration"]
        assert factor > 1.5
        for was, now in zip(before["phases"], after["phases"]):
            assert now["phase"] == was["phase"]
            assert now["duration"] == pytest.approx(was["duration"] * factor, rel=1e-4)  # durations to the ms


@pytest.mark.parametrize("length", [None, 180.0])
def test_the_tone_follows_the_plan_in_the_export_under_the_voice_and_without_a_click(tmp_path: Path,
                                                                                    length: float | None) -> None:
    samples, heard = exported(write(tmp_path), tmp_path / "cache", length=length)
    assert len(samples) == seconds_to_samples(heard.total)
    phases = phases_of(heard)
    assert len(phases) == 2 * 2 + 2 * 3 + 3 * 4
    assert follows_every_breath(samples, phases)
    for kind, start, duration in phases:  # sound from the first sample of the breathing to its last
        first, count = seconds_to_samples(start), seconds_to_samples(duration)
        assert np.count_nonzero(samples[first:first + count]) > 0.9 * count
    voice, cue = (measure(spans(samples, heard, kind).tobytes())[0] for kind in ("speech", "breathe"))
    assert cue <= voice - 8.0
    assert seams.edges(samples.tobytes()).over == 0


def test_no_cue_is_silence_and_the_listener_s_cue_comes_first(tmp_path: Path) -> None:
    silent, heard = exported(write(tmp_path, "none"), tmp_path / "cache")
    assert not spans(silent, heard, "breathe").any()
    (tmp_path / "bare").mkdir()
    bare = write(tmp_path / "bare", "none")
    bare.write_text(bare.read_text().replace("breath-cue: none\n", ""), encoding="utf-8")
    assert np.array_equal(exported(bare, tmp_path / "cache")[0], silent)
    told = exported(write(tmp_path, "tone"), tmp_path / "cache", options=RenderOptions(breath_cue="none"))[0]
    assert np.array_equal(told, silent)


def test_the_swell_lifts_the_bed_with_each_breath_and_joins_it_without_a_step(tmp_path: Path) -> None:
    options = RenderOptions(ambience="rain", breath_cue="swell")  # a steady bed: brown drifts within half a second
    samples, heard = exported(write(tmp_path, "none"), tmp_path / "cache", options=options)
    assert follows_every_breath(samples, phases_of(heard))
    bed = exported(write(tmp_path, "none"), tmp_path / "cache", options=RenderOptions(ambience="rain"))[0]
    for event in heard.events:  # speech is untouched; the bed under it is ducked alike
        if event.kind == timing.SPEECH:
            first, last = seconds_to_samples(event.start), seconds_to_samples(event.end)
            assert np.array_equal(samples[first:last], bed[first:last])
    assert seams.edges(samples.tobytes()).over == 0


@pytest.mark.parametrize("options", [RenderOptions(breath_cue="tone"),
                                     RenderOptions(ambience="rain", breath_cue="swell")], ids=["tone", "swell"])
def test_playing_from_any_event_gives_the_same_bytes(options: RenderOptions) -> None:
    parsed = script.parse(PRACTICE.format(cue="none"), "p.txt")
    clips = {u: FakeEngine().synthesize(u.text, u.voice, u.rate) for u in timing.utterances(parsed)}
    tl = timing.plan(parsed, Pace(), {u: clip.seconds for u, clip in clips.items()})

    def audio(first: int) -> bytes:
        wanted = [e.utterance for e in tl.events[first:] if e.utterance]
        return b"".join(pcm for _, pcm in render_events(tl, [clips[u] for u in wanted], options, first))

    whole = audio(0)
    for index, event in enumerate(tl.events):
        if event.kind == timing.BREATHE:
            start = seconds_to_samples(event.start) * 2
            later = audio(index)
            if options.ambience:  # the bed fades in where a stream starts: compare from when it is full
                start, later = start + 5 * SAMPLE_RATE * 2, later[5 * SAMPLE_RATE * 2:]
            assert later == whole[start:]


def test_plan_report_phases_are_what_the_renderer_lays_out(tmp_path: Path) -> None:
    parsed = script.parse(PRACTICE.format(cue="tone"), "p.txt")
    report = reports.plan_report(timing.plan(parsed))
    for event in (e for e in report["events"] if e["kind"] == "breathe"):
        starts = [round(p["start"] * SAMPLE_RATE, 3) for p in event["phases"]]
        assert all(start == int(start) for start in starts)  # every phase starts on a sample


@pytest.mark.espeak
def test_the_tone_follows_the_plan_with_espeak(tmp_path: Path) -> None:
    samples, heard = exported(write(tmp_path, voice="en-us"), tmp_path / "cache", engine=None)
    assert follows_every_breath(samples, phases_of(heard))
    voice, cue = (measure(spans(samples, heard, kind).tobytes())[0] for kind in ("speech", "breathe"))
    assert cue <= voice - 8.0 and seams.edges(samples.tobytes()).over == 0


@pytest.mark.slow
def test_the_tone_follows_the_plan_with_the_default_voice(tmp_path: Path) -> None:
    samples, heard = exported(write(tmp_path), tmp_path / "cache", engine=None)
    assert follows_every_breath(samples, phases_of(heard))
    voice, cue = (measure(spans(samples, heard, kind).tobytes())[0] for kind in ("speech", "breathe"))
    assert cue <= voice - 8.0 and seams.edges(samples.tobytes()).over == 0
