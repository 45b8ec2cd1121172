"""The podcast feed as `export --feed-url` writes it, read by real podcast parsers (feedparser, gPodder's
podcastparser); its chapters and transcripts checked against what the MP3s themselves hold, read by mutagen."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import feedparser
import mutagen.mp3
import podcastparser
import pytest
from mutagen.id3 import ID3
from typer.testing import CliRunner

from stillpoint.cli import app
from stillpoint.output.feed import feed_guid

from conftest import FAKE_ENGINE, SMALL_PRACTICE

FEED_URL = "https://example.org/calm/feed.xml"
OTHER = SMALL_PRACTICE.replace("title: Small Practice", "title: Second Practice\ncontent-note: the loss of a friend") \
    .replace("# Resting", "# Ending")
runner = CliRunner()


def run(*args: object):
    """Invoke the app as `stillpoint`."""
    return runner.invoke(app, [str(arg) for arg in args], prog_name="stillpoint")


def export_library(folder: Path, *options: object) -> None:
    """Export the two small practices into ``folder`` with a feed at FEED_URL (and ``options``)."""
    result = run("export", folder / "small.txt", folder / "second.txt", "-o", folder / "site", "--feed-url",
                 FEED_URL, "-q", *options)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of two exported tracks with their feed."""
    folder = tmp_path_factory.mktemp("feed")
    (folder / "small.txt").write_text(SMALL_PRACTICE)
    (folder / "second.txt").write_text(OTHER)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STILLPOINT_ENGINE", FAKE_ENGINE)
        patch.setenv("STILLPOINT_CACHE", str(folder / "cache"))
        export_library(folder)
    return folder / "site"


def tracks(site: Path) -> list[Path]:
    """The MP3s of the site, in their track order."""
    return sorted(site.glob("*.mp3"), key=lambda path: ID3(path)["TRCK"].text[0])


def test_export_writes_the_feed_and_what_it_links_beside_the_tracks(site: Path) -> None:
    names = sorted(path.name for path in site.iterdir())
    assert names == ["Second Practice.chapters.json", "Second Practice.mp3", "Second Practice.transcript.vtt",
                     "Small Practice.chapters.json", "Small Practice.mp3", "Small Practice.transcript.vtt",
                     "Stillpoint.m3u8", "cover.png", "feed.xml"]


def test_feedparser_reads_a_podcast_of_the_tracks_in_order(site: Path) -> None:
    parsed = feedparser.parse((site / "feed.xml").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == "Stillpoint" and parsed.feed.itunes_type == "serial"
    assert parsed.feed.image.href == "https://example.org/calm/cover.png"
    assert [entry.title for entry in parsed.entries] == ["Small Practice", "Second Practice"]
    for entry, mp3 in zip(parsed.entries, tracks(site), strict=True):
        (enclosure,) = entry.enclosures
        assert enclosure.href == "https://example.org/calm/" + mp3.name.replace(" ", "%20")
        assert (int(enclosure.length), enclosure.type) == (mp3.stat().st_size, "audio/mpeg")
        assert int(entry.itunes_duration) == round(mutagen.mp3.MP3(mp3).info.length)
        assert entry.summary.endswith("A short practice for tests.")


def test_the_podcasting_2_namespace_marks_a_private_feed_with_chapters_and_transcripts(site: Path) -> None:
    parsed = feedparser.parse((site / "feed.xml").read_bytes())
    assert parsed.feed.podcast_guid == str(feed_guid(FEED_URL))
    assert parsed.feed.podcast_locked == "yes" and parsed.feed.itunes_block == 1  # feedparser reads "yes" as 1
    for entry, mp3 in zip(parsed.entries, tracks(site), strict=True):
        stem = mp3.stem.replace(" ", "%20")
        assert entry.podcast_chapters == {"url": f"https://example.org/calm/{stem}.chapters.json",
                                          "type": "application/json+chapters"}
        assert entry.podcast_transcript["url"] == f"https://example.org/calm/{stem}.transcript.vtt"
        assert entry.podcast_transcript["type"] == "text/vtt"


def test_podcastparser_reads_the_episodes_as_gpodder_would(site: Path) -> None:
    parsed = podcastparser.parse(FEED_URL, io.BytesIO((site / "feed.xml").read_bytes()))
    assert parsed["title"] == "Stillpoint" and parsed["cover_url"] == "https://example.org/calm/cover.png"
    episodes = parsed["episodes"]
    assert [episode["title"] for episode in episodes] == ["Small Practice", "Second Practice"]
    for episode, mp3 in zip(episodes, tracks(site), strict=True):
        (enclosure,) = episode["enclosures"]
        assert (enclosure["file_size"], enclosure["mime_type"]) == (mp3.stat().st_size, "audio/mpeg")
        assert episode["total_time"] == round(mutagen.mp3.MP3(mp3).info.length)
        assert re.fullmatch(r"[0-9a-f-]{36}", episode["guid"])
    assert len({episode["guid"] for episode in episodes}) == 2


def test_the_feed_guid_is_the_uuid_the_podcast_namespace_derives_from_the_url() -> None:
    # The example the Podcasting 2.0 namespace gives for podcast:guid.
    assert str(feed_guid("https://mp3s.nashownotes.com/pc20rss.xml")) == "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    assert feed_guid("http://mp3s.nashownotes.com/pc20rss.xml/") == feed_guid("https://mp3s.nashownotes.com/pc20rss.xml")


def test_the_chapters_document_holds_the_chapters_of_the_mp3(site: Path) -> None:
    for mp3 in tracks(site):
        document = json.loads((site / f"{mp3.stem}.chapters.json").read_text())
        tags = ID3(mp3)
        stored = [tags[f"CHAP:{child}"] for child in tags.getall("CTOC")[0].child_element_ids]
        assert document["version"] == "1.2.0"
        assert [(c["startTime"], c["title"]) for c in document["chapters"]] == [
            (chapter.start_time / 1000, chapter.sub_frames["TIT2"].text[0]) for chapter in stored]


def test_the_transcript_holds_the_spoken_lines_of_the_mp3_where_they_are_spoken(site: Path) -> None:
    for mp3 in tracks(site):
        text = (site / f"{mp3.stem}.transcript.vtt").read_text()
        assert text.startswith("WEBVTT\n")
        cues = re.findall(r"(\d\d):(\d\d):(\d\d)\.(\d{3}) --> [\d:.]+\n(.*)", text)
        tags = ID3(mp3)
        assert [line for *_, line in cues] == tags.getall("USLT")[0].text.split("\n")
        starts = [int(h) * 3600_000 + int(m) * 60_000 + int(s) * 1000 + int(ms) for h, m, s, ms, _ in cues]
        assert starts == [ms for _, ms in tags.getall("SYLT")[0].text]


def test_episode_guids_stay_the_same_when_the_tracks_are_exported_again(site: Path, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    before = [entry.id for entry in feedparser.parse((site / "feed.xml").read_bytes()).entries]
    for name, text in (("small.txt", SMALL_PRACTICE), ("second.txt", OTHER)):
        (tmp_path / name).write_text(text)
    monkeypatch.setenv("STILLPOINT_ENGINE", FAKE_ENGINE)
    monkeypatch.setenv("STILLPOINT_CACHE", str(tmp_path / "cache"))
    export_library(tmp_path)
    export_library(tmp_path, "--force", "--bitrate", "96")
    again = [entry.id for entry in feedparser.parse((tmp_path / "site" / "feed.xml").read_bytes()).entries]
    assert again == before


def test_a_feed_is_not_written_over_existing_files(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "small.txt").write_text(SMALL_PRACTICE)
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "feed.xml").write_text("mine")
    monkeypatch.setenv("STILLPOINT_ENGINE", FAKE_ENGINE)
    result = run("export", tmp_path / "small.txt", "-o", tmp_path / "site", "--feed-url", FEED_URL)
    assert result.exit_code == 1 and "feed.xml" in result.stderr and "--force" in result.stderr
    assert (tmp_path / "site" / "feed.xml").read_text() == "mine"
    assert not list((tmp_path / "site").glob("*.mp3"))  # refused before any work


@pytest.mark.parametrize(("args", "message"), [
    (("--feed-url", FEED_URL), "--feed-url: a feed is written beside a folder of tracks"),
    (("--all", "-o", "site", "--feed-url", "example.org/feed.xml"), "not an http or https address"),
    (("--all", "-o", "site", "--feed-url", "https://example.org/calm.rss"), "the feed is written as feed.xml"),
])
def test_a_feed_url_that_cannot_be_used_is_one_line(fake_engine: Path, small_practice: Path, args: tuple,
                                                    message: str) -> None:
    result = run("export", *(() if "--all" in args else (small_practice,)), *args)
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.splitlines()) == 1


def test_a_content_note_comes_first_in_the_track_s_comment_and_the_episode_s_description(site: Path) -> None:
    small, second = tracks(site)
    assert ID3(small).getall("COMM")[0].text == ["A short practice for tests."]
    assert ID3(second).getall("COMM")[0].text == ["Content note: the loss of a friend. A short practice for tests."]
    entries = {entry.title: entry for entry in feedparser.parse((site / "feed.xml").read_bytes()).entries}
    assert entries["Second Practice"].description == "Content note: the loss of a friend. A short practice for tests."
    assert entries["Small Practice"].description == "A short practice for tests."
