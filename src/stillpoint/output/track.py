"""What an exported track is: the metadata, chapters and spoken lines its tags carry."""

from __future__ import annotations

from dataclasses import dataclass, field

from stillpoint.language.timeline import Chapter


@dataclass(frozen=True)
class TrackInfo:
    """What the tags of an exported track say: metadata, chapters, spoken lines, cover."""

    title: str
    artist: str
    album: str = "Stillpoint"
    genre: str = "Meditation"
    year: str | None = None
    comment: str = ""
    track: tuple[int, int] | None = None
    chapters: list[Chapter] = field(default_factory=list)
    lyrics: list[tuple[float, str]] = field(default_factory=list)
    cover: bytes | None = None
    length_seconds: float = 0.0
    language: str = "eng"
