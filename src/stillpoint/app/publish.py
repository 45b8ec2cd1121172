"""Publishing exported tracks as a private podcast feed: what `serve` offers, and what `export --feed-url` writes
beside the tracks for a static web host. Prints nothing.

Both read the tracks back from the MP3 files (tags, chapters, lyrics, exact length), so a feed says what the files
hold, whichever way it is published.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import stat
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from mutagen import MutagenError

from stillpoint.app.resume import state_folder
from stillpoint.errors import ServeError, UsageError
from stillpoint.output import files
from stillpoint.output.feed import CHAPTERS_SUFFIX, FEED_NAME, TRANSCRIPT_SUFFIX, Document, Episode, cover_name, documents
from stillpoint.output.tags import read_mp3_info

DEFAULT_TITLE = "Stillpoint"
AUDIO_SUFFIX = ".mp3"
SECRET_NAME = "serve-secret"  # in the state folder: makes each folder's private path the same at every start
TOKEN_CHARS = 26  # base32 characters of the path: 130 bits, not to be guessed
SECRET_BYTES = 32
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
URL_UNUSABLE = re.compile(r"[^A-Za-z0-9._~:/?#\[\]@!$&'()*+,;=%-]")  # RFC 3986: anything else must be %-encoded


@dataclass(frozen=True)
class Publication:
    """A feed and everything it links: audio files by name, the other documents by name, and what was left out."""

    feed_url: str
    audio: dict[str, Path]
    documents: dict[str, Document]
    left_out: list[tuple[Path, str]] = field(default_factory=list)


def publication(folder: Path, feed_url: str) -> Publication:
    """The MP3 files in ``folder`` (not below it, none leading outside it) as a feed to be found at ``feed_url``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ServeError("is not a folder", path=str(folder), hint="give the folder you exported the practices into")
    tracks = [path for path in sorted(folder.iterdir()) if _publishable(path)]
    found = published(tracks, feed_url)
    if not found.audio:
        raise ServeError("holds no MP3 track to publish", path=str(folder),
                         hint=f"export some first: stillpoint export --all -o {folder}")
    return found


def published(tracks: list[Path], feed_url: str) -> Publication:
    """These MP3 files as a feed at ``feed_url``; a file that cannot be read as an MP3, or whose name is not UTF-8,
    is left out, with the reason (the texts of its tags are made fit for a feed as they are read)."""
    episodes, audio, left_out = [], {}, []
    for path in tracks:
        if not _is_utf8(path.name):
            left_out.append((path, "its name is not UTF-8, which no address in a feed can hold (rename it)"))
            continue
        try:
            episodes.append(_episode(path))
        except (MutagenError, OSError) as err:
            left_out.append((path, f"cannot be read as an MP3 ({err})"))
            continue
        audio[path.name] = path
    episodes.sort(key=lambda episode: (episode.info.track or (0, 0), episode.name))
    title, cover = _show(episodes)
    linked = documents(episodes, feed_url, title, cover)
    return Publication(feed_url, audio, {document.name: document for document in linked}, left_out)


def feed_url_of(url: str) -> str:
    """The URL of feed.xml for --feed-url: given as that file's URL or as its folder's (ending in /)."""
    if unusable := URL_UNUSABLE.search(url):
        char = "a space" if unusable.group() == " " else f"'{unusable.group()}'"
        raise UsageError(f"--feed-url {url}: {char} cannot stand in an address as it is",
                         hint="write it %-encoded, e.g. %20 for a space")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise UsageError(f"--feed-url {url}: not an http or https address",
                         hint=f"give where {FEED_NAME} will be, e.g. https://example.org/stillpoint/{FEED_NAME}")
    if url.endswith("/"):
        return url + FEED_NAME
    if url.rsplit("/", 1)[-1] != FEED_NAME:
        raise UsageError(f"--feed-url {url}: the feed is written as {FEED_NAME}",
                         hint=f"end the address with /{FEED_NAME}, or with / for its folder")
    return url


def feed_files(tracks: list[Path], cover: bytes | None) -> list[Path]:
    """Every file `export --feed-url` may write beside these tracks, to be checked before any work starts.

    ``cover`` is the one picture all tracks get (--cover), if any; otherwise the show gets a made one, a PNG.
    """
    folder = Path(tracks[0]).parent
    linked = [f"{path.stem}{suffix}" for path in tracks for suffix in (CHAPTERS_SUFFIX, TRANSCRIPT_SUFFIX)]
    return [folder / name for name in (FEED_NAME, cover_name(cover or PNG_SIGNATURE), *linked)]


def write_feed(tracks: list[Path], feed_url: str) -> list[Path]:
    """Write the feed of ``tracks`` and the documents it links beside them (replacing earlier ones); returns them."""
    found = published(tracks, feed_url)
    folder = Path(tracks[0]).parent
    return [files.write_bytes(folder / document.name, document.body, force=True)
            for document in found.documents.values()]


def private_path(folder: Path) -> str:
    """The unguessable first part of the served URLs: the same for a folder at every start, unknown to others."""
    secret = _secret()
    digest = hmac.new(secret, str(Path(folder).resolve()).encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode().lower()[:TOKEN_CHARS]


def open_track(published: Publication, name: str) -> BinaryIO | None:
    """The published track ``name`` opened to be served now, or None unless it is still a regular file in its folder.

    Judged when asked, by what is opened: a link, folder, FIFO or device put in its place since is not served.
    """
    path = published.audio.get(name)
    return files.open_own(path) if path is not None else None


def _secret() -> bytes:
    """This user's serving secret, made on first use (readable by the user alone).

    Read and written without following a link: a link in its place is replaced, and what it points to untouched.
    """
    path = state_folder() / SECRET_NAME
    secret = _read_secret(path)
    if len(secret) != SECRET_BYTES:
        secret = secrets.token_bytes(SECRET_BYTES)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            files.write_own(path, secret.hex().encode())
        except OSError as err:
            raise ServeError(f"cannot keep the secret of the feed's address here ({err.strerror})", path=str(path),
                             hint="move away what stands there, or choose another STILLPOINT_STATE") from None
    return secret


def _read_secret(path: Path) -> bytes:
    """The secret kept at ``path``; none if it is missing, damaged or not a regular file."""
    opened = files.open_own(path)
    if opened is None:
        return b""
    with opened:
        text = opened.read(4 * SECRET_BYTES)
    try:
        return bytes.fromhex(text.decode())
    except ValueError:
        return b""


def _publishable(path: Path) -> bool:
    """An MP3 file of the folder itself: not hidden, a regular file (a link, even to a track, is not one)."""
    if path.name.startswith(".") or path.suffix.lower() != AUDIO_SUFFIX:
        return False
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:  # gone meanwhile
        return False


def _is_utf8(name: str) -> bool:
    """Whether a file name is text: a name that is not UTF-8 comes with lone surrogates standing for its bytes."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _episode(path: Path) -> Episode:
    """An MP3 file as an episode: its tags, size and the time it was written."""
    status = path.stat()
    published_at = datetime.fromtimestamp(status.st_mtime, tz=timezone.utc).replace(microsecond=0)
    return Episode(path.name, status.st_size, read_mp3_info(path), published_at)


def _show(episodes: list[Episode]) -> tuple[str, bytes]:
    """The show's title (the album all tracks share) and cover (the picture all share, else one made for it)."""
    from stillpoint.output import cover as cover_art  # Pillow, only when a show has no common picture

    albums = {episode.info.album for episode in episodes}
    title = albums.pop() if len(albums) == 1 and "" not in albums else DEFAULT_TITLE
    pictures = {episode.info.cover for episode in episodes}
    common = pictures.pop() if len(pictures) == 1 else None
    return title, common or cover_art.generated(title)
