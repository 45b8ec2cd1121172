"""Checking a script given as text, and a draft's timeline, as the studio asks for them."""

from __future__ import annotations

from conftest import SMALL_PRACTICE
from stillpoint.app import authoring
from stillpoint.language.timeline import Pace


def test_text_is_checked_as_the_file_would_be(small_practice) -> None:
    from_file = authoring.check(str(small_practice))
    from_text = authoring.check_text(SMALL_PRACTICE, str(small_practice))
    assert from_text == from_file
    broken = authoring.check_text(SMALL_PRACTICE.replace("{who}", "{whom}"), "p.txt")
    assert broken.script is None and broken.diagnostics[0].message == "variable {whom} has no value"
    unknown = authoring.check_text(SMALL_PRACTICE, "p.txt", values={"whom": "x"})
    assert unknown.script is None and "no variable {whom}" in unknown.diagnostics[0].message


def test_a_draft_follows_the_pace_and_says_what_lengths_it_can_fit() -> None:
    slow = authoring.draft(SMALL_PRACTICE, "p.txt", Pace(rate=90))
    fast = authoring.draft(SMALL_PRACTICE, "p.txt", Pace(rate=250))
    assert fast.timeline.total < slow.timeline.total and not slow.timeline.exact
    assert slow.fits[0] < slow.timeline.total < slow.fits[1]
    assert authoring.draft("# A\n[paws 1s]\n", "p.txt").timeline is None
