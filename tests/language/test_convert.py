"""Conversion: SSML to script, script to SSML and back, informal cues, and what is reported by line."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stillpoint.errors import ScriptError, StillpointError, UsageError
from stillpoint.language import convert, library, script, timeline
from stillpoint.language.template import starting_text

from .test_script import cue_as_list

SSML = """<?xml version="1.0"?>
<speak version="1.1" xml:lang="en-GB">
  <!-- evening draft -->
  <prosody rate="slow">
    <p>
      <s>Welcome to this <emphasis level="strong">quiet</emphasis> time.</s>
      <s>Breathe in <break time="2s"/> and out.</s>
    </p>
    <break time="3s"/><break strength="strong"/>
    <p>Feel the <sub alias="ok-see-TOE-sin">oxytocin</sub> {flow}.</p>
    <audio src="bell.wav">A bell rings</audio>
    <prosody rate="fast" pitch="+2st"><s>Quickly now.</s></prosody>
    <mark name="chapter-2"/>
  </prosody>
</speak>
"""

SSML_AS_SCRIPT = """---
voice: en-gb
rate: 120
pronounce:
  oxytocin: ok-see-TOE-sin
---
// evening draft
Welcome to this quiet time.
Breathe in [pause 2s] and out.

[pause 5s]
Feel the oxytocin (flow).

[clip bell.wav]
Quickly now.
"""

SSML_NOTES = [
    "talk.ssml:6:26: note: <emphasis> is not supported: its text is kept, the emphasis is dropped",
    "talk.ssml:10:60: note: brackets, braces and '<' in the text are written as ( ) and \u2039",
    "talk.ssml:12:5: note: <prosody pitch> is not supported and is dropped",
    'talk.ssml:12:5: note: <prosody rate="fast"> covers only part of a section and is dropped; '
    "settings apply to whole sections",
    'talk.ssml:13:5: note: <mark name="chapter-2"> has no meaning in a script and is dropped',
]


def test_a_clip_and_a_recorded_line_go_to_ssml_and_back() -> None:
    text = "# A\nHello. [clip sounds/a chime.ogg]\nRest now, softly. [recorded a.recordings/take 1.wav]\n"
    ssml = convert.script_to_ssml(script.parse(text, "a.txt")).text
    assert '<audio src="sounds/a chime.ogg"/>' in ssml
    assert '<s>Rest now, softly.<mark name="[recorded a.recordings/take 1.wav]"/></s>' in ssml
    back = script.parse(convert.ssml_to_script(ssml, "a.ssml").text, "a.txt")
    assert [cue_as_list(cue)[3:] for cue in back.sections[0].cues] == [["Hello.", False], ["sounds/a chime.ogg"],
                                                                      ["Rest now, softly.", True, 19, "a.recordings/take 1.wav", False]]


@pytest.mark.parametrize("src", ["", "https://example.org/bell.mp3", "a[1].wav"])
def test_an_audio_src_a_clip_cannot_name_is_dropped_with_a_note(src: str) -> None:
    result = convert.ssml_to_script(f'<speak><s>Hi.</s><audio src="{src}">A bell</audio><s>Bye.</s></speak>', "t.ssml")
    assert result.text == "Hi.\nBye.\n"
    assert [n.message for n in result.notes] == [
        f'<audio src="{src}"> is dropped: a [clip] plays a file named from the script\'s folder']


def test_ssml_becomes_a_script_and_every_dropped_element_is_reported_by_line() -> None:
    result = convert.ssml_to_script(SSML, "talk.ssml")
    assert result.text == SSML_AS_SCRIPT
    assert [str(note) for note in result.notes] == SSML_NOTES
    assert convert.output_problems(result.text, "talk.txt") == []


def test_ssml_that_is_not_well_formed_is_an_error_with_its_position() -> None:
    with pytest.raises(ScriptError) as caught:
        convert.ssml_to_script("<speak>\n  <p>Hello</speak>", "bad.ssml")
    assert str(caught.value.diagnostics[0]) == (
        "bad.ssml:2:13: error: is not well-formed SSML: mismatched tag (fix the XML, then convert again)")


@pytest.mark.parametrize(
    ("rate", "front"),
    [("75%", "rate: 120"), ("+25%", "rate: 200"), ("0.5", "rate: 80"), ("x-fast", "rate: 240"),
     ("medium", "rate: 160")],
)
def test_prosody_rates_become_words_per_minute(rate: str, front: str) -> None:
    text = convert.ssml_to_script(f'<speak><prosody rate="{rate}"><s>Rest.</s></prosody></speak>').text
    assert front in text.splitlines()


def test_a_rate_out_of_range_is_kept_in_range_with_a_note() -> None:
    result = convert.ssml_to_script('<speak><prosody rate="10%"><s>Rest.</s></prosody></speak>', "t.ssml")
    assert "rate: 60" in result.text.splitlines()
    assert [n.message for n in result.notes] == ['<prosody rate="10%"> is 16 words a minute; kept at 60']


def test_breaks_in_a_row_add_up_to_one_pause() -> None:
    text = convert.ssml_to_script('<speak><s>A.</s><break time="10s"/> <break time="2500ms"/><s>B.</s></speak>').text
    assert text.splitlines() == ["A.", "[pause 12.5s]", "B."]


def silences(parsed: script.Script) -> list[tuple[str, float]]:
    """Every non-speech event of the practice's timeline, with its length."""
    return [(e.kind, e.duration) for e in timeline.plan(parsed).events if e.kind != timeline.SPEECH]


PRACTICES = {name: path.read_text() for name, path in library.practices().items()}
PRACTICES["template"] = starting_text(Path("template.txt"))
PRACTICES["settings"] = (
    "---\ntitle: Settings\nrate: 118\nbreath: 6s\nlength: 3m\npronounce:\n  metta: MET-tah\n---\n"
    "Opening words. [pause]\n# One {voice: en-gb, breath: 5s}\nMetta for you. [breathe 2] [soak]\n"
    "Long rest ahead.\n[pause 25s]\n[soak 12s]\n# Two {rate: 90}\nA & B > C.\n\nNew paragraph.\n[bell]\n"
)


@pytest.mark.parametrize("name", sorted(PRACTICES))
def test_script_to_ssml_and_back_keeps_text_sections_and_every_silence(name: str) -> None:
    original = script.parse(PRACTICES[name], f"{name}.txt")
    ssml = convert.script_to_ssml(original)
    back = convert.ssml_to_script(ssml.text, f"{name}.ssml")
    again = script.parse(back.text, f"{name}.txt")
    assert back.notes == ()
    assert [s.text for s in again.speeches()] == [s.text for s in original.speeches()]
    assert silences(again) == silences(original)
    assert [(s.title, s.settings) for s in again.sections] == [(s.title, s.settings) for s in original.sections]
    assert timeline.utterances(again) == timeline.utterances(original)
    assert again.meta == replace(original.meta, vars={})


def test_a_sleep_ending_goes_to_ssml_and_back_as_written() -> None:
    original = script.parse("---\ntitle: Night\nending: sleep 1h30m\n---\nRest now.\n", "night.txt")
    back = convert.ssml_to_script(convert.script_to_ssml(original).text, "night.ssml")
    assert "ending: sleep 90m" in back.text.splitlines()
    assert script.parse(back.text, "night.txt").meta == original.meta


def test_ssml_output_is_what_a_cloud_voice_reads() -> None:
    parsed = script.parse(PRACTICES["settings"], "settings.txt")
    text = convert.script_to_ssml(parsed).text
    assert '<mark name="# One {voice: en-gb, breath: 5s}"/>' in text
    assert '<prosody rate="56.25%">' in text
    assert '<voice name="en-gb">' in text
    assert '<s><sub alias="MET-tah">Metta</sub> for you.</s>' in text
    assert '<mark name="[pause 25s]"/><break time="10s"/><break time="10s"/><break time="5s"/>' in text
    assert "<s>A &amp; B &gt; C.</s>" in text


def test_script_to_ssml_notes_bells_and_a_target_length() -> None:
    notes = convert.script_to_ssml(script.parse(PRACTICES["settings"], "settings.txt")).notes
    assert [str(n) for n in notes] == [
        'settings.txt:19:1: note: [bell] (1 in all) is written as <mark name="[bell]"/> and 7s of silence; '
        "a cloud voice will not ring it",
        "settings.txt: note: length: 3m is kept in a comment; the <break>s keep the script's own lengths",
    ]


@pytest.mark.parametrize(
    ("cue", "marker"),
    [
        ("(pause)", "[pause]"),
        ("[long pause]", "[pause 15s]"),
        ("(Pause for 10 seconds.)", "[pause 10s]"),
        ("(pause 1m30s)", "[pause 1m30s]"),
        ("(10-15 second pause)", "[pause 15s]"),
        ("(short pause)", "[pause 3s]"),
        ("(very long pause)", "[pause 30s]"),
        ("(silence)", "[soak]"),
        ("(one minute of silence)", "[soak 1m]"),
        ("(long silence)", "[soak 1m]"),
        ("(take three deep breaths)", "[breathe 3]"),
        ("(breathe)", "[breathe]"),
        ("(ring the bell)", "[bell]"),
    ],
)
def test_informal_cues_become_markers(cue: str, marker: str) -> None:
    assert convert.informal_marker(cue[1:-1]) == marker


@pytest.mark.parametrize("words", ["if that feels right", "now", "ring the bell three times", "a few moments"])
def test_ordinary_parentheses_are_not_cues(words: str) -> None:
    assert convert.informal_marker(words) is None


INFORMAL = """---
title: Draft
---
Find a comfortable seat. (pause)
Breathe in slowly...
...
[music fades] Rest here (if you like).
[soak 45s]
"""


def test_informal_text_becomes_a_script_with_a_report_of_every_mapping() -> None:
    result = convert.informal_to_script(INFORMAL, "draft.txt")
    assert result.text.splitlines()[3:] == [
        "Find a comfortable seat. [pause]",
        "Breathe in slowly... [pause 3s]",
        "[pause]",
        "// [music fades]",
        "Rest here (if you like).",
        "[soak 45s]",
    ]
    assert [str(n) for n in result.notes] == [
        "draft.txt:4:26: note: '(pause)' -> [pause]",
        "draft.txt:5:18: note: '...' at the end of a line -> [pause 3s]",
        "draft.txt:6:1: note: '...' on its own line -> [pause]",
        "draft.txt:7:1: note: '[music fades]' is not a cue Stillpoint knows; kept as a comment",
    ]
    assert convert.output_problems(result.text, "draft.txt") == []


@pytest.mark.parametrize(
    ("path", "text", "fmt"),
    [("a.ssml", "", "ssml"), ("a.XML", "", "ssml"), ("a.txt", "  <?xml version='1.0'?><speak/>", "ssml"),
     ("a.txt", "<speak><s>Hi.</s></speak>", "ssml"), ("a.txt", "Rest. <break time='2s'/>", "script")],
)
def test_the_input_format_is_guessed_from_the_name_or_the_text(path: str, text: str, fmt: str) -> None:
    assert convert.guess_format(path, text) == fmt


def test_convert_guesses_both_directions_and_refuses_a_pointless_one() -> None:
    assert convert.convert("Rest.", "a.txt").text.startswith("<?xml")
    assert convert.convert("<speak><s>Rest.</s></speak>", "a.ssml").text == "Rest.\n"
    with pytest.raises(UsageError, match="from script to script"):
        convert.convert("Rest.", "a.txt", target="script")


def test_a_converted_script_with_problems_reports_them_as_errors() -> None:
    result = convert.convert("<speak><break time='3s'/></speak>", "a.ssml", dest="a.txt")
    assert [str(n) for n in result.notes] == [
        "a.txt:1:1: error: the script has no spoken text (write at least one line to be spoken)"]


def test_informal_text_can_go_straight_to_ssml() -> None:
    result = convert.convert("Rest here. (long pause)\nAnd back.", "draft.txt", source="informal", target="ssml")
    assert '<mark name="[pause 15s]"/><break time="10s"/><break time="5s"/>' in result.text
    assert [n.message for n in result.notes] == ["'(long pause)' -> [pause 15s]"]


@pytest.mark.parametrize("lang", ["en", "en-US"])
def test_ssml_in_american_or_plain_english_is_spoken_by_the_default_voice(lang: str) -> None:
    result = convert.ssml_to_script(f'<speak version="1.1" xml:lang="{lang}">Rest here.</speak>', "talk.ssml")
    assert script.parse(result.text, "talk.txt").meta.voice == script.DEFAULT_VOICE
    assert "voice:" not in result.text


def test_ssml_in_another_language_keeps_it_as_the_voice() -> None:
    result = convert.ssml_to_script('<speak version="1.1" xml:lang="fr-FR">Repose-toi.</speak>', "talk.ssml")
    assert script.parse(result.text, "talk.txt").meta.voice == "fr-fr"


# ---------------------------------------------------------------- absurd numbers, wrong types, deep nesting

NINES = "9" * 400  # read as a float, infinity


@pytest.mark.parametrize(("element", "note"), [
    (f'<prosody rate="{NINES}%">', f'<prosody rate="{"9" * 40}\u2026"> is not a rate Stillpoint reads and is dropped'),
    ('<prosody rate="nan">', '<prosody rate="nan"> is not a rate Stillpoint reads and is dropped'),
    ('<prosody rate="+inf%">', '<prosody rate="+inf%"> is not a rate Stillpoint reads and is dropped'),
    ('<break time="nan"/><prosody>', "<break time=\"nan\"> is dropped: 'nan' is not a length of time"),
    ('<break time="inf s"/><prosody>',
     "<break time=\"inf s\"> is dropped: 'inf s' is not a length of time; write it like 8s, 1m30s or 500ms"),
    (f'<break time="{NINES}s"/><prosody>',
     f'<break time="{"9" * 40}\u2026"> is dropped: \'{"9" * 40}\u2026\' is longer than the 1 hour a single marker '
     "may last"),
], ids=["huge-rate", "nan-rate", "inf-rate", "nan-break", "inf-break", "huge-break"])
def test_a_number_that_is_not_finite_or_absurdly_large_is_one_note_at_its_place(element: str, note: str) -> None:
    result = convert.ssml_to_script(f"<speak>\n  {element}<s>Rest.</s></prosody></speak>", "t.ssml")
    assert [str(n) for n in result.notes] == [f"t.ssml:2:3: note: {note}"]
    assert result.text == "Rest.\n"


@pytest.mark.parametrize(("meta", "notes", "front"), [
    ('{"breath": NaN, "length": Infinity, "rate": 1e999, "title": "T"}',
     ["'rate'", "'breath'", "'length'"], ["title: T"]),
    ('{"title": {"a": 1}, "tags": ["a", ["b"]], "year": ' + "9" * 5000 + "}", ["not readable"], []),
    ('{"title": {"a": 1}, "tags": ["a", ["b"]], "author": "A\\nrate: 300"}', ["'title'", "'tags'"],
     ["author: A rate: 300"]),
    ('{"pronounce": ["metta"], "breath": 6}', ["'pronounce' is not a table"], ["breath: 6s"]),
    ('{"pronounce": {"metta": 5}}', ["'pronounce' is not a table"], []),
    ("[" * 100_000, ["not readable"], []),
    ("null", ["not readable"], []),
    ("[]", ["not readable"], []),
], ids=["not-finite", "too-many-digits", "wrong-types", "pronounce-a-list", "pronounce-a-number", "deep", "null",
        "a-list"])
def test_a_stillpoint_comment_keeps_its_plain_values_and_notes_the_rest(meta: str, notes: list[str],
                                                                        front: list[str]) -> None:
    result = convert.ssml_to_script(f"<speak><!-- stillpoint {meta} --><s>Rest.</s></speak>", "t.ssml")
    assert len(result.notes) == len(notes)
    assert all(word in note.message and note.line == 1 for word, note in zip(notes, result.notes))
    expected = ["---", *front, "---", "Rest."] if front else ["Rest."]
    assert result.text.splitlines() == expected


@pytest.mark.parametrize(("cue", "note"), [
    (f"(pause {NINES} seconds)", f"'(pause {'9' * 33}\u2026' is not read as a cue: {'9' * 40}\u2026 is more than 86400"),
    (f"[breathe {NINES}]", f"'[breathe {'9' * 31}\u2026' is not read as a cue: {'9' * 40}\u2026 is more than 86400"),
    ("(wait 90000 seconds)", "'(wait 90000 seconds)' is not read as a cue: 90000 is more than 86400"),
    ("(pause nan seconds)", "'(pause nan seconds)' is not read as a cue: nan is not a number"),
    ("[breathe inf]", "'[breathe inf]' is not read as a cue: inf is not a number"),
], ids=["huge-pause", "huge-breaths", "past-a-day", "nan-pause", "inf-breaths"])
def test_an_absurd_number_in_a_hand_written_cue_is_one_note_and_the_cue_is_kept_as_written(cue: str,
                                                                                           note: str) -> None:
    result = convert.informal_to_script(f"Rest here. {cue}\n", "notes.txt")
    assert [str(n) for n in result.notes] == [f"notes.txt:1:12: note: {note}"]
    assert result.text == f"Rest here. {cue}\n"


def test_a_sub_inside_a_sub_is_noted_and_nesting_does_not_multiply_the_output() -> None:
    depth = 5000
    ssml = "<speak>" + '<sub alias="x">calm ' * depth + "</sub>" * depth + "</speak>"
    result = convert.ssml_to_script(ssml, "t.ssml")
    assert len(result.text) < len(ssml)
    assert result.notes[0].message == "a <sub> inside another is not SSML: its text is kept, its alias is dropped"
    assert result.notes[-1].message == "more than 100 notes; the rest are left out"


def test_a_sub_holding_more_than_a_respelling_keeps_its_text_and_drops_its_alias() -> None:
    result = convert.ssml_to_script('<speak><s><sub alias="x">' + "calm " * 30 + "</sub> now.</s></speak>", "t.ssml")
    assert result.text == ("calm " * 30).strip() + " now.\n"
    assert [n.message for n in result.notes] == [
        '<sub alias="x"> holds more than 100 characters: its text is kept, its alias is dropped']


SSML_PIECES = st.one_of(
    st.sampled_from(["<s>", "</s>", "<p>", "</p>", "calm ", "Rest. ", '<sub alias="y">', "</sub>", "<emphasis>",
                     "</emphasis>", "<audio>", "</audio>", '<voice name="fr">', "</voice>", '<break strength="x"/>',
                     '<mark name="# T {rate: 9999}"/>', '<mark name="[pause 1e999s]"/>', "&amp;", "[", "{", "\n",
                     '<mark name="# A {breath: nan}"/>', "<!-- stillpoint {\"breath\": NaN} -->", "<!-- a -->"]),
    st.sampled_from(["nan", "inf", "-inf", "1e999", NINES, "0", "-1", "100%", "+50%", "-200%", "3s", "", "x-slow"]).map(
        lambda n: st.sampled_from([f'<break time="{n}"/>', f'<prosody rate="{n}">x</prosody>'])).flatmap(lambda s: s),
    st.text(max_size=4),
)
INFORMAL_PIECES = st.one_of(
    st.sampled_from(["calm.", "\n", "...", "(bell)", "[long pause]", "---\n", "# T\n", "(", ")", "[", "]", "// x\n"]),
    st.sampled_from(["nan", "inf", "1e999", NINES, "0", "2.5", "a few", "ten"]).map(
        lambda n: st.sampled_from([f"(pause {n} seconds)", f"[breathe {n}]", f"(wait {n} minutes)", f"({n} breaths)"])
    ).flatmap(lambda s: s),
    st.text(max_size=4),
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(SSML_PIECES, max_size=30).map(lambda parts: "<speak>" + "".join(parts) + "</speak>"))
def test_any_ssml_converts_or_gives_errors_never_another_exception(text: str) -> None:
    converts_or_refuses(text, "ssml", "script")


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(INFORMAL_PIECES, max_size=30).map("".join), st.sampled_from(["script", "ssml"]))
def test_any_informal_text_converts_or_gives_errors_never_another_exception(text: str, target: str) -> None:
    converts_or_refuses(text, "informal", target)


def converts_or_refuses(text: str, source: str, target: str) -> None:
    """A conversion with notes inside the input, or a StillpointError naming a place (in the script made from
    it, on the way to SSML); a clean script made from it converts on to SSML."""
    lines = len(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    try:
        result = convert.convert(text, "in.txt", source, target, dest="out.txt")
    except StillpointError as err:
        assert err.diagnostic.path == "in.txt" and err.diagnostic.line >= 0, err
        return
    assert all(note.path == "out.txt" or note.line <= lines for note in result.notes), result.notes
    if target == "script" and not any(note.severity == "error" for note in result.notes):
        assert convert.convert(result.text, "out.txt", "script", "ssml").text.startswith("<?xml")
