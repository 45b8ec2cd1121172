"""Checking a script given as text, and a draft's timeline, as the studio asks for them."""

from __future__ import annotations

from conftest import SMALL_PRACTICE
from stillpoint.app import authoring, reports
from stillpoint.errors import VoiceError
from stillpoint.language import review
from stillpoint.language.timeline import Pace
from stillpoint.voice.catalogue import Voice


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


REVIEWED = """---
title: Evening
voice: {voice}
---
# Arriving
Close your eyes now.
# Closing {{voice: {closing}}}
Feel your feet on the floor, and when you are ready, open your eyes.
"""


def _voices(name: str) -> Voice:
    """A stand-in for the synthesizer's choice of voice: heart speaks English, french and fr French."""
    if name.strip().casefold() not in ("heart", "french", "fr"):
        raise VoiceError(f"unknown voice '{name}'")
    return Voice(name, "engine", "en-us" if name == "heart" else "fr", languages=("en-us",) if name == "heart"
                 else ("fr",))


def test_the_review_comes_only_when_asked_and_counts_under_strict() -> None:
    text = REVIEWED.format(voice="heart", closing="heart")
    assert authoring.check_text(text, "p.txt").diagnostics == ()
    reviewed = authoring.check_text(text, "p.txt", offered=_voices, reviewing=review.Options())
    assert [(d.code, d.severity) for d in reviewed.diagnostics] == [("eyes-closed", "warning"), ("order", "warning")]
    strict = authoring.check_text(text, "p.txt", strict=True, offered=_voices, reviewing=review.Options())
    assert {d.severity for d in strict.diagnostics} == {"error"}


def test_the_review_says_plainly_it_reads_english_only() -> None:
    french = authoring.check_text(REVIEWED.format(voice="french", closing="fr"), "p.txt", strict=True,
                                  offered=_voices, reviewing=review.Options())
    assert [(d.line, d.severity, d.code) for d in french.diagnostics] == [(3, "note", "review"), (7, "note", "review")]
    assert french.diagnostics[0].message == ("the review reads English only: what the voice 'french' speaks (fr) "
                                             "was not reviewed")
    assert french.count("error") == 0
    mixed = authoring.check_text(REVIEWED.format(voice="heart", closing="fr"), "p.txt", offered=_voices,
                                 reviewing=review.Options())
    assert [d.code for d in mixed.diagnostics] == ["eyes-closed", "order", "review"]


def test_findings_as_json_say_their_family_and_their_rewrite() -> None:
    result = authoring.check_text(REVIEWED.format(voice="heart", closing="heart"), "p.txt",
                                  reviewing=review.Options())
    eyes, order = (reports.diagnostic(d) for d in result.diagnostics)
    assert order == {"line": 6, "col": 1, "severity": "warning", "rule": "order", "family": "review",
                     "message": "'Close your eyes' is an order about the eyes; say it as an invitation",
                     "hint": "try: \"If it feels right, close your eyes now.\"",
                     "fix": {"line": 6, "col": 1, "end_line": 6, "end_col": 6, "text": "If it feels right, close"}}
    assert eyes["fix"]["col"] == eyes["fix"]["end_col"] == 21 and eyes["family"] == "review"
    lint_only = authoring.check_text("# A\nHello.\n[soak 3s]\nBye.\n", "p.txt")
    assert reports.diagnostic(lint_only.diagnostics[0])["family"] == "check"


def test_a_draft_is_reviewed_when_asked() -> None:
    text = REVIEWED.format(voice="heart", closing="heart")
    assert authoring.draft(text, "p.txt").result.diagnostics == ()
    assert len(authoring.draft(text, "p.txt", reviewing=review.Options()).result.diagnostics) == 2
