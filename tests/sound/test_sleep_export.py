"""A sleep ending in real exports (the fake engine's speech, the command line through CliRunner): the bed going on
after the last words for exactly as long as the plan says, fading to exact silence, and no bell."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import miniaudio
import mutagen.mp3
import numpy as np
import pytest
from conftest import SMALL_PRACTICE
from typer.testing import CliRunner

from stillpoint.audio import SAMPLE_RATE, seconds_to_samples
from stillpoint.cli import app
from stillpoint.output.tags import read_mp3_info
from stillpoint.sound import ambience, seams, sleep

SILENT = SAMPLE_RATE // 2


def run(*args: str | Path) -> dict | None:
    """`stillpoint ARGS`, which must succeed; the JSON it printed, if any."""
    result = CliRunner().invoke(app, [str(arg) for arg in args], prog_name="stillpoint")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout) if result.stdout.startswith("{") else None


def wav_samples(path: Path) -> np.ndarray:
    with wave.open(str(path)) as audio:
        return np.frombuffer(audio.readframes(audio.getnframes()), dtype="<i2")


def the_tail(plan: dict) -> tuple[int, int]:
    """The first sample of the plan's sleep ending and its length in samples."""
    ending = plan["events"][-1]
    assert ending["kind"] == "sleep" and ending["section"] == "Sleep"
    start = seconds_to_samples(ending["start"])
    return start, seconds_to_samples(ending["start"] + ending["duration"]) - start


@pytest.mark.parametrize(("options", "bed", "rise"), [
    ((), None, 0.0),  # no bed under the practice: the default one fades in after the last words
    (("--ambience", "rain", "--ambience-volume", "0.7"), "rain", ambience.DUCK),  # the bed rises from under them
], ids=["default-bed", "rain"])
def test_the_tail_is_the_bed_going_on_for_as_long_as_the_plan_says_and_no_bell_rings(
        fake_engine: Path, small_practice: Path, options: tuple[str, ...], bed: str | None, rise: float) -> None:
    plan = run("plan", small_practice, "--sleep", "40s", "--json")
    run("export", small_practice, "--sleep", "40s", "-o", "sleepy.wav", *options)
    samples = wav_samples(Path("sleepy.wav"))
    start, length = the_tail(plan)
    assert length == 40 * SAMPLE_RATE and len(samples) == seconds_to_samples(plan["total"]) == start + length
    kinds = [event["kind"] for event in plan["events"]]
    assert kinds[0] == "bell" and "bell" not in kinds[1:] and kinds[-2] == "speech"
    volume = 0.7 if bed else 1.0
    expected = b"".join(sleep.tail(length, ambience.loop(bed) if bed else None, volume, start, rise))
    assert samples[start:].tobytes() == expected  # the bed alone: no bell, nothing louder than it
    assert not samples[-SILENT:].any() and samples[-SILENT - SAMPLE_RATE:-SILENT].any()
    assert seams.edges(samples.tobytes()).over == 0


def test_the_bed_under_the_practice_does_not_fade_out_before_a_sleep_ending(fake_engine: Path,
                                                                            small_practice: Path) -> None:
    run("export", small_practice, "--ambience", "brown", "--no-bells", "-o", "plain.wav")
    run("export", small_practice, "--ambience", "brown", "--no-bells", "--sleep", "10s", "-o", "sleepy.wav")
    plain, sleepy = wav_samples(Path("plain.wav")), wav_samples(Path("sleepy.wav"))
    fading = seconds_to_samples(ambience.FADE_OUT_SECONDS)
    assert np.array_equal(plain[:-fading], sleepy[:len(plain) - fading])  # the same practice, up to the fade
    end = slice(len(plain) - 50, len(plain))  # the practice's last 2 ms: the bed faded out, or ducked under speech
    kept = sleepy[end].astype(float) - plain[end]  # the same speech in both: what differs is the bed
    assert np.sqrt(np.mean(kept ** 2)) > 0.5 * ambience.DUCK * ambience.LEVEL * 32767


def test_an_mp3_with_a_sleep_ending_decodes_to_the_planned_length_with_its_chapter_and_the_lyrics_unchanged(
        fake_engine: Path, small_practice: Path) -> None:
    small_practice.write_text(SMALL_PRACTICE.replace("rate: 150\n", "rate: 150\nending: sleep 1m\n"))
    plan = run("plan", small_practice, "--json")
    run("export", small_practice, "-o", "sleepy.mp3")
    decoded = miniaudio.decode_file("sleepy.mp3", output_format=miniaudio.SampleFormat.SIGNED16, nchannels=1,
                                    sample_rate=SAMPLE_RATE)
    samples = np.asarray(decoded.samples, dtype=np.int16)
    start, length = the_tail(plan)
    assert length == 60 * SAMPLE_RATE and len(samples) == start + length
    assert np.abs(samples[-SILENT:]).max() <= 1 and samples[start:start + SAMPLE_RATE].any()
    info = read_mp3_info(Path("sleepy.mp3"))
    assert [(c.title, round(c.start, 2)) for c in info.chapters][-1] == ("Sleep", round(start / SAMPLE_RATE, 2))
    assert info.chapters[-1].end == pytest.approx(plan["total"], abs=0.001)
    assert mutagen.mp3.MP3("sleepy.mp3").info.length == pytest.approx(plan["total"], abs=0.001)
    spoken = [(round(e["start"], 2), e["text"]) for e in plan["events"] if e["kind"] == "speech"]
    assert [(round(at, 2), text) for at, text in info.lyrics] == spoken
