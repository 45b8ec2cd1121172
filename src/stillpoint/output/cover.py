"""Cover art: a calm square PNG made from a practice's title, or the user's own picture, checked."""

from __future__ import annotations

import hashlib
import io
import math
import warnings
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
COVER_FORMATS = ("PNG", "JPEG")
MAX_COVER_PIXELS = 8000 * 8000  # a 48-megapixel photo fits; Pillow itself warns from about 9500x9500
FONT_FILE = "DejaVuSans.ttf"  # installed almost everywhere and covers most alphabets; Pillow's own is the fallback
NO_GLYPH = "\U0010fffd"  # a private-use character no font draws, to learn what a missing glyph looks like
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
    top, bottom = PALETTES[hashlib.sha256(title.encode()).digest()[0] % len(PALETTES)]
    image = Image.fromarray(_gradient(top, bottom), "RGB")
    _disc(image, bottom)
    _title(ImageDraw.Draw(image), title)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def load(path: Path) -> bytes:
    """The bytes of a PNG or JPEG picture file given with --cover; UsageError if it is anything else.

    Only its header is read to learn its kind and size; the picture is embedded as it is, never decoded.
    """
    try:
        data = inputs.read_capped(path, inputs.COVER_CAP, "a picture")
        kind = _kind_of(data)
    except inputs.InputError as err:
        raise _cover_error(path, err.diagnostic.message) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(path) from None
    except (OSError, SyntaxError) as err:  # Pillow reports damaged pictures as SyntaxError
        raise _cover_error(path, f"cannot be used ({getattr(err, 'strerror', None) or 'not a readable picture'})") \
            from None
    if kind not in COVER_FORMATS:
        raise UsageError(f"--cover: a {kind} picture cannot be embedded", path=str(path),
                         hint="convert it to PNG or JPEG")
    return data


def _kind_of(data: bytes) -> str:
    """The format of the picture in ``data``, checked as far as can be without decoding its pixels."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)  # a warning would print a raw line
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_COVER_PIXELS:
                raise Image.DecompressionBombWarning
            image.verify()
            return image.format


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
    """The title in as large a size as fits, wrapped and centred."""
    width, height = SIZE - 2 * MARGIN, SIZE - 2 * MARGIN
    for size in FONT_SIZES:
        font = _font(size)
        lines = _wrapped(draw, _drawable(title, font), font, width)
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
    return "".join(char for char in text if char.isspace() or _glyph(font, char) != missing)


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
