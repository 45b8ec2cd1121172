"""Publishing a folder: which files a feed offers (only its own MP3s), what it leaves out and why, the private path."""

from __future__ import annotations

import concurrent.futures
import os
import stat
from pathlib import Path

import feedparser
import pytest
from mutagen.id3 import ID3, TALB, TIT2, TPE1, TRCK
from typer.testing import CliRunner

from stillpoint import places
from stillpoint.app import publish
from stillpoint.cli import app
from stillpoint.errors import ServeError

from conftest import FAKE_ENGINE, SMALL_PRACTICE

URL = "http://127.0.0.1:8765/private/feed.xml"


@pytest.fixture(scope="module")
def track(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One exported MP3."""
    folder = tmp_path_factory.mktemp("track")
    (folder / "small.txt").write_text(SMALL_PRACTICE)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STILLPOINT_ENGINE", FAKE_ENGINE)
        patch.setenv("STILLPOINT_CACHE", str(folder / "cache"))
        result = CliRunner().invoke(app, ["export", str(folder / "small.txt"), "-o", str(folder / "small.mp3")])
    assert result.exit_code == 0, result.output
    return folder / "small.mp3"


def test_only_the_folders_own_mp3_files_are_published(track: Path, tmp_path: Path) -> None:
    folder, outside = tmp_path / "tracks", tmp_path / "outside"
    folder.mkdir()
    outside.mkdir()
    (folder / "calm.mp3").write_bytes(track.read_bytes())
    (outside / "secret.mp3").write_bytes(track.read_bytes())
    (folder / "linked.mp3").symlink_to(outside / "secret.mp3")
    (folder / ".hidden.mp3").write_bytes(track.read_bytes())
    (folder / "notes.txt").write_text("words")
    (folder / "below").mkdir()
    (folder / "below" / "deeper.mp3").write_bytes(track.read_bytes())
    found = publish.publication(folder, URL)
    assert found.audio == {"calm.mp3": folder / "calm.mp3"}
    assert set(found.documents) == {"feed.xml", "cover.png", "calm.chapters.json", "calm.transcript.vtt"}
    assert b"secret" not in found.documents["feed.xml"].body


def test_a_file_that_is_no_mp3_is_left_out_with_the_reason(track: Path, tmp_path: Path) -> None:
    (tmp_path / "calm.mp3").write_bytes(track.read_bytes())
    (tmp_path / "broken.mp3").write_bytes(b"this is not an mp3 at all" * 100)
    found = publish.publication(tmp_path, URL)
    assert list(found.audio) == ["calm.mp3"]
    ((path, reason),) = found.left_out
    assert path == tmp_path / "broken.mp3" and reason.startswith("cannot be read as an MP3")


def test_a_folder_with_nothing_to_publish_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ServeError, match="holds no MP3 track"):
        publish.publication(tmp_path, URL)
    with pytest.raises(ServeError, match="is not a folder"):
        publish.publication(tmp_path / "missing", URL)


def test_the_private_path_is_the_same_for_a_folder_and_another_for_another(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STILLPOINT_STATE", str(tmp_path / "state"))
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = publish.private_path(tmp_path / "a")
    monkeypatch.chdir(tmp_path)
    assert publish.private_path(Path("a")) == first
    assert publish.private_path(tmp_path / "b") != first
    secret = tmp_path / "state" / places.FEED_SECRET_NAME
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    secret.write_text("damaged")
    assert publish.private_path(tmp_path / "a") != first  # a new secret: new paths, never a failure


def test_a_track_whose_name_is_not_utf8_is_left_out_with_the_reason(track: Path, tmp_path: Path) -> None:
    (tmp_path / "calm.mp3").write_bytes(track.read_bytes())
    odd = tmp_path / os.fsdecode(b"\xff.mp3")
    odd.write_bytes(track.read_bytes())
    found = publish.publication(tmp_path, URL)
    assert list(found.audio) == ["calm.mp3"]
    assert found.left_out == [(odd, "its name is not UTF-8, which no address in a feed can hold (rename it)")]


def test_tags_with_control_characters_and_odd_track_numbers_still_make_a_feed(track: Path, tmp_path: Path) -> None:
    path = tmp_path / "calm.mp3"
    path.write_bytes(track.read_bytes())
    tags = ID3(path)
    for frame in (TIT2(encoding=3, text=["Calm\x01\x1b[2J"]), TPE1(encoding=3, text=["Me\x0b"]),
                  TALB(encoding=3, text=["Show\x00"]), TRCK(encoding=3, text=["\u00b2/3"])):
        tags.add(frame)
    tags.save(path, v2_version=4)
    parsed = feedparser.parse(publish.publication(tmp_path, URL).documents["feed.xml"].body)
    assert not parsed.bozo and parsed.feed.title == "Show"
    assert [(entry.title, entry.author) for entry in parsed.entries] == [("Calm[2J", "Me")]


def test_servers_starting_at_once_share_the_first_secret_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(places.STATE_ENV, str(tmp_path / "state"))
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        paths = set(pool.map(lambda _: publish.private_path(tmp_path / "a"), range(32)))
    assert len(paths) == 1
    assert [entry.name for entry in (tmp_path / "state").iterdir()] == [places.FEED_SECRET_NAME]  # no part left
