"""Handing a practice over as files, with the fake engine: one track, or a track per client with playlist and zip,
and the progress a follower is told."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FAKE_ENGINE, SMALL_PRACTICE

from stillpoint.app import handover, personalize
from stillpoint.errors import UsageError
from stillpoint.language.timeline import Pace
from stillpoint.sound.render import RenderOptions
from stillpoint.voice import ClipCache, Synthesizer


@pytest.fixture
def synth(tmp_path: Path) -> Iterator[Synthesizer]:
    """A fake-engine synthesizer with a fresh cache."""
    with Synthesizer(FAKE_ENGINE, cache=ClipCache(tmp_path / "cache"), workers=1) as synthesizer:
        yield synthesizer


def test_one_track_is_named_from_its_title_and_counts_its_lines(tmp_path: Path, synth: Synthesizer) -> None:
    parsed = handover.practice(SMALL_PRACTICE, "small.txt", {"who": "the sea"})
    told: list[handover.Progress] = []
    steps = handover.track_steps(parsed, Pace())
    files = handover.export_track(parsed, Pace(), RenderOptions(), synth, tmp_path, told.append)
    assert files == [tmp_path / "Small Practice.mp3"] and files[0].stat().st_size > 1000
    assert steps == 4 and told[-1] == handover.Progress(4, 4, 4, 0)
    with pytest.raises(UsageError, match="has no variable {whom}"):
        handover.practice(SMALL_PRACTICE, "small.txt", {"whom": "x"})


def test_client_tracks_come_with_a_playlist_and_a_zip_and_sum_every_clients_lines(
        tmp_path: Path, synth: Synthesizer) -> None:
    scripts = personalize.scripts_for_table(SMALL_PRACTICE, "small.txt", [{"client": "Anna", "who": "her sister"},
                                                                          {"client": "Ben", "who": "his teacher"}])
    told: list[handover.Progress] = []
    files = handover.export_clients(scripts, Pace(), RenderOptions(), synth, tmp_path, told.append)
    assert [path.name for path in files] == ["Small Practice (Anna).mp3", "Small Practice (Ben).mp3",
                                             "Stillpoint.m3u8", "tracks.zip"]
    with zipfile.ZipFile(files[-1]) as bundle:
        assert bundle.namelist() == [files[0].name, files[1].name]
        assert bundle.read(files[1].name) == files[1].read_bytes()
    # Ben's track speaks only the line his value changes; the other three come from the cache.
    assert told[-1] == handover.Progress(2, 2, 5, 3, "2 of 2: Small Practice (Ben)")
    assert {progress.done for progress in told} == {0, 1, 2}  # clients done: none, Anna, both


def test_a_csv_of_clients_becomes_rows_of_the_studios_table() -> None:
    rows = personalize.table_rows("client,who\nAnna,her sister\nBen,\n", "c.csv", SMALL_PRACTICE, "small.txt")
    assert rows == [{"client": "Anna", "who": "her sister"}, {"client": "Ben"}]
