"""ID3v2.4 tags for exported tracks: metadata, cover, chapters and time-synced lyrics."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    SYLT,
    TALB,
    TCON,
    TDRC,
    TIT2,
    TLEN,
    TPE1,
    TRCK,
    USLT,
    CTOCFlags,
    Encoding,
    Frame,
    PictureType,
)
from mutagen.mp3 import MP3
from mutagen.wave import WAVE

from stillpoint.language.timeline import Chapter
from stillpoint.output.track import TrackInfo
from stillpoint.sound.breath import WORDS

Target = Path | BinaryIO
UTF8 = Encoding.UTF8
TOC_ID = "toc"
SYLT_MILLISECONDS = 2
SYLT_LYRICS = 1
CUE_WORDS = frozenset(WORDS.values())  # breath cues are timed with the lyrics, but are not words of the text
# Characters no tag should hold and XML (a feed) cannot: controls but tab and newline, and two non-characters.
UNFIT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")
LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # from a file name that is not UTF-8
COUNT = re.compile(r"\s*\d{1,6}\s*", re.ASCII)  # a track number or total: digits 0-9, at most a million


def _ms(seconds: float) -> int:
    """Whole milliseconds closest to ``seconds``."""
    return int(round(seconds * 1000))


def _basic_frames(info: TrackInfo) -> Iterator[Frame]:
    """Title, artist, album, genre and year."""
    yield TIT2(encoding=UTF8, text=[info.title])
    yield TPE1(encoding=UTF8, text=[info.artist])
    yield TALB(encoding=UTF8, text=[info.album])
    yield TCON(encoding=UTF8, text=[info.genre])
    if info.year:
        yield TDRC(encoding=UTF8, text=[info.year])


def _detail_frames(info: TrackInfo) -> Iterator[Frame]:
    """Comment, track number, length and cover picture, where known."""
    if info.comment:
        yield COMM(encoding=UTF8, lang=info.language, desc="", text=[info.comment])
    if info.track:
        number, total = info.track
        yield TRCK(encoding=UTF8, text=[f"{number}/{total}" if total else str(number)])
    if info.length_seconds > 0:
        yield TLEN(encoding=UTF8, text=[str(_ms(info.length_seconds))])
    if info.cover:
        yield APIC(encoding=UTF8, mime=_mime(info.cover), type=PictureType.COVER_FRONT, desc="Cover", data=info.cover)


def _mime(picture: bytes) -> str:
    """The media type of a PNG or JPEG picture, from its first bytes."""
    return "image/jpeg" if picture.startswith(b"\xff\xd8\xff") else "image/png"


def chapter_ids(chapters: list[Chapter]) -> list[str]:
    """Element ids for the chapters, in their order: ch0, ch1, ... (not shown to listeners, but some taggers do)."""
    return [f"ch{index}" for index in range(len(chapters))]


class _ChaptersInOrder(ID3):
    """An ID3 tag that writes its CHAP frames in time order, after the other frames.

    mutagen writes frames sorted by size, then id, which would shuffle chapters; the ID3 standard leaves the order
    of frames open, but some players take the chapters in the order they are stored.
    """

    def _write(self, config: object) -> bytearray:
        chapters = sorted(self.getall("CHAP"), key=lambda chapter: chapter.start_time)
        self.delall("CHAP")
        try:
            data = super()._write(config)
        finally:
            for chapter in chapters:
                self.add(chapter)
        for chapter in chapters:  # each alone in a tag, which gives its bytes as mutagen writes them
            single = ID3()
            single.add(chapter)
            data += single._write(config)
        return data


def _chapter_frames(chapters: list[Chapter]) -> Iterator[Frame]:
    """One CHAP per chapter and a top-level, ordered CTOC listing them."""
    if not chapters:
        return
    ids = chapter_ids(chapters)
    for element_id, chapter in zip(ids, chapters, strict=True):
        title = TIT2(encoding=UTF8, text=[chapter.title])
        yield CHAP(
            element_id=element_id, start_time=_ms(chapter.start), end_time=_ms(chapter.end), sub_frames=[title]
        )
    flags = CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED
    yield CTOC(element_id=TOC_ID, flags=flags, child_element_ids=ids, sub_frames=[])


def _lyric_frames(info: TrackInfo) -> Iterator[Frame]:
    """All spoken text (USLT) and each line, and each breath cue, at the moment it is heard (SYLT)."""
    if not info.lyrics:
        return
    text = "\n".join(line for _, line in info.lyrics if line not in CUE_WORDS)
    yield USLT(encoding=UTF8, lang=info.language, desc="", text=text)
    synced = [(line, _ms(start)) for start, line in info.lyrics]
    yield SYLT(encoding=UTF8, lang=info.language, format=SYLT_MILLISECONDS, type=SYLT_LYRICS, desc="", text=synced)


def fit_text(text: str) -> str:
    """``text`` as a tag and a feed can hold it: controls left out, a lone surrogate (a byte of a file name that
    is not UTF-8) shown as the replacement character."""
    return UNFIT.sub("", LONE_SURROGATE.sub("\ufffd", text))


def fit_info(info: TrackInfo) -> TrackInfo:
    """``info`` with every text fit for a tag and a feed."""
    return replace(
        info, title=fit_text(info.title), artist=fit_text(info.artist), album=fit_text(info.album),
        genre=fit_text(info.genre), year=fit_text(info.year) if info.year else info.year,
        comment=fit_text(info.comment),
        chapters=[replace(chapter, title=fit_text(chapter.title)) for chapter in info.chapters],
        lyrics=[(start, fit_text(line)) for start, line in info.lyrics],
    )


def write_mp3_tags(target: Target, info: TrackInfo) -> None:
    """Write (or replace) the ID3v2.4 tag at the start of an MP3 file or empty file."""
    info = fit_info(info)
    tags = _ChaptersInOrder()
    for frames in (_basic_frames(info), _detail_frames(info), _chapter_frames(info.chapters), _lyric_frames(info)):
        for frame in frames:
            tags.add(frame)
    tags.save(target, v2_version=4)


def write_wav_tags(target: Target, info: TrackInfo) -> None:
    """Write (or replace) an ID3 chunk with the basic metadata in a finished WAV file."""
    info = fit_info(info)
    wav = WAVE(target)
    if wav.tags is None:
        wav.add_tags()
    wav.tags.clear()
    for frame in _basic_frames(info):
        wav.tags.add(frame)
    wav.save(target, v2_version=4)


def read_mp3_info(path: Path) -> TrackInfo:
    """What an MP3's tags say (Stillpoint's or another tagger's), with the length its Info frame gives; texts are
    made fit for a feed, and a track number that is not one is left out.

    Raises mutagen's errors for a file that is not an MP3 it can read.
    """
    audio = MP3(path)
    tags = audio.tags if audio.tags is not None else ID3()
    chapters = sorted(tags.getall("CHAP"), key=lambda chapter: chapter.start_time)
    synced = tags.getall("SYLT")
    pictures = tags.getall("APIC")
    return fit_info(TrackInfo(
        title=_text(tags, "TIT2") or Path(path).stem,
        artist=_text(tags, "TPE1"),
        album=_text(tags, "TALB"),
        genre=_text(tags, "TCON"),
        year=_text(tags, "TDRC") or None,
        comment=next((str(comment.text[0]) for comment in tags.getall("COMM") if comment.text), ""),
        track=_track_number(_text(tags, "TRCK")),
        chapters=[Chapter(_chapter_title(chapter), chapter.start_time / 1000, chapter.end_time / 1000)
                  for chapter in chapters],
        lyrics=[(ms / 1000, line) for line, ms in synced[0].text] if synced else [],
        cover=pictures[0].data if pictures else None,
        length_seconds=audio.info.length,
    ))


def _text(tags: ID3, frame_id: str) -> str:
    """The first text of a text frame, or ''."""
    frame = tags.get(frame_id)
    return str(frame.text[0]) if frame is not None and frame.text else ""


def _chapter_title(chapter: CHAP) -> str:
    """The title sub-frame of a chapter, or its element id where it has none."""
    title = chapter.sub_frames.get("TIT2")
    return str(title.text[0]) if title is not None and title.text else chapter.element_id


def _track_number(text: str) -> tuple[int, int] | None:
    """(number, total) from a TRCK text such as '2/7' or '2' (total 0 when not given); None for anything else."""
    number, _, total = text.partition("/")
    if not COUNT.fullmatch(number):
        return None
    return int(number), int(total) if COUNT.fullmatch(total) else 0
