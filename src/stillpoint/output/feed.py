"""A podcast feed of exported tracks, and the documents it links: chapters as JSON, transcripts as WebVTT.

RSS 2.0 with Apple's iTunes tags, written by feedgen, and the Podcasting 2.0 namespace, which feedgen does not
know: a small extension registered with it adds podcast:guid, podcast:locked, podcast:chapters and
podcast:transcript. Every name is relative to the feed's folder URL, so the same documents serve from
`stillpoint serve` or from any static web host.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from stillpoint.output import sidecars
from stillpoint.output.track import TrackInfo

PODCAST_NAMESPACE = "https://podcastindex.org/namespace/1.0"
# The namespace the Podcasting 2.0 standard fixes for podcast:guid, a UUIDv5 of the feed's URL.
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
FEED_NAME = "feed.xml"
CHAPTERS_SUFFIX = ".chapters.json"
TRANSCRIPT_SUFFIX = ".transcript.vtt"
COVER_STEM = "cover"
CHAPTERS_VERSION = "1.2.0"
RSS_TYPE = "application/rss+xml; charset=utf-8"
CHAPTERS_TYPE = "application/json+chapters"
TRANSCRIPT_TYPE = "text/vtt"
AUDIO_TYPE = "audio/mpeg"
CATEGORY = ("Health & Fitness", "Mental Health")


@dataclass(frozen=True)
class Episode:
    """One track of the feed: its file's name and size, its tags, and when the file was made."""

    name: str
    size: int
    info: TrackInfo
    published: datetime


@dataclass(frozen=True)
class Document:
    """A file of the feed besides the audio: its name beside the tracks, media type and contents."""

    name: str
    media_type: str
    body: bytes


def feed_guid(feed_url: str) -> uuid.UUID:
    """The podcast:guid of a feed: UUIDv5 of its URL without the scheme and trailing slashes."""
    bare = feed_url.split("://", 1)[-1].rstrip("/")
    return uuid.uuid5(PODCAST_GUID_NAMESPACE, bare)


def episode_guid(feed_url: str, episode: Episode) -> str:
    """An episode's GUID: the same for the same file name in the same feed, however often it is exported again."""
    return str(uuid.uuid5(feed_guid(feed_url), episode.name))


def cover_name(cover: bytes) -> str:
    """The file name of the feed's cover picture, by its format."""
    return f"{COVER_STEM}.{'jpg' if _image_type(cover) == 'image/jpeg' else 'png'}"


def chapters_name(episode: Episode) -> str:
    """The name of an episode's chapters document."""
    return _stem(episode.name) + CHAPTERS_SUFFIX


def transcript_name(episode: Episode) -> str:
    """The name of an episode's transcript document."""
    return _stem(episode.name) + TRANSCRIPT_SUFFIX


def documents(episodes: list[Episode], feed_url: str, title: str, cover: bytes) -> list[Document]:
    """The feed itself and every document it links besides the audio: cover, chapters, transcripts."""
    linked = [Document(cover_name(cover), _image_type(cover), cover)]
    for episode in episodes:
        if episode.info.chapters:
            linked.append(Document(chapters_name(episode), CHAPTERS_TYPE, chapters_json(episode.info)))
        if episode.info.lyrics:
            linked.append(Document(transcript_name(episode), TRANSCRIPT_TYPE, transcript_vtt(episode.info)))
    return [Document(FEED_NAME, RSS_TYPE, rss(episodes, feed_url, title, cover)), *linked]


def chapters_json(info: TrackInfo) -> bytes:
    """The track's chapters in the Podcasting 2.0 JSON chapters format."""
    chapters = [{"startTime": round(chapter.start, 3), "endTime": round(chapter.end, 3), "title": chapter.title}
                for chapter in info.chapters]
    return json.dumps({"version": CHAPTERS_VERSION, "chapters": chapters}, ensure_ascii=False, indent=1).encode()


def transcript_vtt(info: TrackInfo) -> bytes:
    """The track's spoken lines as WebVTT captions, each shown until the next line starts (or the track ends)."""
    starts = [start for start, _ in info.lyrics]
    ends = [*starts[1:], max(info.length_seconds, starts[-1] if starts else 0.0)]
    return sidecars.vtt_cues([(start, end, line) for (start, line), end in zip(info.lyrics, ends)]).encode()


def rss(episodes: list[Episode], feed_url: str, title: str, cover: bytes) -> bytes:
    """The RSS document of the feed at ``feed_url``: a private, serial show of ``episodes`` in their order."""
    folder = feed_url.rsplit("/", 1)[0] + "/"
    feed = FeedGenerator()
    feed.load_extension("podcast")
    feed.register_extension("podcast20", _Podcast20Feed, _Podcast20Entry)
    _describe_show(feed, folder, title, cover, episodes)
    feed.podcast20.guid = str(feed_guid(feed_url))
    for episode in episodes:
        _add_episode(feed, folder, feed_url, episode)
    return feed.rss_str(pretty=True)


def _describe_show(feed: FeedGenerator, folder: str, title: str, cover: bytes, episodes: list[Episode]) -> None:
    """The channel: title, link, description, cover, iTunes category, type and the marks of a private feed."""
    authors = sorted({episode.info.artist for episode in episodes if episode.info.artist})
    feed.title(title)
    feed.link(href=folder)
    feed.description(f"{title}: guided meditations exported by Stillpoint.")
    feed.language(_language(episodes[0].info if episodes else None))
    feed.image(url=folder + cover_name(cover), title=title, link=folder)
    feed.podcast.itunes_image(folder + cover_name(cover))
    feed.podcast.itunes_author(", ".join(authors) or "Stillpoint")
    feed.podcast.itunes_category(*CATEGORY)
    feed.podcast.itunes_explicit("no")
    feed.podcast.itunes_type("serial")  # apps list the episodes in order rather than newest first
    feed.podcast.itunes_block(True)  # a private feed: not for Apple's directory


def _add_episode(feed: FeedGenerator, folder: str, feed_url: str, episode: Episode) -> None:
    """One item: title, GUID, enclosure, description, date, duration, number, and its chapters and transcript."""
    info = episode.info
    entry = feed.add_entry(order="append")
    entry.title(info.title)
    entry.guid(episode_guid(feed_url, episode), permalink=False)
    entry.enclosure(folder + quote(episode.name), str(episode.size), AUDIO_TYPE)
    entry.description(info.comment or info.title)
    entry.published(episode.published)
    entry.podcast.itunes_duration(round(info.length_seconds))
    entry.podcast.itunes_author(info.artist or "Stillpoint")
    if info.track:
        entry.podcast.itunes_episode(info.track[0])
    if info.chapters:
        entry.podcast20.chapters = folder + quote(chapters_name(episode))
    if info.lyrics:
        entry.podcast20.transcript = folder + quote(transcript_name(episode))
        entry.podcast20.language = _language(info)


def _language(info: TrackInfo | None) -> str:
    """A track's language as RSS gives it (en), from its ID3 language (eng); English where not known."""
    codes = {"eng": "en", "deu": "de", "fra": "fr", "spa": "es", "ita": "it", "nld": "nl", "por": "pt"}
    return codes.get(info.language if info else "eng", "en")


def _image_type(picture: bytes) -> str:
    """The media type of a PNG or JPEG picture."""
    return "image/jpeg" if picture.startswith(b"\xff\xd8\xff") else "image/png"


def _stem(name: str) -> str:
    """A file name without its last extension."""
    return name.rsplit(".", 1)[0] if "." in name else name


class _Podcast20Feed(BaseExtension):
    """The channel's part of the Podcasting 2.0 namespace: podcast:guid and podcast:locked."""

    def __init__(self) -> None:
        self.guid = ""

    def extend_ns(self) -> dict[str, str]:
        """The prefix and URI of the namespace."""
        return {"podcast": PODCAST_NAMESPACE}

    def extend_rss(self, feed):
        """Add podcast:guid and podcast:locked (yes: no directory may import this feed) to the channel."""
        channel = feed[0]
        _element(channel, "locked", text="yes")
        if self.guid:
            _element(channel, "guid", text=self.guid)
        return feed


class _Podcast20Entry(BaseEntryExtension):
    """An item's part of the Podcasting 2.0 namespace: podcast:chapters and podcast:transcript."""

    def __init__(self) -> None:
        self.chapters = ""
        self.transcript = ""
        self.language = "en"

    def extend_rss(self, entry):
        """Add the links to the item's chapters and transcript, where it has them."""
        if self.chapters:
            _element(entry, "chapters", url=self.chapters, type=CHAPTERS_TYPE)
        if self.transcript:
            _element(entry, "transcript", url=self.transcript, type=TRANSCRIPT_TYPE, language=self.language,
                     rel="captions")
        return entry


def _element(parent, name: str, text: str = "", **attributes: str):
    """A podcast:NAME element under ``parent``."""
    element = xml_elem(f"{{{PODCAST_NAMESPACE}}}{name}", parent)
    if text:
        element.text = text
    for key, value in attributes.items():
        element.attrib[key] = value
    return element

