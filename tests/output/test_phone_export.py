"""The benefactor practice exported for a phone with the real default voice (heart), read back with real tools."""

from __future__ import annotations

import io
import json
import math
import shutil
import subprocess
from datetime import date
from pathlib import Path

import miniaudio
import mutagen.mp3
import numpy as np
import pyloudnorm
import pytest
from mutagen.id3 import ID3, CTOCFlags, PictureType
from PIL import Image
from scipy.signal import resample_poly
from typer.testing import CliRunner

from output.test_tags import raw_chapters
from stillpoint.app import pipeline
from stillpoint.audio import SAMPLE_RATE
from stillpoint.cli import app
from stillpoint.output import cover
from stillpoint.sound import breath

pytestmark = pytest.mark.neural

runner = CliRunner()
TARGET = 900.0  # --length 15m
SECTIONS = [section.title for section in pipeline.load_script("benefactor").sections]


def run(*args: object) -> dict:
    """Run the app with the real engine; return its output as a dict (the JSON of `plan --json`)."""
    result = runner.invoke(app, [str(arg) for arg in args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout) if "--json" in args else {"stdout": result.stdout}


@pytest.fixture(scope="session")
def phone(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The benefactor practice exported once as it is and once fitted to 15 minutes, with their plans."""
    folder = tmp_path_factory.mktemp("phone")
    cache = folder / "cache"
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("STILLPOINT_ENGINE", raising=False)
        patch.chdir(folder)
        run("export", "benefactor", "-o", folder / "benefactor.mp3", "--lrc", "--vtt", "--cache-dir", cache)
        run("export", "benefactor", "-o", folder / "fitted.mp3", "--length", "15m", "--cache-dir", cache)
        plan = run("plan", "benefactor", "--json", "--cache-dir", cache)
        fitted = run("plan", "benefactor", "--json", "--length", "15m", "--cache-dir", cache)
    return {"mp3": folder / "benefactor.mp3", "fitted_mp3": folder / "fitted.mp3", "plan": plan, "fitted": fitted,
            "samples": decoded(folder / "benefactor.mp3"), "cache": cache}


def decoded(path: Path) -> np.ndarray:
    """An MP3 decoded by miniaudio to mono floats at the internal rate."""
    sound = miniaudio.decode_file(str(path), nchannels=1, sample_rate=SAMPLE_RATE,
                                  output_format=miniaudio.SampleFormat.SIGNED16)
    return np.asarray(sound.samples, dtype=np.float64) / 32768.0


def true_peak_dbtp(samples: np.ndarray, block: int = 30 * SAMPLE_RATE, margin: int = SAMPLE_RATE) -> float:
    """Highest level of the signal oversampled four times (BS.1770), taken in overlapping blocks."""
    peak = 0.0
    for start in range(0, len(samples), block):
        piece = samples[max(0, start - margin):start + block + margin]
        inner = 4 * (start - max(0, start - margin))
        peak = max(peak, float(np.max(np.abs(resample_poly(piece, 4, 1)[inner:inner + 4 * block]))))
    return 20 * math.log10(peak)


def speech(plan: dict) -> list[dict]:
    """The speech events of a plan."""
    return [event for event in plan["events"] if event["kind"] == "speech"]


def cues(plan: dict) -> list[dict]:
    """What the captions show, from the plan: each spoken line, and each phase of a breath in words."""
    found = []
    for event in plan["events"]:
        if event["kind"] == "speech":
            found.append({"start": event["start"], "text": event["text"]})
        found += [{"start": phase["start"], "text": breath.WORDS[phase["phase"]]} for phase in event.get("phases", [])]
    return found


def test_the_file_is_mono_22050_hz_at_64_kbps(phone: dict) -> None:
    info = mutagen.mp3.MP3(phone["mp3"]).info
    assert (info.channels, info.sample_rate, info.bitrate) == (1, SAMPLE_RATE, 64000)


def test_the_decoded_audio_lasts_what_the_plan_says_to_the_millisecond(phone: dict) -> None:
    # the plan's total is rounded to milliseconds; decoders trim LAME's delay and padding by the Info frame
    assert len(phone["samples"]) / SAMPLE_RATE == pytest.approx(phone["plan"]["total"], abs=0.0005)
    played = subprocess.run(["mpg123", "-q", "-s", str(phone["mp3"])], capture_output=True, check=True).stdout
    assert len(played) // 2 == len(phone["samples"])
    assert mutagen.mp3.MP3(phone["mp3"]).info.length == pytest.approx(phone["plan"]["total"], abs=0.0005)


def test_integrated_loudness_is_minus_19_lufs_well_within_one_lu(phone: dict) -> None:
    loudness = pyloudnorm.Meter(SAMPLE_RATE).integrated_loudness(phone["samples"])
    assert loudness == pytest.approx(-19.0, abs=0.5)


def test_true_peak_stays_at_or_below_minus_1_dbtp(phone: dict) -> None:
    assert true_peak_dbtp(phone["samples"]) <= -1.0


def test_soaks_are_silent(phone: dict) -> None:
    soaks = [event for event in phone["plan"]["events"] if event["kind"] == "soak"]
    assert len(soaks) >= 5
    for soak in soaks:
        # the decoder smears the frames next to a silence a little way into it
        start, end = soak["start"] + 0.25, soak["start"] + soak["duration"] - 0.25
        assert np.max(np.abs(phone["samples"][int(start * SAMPLE_RATE):int(end * SAMPLE_RATE)])) < 1e-3, soak


def test_speech_is_heard_where_the_plan_puts_it(phone: dict) -> None:
    for event in speech(phone["plan"]):
        start, end = event["start"] + 0.1, event["start"] + event["duration"] - 0.1
        part = phone["samples"][int(start * SAMPLE_RATE):int(end * SAMPLE_RATE)]
        assert np.sqrt(np.mean(part**2)) > 0.01, event["text"]


def test_tags_name_the_practice_its_author_album_genre_year_comment_and_length(phone: dict) -> None:
    meta = pipeline.load_script("benefactor").meta
    tags = ID3(phone["mp3"])
    assert tags.version == (2, 4, 0)
    assert tags["TIT2"].text == [meta.title] and tags["TPE1"].text == [meta.author]
    assert tags["TALB"].text == ["Stillpoint"] and tags["TCON"].text == ["Meditation"]
    assert str(tags["TDRC"].text[0]) == str(date.today().year)
    assert tags.getall("COMM")[0].text == [meta.description]
    assert int(tags["TLEN"].text[0]) == pytest.approx(phone["plan"]["total"] * 1000, abs=1)


def test_the_cover_is_the_picture_made_from_the_title(phone: dict) -> None:
    (picture,) = ID3(phone["mp3"]).getall("APIC")
    assert (picture.mime, picture.type) == ("image/png", PictureType.COVER_FRONT)
    assert picture.data == cover.generated(pipeline.load_script("benefactor").meta.title)
    assert Image.open(io.BytesIO(picture.data)).size == (cover.SIZE, cover.SIZE)


def chapter_starts(plan: dict) -> list[tuple[str, float]]:
    """Each section of a plan with the time its first event starts."""
    starts: dict[str, float] = {}
    for event in plan["events"]:
        starts.setdefault(event["section"], event["start"])
    return list(starts.items())


def test_chapters_are_stored_in_order_with_their_titles_and_times(phone: dict) -> None:
    tags = ID3(phone["mp3"])
    stored = raw_chapters(phone["mp3"].read_bytes())
    titles = [tags[f"CHAP:{element_id}"].sub_frames["TIT2"].text[0] for element_id, _ in stored]
    assert titles == SECTIONS
    assert [(title, start / 1000) for title, (_, start) in zip(titles, stored)] == [
        (title, pytest.approx(start, abs=0.001)) for title, start in chapter_starts(phone["plan"])
    ]
    (toc,) = tags.getall("CTOC")
    assert toc.flags & CTOCFlags.TOP_LEVEL and toc.flags & CTOCFlags.ORDERED
    assert list(toc.child_element_ids) == [element_id for element_id, _ in stored]


@pytest.mark.skipif(shutil.which("ffprobe") is None, reason="ffprobe is not installed")
def test_ffprobe_shows_the_chapters_in_order(phone: dict) -> None:
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_chapters", "-of", "json", str(phone["mp3"])],
                           capture_output=True, check=True)
    chapters = json.loads(probe.stdout)["chapters"]
    assert [c["tags"]["title"] for c in chapters] == SECTIONS
    assert [float(c["start_time"]) for c in chapters] == [
        pytest.approx(start, abs=0.001) for _, start in chapter_starts(phone["plan"])
    ]
    assert float(chapters[-1]["end_time"]) == pytest.approx(phone["plan"]["total"], abs=0.001)


def test_lyrics_hold_every_spoken_line(phone: dict) -> None:
    (lyrics,) = ID3(phone["mp3"]).getall("USLT")
    assert lyrics.text == "\n".join(event["text"] for event in speech(phone["plan"]))


def test_synced_lyrics_put_each_line_where_the_plan_starts_it(phone: dict) -> None:
    (synced,) = ID3(phone["mp3"]).getall("SYLT")
    assert [text for text, _ in synced.text] == [cue["text"] for cue in cues(phone["plan"])]
    assert {"breathe in…", "breathe out…"} <= {text for text, _ in synced.text}
    starts = [pytest.approx(cue["start"] * 1000, abs=1) for cue in cues(phone["plan"])]
    assert [ms for _, ms in synced.text] == starts


def test_lrc_and_vtt_sidecars_follow_the_plan(phone: dict) -> None:
    lrc = phone["mp3"].with_suffix(".lrc").read_text(encoding="utf-8").splitlines()
    vtt = phone["mp3"].with_suffix(".vtt").read_text(encoding="utf-8")
    lines = cues(phone["plan"])
    timed = [line for line in lrc if line[1:3].isdigit()]
    assert len(timed) == len(lines)
    for entry, event in zip(timed, lines):
        minutes, seconds = entry[1:9].split(":")
        assert int(minutes) * 60 + float(seconds) == pytest.approx(event["start"], abs=0.006)
        assert entry[10:] == event["text"]
    assert vtt.startswith("WEBVTT\n") and vtt.count(" --> ") == len(lines)


def test_fitting_to_a_length_lasts_that_length_within_two_seconds(phone: dict) -> None:
    assert phone["fitted"]["total"] == pytest.approx(TARGET, abs=2.0)
    assert len(decoded(phone["fitted_mp3"])) / SAMPLE_RATE == pytest.approx(TARGET, abs=2.0)


def test_fitting_keeps_the_speech_and_scales_only_the_flexible_silences(phone: dict) -> None:
    full, fitted = phone["plan"]["events"], phone["fitted"]["events"]
    assert [e["kind"] for e in full] == [e["kind"] for e in fitted]
    for before, after in zip(full, fitted):
        if before["kind"] in ("speech", "gap", "bell"):
            assert after["duration"] == pytest.approx(before["duration"], abs=0.001)
        else:
            assert after["duration"] >= before["duration"] / 2 - 0.001


def test_a_length_shorter_than_the_speech_says_the_shortest_possible(phone: dict, tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", "benefactor", "--length", "2m", "-o", str(tmp_path / "short.mp3"),
                                 "--cache-dir", str(phone["cache"])])
    assert result.exit_code == 2
    assert "cannot be fitted to 2:00" in result.stderr and "choose a length between" in result.stderr
    assert not (tmp_path / "short.mp3").exists()
