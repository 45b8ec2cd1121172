"""Cover art: a generated picture from the title, and the checks on a picture given with --cover."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from reliability import inflating, png_with_chunk, psd
from stillpoint.errors import UsageError
from stillpoint.output import cover

TITLE = "Taking in the Love of a Benefactor"


def picture(data: bytes) -> Image.Image:
    """Decoded image bytes."""
    return Image.open(io.BytesIO(data))


def saved(tmp_path: Path, name: str, fmt: str) -> Path:
    """A small picture file in format ``fmt``."""
    path = tmp_path / name
    Image.new("RGB", (16, 16), (90, 120, 150)).save(path, format=fmt)
    return path


def test_generated_cover_is_a_square_png() -> None:
    image = picture(cover.generated(TITLE))
    assert image.format == "PNG" and image.size == (cover.SIZE, cover.SIZE) and image.mode == "RGB"


def test_the_same_title_gives_the_same_bytes_and_another_title_other_ones() -> None:
    assert cover.generated(TITLE) == cover.generated(TITLE)
    assert cover.generated(TITLE) != cover.generated("Hand on the Heart")


def test_the_title_is_drawn_in_the_middle_and_the_corners_stay_plain() -> None:
    pixels = np.asarray(picture(cover.generated(TITLE)), dtype=float)
    middle = pixels[200:400, 100:500]
    corner = pixels[:60, :60]
    assert middle.max() >= 240  # near-white letters
    assert corner.std(axis=(0, 1)).max() < 3  # a smooth gradient, nothing written


def test_the_background_fades_from_top_to_bottom() -> None:
    pixels = np.asarray(picture(cover.generated(TITLE)), dtype=float)
    assert abs(pixels[5, 5].mean() - pixels[-5, 5].mean()) > 30


@pytest.mark.parametrize("title", ["", "a" * 300, "word " * 100, "Körper — Atem", "休息 🌿"])
def test_any_title_gives_a_picture(title: str) -> None:
    assert picture(cover.generated(title)).size == (cover.SIZE, cover.SIZE)


def test_characters_the_font_lacks_are_left_out_rather_than_drawn_as_boxes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cover, "PALETTES", cover.PALETTES[:1])
    assert cover.generated("Calm \U0010fffd") == cover.generated("Calm")
    assert cover.generated("Calm \U0010fffd") != cover.generated("Calm Calm")


@pytest.mark.parametrize("unit", ["calm ", "a", "a\u0301"], ids=["words", "one-word", "combining-marks"])
def test_only_the_start_of_a_very_long_title_is_drawn(monkeypatch: pytest.MonkeyPatch, unit: str) -> None:
    monkeypatch.setattr(cover, "PALETTES", cover.PALETTES[:1])
    title = unit * (1_000_000 // len(unit))
    assert cover.generated(title) == cover.generated(title[:cover.MAX_DRAWN] + "…")


@pytest.mark.parametrize(("name", "fmt"), [("art.png", "PNG"), ("art.jpg", "JPEG")])
def test_a_png_or_jpeg_cover_is_used_as_it_is(tmp_path: Path, name: str, fmt: str) -> None:
    path = saved(tmp_path, name, fmt)
    assert cover.load(path) == path.read_bytes()


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such file"), (b"", "cannot be used"), (b"not a picture at all", "cannot be used")],
    ids=["missing", "empty", "text"],
)
def test_unusable_cover_files_are_clear_usage_errors(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "cover.png"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(UsageError, match=message) as caught:
        cover.load(path)
    assert caught.value.diagnostic.path == str(path) and "PNG or JPEG" in caught.value.diagnostic.hint


def test_a_cut_off_png_is_refused(tmp_path: Path) -> None:
    whole = saved(tmp_path, "whole.png", "PNG").read_bytes()
    path = tmp_path / "cut.png"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(UsageError, match="cannot be used"):
        cover.load(path)


def test_other_picture_formats_are_refused_with_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="GIF picture cannot be embedded") as caught:
        cover.load(saved(tmp_path, "art.gif", "GIF"))
    assert "PNG or JPEG" in caught.value.diagnostic.hint


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="--cover: is a folder, not a picture"):
        cover.load(tmp_path)


@pytest.mark.parametrize(("kind", "body"), [
    (b"zTXt", b"Comment\x00\x00" + inflating(64 * 2**20)),
    (b"iCCP", b"icc\x00\x00" + inflating(64 * 2**20)),
    (b"tEXt", b"Comment\x00" + b"calm " * 1_000_000),
], ids=["zTXt", "iCCP", "tEXt"])
def test_a_png_with_a_large_ancillary_chunk_is_embedded_as_it_is_without_inflating_it(tmp_path: Path, kind: bytes,
                                                                                       body: bytes) -> None:
    path = png_with_chunk(tmp_path / "art.png", kind, body)
    assert cover.load(path) == path.read_bytes()


@pytest.mark.parametrize("layers", [0, 30_000, -5])
def test_a_photoshop_file_is_refused_from_its_first_bytes(tmp_path: Path, layers: int) -> None:
    with pytest.raises(UsageError, match="a PSD picture cannot be embedded"):
        cover.load(psd(tmp_path / "art.psd", layers=layers))


def test_a_png_whose_chunk_is_damaged_is_refused(tmp_path: Path) -> None:
    data = bytearray(saved(tmp_path, "whole.png", "PNG").read_bytes())
    data[40] ^= 0xFF
    (tmp_path / "damaged.png").write_bytes(data)
    with pytest.raises(UsageError, match="cut off or damaged"):
        cover.load(tmp_path / "damaged.png")


@pytest.mark.parametrize(("size", "fits"), [((8000, 8000), True), ((8001, 8000), False), ((65535, 65535), False)])
def test_a_jpeg_is_measured_from_its_frame_header(tmp_path: Path, size: tuple[int, int], fits: bool) -> None:
    data = bytearray(saved(tmp_path, "small.jpg", "JPEG").read_bytes())
    frame = data.index(b"\xff\xc0")
    data[frame + 5:frame + 9] = struct.pack(">HH", size[1], size[0])
    (tmp_path / "big.jpg").write_bytes(data)
    if fits:
        assert cover.load(tmp_path / "big.jpg") == bytes(data)
    else:
        with pytest.raises(UsageError, match="more than 8000x8000 pixels"):
            cover.load(tmp_path / "big.jpg")


def test_a_jpeg_cut_off_before_its_frame_header_is_refused(tmp_path: Path) -> None:
    data = saved(tmp_path, "whole.jpg", "JPEG").read_bytes()
    (tmp_path / "cut.jpg").write_bytes(data[:data.index(b"\xff\xc0")])
    with pytest.raises(UsageError, match="cut off or damaged"):
        cover.load(tmp_path / "cut.jpg")
