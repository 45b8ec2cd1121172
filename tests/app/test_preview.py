"""Which part of a practice is heard: a section, some lines, or from a line to the end of its section."""

from __future__ import annotations

import pytest

from conftest import SMALL_PRACTICE
from stillpoint.app import preview
from stillpoint.errors import UsageError
from stillpoint.language import script


def _spoken(part: script.Script) -> list[str]:
    return [speech.text for speech in part.speeches()]


def test_a_range_of_lines_is_read_like_the_option() -> None:
    assert preview.line_range(" 10 - 20 ") == (10, 20) and preview.line_range("12") == (12, 12)
    for bad in ("20-10", "0", "a-b", "-3"):
        with pytest.raises(UsageError, match="not a range of lines"):
            preview.line_range(bad)


def test_exactly_one_of_section_and_lines_is_wanted() -> None:
    parsed = script.parse(SMALL_PRACTICE, "small.txt")
    assert _spoken(preview.part(parsed, section="rest")) == ["Rest here.", "Come back when you are ready."]
    for section, lines in ((None, None), ("Resting", (1, 3))):
        with pytest.raises(UsageError, match="say which part"):
            preview.part(parsed, section, lines)


def test_from_a_line_to_the_end_of_its_section() -> None:
    parsed = script.parse(SMALL_PRACTICE, "small.txt")
    assert _spoken(preview.from_line(parsed, 12)) == ["Think of a good friend."]
    assert _spoken(preview.from_line(parsed, 1)) == ["Settle in and let the floor hold you.", "Think of a good friend."]
    assert _spoken(preview.from_line(parsed, 14)) == ["Rest here.", "Come back when you are ready."]
    with pytest.raises(UsageError, match="hold nothing to say"):
        preview.from_line(parsed, 99)
