"""The linter: for every rule an input and the exact warning, near misses that stay quiet, and allow comments."""

from __future__ import annotations

import pytest

from stillpoint.language import lint, script


def warnings_of(text: str, lexicon: tuple[str, ...] = ()) -> list[str]:
    """The warnings for a script text, as printed."""
    return [str(d) for d in lint.lint(script.parse(text, "t.txt"), text, lexicon)]


GOLDEN = [
    pytest.param(
        "Rest now.\n[soak 45s]\n[pause 20s]\nCome back.\n",
        "t.txt:2:1: warning: [soak 45s] + [pause 20s] make 1m5s of silence in a row "
        "(if that is meant, write one marker like [soak 1m5s]; if not, put words between them) [long-silence]",
        id="long-silence",
    ),
    pytest.param(
        "---\nbreath: 5s\n---\n# A\nRest now. [breathe 3] <break time=\"20s\"/>\n# B\nBack.\n",
        "t.txt:5:11: warning: [breathe 3] + <break time=\"20s\"/> make 35s of silence in a row "
        "(if that is meant, write one marker like [soak 35s]; if not, put words between them) [long-silence]",
        id="long-silence-breaths-and-break",
    ),
    pytest.param(
        "---\nrate: 120\n---\n"
        "Let your whole body settle down into the ground beneath you and rest there now so gently.\n",
        "t.txt:4:1: warning: 17 words without a pause take 8.5s at 120 wpm, more than one 8s breath "
        "(add a comma where a speaker would breathe, or split the sentence) [long-phrase]",
        id="long-phrase",
    ),
    pytest.param(
        "# One {rate: 60, breath: 6s}\nFirst. Now breathe in very slowly and deeply, then rest.\n",
        "t.txt:2:8: warning: 7 words without a pause take 7.0s at 60 wpm, more than one 6s breath "
        "(add a comma where a speaker would breathe, or split the sentence) [long-phrase]",
        id="long-phrase-section-settings",
    ),
    pytest.param(
        "# Arriving\nSettle in.\n  # Silence\n[soak 1m]\n# End\nGoodbye.\n",
        "t.txt:3:3: warning: section 'Silence' has nothing to say "
        "(add a line to be spoken, or move its markers into the section before) [empty-section]",
        id="empty-section",
    ),
    pytest.param(
        "Let it land.\n[soak 5s]\nGood.\n",
        "t.txt:2:1: warning: [soak 5s] is shorter than 10s "
        "(a soak is a long rest; for a short silence write [pause 5s]) [short-soak]",
        id="short-soak",
    ),
    pytest.param(
        "Breathe in [pause 2s] and feel the LOVE here.\n",
        "t.txt:1:36: warning: 'LOVE' is in capitals, so the voice may spell it out "
        "(write it as 'love', or say how it sounds under `pronounce:`) [all-caps]",
        id="all-caps",
    ),
    pytest.param(
        'She said, "you are safe.\n\nRest.\n',
        "t.txt:1:11: warning: this quote mark (\") has no partner in its paragraph "
        "(add the missing quote mark, or remove this one) [unbalanced-quote]",
        id="unbalanced-straight-quote",
    ),
    pytest.param(
        "\u201cMay you be well.\nMay you be happy.\n",
        "t.txt:1:1: warning: \u201c opens a quote that is never closed (close it with \u201d) [unbalanced-quote]",
        id="unclosed-curly-quote",
    ),
    pytest.param(
        "May you be well.\u201d\n",
        "t.txt:1:17: warning: \u201d closes a quote that was never opened (open it with \u201c, or remove it) "
        "[unbalanced-quote]",
        id="unopened-curly-quote",
    ),
    pytest.param(
        "---\nvars:\n  // the person\n  who: a friend\n  place: the sea\n---\nThink of {who}.\n",
        "t.txt:5:3: warning: variable 'place' is defined but never used "
        "(use it as {place} in the text, or remove it from `vars:`) [unused-variable]",
        id="unused-variable",
    ),
    pytest.param(
        "---\npronounce:\n  " + "calm " * 30 + ": calm\n---\nRest.\n",
        "t.txt:3:3: warning: 'calm calm calm calm …' is longer than 100 characters, so it is never looked for in "
        "the text (respell a word or a short phrase) [long-respelling]",
        id="long-respelling",
    ),
    pytest.param(
        "// allow: short-soke\nRest.\n",
        "t.txt:1:1: warning: 'short-soke' is not a rule that can be allowed (rules: long-silence, long-phrase, "
        "empty-section, short-soak, all-caps, unbalanced-quote, unused-variable, long-respelling) [allow]",
        id="unknown-allowed-rule",
    ),
]


@pytest.mark.parametrize(("text", "expected"), GOLDEN)
def test_each_rule_gives_exactly_its_warning_at_its_position(text: str, expected: str) -> None:
    assert warnings_of(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Rest.\n[pause 20s]\n[pause 9s]\nBack.\n", id="two-markers-under-30s"),
        pytest.param("Rest.\n[soak 30s]\n[bell]\n[soak 30s]\nBack.\n", id="bell-between-silences"),
        pytest.param("Let your whole body settle down into the ground, and rest there now, softly and gently.\n",
                     id="commas-give-breaths"),
        pytest.param("# Arriving\n[bell]\nSettle in.\n", id="section-with-speech"),
        pytest.param("Rest.\n[soak 10s]\n[pause 3s]\n", id="soak-of-10s-is-fine"),
        pytest.param("I am here. A moment, and MP3 is fine.\n[pause 5s]\n", id="single-letters-and-mixed"),
        pytest.param("Breathe <break time=\"2s\"/> in.\n# HEADING\nOut.\n// NOTE TO SELF\n", id="caps-outside-speech"),
        pytest.param('She said, "you are\nsafe," and smiled.\n', id="quote-closed-on-next-line"),
        pytest.param("---\nvars:\n  who: a friend\n---\nThink of {who}.\n", id="used-variable"),
        pytest.param("---\npronounce:\n  nhs: en aitch ess\n---\nThe NHS helps.\n", id="caps-with-pronunciation"),
    ],
)
def test_near_misses_stay_quiet(text: str) -> None:
    assert warnings_of(text) == []


def test_words_in_the_user_lexicon_may_be_in_capitals() -> None:
    assert warnings_of("Ask your GP.\n") != []
    assert warnings_of("Ask your GP.\n", lexicon=("gp",)) == []


def test_an_allow_comment_silences_its_rules_on_the_next_line_only() -> None:
    text = "Rest.\n// allow: short-soak, all-caps\n\n[soak 5s] OK\n[soak 4s]\n"
    assert [w.split(": warning: ")[0] for w in warnings_of(text)] == ["t.txt:5:1"]


def test_an_allow_comment_reaches_into_the_front_matter() -> None:
    text = "---\nvars:\n  // allow: unused-variable\n  spare: kept for later\n---\nRest.\n"
    assert warnings_of(text) == []


def test_warnings_are_sorted_by_position_and_keep_their_columns_with_crlf() -> None:
    text = "---\r\nvars:\r\n  x: 1\r\n---\r\nSay HELLO.\r\n[soak 2s]\r\n"
    assert [w.split(": warning: ")[0] for w in warnings_of(text)] == ["t.txt:3:3", "t.txt:5:5", "t.txt:6:1"]


def test_every_warning_has_a_rule_and_the_warning_severity() -> None:
    found = lint.lint(script.parse(GOLDEN[0].values[0], "t.txt"), GOLDEN[0].values[0])
    assert [(d.severity, d.code) for d in found] == [("warning", "long-silence")]


def test_a_run_of_allow_comments_all_apply_to_the_line_after_them() -> None:
    text = "Rest.\n" + "// allow: all-caps\n// a note\n\n" * 3000 + "// allow: short-soak\n[soak 5s] OK\n[soak 4s]\n"
    assert [w.split(": warning: ")[0] for w in warnings_of(text)] == [f"t.txt:{9004}:1"]


def test_past_a_hundred_warnings_the_first_hundred_are_shown_in_order_then_a_note() -> None:
    text = "".join(f"[soak {n % 9 + 1}s]\nSay HELLO {n}.\n" for n in range(200))
    found = warnings_of(text)
    assert len(found) == 101 and found[-1] == "t.txt:101:1: note: more than 100 warnings; the rest are left out"
    positions = [tuple(map(int, w.split(":")[1:3])) for w in found[:-1]]
    assert positions == sorted(positions) and positions[:3] == [(1, 1), (2, 5), (3, 1)]
