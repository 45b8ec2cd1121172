"""The pause rule: a line's phrases, the weight and cap of each pause, the rate they are spoken at, and the pauses
that make the line last as long as its rate asks, in whole samples."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stillpoint.audio import SAMPLE_RATE
from stillpoint.language import pacing
from stillpoint.language.pacing import END_CAP, PAUSE_CAP, Phrase, pauses, phrasing, spoken_rate

LINE = "Settle in, and let your breath be easy; nothing to do, nowhere to go."


def test_a_line_is_cut_after_its_commas_and_clause_marks_with_their_weights_and_caps() -> None:
    assert phrasing(LINE) == [
        Phrase("Settle in,", 0.5, PAUSE_CAP),  # a comma after two words: half a full phrase's weight
        Phrase("and let your breath be easy;", 1.5 * 3 / 4, PAUSE_CAP),  # a clause mark, before a 3-word phrase
        Phrase("nothing to do,", 0.75, PAUSE_CAP),
        Phrase("nowhere to go.", 1.0, END_CAP),  # the line's end
    ]


@pytest.mark.parametrize(("text", "expected"), [
    ("Notice the weight of your hands.", [Phrase("Notice the weight of your hands.", 1.0, END_CAP)]),
    ("Bring to mind a friend... someone kind.",
     [Phrase("Bring to mind a friend...", 1.5 * 2 / 4, PAUSE_CAP), Phrase("someone kind.", 1.0, END_CAP)]),
    ("“Be well,” you say - and rest here.",
     [Phrase("“Be well,”", 0.5, PAUSE_CAP), Phrase("you say -", 1.5 * 3 / 4, PAUSE_CAP),  # words as the rate counts them
      Phrase("and rest here.", 1.0, END_CAP)]),
    ("At 3:30, or 1,000 breaths later.", [Phrase("At 3:30,", 0.5, PAUSE_CAP),
                                          Phrase("or 1,000 breaths later.", 1.0, END_CAP)]),
])
def test_only_a_mark_before_another_word_cuts_a_line(text: str, expected: list[Phrase]) -> None:
    assert phrasing(text) == expected


def test_the_time_left_is_shared_by_weight_in_whole_samples() -> None:
    said = phrasing(LINE)  # 14 words at 80 wpm: 10.5 s
    found = pauses(said, [2.0, 2.5, 2.0, 2.0], 80)  # 8.5 s spoken: 2 s to share, by 0.5 : 1.125 : 0.75 : 1
    assert found == [round(2.0 * weight / 3.375 * SAMPLE_RATE) for weight in (0.5, 1.125, 0.75, 1.0)]
    assert all(isinstance(samples, int) for samples in found)


def test_what_a_cap_refuses_goes_to_the_other_pauses() -> None:
    said = [Phrase("one two three four,", 1.0, PAUSE_CAP), Phrase("five six seven eight.", 4.0, END_CAP)]
    found = pauses(said, [0.4, 0.4], 60)  # 8 s asked, 0.8 spoken: the end's share would pass its cap
    assert found == [round(PAUSE_CAP * SAMPLE_RATE), round(END_CAP * SAMPLE_RATE)]  # both capped: short of 8 s


def test_a_line_already_as_slow_as_asked_gets_no_pause() -> None:
    assert pauses(phrasing(LINE), [3.0, 3.0, 3.0, 3.0], 80) == [0, 0, 0, 0]


@given(st.lists(st.floats(0.2, 3.0), min_size=4, max_size=4), st.integers(60, 155))
def test_a_line_lasts_what_its_rate_asks_unless_every_pause_is_capped(seconds: list[float], rate: int) -> None:
    said = phrasing(LINE)
    found = pauses(said, seconds, rate)
    total = sum(seconds) + sum(found) / SAMPLE_RATE
    asked = 14 * 60 / rate
    capped = all(samples == round(phrase.cap * SAMPLE_RATE) for samples, phrase in zip(found, said))
    assert total == pytest.approx(asked, abs=2.5 / SAMPLE_RATE) or capped or sum(seconds) > asked


@pytest.mark.parametrize(("rate", "floor", "expected"), [
    (120, 156, 156),  # the pauses can make up the time: the voice speaks at its floor
    (156, 156, 156),
    (60, 156, 95),  # 14 words in 14 s, the caps hold at most 5.1 s: 8.9 s of speech is 94.4 wpm
    (40, 156, 53),  # 21 s, 15.9 of speech
])
def test_the_voice_slows_below_its_floor_only_when_the_caps_cannot_make_up_the_time(
        rate: int, floor: int, expected: int) -> None:
    assert spoken_rate(LINE, rate, floor) == expected


def test_only_a_rate_below_a_floor_is_paced() -> None:
    assert pacing.paced(120, 156) and not pacing.paced(156, 156) and not pacing.paced(80, 0)
