"""ID3v2.4 tags of exported tracks: metadata, cover, chapters in file order, lyrics."""

import io
import json
import shutil
import subprocess
import wave
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mutagen.id3 import ID3, TALB, TIT2, TRCK, CTOCFlags, Encoding, PictureType
from mutagen.wave import WAVE
from PIL import Image

from stillpoint.audio import SAMPLE_RATE
from stillpoint.language.timeline import Chapter
from stillpoint.output.export import export_track
from stillpoint.output.tags import read_mp3_info, write_mp3_tags, write_wav_tags
from stillpoint.output.track import TrackInfo

# Titles ordered so that sorting frames by size (what mutagen does) would shuffle them.
TITLES = ["Arriving in the body, slowly", "Breath", "Körper — Atem", "The benefactor", "Ä"]
CHAPTERS = [Chapter(title, 12.5 * index, 12.5 * (index + 1)) for index, title in enumerate(TITLES)]
LENGTH = 12.5 * len(TITLES)
LYRICS = [(1.25, "Find a comfortable position."), (14.0, "Let the breath be easy."), (40.5, "Rest here. 休息")]


def png_cover() -> bytes:
    """A small PNG image."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (40, 90, 120)).save(buffer, format="PNG")
    return buffer.getvalue()


COVER = png_cover()
INFO = TrackInfo(
    title="Taking in the Love of a Benefactor",
    artist="Stillpoint",
    year="2024",
    comment="Adapted from a practice by Linda Graham",
    track=(2, 7),
    chapters=CHAPTERS,
    lyrics=LYRICS,
    cover=COVER,
    length_seconds=LENGTH,
)


def quiet_pcm(seconds: float) -> bytes:
    """A soft tone as internal PCM."""
    n = np.arange(int(seconds * SAMPLE_RATE))
    return (1000 * np.sin(2 * np.pi * 220 * n / SAMPLE_RATE)).astype("<i2").tobytes()


@pytest.fixture(scope="module")
def mp3(tmp_path_factory):
    """A tagged MP3 as exported."""
    dest = tmp_path_factory.mktemp("tags") / "benefactor.mp3"
    return export_track([quiet_pcm(LENGTH)], dest, "mp3", INFO)


def syncsafe(data: bytes) -> int:
    """An ID3v2.4 size: 7 bits per byte."""
    return sum(byte << (7 * (3 - i)) for i, byte in enumerate(data))


def raw_frames(data: bytes) -> list[tuple[str, bytes]]:
    """Top-level frames of an ID3v2.4 tag, in the order they are stored."""
    assert data[:3] == b"ID3" and data[3] == 4
    end, position, frames = 10 + syncsafe(data[6:10]), 10, []
    while position + 10 <= end and data[position : position + 4] != b"\0\0\0\0":
        size = syncsafe(data[position + 4 : position + 8])
        frames.append((data[position : position + 4].decode(), data[position + 10 : position + 10 + size]))
        position += 10 + size
    return frames


def raw_chapters(data: bytes) -> list[tuple[str, int]]:
    """(element id, start ms) of each CHAP frame, in file order."""
    found = []
    for frame_id, body in raw_frames(data):
        if frame_id == "CHAP":
            element_id, _, rest = body.partition(b"\0")
            found.append((element_id.decode("latin-1"), int.from_bytes(rest[:4], "big")))
    return found


def test_metadata_frames(mp3):
    tags = ID3(mp3)
    assert tags.version == (2, 4, 0)
    texts = {key: tags[key].text for key in ("TIT2", "TPE1", "TALB", "TCON", "TRCK", "TLEN")}
    assert texts == {
        "TIT2": [INFO.title],
        "TPE1": ["Stillpoint"],
        "TALB": ["Stillpoint"],
        "TCON": ["Meditation"],
        "TRCK": ["2/7"],
        "TLEN": [str(int(LENGTH * 1000))],
    }
    assert str(tags["TDRC"].text[0]) == "2024"
    assert tags.getall("COMM")[0].text == [INFO.comment]


def test_cover_is_a_front_cover_png(mp3):
    (picture,) = ID3(mp3).getall("APIC")
    assert (picture.mime, picture.type, picture.data) == ("image/png", PictureType.COVER_FRONT, COVER)


def test_chap_frames_are_stored_in_chronological_order(mp3):
    stored = raw_chapters(mp3.read_bytes())
    assert [start for _, start in stored] == [int(chapter.start * 1000) for chapter in CHAPTERS]
    tags = ID3(mp3)
    titles = [tags[f"CHAP:{element_id}"].sub_frames["TIT2"].text[0] for element_id, _ in stored]
    assert titles == TITLES


def test_chapter_times_and_titles(mp3):
    chaps = sorted(ID3(mp3).getall("CHAP"), key=lambda chap: chap.start_time)
    found = [(chap.sub_frames["TIT2"].text[0], chap.start_time, chap.end_time) for chap in chaps]
    assert found == [(c.title, int(c.start * 1000), int(c.end * 1000)) for c in CHAPTERS]


def test_ctoc_is_a_top_level_ordered_list_of_the_chapters_in_order(mp3):
    tags = ID3(mp3)
    (toc,) = tags.getall("CTOC")
    assert toc.flags & CTOCFlags.TOP_LEVEL and toc.flags & CTOCFlags.ORDERED
    assert list(toc.child_element_ids) == [element_id for element_id, _ in raw_chapters(mp3.read_bytes())]
    assert list(toc.child_element_ids) == [f"ch{index}" for index in range(len(CHAPTERS))]  # plain, unpadded
    starts = [tags[f"CHAP:{child}"].start_time for child in toc.child_element_ids]
    assert starts == sorted(starts) and len(starts) == len(CHAPTERS)


def test_lyrics_hold_every_spoken_line(mp3):
    (lyrics,) = ID3(mp3).getall("USLT")
    assert lyrics.text == "\n".join(line for _, line in LYRICS)


def test_synced_lyrics_put_each_line_at_its_moment_in_milliseconds(mp3):
    (synced,) = ID3(mp3).getall("SYLT")
    assert synced.format == 2 and synced.type == 1
    assert synced.encoding in (Encoding.UTF8, Encoding.UTF16)
    assert synced.text == [(line, int(start * 1000)) for start, line in LYRICS]


@pytest.mark.skipif(shutil.which("ffprobe") is None, reason="ffprobe is not installed")
def test_ffprobe_lists_the_chapters_in_order(mp3):
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_chapters", "-of", "json", str(mp3)], capture_output=True, check=True
    )
    chapters = json.loads(probe.stdout)["chapters"]
    found = [(c["tags"]["title"], float(c["start_time"]), float(c["end_time"])) for c in chapters]
    assert found == [(c.title, c.start, c.end) for c in CHAPTERS]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40), max_size=15))
def test_chapters_stay_in_order_whatever_their_titles(titles):
    chapters = [Chapter(title, float(index), index + 1.0) for index, title in enumerate(titles)]
    buffer = io.BytesIO()
    write_mp3_tags(buffer, TrackInfo("T", "A", chapters=chapters, lyrics=LYRICS))
    assert [start for _, start in raw_chapters(buffer.getvalue())] == [index * 1000 for index in range(len(titles))]


def test_optional_frames_are_left_out_when_there_is_nothing_to_say():
    buffer = io.BytesIO()
    write_mp3_tags(buffer, TrackInfo("Plain", "Someone"))
    stored = {frame_id for frame_id, _ in raw_frames(buffer.getvalue())}
    assert stored == {"TIT2", "TPE1", "TALB", "TCON"}


def test_tagging_an_already_tagged_file_replaces_the_tag(mp3, tmp_path):
    copy = tmp_path / "copy.mp3"
    shutil.copy(mp3, copy)
    write_mp3_tags(copy, TrackInfo("Renamed", "Someone"))
    tags = ID3(copy)
    assert tags["TIT2"].text == ["Renamed"] and not tags.getall("CHAP")


def test_wav_export_carries_an_id3_chunk_and_stays_readable(tmp_path):
    pcm = quiet_pcm(2.0)
    dest = export_track([pcm], tmp_path / "benefactor.wav", "wav", INFO)
    tags = WAVE(dest).tags
    found = [tags[key].text[0] for key in ("TIT2", "TPE1", "TALB", "TCON")]
    assert found == [INFO.title, "Stillpoint", "Stillpoint", "Meditation"]
    with wave.open(str(dest), "rb") as wav:
        assert wav.readframes(wav.getnframes()) == pcm


def test_wav_tags_can_be_rewritten(tmp_path):
    dest = export_track([quiet_pcm(1.0)], tmp_path / "a.wav", "wav", INFO)
    write_wav_tags(dest, TrackInfo("Second", "Other"))
    tags = WAVE(dest).tags
    assert tags["TIT2"].text == ["Second"] and tags["TPE1"].text == ["Other"]
    assert "TDRC" not in tags  # the earlier year went with the earlier tag


UNFIT = "\x00\x01\x08\x0b\x0c\x1b[31m\x7f\x85\x9b\ufffe\uffff"


def test_controls_and_the_bytes_of_a_name_that_is_not_utf8_never_reach_the_tags(tmp_path):
    info = replace(INFO, title=f"Calm{UNFIT} \udcff now", artist="A\x1b", album="Al\x0cbum", genre="M\x00",
                   comment="c\x07", chapters=[Chapter("Ch\x01", 0.0, LENGTH)], lyrics=[(1.0, "Re\x02st.")])
    dest = export_track([quiet_pcm(LENGTH)], tmp_path / "calm.mp3", "mp3", info)
    read = read_mp3_info(dest)
    assert (read.title, read.artist, read.album, read.genre, read.comment) == (
        "Calm[31m \ufffd now", "A", "Album", "M", "c")
    assert [chapter.title for chapter in read.chapters] == ["Ch"] and read.lyrics == [(1.0, "Rest.")]


@pytest.mark.parametrize(("written", "number"), [
    ("2/7", (2, 7)), ("2", (2, 0)), (" 3 / 9 ", (3, 9)), ("4/x", (4, 0)), ("\u00b2/3", None), ("\u0663", None),
    ("-3/2", None), ("9" * 5000, None), ("1e5", None), ("", None),
], ids=["number-and-total", "number", "spaces", "odd-total", "superscript", "arabic-digit", "negative", "huge",
        "float", "empty"])
def test_a_track_number_is_read_only_when_it_is_one(tmp_path, written, number):
    dest = export_track([quiet_pcm(1.0)], tmp_path / "calm.mp3", "mp3", replace(INFO, track=None))
    tags = ID3(dest)
    tags.add(TRCK(encoding=Encoding.UTF8, text=[written]))
    tags.save(dest, v2_version=4)
    assert read_mp3_info(dest).track == number


def test_tags_read_from_another_tagger_are_made_fit_for_a_feed(mp3, tmp_path):
    dest = tmp_path / "other.mp3"
    shutil.copy(mp3, dest)
    tags = ID3(dest)
    tags.add(TIT2(encoding=Encoding.UTF8, text=["bad\x01title\x1b[31m"]))
    tags.add(TALB(encoding=Encoding.UTF16, text=["al\x0cbum"]))
    tags.save(dest, v2_version=4)
    read = read_mp3_info(dest)
    assert (read.title, read.album) == ("badtitle[31m", "album")
