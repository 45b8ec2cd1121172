"""LRC lyrics and WebVTT captions from a timeline's speech, and how they are written beside a track."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stillpoint.cli import app
from stillpoint.language.timeline import BELL, GAP, SOAK, SPEECH, Event, Timeline
from stillpoint.output import sidecars

TIMELINE = Timeline(
    "Evening Rest",
    (
        Event(BELL, 0.0, 7.0),
        Event(SPEECH, 7.0, 3.456, "Let your shoulders drop."),
        Event(GAP, 10.456, 0.8),
        Event(SPEECH, 11.256, 2.5, "Rest <here> & now."),
        Event(SOAK, 13.756, 3600.0),
        Event(SPEECH, 3613.756, 61.0, "Come back slowly."),
    ),
)


def test_lrc_puts_each_line_at_its_start_with_a_header() -> None:
    assert sidecars.lrc(TIMELINE, "Test Author", "Stillpoint") == (
        "[ti:Evening Rest]\n"
        "[ar:Test Author]\n"
        "[al:Stillpoint]\n"
        "[length:61:15]\n"
        "[00:07.00]Let your shoulders drop.\n"
        "[00:11.26]Rest <here> & now.\n"
        "[60:13.76]Come back slowly.\n"
    )


def test_lrc_leaves_out_empty_header_fields() -> None:
    assert sidecars.lrc(TIMELINE).splitlines()[:2] == ["[ti:Evening Rest]", "[length:61:15]"]


def test_vtt_gives_each_line_a_cue_for_as_long_as_it_is_spoken() -> None:
    assert sidecars.vtt(TIMELINE) == (
        "WEBVTT\n"
        "\n"
        "1\n00:00:07.000 --> 00:00:10.456\nLet your shoulders drop.\n"
        "\n"
        "2\n00:00:11.256 --> 00:00:13.756\nRest &lt;here&gt; &amp; now.\n"
        "\n"
        "3\n01:00:13.756 --> 01:01:14.756\nCome back slowly.\n"
    )


def test_the_sidecars_go_beside_the_audio_with_its_name(tmp_path: Path) -> None:
    audio = tmp_path / "Evening Rest.mp3"
    written = sidecars.write(audio, ("lrc", "vtt"), TIMELINE, "Test Author", "Stillpoint")
    assert written == [tmp_path / "Evening Rest.lrc", tmp_path / "Evening Rest.vtt"]
    assert written[0].read_text(encoding="utf-8") == sidecars.lrc(TIMELINE, "Test Author", "Stillpoint")
    assert written[1].read_text(encoding="utf-8") == sidecars.vtt(TIMELINE)


def test_only_the_asked_for_kinds_are_written(tmp_path: Path) -> None:
    assert sidecars.write(tmp_path / "a.mp3", ("vtt",), TIMELINE, "", "") == [tmp_path / "a.vtt"]
    assert sorted(os.listdir(tmp_path)) == ["a.vtt"]


def test_writing_replaces_an_earlier_sidecar_in_one_step(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lrc = tmp_path / "a.lrc"
    lrc.write_text("old")
    replaced: list[tuple[str, str]] = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda src, dst: (replaced.append((str(src), str(dst))), real_replace(src, dst)))
    sidecars.write(tmp_path / "a.mp3", ("lrc",), TIMELINE, "", "")
    assert lrc.read_text().startswith("[ti:Evening Rest]")
    assert [dst for _, dst in replaced] == [str(lrc)]
    assert sorted(os.listdir(tmp_path)) == ["a.lrc"]


def test_export_writes_the_asked_for_sidecars_beside_a_single_file(fake_engine: Path, small_practice: Path) -> None:
    result = CliRunner().invoke(app, ["export", str(small_practice), "-o", "evening.mp3", "--lrc", "--vtt"])
    assert result.exit_code == 0, result.output
    folder = small_practice.parent
    assert (folder / "evening.lrc").read_text(encoding="utf-8").startswith("[ti:Small Practice]\n[ar:Test Author]\n")
    assert (folder / "evening.vtt").read_text(encoding="utf-8").count(" --> ") == 4


def test_an_existing_sidecar_is_refused_before_any_work(fake_engine: Path, small_practice: Path) -> None:
    (small_practice.parent / "evening.vtt").write_text("mine")
    result = CliRunner().invoke(app, ["export", str(small_practice), "-o", "evening.mp3", "--vtt"])
    assert result.exit_code == 1 and "evening.vtt" in result.stderr and "--force" in result.stderr
    assert not (small_practice.parent / "evening.mp3").exists() and not fake_engine.exists()
    assert (small_practice.parent / "evening.vtt").read_text() == "mine"
