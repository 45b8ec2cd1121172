"""Cover art: a generated picture from the title, and the checks on a picture given with --cover."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

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
