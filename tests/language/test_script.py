"""The practice-script language: golden files, string cases and properties."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stillpoint.errors import ScriptError, UsageError
from stillpoint.language import script
from stillpoint.language.script import Marker, Speech

GOLDEN = Path(__file__).parent / "golden"
INVALID = sorted((GOLDEN / "invalid").glob("*.txt"))
VALID = sorted((GOLDEN / "valid").glob("*.txt"))


def errors_of(text: str, path: str = "t.txt") -> list[str]:
    """The diagnostics a text produces, as printed."""
    with pytest.raises(ScriptError) as caught:
        script.parse(text, path)
    return [str(d) for d in caught.value.diagnostics]


@pytest.mark.parametrize("case", INVALID, ids=lambda p: p.stem)
def test_invalid_golden_files_give_exactly_their_expected_errors(case: Path) -> None:
    text = case.read_text()
    expected = [f"{case.name}:{m}" for m in re.findall(r"^// expect: (.*)$", text, re.M)]
    assert expected, f"{case.name} has no // expect: line"
    assert errors_of(text, case.name) == expected


@pytest.mark.parametrize("case", VALID, ids=lambda p: p.stem)
def test_valid_golden_files_give_their_expected_cues(case: Path) -> None:
    parsed = script.load(case)
    expected = json.loads(case.with_suffix(".json").read_text())
    assert cues_as_json(parsed) == expected


def cues_as_json(parsed: script.Script) -> list[dict[str, object]]:
    """Sections and cues in a plain form that golden files can hold."""
    return [
        {"section": s.title,
         "settings": [s.settings.voice, s.settings.rate, list(s.settings.breath) if s.settings.breath else None,
                      s.settings.breath_cue],
         "cues": [cue_as_list(c) for c in s.cues]}
        for s in parsed.sections
    ]


def cue_as_list(cue: Speech | Marker) -> list[object]:
    """One cue as a short list: kind, position and content."""
    if isinstance(cue, Speech) and cue.recording:
        recorded = cue.recording
        return ["speech", cue.line, cue.col, cue.text, cue.paragraph_end, recorded.col, recorded.file, cue.personal]
    if isinstance(cue, Speech):
        return ["speech", cue.line, cue.col, cue.text, cue.paragraph_end]
    return [cue.kind, cue.line, cue.col, cue.file] if cue.file else [cue.kind, cue.line, cue.col, cue.seconds, cue.count]


def test_empty_and_blank_files_say_the_script_is_empty() -> None:
    message = "t.txt:1:1: error: the script is empty (write at least one line to be spoken)"
    assert errors_of("") == [message]
    assert errors_of("\n  \n\t\n") == [message]


def test_front_matter_fills_meta_and_defaults_apply() -> None:
    parsed = script.parse("---\ntitle: Rest\nrate: 110\nbreath: 6s\ntags: a, b\nvars:\n  who: a friend\n---\nHi {who}.")
    assert (parsed.meta.title, parsed.meta.rate, parsed.meta.breath) == ("Rest", 110, (6.0,))
    assert parsed.meta.tags == ("a", "b")
    assert parsed.speeches()[0].text == "Hi a friend."
    assert parsed.meta.voice == script.DEFAULT_VOICE


def test_title_defaults_to_the_file_name() -> None:
    assert script.parse("Hello.", "evening-calm.txt").meta.title == "Evening Calm"


def test_sentences_wrap_over_lines_and_split_at_sentence_ends() -> None:
    parsed = script.parse("Breathe in slowly,\nand out. Rest now.\n\nNext part.")
    texts = [(s.text, s.line, s.col, s.paragraph_end) for s in parsed.speeches()]
    assert texts == [
        ("Breathe in slowly, and out.", 1, 1, False),
        ("Rest now.", 2, 10, True),
        ("Next part.", 4, 1, True),
    ]


def test_ellipsis_before_lowercase_does_not_split_a_sentence() -> None:
    parsed = script.parse("Bring to mind a friend... someone kind.")
    assert [s.text for s in parsed.speeches()] == ["Bring to mind a friend... someone kind."]


@pytest.mark.parametrize(
    ("marker", "kind", "seconds", "count"),
    [
        ("[pause]", "pause", None, None),
        ("[pause 8s]", "pause", 8.0, None),
        ("[pause 1m30s]", "pause", 90.0, None),
        ("[PAUSE 500ms]", "pause", 0.5, None),
        ("[breathe]", "breathe", None, 1),
        ("[breathe 3]", "breathe", None, 3),
        ("[soak]", "soak", None, None),
        ("[soak 45s]", "soak", 45.0, None),
        ("[bell]", "bell", None, None),
        ('<break time="3s"/>', "pause", 3.0, None),
        ("<break strength='strong'/>", "pause", 2.0, None),
    ],
)
def test_markers_inside_a_line_split_the_speech(marker: str, kind: str, seconds: float | None, count: int | None) -> None:
    cues = script.parse(f"Breathe in {marker} and out.").sections[0].cues
    assert [type(c).__name__ for c in cues] == ["Speech", "Marker", "Speech"]
    assert (cues[1].kind, cues[1].seconds, cues[1].count, cues[1].col) == (kind, seconds, count, 12)


def test_section_settings_are_read_from_the_heading() -> None:
    parsed = script.parse("# Closing {rate: 100, voice: en-gb, breath: 6s}\nRest.")
    assert parsed.sections[0].title == "Closing"
    assert parsed.sections[0].settings == script.Settings(voice="en-gb", rate=100, breath=(6.0,))


def test_set_values_override_variable_defaults_and_are_recorded() -> None:
    parsed = script.parse("---\nvars:\n  who: a friend\n---\nThink of {who}.", values={"who": "my grandmother"})
    assert parsed.speeches()[0].text == "Think of my grandmother."
    assert parsed.variables == {"who": (5, 10)}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xef\xbb\xbfHello.", "Hello."),
        ("Hello.".encode("utf-16"), "Hello."),
        (b"Caf\xc3\xa9.", "Caf\u00e9."),
    ],
)
def test_decode_accepts_utf8_bom_and_utf16(data: bytes, expected: str) -> None:
    assert script.decode(data) == expected


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Hello.\nBad \xff byte.", "t.txt:2:5: error: is not valid UTF-8 text (save the file as UTF-8)"),
        (b"Hi\x00there", "t.txt:1:3: error: looks like a binary file (it contains NUL bytes) (give a plain-text script)"),
    ],
)
def test_decode_rejects_binary_and_invalid_text_with_a_position(data: bytes, message: str) -> None:
    with pytest.raises(ScriptError) as caught:
        script.decode(data, "t.txt")
    assert str(caught.value.diagnostics[0]) == message


def test_crlf_and_cr_line_ends_parse_like_lf() -> None:
    lf = script.parse("# A\nOne.\n\nTwo.\n[pause 2s]\n")
    assert script.parse("# A\r\nOne.\r\n\r\nTwo.\r\n[pause 2s]\r\n") == lf
    assert script.parse("# A\rOne.\r\rTwo.\r[pause 2s]\r") == lf


def test_load_reports_a_missing_file_and_a_folder(tmp_path: Path) -> None:
    with pytest.raises(ScriptError, match="no such file"):
        script.load(tmp_path / "missing.txt")
    with pytest.raises(ScriptError, match="is a folder"):
        script.load(tmp_path)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("8s", 8.0), ("8", 8.0), ("1m30s", 90.0), ("1m", 60.0), ("500ms", 0.5), ("1h", 3600.0), ("1.5s", 1.5)],
)
def test_parse_duration_reads_the_usual_forms(text: str, seconds: float) -> None:
    assert script.parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["-1s", "nan", "inf", "1e309s", "99h", "8x", "", "1h1s"])
def test_parse_duration_refuses_nonsense(text: str) -> None:
    with pytest.raises(ValueError):
        script.parse_duration(text)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text())
def test_any_text_gives_a_script_or_positioned_errors(text: str) -> None:
    try:
        parsed = script.parse(text, "t.txt")
    except ScriptError as err:
        assert all(d.line >= 1 and d.col >= 1 and d.message for d in err.diagnostics)
    else:
        assert parsed.speeches()


MARKERISH = st.sampled_from(["[pause 3s]", "[breathe 2]", "[soak]", "[bell]", "[paws 2s]", "[", "]", "{x}", "<break/>",
                             "# Part", "\n", "\n\n", "// note", "Hello there.", " and ", "...", "Rest!", "{", "<p>",
                             "[clip a.wav]", "[recorded b c.wav]", "[recorded]", "[clip 'x y.ogg']"])


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(MARKERISH, max_size=30).map("".join))
def test_marker_soup_gives_a_script_or_positioned_errors(text: str) -> None:
    try:
        parsed = script.parse(text, "t.txt")
    except ScriptError as err:
        lines = text.replace("\r", "\n").split("\n")
        assert all(1 <= d.line <= len(lines) and d.col >= 1 for d in err.diagnostics)
    else:
        assert all(s.text.strip() for s in parsed.speeches())


# A file's name as the studio or a person writes it: any characters but the markup's, no line break, no quote at
# both ends, not blank.
FILE_NAMES = st.text(st.characters(blacklist_characters="[]{}<>\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029",
                                   blacklist_categories=("Cs",)), min_size=1, max_size=40).filter(
    lambda name: name.strip() and not (len(name.strip()) > 1 and name.strip()[0] == name.strip()[-1] in "\"'"))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(FILE_NAMES, st.sampled_from(["", "'", '"']), st.sampled_from([" ", "  "]))
def test_a_recorded_line_and_a_clip_keep_any_file_name_written_bare_or_quoted(name: str, quote: str,
                                                                             space: str) -> None:
    written = f"{quote}{name.strip()}{quote}"
    parsed = script.parse(f"Rest a while, here.{space}[recorded {written}]{space}\nHello [clip{space}{written}] there.\n")
    recorded, hello, clip, there = parsed.sections[0].cues
    assert recorded.text == "Rest a while, here." and recorded.recording.file == name.strip()
    assert (recorded.recording.line, recorded.recording.col) == (1, len("Rest a while, here.") + len(space) + 1)
    assert clip == Marker("clip", 2, 7, file=name.strip())
    assert (hello.text, there.text) == ("Hello", "there.")


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(MARKERISH, max_size=12).map("".join), FILE_NAMES)
def test_recorded_is_kept_only_at_the_end_of_a_line_of_words(text: str, name: str) -> None:
    line = f"{text}[recorded {name.strip()}]"
    try:
        parsed = script.parse(line, "t.txt")
    except ScriptError as err:
        assert all(d.line >= 1 and d.col >= 1 for d in err.diagnostics)
        return
    recorded = [s for s in parsed.speeches() if s.recording]
    assert len(recorded) == 1 and recorded[0] == parsed.speeches()[-1] and recorded[0].recording.file == name.strip()
    assert recorded[0].line == line.count("\n") + 1 and recorded[0].text.strip()


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.binary(max_size=200))
def test_any_bytes_decode_or_give_a_script_error(data: bytes) -> None:
    try:
        text = script.decode(data, "t.txt")
    except ScriptError as err:
        assert err.diagnostics[0].path == "t.txt"
    else:
        assert isinstance(text, str)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(8.0, "8s"), (90.0, "1m30s"), (60.0, "1m"), (0.5, "500ms"), (12.5, "12.5s"), (65.0, "1m5s"), (3600.0, "60m")],
)
def test_format_duration_writes_what_parse_duration_reads(seconds: float, text: str) -> None:
    assert script.format_duration(seconds) == text
    assert script.parse_duration(text) == seconds


EXCERPT_SOURCE = """---
title: Parts
length: 10m
---
# Arriving
Settle in. [pause 3s]
Feel the floor.
# Closing {rate: 100}
Open your eyes.
[bell]
"""


def test_excerpt_keeps_one_section_by_title_in_any_case_and_drops_the_target_length() -> None:
    part = script.excerpt(script.parse(EXCERPT_SOURCE, "p.txt"), section="closing")
    assert [(s.title, s.settings.rate) for s in part.sections] == [("Closing", 100)]
    assert [s.text for s in part.speeches()] == ["Open your eyes."]
    assert part.meta.length is None


def test_excerpt_accepts_the_start_of_a_title_when_only_one_section_has_it() -> None:
    part = script.excerpt(script.parse(EXCERPT_SOURCE, "p.txt"), section="arr")
    assert part.sections[0].title == "Arriving"


@pytest.mark.parametrize(
    ("name", "message"),
    [("Closng", "p.txt has no section named 'Closng' (did you mean 'Closing'?)"),
     ("middle", "p.txt has no section named 'middle' (its sections: Arriving, Closing)")],
)
def test_excerpt_of_a_missing_section_suggests_one(name: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        script.excerpt(script.parse(EXCERPT_SOURCE, "p.txt"), section=name)
    assert str(caught.value) == f"error: {message}"


def test_excerpt_by_lines_keeps_the_cues_on_those_lines_with_their_sections() -> None:
    part = script.excerpt(script.parse(EXCERPT_SOURCE, "p.txt"), lines=(6, 9))
    assert [s.title for s in part.sections] == ["Arriving", "Closing"]
    assert [s.text for s in part.speeches()] == ["Settle in.", "Feel the floor.", "Open your eyes."]
    assert [type(c).__name__ for c in part.sections[1].cues] == ["Speech"]


def test_excerpt_of_lines_without_speech_says_where_the_text_is() -> None:
    with pytest.raises(UsageError) as caught:
        script.excerpt(script.parse(EXCERPT_SOURCE, "p.txt"), lines=(1, 5))
    assert str(caught.value) == "error: lines 1-5 of p.txt hold nothing to say (its spoken lines run from 6 to 9)"


def test_year_in_the_front_matter_is_read_as_a_number() -> None:
    assert script.parse("---\nyear: 2021\n---\nHello.").meta.year == 2021
    assert script.parse("Hello.").meta.year is None


@pytest.mark.parametrize("value", ["21", "next year", "20245"])
def test_a_year_that_is_not_four_digits_is_an_error_on_its_line(value: str) -> None:
    with pytest.raises(ScriptError) as caught:
        script.parse(f"---\ntitle: T\nyear: {value}\n---\nHello.", "p.txt")
    assert str(caught.value) == f"p.txt:3:1: error: year '{value}' is not a year (write it with four digits, like 2024)"


def test_variables_are_listed_with_their_defaults_even_without_a_value() -> None:
    text = "---\ntitle: T\nvars:\n  who: a friend\n  unused: x\n---\n# A\nThink of {who} in {place}.\n// {not}\n"
    assert script.variables(text) == {"place": None, "unused": "x", "who": "a friend"}
    with pytest.raises(ScriptError, match="unknown marker"):
        script.variables("# A\n[paws 2s] {who}\n")


PHASE = st.decimals(min_value="0.001", max_value="900", places=3, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(PHASE, min_size=2, max_size=4), st.booleans())
def test_a_pattern_of_two_to_four_phases_reads_back_its_seconds_and_writes_itself_back(phases: list,
                                                                                       unit: bool) -> None:
    text = "-".join(f"{phase}{'s' if unit else ''}" for phase in phases)
    pattern = script.parse_breath(text)
    assert pattern == tuple(float(phase) for phase in phases)
    assert script.parse_breath(script.format_breath(pattern)) == pattern


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(alphabet="0123456789.-snaife ", max_size=20))
def test_any_breath_text_is_a_pattern_within_the_limits_or_a_reason(text: str) -> None:
    try:
        pattern = script.parse_breath(text)
    except ValueError as err:
        assert str(err) and "\n" not in str(err)
        return
    assert len(pattern) == (1 if "-" not in text else len(text.split("-")))
    assert all(math.isfinite(seconds) and seconds > 0 for seconds in pattern)
    assert sum(pattern) <= script.MAX_SECONDS


@pytest.mark.parametrize(("text", "reason"), [
    ("4-0-8", "phase 2 of '4-0-8' lasts 0 seconds"), ("0-4", "phase 1"), ("4-7-8-2-1", "has 5 phases"),
    ("4--6", "not a breath pattern"), ("4-", "not a breath pattern"), ("-4-6", "not a breath pattern"),
    ("-4", "cannot be negative"),
    ("nan-4", "not a breath pattern"), ("4-inf", "not a breath pattern"), ("1e3-4", "not a breath pattern"),
    ("0s", "longer than 0"), ("2000-2000", "longer than the 1 hour"), ("4m-6", "not a breath pattern"),
])
def test_a_breath_that_is_no_pattern_says_why(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=re.escape(reason)):
        script.parse_breath(text)


def test_one_length_is_one_breath_in_and_out_evenly_as_before() -> None:
    assert script.parse_breath("8s") == (8.0,) and script.parse_breath("1m") == (60.0,)
    assert script.format_breath((8.0,)) == "8s" and script.format_breath((4.0, 7.0, 8.0)) == "4-7-8"
