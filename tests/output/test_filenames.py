"""File names made from titles: golden cases, byte limits, reserved names, and names kept apart."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stillpoint.output.filenames import FALLBACK, MAX_BYTES, safe_name, unique_names

GOLDEN = [
    ("Taking in the Love of a Benefactor", "Taking in the Love of a Benefactor"),
    ("../../etc", "etc"),
    ("../../etc/passwd", "etc passwd"),
    ("..\\..\\Windows\\System32", "Windows System32"),
    ("/absolute/path", "absolute path"),
    ("Body scan: 10 <minutes>?", "Body scan 10 minutes"),
    ('Say "yes" | no * maybe', "Say yes no maybe"),
    ("Calm 🌿 Breath", "Calm 🌿 Breath"),
    ("👨‍👩‍👧 Family", "👨‍👩‍👧 Family"),
    ("Tabs\tand\nnew lines", "Tabs and new lines"),
    ("right\u202eto-left trick", "rightto-left trick"),
    ("Cafe\u0301", "Café"),
    ("  ...hidden and trailing...  ", "hidden and trailing"),
    ("CON", "CON_"),
    ("con", "con_"),
    ("Aux.practice", "Aux_.practice"),
    ("NUL ", "NUL_"),
    ("COM1", "COM1_"),
    ("LPT9", "LPT9_"),
    ("Console", "Console"),
    ("", FALLBACK),
    ("   ", FALLBACK),
    ("...", FALLBACK),
    ("/", FALLBACK),
    ("???", FALLBACK),
]
REJECTED_BY_PHONES = set('<>:"/\\|?*') | {chr(code) for code in range(32)} | {"\x7f"}


@pytest.mark.parametrize(("title", "expected"), GOLDEN, ids=[repr(title) for title, _ in GOLDEN])
def test_golden_names(title: str, expected: str) -> None:
    assert safe_name(title) == expected


def test_a_300_character_title_is_cut_to_the_byte_limit_at_a_word() -> None:
    name = safe_name("Loving kindness " * 19)
    assert len(name.encode()) <= MAX_BYTES
    assert name.startswith("Loving kindness Loving") and not name.endswith(" ")


@pytest.mark.parametrize("unit", ["é", "休", "🌿", "👍🏽", "🇩🇪", "e\u0301\u0323", "👨‍👩‍👧"])
def test_long_titles_are_cut_between_whole_characters(unit: str) -> None:
    name = safe_name(unit * 300)
    whole = unicodedata.normalize("NFC", unit)
    assert 0 < len(name.encode()) <= MAX_BYTES
    assert name == whole * (len(name) // len(whole))


def test_duplicates_are_numbered_ignoring_case() -> None:
    assert unique_names(["Calm", "calm", "Rest", "CALM", "Calm (2)"]) == [
        "Calm", "calm (2)", "Rest", "CALM (3)", "Calm (2) (2)"
    ]


def test_numbered_duplicates_of_long_names_stay_within_the_limit() -> None:
    long = safe_name("x" * 300)
    first, second = unique_names([long, long])
    assert first == long and second.endswith(" (2)")
    assert len(second.encode()) <= MAX_BYTES


@given(st.text(max_size=400))
def test_any_title_gives_a_name_every_file_system_accepts(title: str) -> None:
    name = safe_name(title)
    assert name and len(name.encode()) <= MAX_BYTES
    assert not set(name) & REJECTED_BY_PHONES
    assert name not in (".", "..") and not name.startswith(".") and not name.endswith((".", " "))
    assert name.split(".")[0].upper() not in ("CON", "PRN", "AUX", "NUL", "COM1", "LPT1")


@given(st.lists(st.sampled_from(["Calm", "calm", "CALM", "Rest", "x" * 119]), max_size=12))
def test_unique_names_never_collide(names: list[str]) -> None:
    result = unique_names(names)
    assert len({name.casefold() for name in result}) == len(result)
    assert all(len(name.encode()) <= MAX_BYTES for name in result)
