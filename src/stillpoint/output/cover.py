"""Cover art: a calm square PNG made from a practice's title, or the user's own picture, checked."""

from __future__ import annotations

import hashlib
import io
import math
import struct
import zlib
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from stillpoint import inputs
from stillpoint.errors import UsageError

SIZE = 600
MARGIN = 70
FONT_SIZES = (54, 46, 40, 34, 28, 24)
LINE_SPACING = 1.25
TEXT_COLOR = (250, 248, 242)
MAX_COVER_PIXELS = 8000 * 8000  # a 48-megapixel photo fits; Pillow itself warns from about 9500x9500
FONT_FILE = "DejaVuSans.ttf"  # installed almost everywhere and covers most alphabets; Pillow's own is the fallback
NO_GLYPH = "\U0010fffd"  # a private-use character no font draws, to learn what a missing glyph looks like
MAX_DRAWN = 400  # characters of a title drawn: more than the smallest size shows; a longer one is cut
# (top, bottom) colours of the background: dusk, sage, lavender, sand, sea, slate.
PALETTES = (
    ((44, 62, 96), (138, 156, 186)),
    ((56, 84, 72), (156, 182, 160)),
    ((76, 64, 104), (176, 160, 196)),
    ((112, 86, 70), (214, 190, 160)),
    ((30, 78, 96), (128, 180, 188)),
    ((52, 58, 70), (150, 158, 170)),
)


def generated(title: str) -> bytes:
    """A square PNG: a soft gradient chosen by the title, a pale disc, and the title centred on it."""
    top, bottom = PALETTES[hashlib.sha256(title.encode("utf-8", "surrogatepass")).digest()[0] % len(PALETTES)]
    image = Image.fromarray(_gradient(top, bottom), "RGB")
    _disc(image, bottom)
    _title(ImageDraw.Draw(image), title)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def load(path: Path) -> bytes:
    """The bytes of a PNG or JPEG picture file given with --cover; UsageError if it is anything else.

    Only its structure is read, to learn its kind and size: no chunk is inflated and no pixel decoded, and the
    picture is embedded as it is.
    """
    try:
        data = inputs.read_capped(path, inputs.COVER_CAP, "a picture")
    except inputs.InputError as err:
        raise _cover_error(path, err.diagnostic.message) from None
    kind = next((name for magic, name in OTHER_FORMATS if data.startswith(magic) and _is(name, data)), None)
    if kind:
        raise UsageError(f"--cover: a {kind} picture cannot be embedded", path=str(path),
                         hint="convert it to PNG or JPEG")
    try:
        width, height = _png_size(data) if data.startswith(PNG_SIGNATURE) else _jpeg_size(data)
    except ValueError as err:
        raise _cover_error(path, f"cannot be used ({err})") from None
    if width * height > MAX_COVER_PIXELS:
        raise _too_many_pixels(path)
    return data


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_START = b"\xff\xd8"
# The first bytes of pictures a user may well give instead, to name them in the error.
OTHER_FORMATS = (
    (b"GIF8", "GIF"), (b"8BPS", "PSD"), (b"BM", "BMP"), (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"),
    (b"RIFF", "WebP"), (b"\x00\x00\x00", "HEIC"), (b"\x00\x00\x00\x0cjP  ", "JPEG 2000"),
)
JPEG_FRAMES = {*range(0xC0, 0xC4), *range(0xC5, 0xC8), *range(0xC9, 0xCC), *range(0xCD, 0xD0)}  # SOF0-15 but DHT, JPG, DAC
JPEG_BARE = {0x01, *range(0xD0, 0xD8)}  # markers with no length: TEM and RST0-7


def _is(name: str, data: bytes) -> bool:
    """Whether ``data``, starting like a ``name`` file, is one: WebP and HEIC share their start with others."""
    if name == "WebP":
        return data[8:12] == b"WEBP"
    if name == "HEIC":
        return data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1", b"avif", b"msf1", b"hevc")
    return True


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR, after every chunk's length and checksum are checked up to IEND."""
    view, position, size = memoryview(data), len(PNG_SIGNATURE), None
    while True:
        if position + 12 > len(data):
            raise ValueError("the picture is cut off")
        length, kind = struct.unpack_from(">I4s", data, position)
        end = position + 8 + length
        if end + 4 > len(data) or zlib.crc32(view[position + 4:end]) != struct.unpack_from(">I", data, end)[0]:
            raise ValueError("the picture is cut off or damaged")
        if size is None:
            size = _png_header(kind, view[position + 8:end])
        if kind == b"IEND":
            return size
        position = end + 4


def _png_header(kind: bytes, body: memoryview) -> tuple[int, int]:
    """Width and height from the chunk that must come first in a PNG."""
    if kind != b"IHDR" or len(body) != 13:
        raise ValueError("not a readable picture")
    width, height = struct.unpack_from(">II", body)
    if not width or not height:
        raise ValueError("the picture has no pixels")
    return width, height


def _jpeg_size(data: bytes) -> tuple[int, int]:
    """Width and height from a JPEG's frame header, found by stepping over its segments to the scan."""
    if not data.startswith(JPEG_START):
        raise ValueError("not a readable picture")
    position = len(JPEG_START)
    while position + 4 <= len(data) and data[position] == 0xFF:
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte before a marker
            position += 1
        elif marker in JPEG_BARE:
            position += 2
        elif marker in JPEG_FRAMES and position + 9 <= len(data):
            height, width = struct.unpack_from(">HH", data, position + 5)
            if not width or not height:
                raise ValueError("the picture has no pixels")
            return width, height
        elif marker == 0xDA:  # the scan starts: no frame header came before it
            break
        else:
            position += 2 + struct.unpack_from(">H", data, position + 2)[0]
    raise ValueError("the picture is cut off or damaged")


def _cover_error(path: Path, message: str) -> UsageError:
    return UsageError(f"--cover: {message}", path=str(path), hint="give a PNG or JPEG picture")


def _too_many_pixels(path: Path) -> UsageError:
    side = math.isqrt(MAX_COVER_PIXELS)
    return UsageError(f"--cover: the picture has more than {side}x{side} pixels", path=str(path),
                      hint="scale it down; phones show covers of about 1400x1400")


def _gradient(top: tuple[int, int, int], bottom: tuple[int, int, int]) -> np.ndarray:
    """SIZE x SIZE pixels fading from ``top`` to ``bottom``."""
    weights = np.linspace(0.0, 1.0, SIZE)[:, None]
    column = (1 - weights) * np.array(top) + weights * np.array(bottom)
    return np.repeat(column[:, None, :], SIZE, axis=1).round().astype(np.uint8)


def _disc(image: Image.Image, color: tuple[int, int, int]) -> None:
    """A faint, large circle behind the title, like a low sun."""
    veil = Image.new("L", image.size, 0)
    radius, centre = SIZE * 0.34, SIZE / 2
    ImageDraw.Draw(veil).ellipse((centre - radius, centre - radius, centre + radius, centre + radius), fill=60)
    image.paste(Image.new("RGB", image.size, tuple(min(255, c + 40) for c in color)), mask=veil)


def _title(draw: ImageDraw.ImageDraw, title: str) -> None:
    """The title in as large a size as fits, wrapped and centred; a title too long to show is cut."""
    width, height = SIZE - 2 * MARGIN, SIZE - 2 * MARGIN
    shown = title if len(title) <= MAX_DRAWN else title[:MAX_DRAWN] + "…"
    for size in FONT_SIZES:
        font = _font(size)
        lines = _wrapped(draw, _drawable(shown, font), font, width)
        if len(lines) * size * LINE_SPACING <= height:
            break
    room = int(height // (size * LINE_SPACING))
    if len(lines) > room:
        lines = [*lines[: room - 1], lines[room - 1] + "…"]
    top = (SIZE - len(lines) * size * LINE_SPACING) / 2
    for index, line in enumerate(lines):
        y = top + (index + 0.5) * size * LINE_SPACING
        draw.text((SIZE / 2, y), line, font=font, fill=TEXT_COLOR, anchor="mm")


@lru_cache(maxsize=len(FONT_SIZES))
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The title font at ``size`` points."""
    try:
        return ImageFont.truetype(FONT_FILE, size)
    except OSError:
        return ImageFont.load_default(size)


def _drawable(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont) -> str:
    """``text`` without the characters ``font`` has no glyph for, which would show as empty boxes."""
    missing = _glyph(font, NO_GLYPH)
    lacking = {char for char in set(text) if not char.isspace() and _glyph(font, char) == missing}
    return "".join(char for char in text if char not in lacking)


def _glyph(font: ImageFont.FreeTypeFont | ImageFont.ImageFont, char: str) -> tuple[tuple[int, int], bytes]:
    """How ``font`` draws ``char``: the size and pixels of its mask."""
    mask = font.getmask(char)
    return mask.size, bytes(mask)


def _wrapped(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.ImageFont, width: float) -> list[str]:
    """Words of ``text`` filled greedily into lines no wider than ``width``; a longer word is broken up."""
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.extend(_broken(draw, word, font, width))
    return lines


def _broken(draw: ImageDraw.ImageDraw, word: str, font: ImageFont.ImageFont, width: float) -> list[str]:
    """``word`` in pieces that each fit ``width``."""
    pieces = [""]
    for char in word:
        if pieces[-1] and draw.textlength(pieces[-1] + char, font=font) > width:
            pieces.append("")
        pieces[-1] += char
    return pieces
