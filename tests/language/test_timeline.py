"""Timing: gaps, marker lengths, bells, pace overrides, pronunciations, length fitting. Strings only."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stillpoint.errors import ScriptError, UsageError
from stillpoint.language import script, timeline
from stillpoint.language.script import MAX_PRACTICE_SECONDS
from stillpoint.language.sentences import PIECE_CHARACTERS
from stillpoint.language.timeline import Pace, Pronunciations, Utterance

SOURCE = """---
title: Timing
rate: 100
breath: 5s
---
# One
First sentence. Second sentence.

New paragraph.
[pause]
[breathe 2]
# Two {rate: 80}
Soak in it.
[soak 20s]
[bell]
"""


def kinds_and_lengths(tl: timeline.Timeline) -> list[tuple[str, float]]:
    """Each event as (kind, duration) for easy comparison."""
    return [(e.kind, round(e.duration, 3)) for e in tl.events]


def fixed_lengths(parsed: script.Script, seconds: float = 2.0) -> dict[Utterance, float]:
    """Pretend every utterance lasts ``seconds``."""
    return {u: seconds for u in timeline.utterances(parsed)}


def test_plan_lays_out_gaps_markers_and_bells_in_order() -> None:
    parsed = script.parse(SOURCE)
    tl = timeline.plan(parsed, durations=fixed_lengths(parsed))
    assert kinds_and_lengths(tl) == [
        ("bell", 7.0), ("speech", 2.0), ("gap", 0.8), ("speech", 2.0), ("gap", 2.0), ("speech", 2.0),
        ("pause", 5.0), ("breathe", 10.0), ("speech", 2.0), ("soak", 20.0), ("bell", 7.0),
    ]
    assert tl.exact and tl.total == pytest.approx(59.8)


def test_events_follow_each_other_without_holes() -> None:
    parsed = script.parse(SOURCE)
    tl = timeline.plan(parsed, durations=fixed_lengths(parsed, 1.2345))
    for before, after in zip(tl.events, tl.events[1:]):
        assert after.start == pytest.approx(before.end, abs=1e-6)


def test_speech_between_sections_gets_a_section_gap() -> None:
    parsed = script.parse("# A\nOne.\n# B\nTwo.")
    tl = timeline.plan(parsed, Pace(bells=False), fixed_lengths(parsed))
    assert kinds_and_lengths(tl) == [("speech", 2.0), ("gap", timeline.SECTION_GAP), ("speech", 2.0)]


def test_section_settings_reach_the_utterances_and_override_the_pace() -> None:
    parsed = script.parse(SOURCE)
    rates = [u.rate for u in timeline.utterances(parsed, Pace(rate=130, voice="en-gb"))]
    assert rates == [130, 130, 130, 80]
    assert {u.voice for u in timeline.utterances(parsed, Pace(voice="en-gb"))} == {"en-gb"}


def test_utterances_carry_the_line_that_chose_their_voice() -> None:
    parsed = script.parse("---\ntitle: T\nvoice: en-gb\n---\n# A\nOne.\n# B {voice: en-us}\nTwo.\n")
    assert [(u.voice, u.voice_line) for u in timeline.utterances(parsed, Pace())] == [("en-gb", 3), ("en-us", 7)]
    assert {u.voice_line for u in timeline.utterances(parsed, Pace(voice="fr"))} == {0}  # chosen on the command line
    assert [u.voice_line for u in timeline.utterances(script.parse("# A\nOne.\n"), Pace())] == [0]  # the default


def test_utterances_carry_the_script_line() -> None:
    parsed = script.parse(SOURCE, "timing.txt")
    assert [(u.path, u.line) for u in timeline.utterances(parsed)] == [
        ("timing.txt", 7), ("timing.txt", 7), ("timing.txt", 9), ("timing.txt", 13)]


def test_without_bells_the_bell_marker_keeps_its_time_as_silence() -> None:
    parsed = script.parse(SOURCE)
    tl = timeline.plan(parsed, Pace(bells=False), fixed_lengths(parsed))
    assert [e.kind for e in tl.events][-1] == "pause"
    assert "bell" not in [e.kind for e in tl.events]
    assert tl.events[-1].duration == timeline.BELL_SECONDS


def test_missing_durations_are_estimated_and_the_plan_says_so() -> None:
    tl = timeline.plan(script.parse("One two three four five six seven eight nine ten."), Pace(bells=False))
    assert not tl.exact
    assert tl.total == pytest.approx(10 * 60 / script.DEFAULT_RATE + 0.4)


def test_pronunciations_change_what_is_said_but_not_the_caption() -> None:
    parsed = script.parse("---\npronounce:\n  oxytocin: ok-see-TOE-sin\n---\nOxytocin flows.")
    tl = timeline.plan(parsed, Pace(bells=False, lexicon=(("flows", "flowz"),)))
    assert tl.events[0].text == "Oxytocin flows."
    assert tl.events[0].utterance.text == "ok-see-TOE-sin flowz."


def respelled(table: dict[str, str], text: str) -> str:
    """``text`` with ``table``'s respellings, compiled for it alone."""
    return Pronunciations.compile(table, [text]).apply(text)


def one_by_one(table: dict[str, str], text: str) -> str:
    """The plain way: one alternative per word, longest first, tried in turn at every place."""
    if not table:
        return text
    words = "|".join(re.escape(word) for word in sorted(table, key=len, reverse=True))
    return re.sub(r"\b(" + words + r")\b", lambda match: table[match.group(0).lower()], text, flags=re.IGNORECASE)


PIECES = ["a", "b", "ab", "ba", "-", "'", " ", "A", "B"]
WORDS = st.lists(st.sampled_from(PIECES), min_size=1, max_size=4).map("".join).map(str.lower).map(str.strip).filter(
    bool)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.dictionaries(WORDS, st.sampled_from(["X", "Y Z"]), max_size=8),
       st.lists(st.sampled_from([*PIECES, "."]), max_size=20).map("".join))
def test_respellings_find_the_longest_word_at_each_place_as_plain_alternatives_do(table: dict[str, str],
                                                                                 text: str) -> None:
    assert respelled(table, text) == one_by_one(table, text)


def test_a_chain_of_words_each_the_start_of_the_next_finds_the_longest() -> None:
    table = {"a" * n: str(n) for n in range(1, timeline.MAX_RESPELLED + 1)}
    assert respelled(table, "a aaa " + "a" * 100 + " " + "a" * 101) == "1 3 100 " + "a" * 101


def test_a_word_longer_than_the_limit_is_never_looked_for() -> None:
    long_word = "a" * (timeline.MAX_RESPELLED + 1)
    assert respelled({long_word: "x", "b": "y"}, f"{long_word} b") == f"{long_word} y"


def test_a_letter_that_only_matches_in_another_case_keeps_the_word_as_written() -> None:
    # re's IGNORECASE takes the long s for an s and the Kelvin sign for a K; lower() of either is no entry
    assert respelled({"sun": "sahn", "kind": "kaind"}, "The \u017fun is \u212aind, the Sun kind.") == (
        "The \u017fun is kaind, the sahn kaind.")


def test_only_the_words_a_text_could_hold_are_compiled() -> None:
    table = {f"word{n}": "x" for n in range(100_000)} | {"rest": "rrest", "let go": "lett go", "-ish": "ish"}
    compiled = Pronunciations.compile(table, ["Rest, let it go.", "Let go."])
    assert len(compiled.pattern.pattern) < 100
    assert compiled.apply("Let go and rest, warm-ish.") == "lett go and rrest, warmish."
    assert Pronunciations.compile(table, ["Nothing here."]).pattern.pattern == r"\b(\-ish)\b"


def test_chapters_follow_the_sections() -> None:
    parsed = script.parse(SOURCE)
    chapters = timeline.chapters(timeline.plan(parsed, durations=fixed_lengths(parsed)))
    assert [(c.title, round(c.start, 1), round(c.end, 1)) for c in chapters] == [("One", 0.0, 30.8), ("Two", 30.8, 59.8)]


def test_untitled_opening_section_takes_the_practice_title() -> None:
    parsed = script.parse("---\ntitle: Calm\n---\nHello.\n# Next\nMore.")
    assert [c.title for c in timeline.chapters(timeline.plan(parsed))] == ["Calm", "Next"]


@pytest.mark.parametrize("target", [45.0, 59.8, 90.0, 120.0])
def test_fit_reaches_the_target_length_by_moving_flexible_silences(target: float) -> None:
    parsed = script.parse(SOURCE)
    tl = timeline.plan(parsed, Pace(length=target), fixed_lengths(parsed))
    assert tl.total == pytest.approx(target, abs=0.01)
    fixed = [e for e in tl.events if e.kind in ("speech", "gap", "bell")]
    assert [e.duration for e in fixed] == [e.duration for e in timeline.plan(parsed, durations=fixed_lengths(parsed)).events
                                           if e.kind in ("speech", "gap", "bell")]


def test_fit_never_shrinks_a_silence_below_half_and_says_the_shortest_length() -> None:
    parsed = script.parse(SOURCE)
    with pytest.raises(UsageError) as caught:
        timeline.plan(parsed, Pace(length=30), fixed_lengths(parsed))
    assert "cannot be fitted to 0:30" in str(caught.value)
    assert "between 0:43 and 2:44" in str(caught.value)


def test_front_matter_length_is_used_when_no_pace_length_is_given() -> None:
    parsed = script.parse(SOURCE.replace("breath: 5s", "breath: 5s\nlength: 1m30s"))
    assert timeline.plan(parsed, durations=fixed_lengths(parsed)).total == pytest.approx(90.0, abs=0.01)


def test_section_times_split_each_section_into_spoken_and_silent_time() -> None:
    parsed = script.parse(SOURCE)
    times = timeline.section_times(timeline.plan(parsed, durations=fixed_lengths(parsed, 3.0)))
    assert [(t.title, t.spoken, t.silent, t.words) for t in times] == [
        ("One", 9.0, 7.0 + 0.8 + 2.0 + 5.0 + 10.0, 6),
        ("Two", 3.0, 20.0 + 7.0, 3),
    ]
    assert times[1].heard_wpm == pytest.approx(3 * 60 / 30.0)


@pytest.mark.parametrize(
    ("marker", "seconds"),
    [("[pause]", 5.0), ("[pause 2s]", 2.0), ("[breathe 3]", 15.0), ("[soak]", 30.0), ("[bell]", 7.0)],
)
def test_marker_seconds_before_fitting(marker: str, seconds: float) -> None:
    cue = script.parse(f"Rest. {marker}").sections[0].cues[1]
    assert timeline.marker_seconds(cue, breath=(5.0,)) == seconds


def test_the_length_range_is_what_fitting_accepts() -> None:
    parsed = script.parse("# A\nHello there, take a seat.\n[soak 30s]\n[pause]\nGoodbye for now.\n", "p.txt")
    low, high = timeline.length_range(parsed)
    assert timeline.plan(parsed, timeline.Pace(length=low)).total == pytest.approx(low, abs=0.01)
    assert timeline.plan(parsed, timeline.Pace(length=high)).total == pytest.approx(high, abs=0.01)
    with pytest.raises(UsageError, match="cannot be fitted"):
        timeline.plan(parsed, timeline.Pace(length=high + 5))
    fixed = script.parse("# A\nHello there.\n[pause 3s]\nGoodbye.\n", "p.txt")
    assert timeline.length_range(fixed, timeline.Pace(bells=False)) is None


def test_a_sentence_too_long_to_say_at_once_is_said_in_pieces_with_a_clause_pause_between() -> None:
    long_sentence = ", ".join(["and let the breath move in its own time"] * 10) + "."
    parsed = script.parse(f"Arrive. {long_sentence} Rest.")
    tl = timeline.plan(parsed, Pace(bells=False), fixed_lengths(parsed))
    spoken = [e for e in tl.events if e.kind == timeline.SPEECH]
    pieces = [e.text for e in spoken[1:-1]]
    assert len(pieces) > 1 and " ".join(pieces) == long_sentence
    assert all(len(e.utterance.text) <= PIECE_CHARACTERS for e in spoken)
    gaps = [e.duration for e in tl.events if e.kind == timeline.GAP]
    assert gaps == [timeline.SENTENCE_GAP] + [timeline.CLAUSE_GAP] * (len(pieces) - 1) + [timeline.SENTENCE_GAP]


def test_a_pronunciation_that_makes_a_piece_too_long_is_said_in_pieces_and_shown_as_said() -> None:
    parsed = script.parse("---\npronounce:\n  om: " + "oh mm " * 50 + "\n---\nSay om and rest.")
    said = timeline.utterances(parsed)
    assert len(said) > 1 and all(len(u.text) <= PIECE_CHARACTERS for u in said)
    captions = [e.text for e in timeline.plan(parsed).events if e.kind == timeline.SPEECH]
    assert captions == [u.text for u in said]


def test_breaths_and_markers_past_the_ceiling_are_refused_at_the_line_that_passes_it() -> None:
    hours = int(MAX_PRACTICE_SECONDS // 3600)
    within = script.parse("Rest.\n" + "[soak 1h]" * (hours - 1) + "\nBack.", "p.txt")
    assert timeline.plan(within).total < MAX_PRACTICE_SECONDS
    for text, line in [("Rest.\n" + "[soak 1h]" * hours + "\nBack.", 2),
                       ("---\nbreath: 1h\n---\nRest.\n[breathe 40]", 5),
                       ("Rest.\n" + "[pause 30m]\n" * 2 * hours, 2 * hours + 1)]:
        with pytest.raises(ScriptError) as caught:
            timeline.plan(script.parse(text, "p.txt"))
        assert (caught.value.diagnostics[0].line, len(caught.value.diagnostics)) == (line, 1)
        assert f"pauses, breaths and soaks pass {hours} hours" in str(caught.value)


def test_the_ceiling_counts_the_breath_length_a_listener_chooses() -> None:
    parsed = script.parse("Rest.\n[breathe 30]", "p.txt")
    timeline.plan(parsed)
    with pytest.raises(ScriptError, match="p.txt:2: error: the practice's pauses, breaths and soaks pass"):
        timeline.plan(parsed, Pace(breath=(3600.0,)))


def test_speech_and_the_gaps_between_sentences_are_bounded_by_the_text_not_the_ceiling() -> None:
    parsed = script.parse("---\nrate: 60\n---\n" + "Rest here now. " * 30_000, "p.txt")
    assert timeline.plan(parsed).total > MAX_PRACTICE_SECONDS


SLEEPY = SOURCE.replace("rate: 100\n", "rate: 100\nending: sleep 10m\n")


def test_a_sleep_ending_follows_the_last_words_in_a_chapter_of_its_own_and_no_bell_closes() -> None:
    parsed = script.parse(SLEEPY)
    tl = timeline.plan(parsed, durations=fixed_lengths(parsed))
    assert kinds_and_lengths(tl) == [
        ("bell", 7.0), ("speech", 2.0), ("gap", 0.8), ("speech", 2.0), ("gap", 2.0), ("speech", 2.0),
        ("pause", 5.0), ("breathe", 10.0), ("speech", 2.0), ("soak", 20.0), ("sleep", 600.0),
    ]
    ending = tl.events[-1]
    assert (ending.section, ending.line, ending.start) == ("Sleep", 4, pytest.approx(52.8))
    assert [(c.title, c.start, c.end) for c in timeline.chapters(tl)][-1] == ("Sleep", ending.start, tl.total)


def test_the_listeners_sleep_ending_replaces_the_scripts_and_every_bell_after_the_words_is_left_out() -> None:
    parsed = script.parse(SOURCE.replace("[soak 20s]\n[bell]", "[bell]\n[soak 20s]\n[bell]"))
    tl = timeline.plan(parsed, Pace(sleep=90.0), fixed_lengths(parsed))
    assert kinds_and_lengths(tl)[-3:] == [("speech", 2.0), ("soak", 20.0), ("sleep", 90.0)]
    assert tl.events[0].kind == "bell" and tl.events[-1].line == 0  # the opening bell stays; no line chose it
    assert timeline.plan(script.parse(SLEEPY), Pace(sleep=90.0)).events[-1].duration == 90.0


def test_a_length_fits_the_practice_and_the_sleep_ending_is_added_after_it() -> None:
    parsed = script.parse(SLEEPY)
    fitted = timeline.plan(parsed, Pace(length=120.0), fixed_lengths(parsed))
    assert fitted.events[-1].start == pytest.approx(120.0, abs=0.5)
    assert fitted.total == pytest.approx(720.0, abs=0.5)
    shortest = timeline.length_range(parsed, durations=fixed_lengths(parsed))[0]  # the practice's, without the ending
    assert timeline.plan(parsed, Pace(length=shortest), fixed_lengths(parsed)).total == pytest.approx(shortest + 600)


def test_a_sleep_ending_that_would_pass_the_ceiling_is_refused_at_its_option_or_its_line() -> None:
    parsed = script.parse(SLEEPY.replace("10m", "23h59m30s"))
    with pytest.raises(ScriptError, match=r"4:1: error: ending: the practice \(0:53\) and its sleep ending would "
                                          r"pass 24 hours.*at most 23:59:07"):
        timeline.plan(parsed, durations=fixed_lengths(parsed))
    with pytest.raises(UsageError, match="would pass 24 hours") as refused:
        timeline.plan(parsed, Pace(sleep=MAX_PRACTICE_SECONDS), fixed_lengths(parsed))
    assert refused.value.diagnostic.setting.name == "sleep"


def test_a_part_of_a_practice_has_no_sleep_ending() -> None:
    part = script.excerpt(script.parse(SLEEPY), "Two")
    assert part.meta.sleep is None
    assert timeline.plan(part).events[-1].kind == "bell"


def test_a_recorded_line_is_one_speech_event_and_a_clip_an_event_of_its_own() -> None:
    text = ("---\npronounce:\n  shoulders: SHOL-derz\n---\n# One\nWelcome. [clip chime.ogg]\n"
            "Let the shoulders soften, and then, when it feels right, let the jaw soften too, and the hands, "
            "and the feet, and the whole body rest. [recorded one.recordings/a.wav]\nGoodbye.\n")
    parsed = script.parse(text, "/practices/one.txt")
    wanted = timeline.utterances(parsed)
    durations = {u: 4.0 if u.recording and not u.recording.clip else 1.5 if u.recording else 0.5 for u in wanted}
    plan = timeline.plan(parsed, timeline.Pace(bells=False), durations)
    assert [(e.kind, e.start, e.duration) for e in plan.events] == [
        ("speech", 0.0, 0.5), ("clip", 0.5, 1.5), ("speech", 2.0, 4.0), ("gap", 6.0, 0.8), ("speech", 6.8, 0.5)]
    recorded, clip = plan.events[2].utterance, plan.events[1].utterance
    assert plan.events[2].text == recorded.text == parsed.speeches()[1].text  # one piece, as written: not respelled
    assert recorded.recording == timeline.Recording("/practices/one.recordings/a.wav")
    assert clip.recording == timeline.Recording("/practices/chime.ogg", clip=True) and plan.exact
    assert [u.recording for u in timeline.recordings(parsed)] == [clip.recording, recorded.recording]
    assert [u.line for u in timeline.recordings(parsed)] == [6, 7]
