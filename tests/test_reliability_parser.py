"""The parser under bad input: encodings, line ends, absurd markers, floods of errors, huge lines, fuzzing.

Covered elsewhere and not repeated here: empty and blank files, UTF-8 with a BOM, UTF-16 with a BOM,
invalid UTF-8 and NUL bytes (tests/language/test_script.py: test_empty_and_blank_files_say_the_script_is_empty,
test_decode_accepts_utf8_bom_and_utf16, test_decode_rejects_binary_and_invalid_text_with_a_position);
CRLF and CR (test_crlf_and_cr_line_ends_parse_like_lf, language/golden/valid/crlf.txt); -1s, nan, inf, 1e309s and
99h as lengths (test_parse_duration_refuses_nonsense, language/golden/invalid/negative-pause.txt, nan-pause.txt,
too-long.txt); misspelled markers, unclosed [ and <break, only markers (language/golden/invalid/misspelled-marker.txt,
unclosed-marker.txt, unclosed-break.txt, only-markers.txt); hypothesis over st.text() and st.binary() alone.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reliability import bounded, cli_env, expansion_bomb, fingerprint, grows_linearly, in_child, refused
from stillpoint.errors import Diagnostic, ScriptError
from stillpoint.language import script
from stillpoint.language.script import Speech

TEN_MB = 10_000_000
BIG_LINE_SECONDS = 20.0  # a sanity bound: these take one or two seconds


def errors_of(text: str) -> list[Diagnostic]:
    """The diagnostics parsing ``text`` gives (it must fail)."""
    with pytest.raises(ScriptError) as caught:
        script.parse(text, "t.txt")
    return caught.value.diagnostics


def read(data: bytes) -> script.Script:
    """Decode and parse bytes the way a script file is read."""
    return script.parse(script.decode(data, "t.txt"), "t.txt")


# ---------------------------------------------------------------- encodings and line ends

TEXT = "# A\r\nRest here. [pause 2s]\r\nאני כאן 🙏.\r\n"


@pytest.mark.parametrize("data", [
    b"\xff\xfe" + TEXT.encode("utf-16-le"),
    b"\xfe\xff" + TEXT.encode("utf-16-be"),
    b"\xef\xbb\xbf" + TEXT.encode(),
], ids=["utf-16-le", "utf-16-be", "utf-8-bom"])
def test_utf16_either_way_round_and_a_bom_read_like_plain_utf8(data: bytes) -> None:
    assert read(data) == script.parse(TEXT, "t.txt")


def test_utf16_without_a_bom_is_refused_as_binary_at_the_first_nul() -> None:
    with pytest.raises(ScriptError, match="t.txt:1:2: error: looks like a binary file"):
        read(TEXT.encode("utf-16-le"))


@pytest.mark.parametrize(("data", "where", "message"), [
    (b"\xff\xfe" + "Rest.\nBreathe.".encode("utf-16-le") + b"\x00", "2:9", "is not valid UTF-16 text"),
    (b"\xff\xfe" + "Rest.\nab".encode("utf-16-le") + b"\x00\xd8", "2:3", "is not valid UTF-16 text"),
    (b"\xff\xfe" + "Rest.\nab\x00c".encode("utf-16-le"), "2:3", "looks like a binary file"),
    ("Café\nthé ".encode() + b"\xff", "2:5", "is not valid UTF-8 text"),
    ("Café ☕ ok\n".encode() + b"\x00", "2:1", "looks like a binary file"),
], ids=["odd-length-utf16", "lone-surrogate", "nul-in-utf16", "latin-1-in-utf8", "nul-after-utf8"])
def test_undecodable_input_is_an_error_at_its_line_and_column_in_characters(data: bytes, where: str,
                                                                           message: str) -> None:
    with pytest.raises(ScriptError) as caught:
        script.decode(data, "t.txt")
    assert str(caught.value).startswith(f"t.txt:{where}: error: {message}")


@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"])
def test_line_numbers_count_every_kind_of_line_end(newline: str) -> None:
    text = newline.join(["# A", "Rest.", "", "Then [paws 2s] here."])
    assert [(d.line, d.col) for d in errors_of(text)] == [(4, 6)]


# ---------------------------------------------------------------- markers and text

LONG_NUMBER = "9" * 5000  # past the 4300 digits Python turns into an int without complaint


@pytest.mark.parametrize(("marker", "message"), [
    ("[pause 1e309s]", "is not a length of time"),
    ("[pause 99h]", "longer than the 1 hour"),
    ("[soak nan]", "is not a length of time"),
    ("[pause inf]", "is not a length of time"),
    ("[pause -1s]", "cannot be negative"),
    ('<break time="1e309s"/>', "is not a length of time"),
    ('<break time="-3s"/>', "cannot be negative"),
    (f"[breathe {LONG_NUMBER}]", "give a number of breaths from 1 to 100"),
    (f"[pause {LONG_NUMBER}s]", "longer than the 1 hour"),
    ("[zzz 5s]", "unknown marker [zzz 5s] (markers are [pause 5s], [breathe 3], [soak 45s] and [bell])"),
    ("[Soak 5s 6s]", "'5s 6s' is not a length of time"),
])
def test_absurd_markers_are_errors_at_the_marker(marker: str, message: str) -> None:
    found = errors_of(f"Arrive.\nRest. {marker} Again.")
    assert [(d.line, d.col) for d in found] == [(2, 7)]
    assert message in found[0].message + (f" ({found[0].hint})" if found[0].hint else "")


def test_breath_counts_may_have_leading_zeros() -> None:
    cue = script.parse("Rest. [breathe 003]").sections[0].cues[1]
    assert (cue.kind, cue.count) == ("breathe", 3)


def test_emoji_and_right_to_left_text_are_kept_and_columns_count_characters() -> None:
    text = "🙏🏽 Rest here. [pause 2s] שָׁלוֹם, מה שלומך? \u202eمرحبا بك\u202c. [bell]"
    cues = script.parse(text).sections[0].cues
    assert [c.text if isinstance(c, Speech) else c.kind for c in cues] == [
        "🙏🏽 Rest here.", "pause", "שָׁלוֹם, מה שלומך?", "\u202eمرحبا بك\u202c.", "bell"]
    assert [c.col for c in cues] == [1, text.index("[pause") + 1, text.index("ש") + 1, text.index("\u202e") + 1,
                                     text.index("[bell") + 1]


def test_a_heading_with_odd_spacing_and_braces_still_finds_its_title_and_settings() -> None:
    first = script.parse("#   Closing   words \t {rate: 100}  \nRest.").sections[0]
    assert (first.title, first.settings.rate) == ("Closing   words", 100)
    assert [d.message for d in errors_of("# Last {x}}\nGo.")] == ["a section heading needs a title"]


def test_a_flood_of_errors_stops_at_the_cap_with_a_note_where_checking_stopped() -> None:
    found = errors_of("Rest. " + "] " * 1_000_000)
    assert len(found) == script.MAX_ERRORS + 1
    assert found[-1].message == f"more than {script.MAX_ERRORS} errors; checking stopped here"
    assert (found[-1].line, found[-1].col) == (1, 7 + 2 * script.MAX_ERRORS)


# ---------------------------------------------------------------- size and time, in a child process

CHILD = """
import json, sys, time
from stillpoint.language import script
from stillpoint.errors import ScriptError

def outcome(text):
    try:
        return f"{len(script.parse(text, 'big.txt').speeches())} speeches"
    except ScriptError as err:
        return f"{len(err.diagnostics)} errors"

def best(text):
    times = []
    for _ in range(3):
        started = time.perf_counter()
        outcome(text)
        times.append(time.perf_counter() - started)
    return min(times)
"""
READ_STDIN = CHILD + """
print(outcome(script.decode(sys.stdin.buffer.read(), "big.txt")))
"""
SCALING = CHILD + """
build = eval(sys.argv[1])
small, large = best(build(int(sys.argv[2]))), best(build(int(sys.argv[2]) * int(sys.argv[3])))
print(json.dumps([small, large]))
"""


@pytest.mark.parametrize(("piece", "outcome"), [
    ("Let the breath be easy, and rest here. ", "{} speeches"),
    ("Rest here a while, and let the breath be easy. [pause 2s] Breathe. [breathe 2] ", "{} speeches"),
    ("Rest ] [paws] {who} <break time=x> # [ {", f"{script.MAX_ERRORS + 1} errors"),
], ids=["sentences", "sentences-and-markers", "garbage"])
def test_a_10_mb_single_line_parses_in_bounded_time(piece: str, outcome: str) -> None:
    repeats = TEN_MB // len(piece)
    line = (piece * repeats).encode()
    speeches = repeats * piece.count(".")
    assert in_child(READ_STDIN, data=line, timeout=BIG_LINE_SECONDS) == outcome.format(speeches)


PATHOLOGICAL = {
    "heading-with-spaces": 'lambda n: "# a" + " " * n + "{"',
    "openers-then-a-closer": 'lambda n: "Rest [" + "[" * n + "]"',
    "braces-then-a-closer": 'lambda n: "Rest {" + "{" * n + "}"',
    "one-long-paragraph": 'lambda n: "Rest here.\\n" * (n // 11)',
    "padded-break-tag": 'lambda n: "Rest <break" + " " * n + "x>"',
    "break-tag-with-a-long-word": 'lambda n: "Rest <break " + "a" * n + ">"',
    "many-unknown-markers": 'lambda n: "Rest. " + "[x]" * (n // 3)',
    "many-markers": 'lambda n: "Rest. [pause 2s] " * (n // 16)',
    "front-matter-entries": 'lambda n: "---\\nvars:\\n" + "  a: b\\n" * (n // 7) + "---\\nHi {a}."',
}


@pytest.mark.parametrize("build", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_time_per_kilobyte_does_not_grow_with_the_input(build: str) -> None:
    assert grows_linearly(SCALING, build)


# ---------------------------------------------------------------- fuzzing, derandomized

PIECES = ["[pause 3s]", "[breathe 2]", "[soak]", "[bell]", "[paws 2s]", "[pause 1e309s]", "[", "]", "{", "}", "<",
          ">", '<break time="2s"/>', "<break", "{x}", "# Part", "---", "title: T", "\n", "\r\n", "\r", "\n\n", "// c",
          "...", " ", "\ufeff", "\u202e", "שלום", "🙏🏽", "Rest here.", " and ", "Breathe!"]
SOUP = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=4)), max_size=60).map("".join)
ENCODED = st.tuples(SOUP, st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le"])).map(
    lambda pair: pair[0].encode(pair[1], "surrogatepass"))


@settings(max_examples=250, deadline=None, derandomize=True)
@given(st.one_of(st.binary(max_size=300), ENCODED))
def test_any_file_contents_give_a_script_or_errors_with_positions(data: bytes) -> None:
    try:
        text = script.decode(data, "t.txt")
        parsed = script.parse(text, "t.txt")
    except ScriptError as err:
        assert all(d.path == "t.txt" and d.line >= 1 and d.col >= 1 and d.message for d in err.diagnostics)
    else:
        assert all(speech.text.strip() for speech in parsed.speeches())


# ---------------------------------------------------------------- expansion of variables

@pytest.mark.parametrize("command", [("plan",), ("check",), ("export", "-o", "out.mp3"), ("convert", "--to", "ssml")])
def test_variables_that_would_fill_a_script_far_beyond_its_length_are_one_error_where_it_happens(
        tmp_path: Path, command: tuple[str, ...]) -> None:
    path = expansion_bomb(tmp_path)
    before = fingerprint(tmp_path)
    done = bounded(command[0], path, *command[1:], env=cli_env(tmp_path / "cache"), cwd=tmp_path)
    assert fingerprint(tmp_path) == before
    line = refused(done, 1, f"{path}:6:", "filling in {v} here makes the text more than 10 times as long")
    assert int(line.split(":")[2]) < 100  # at the first use past the limit, early in the line


@pytest.mark.parametrize(("uses", "fits"), [(99, True), (101, False)])
def test_a_short_script_may_always_fill_in_up_to_the_floor(uses: int, fits: bool) -> None:
    text = "---\nvars:\n  v: " + "A" * 999 + "\n---\n" + "{v}. " * uses + "\n"  # far less than the floor / 10
    assert 10 * len(text) < script.EXPANSION_FLOOR
    if fits:
        assert len(script.parse(text, "t.txt").speeches()) == uses
    else:
        assert [d.message for d in errors_of(text)] == [
            "filling in {v} here makes the text more than 10 times as long as the script"]


# ---------------------------------------------------------------- floods of findings from every source

FLOODS = {
    "lexicon": ("plan", "{good}"),
    "ssml notes": ("convert", "{ssml}", "-o", "{tmp}/out.txt"),
    "warnings": ("check", "{caps}"),
}


@pytest.mark.parametrize("source", FLOODS)
def test_every_source_of_findings_stops_after_a_hundred(tmp_path: Path, source: str) -> None:
    files = {"good": tmp_path / "good.txt", "ssml": tmp_path / "talk.ssml", "caps": tmp_path / "caps.txt",
             "lexicon": tmp_path / "lexicon.txt", "tmp": tmp_path}
    files["good"].write_text("Rest here.\n", encoding="utf-8")
    files["lexicon"].write_text("oops\n" * 300_000, encoding="utf-8")
    files["ssml"].write_text("<speak>" + "<foo>a</foo>" * 100_000 + "</speak>", encoding="utf-8")
    files["caps"].write_text("# A\n" + "REST HERE NOW PLEASE.\n\n" * 5_000, encoding="utf-8")
    lexicon = {"STILLPOINT_LEXICON": str(files["lexicon"])} if source == "lexicon" else {}
    env = {**cli_env(tmp_path / "cache"), **lexicon}
    done = bounded(*(arg.format(**files) for arg in FLOODS[source]), env=env, cwd=tmp_path)
    lines = done.stderr.splitlines()
    assert len(lines) == script.MAX_ERRORS + 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert re.search(rf"more than {script.MAX_ERRORS} \w+; (checking stopped here|the rest are left out)", lines[-1])


# ---------------------------------------------------------------- duplicate entries

@pytest.mark.parametrize(("table", "first", "second"), [
    ("vars", "who", "who"), ("pronounce", "metta", "Metta"),
])
def test_an_entry_listed_twice_under_a_table_is_an_error_at_the_second(tmp_path: Path, table: str, first: str,
                                                                       second: str) -> None:
    path = tmp_path / "twice.txt"
    path.write_text(f"---\n{table}:\n  {first}: one\n  {second}: two\n---\nRest here, {{who}}.\n", encoding="utf-8")
    for command in ("plan", "check"):
        done = bounded(command, path, "--set", "who=you", env=cli_env(tmp_path / "cache"), cwd=tmp_path)
        refused(done, 1, f"{path}:4:3: error: '{second}' is listed twice under '{table}'", "first on line 3")


# ---------------------------------------------------------------- SSML that points outside itself

OUTSIDE = """<?xml version="1.0"?>
<!DOCTYPE speak SYSTEM "file:///etc/speak.dtd" [
<!ENTITY secret SYSTEM "file:///etc/passwd">
<!ENTITY % remote SYSTEM "http://example.com/more.dtd">
%remote;
<!ENTITY calm "calm">
]>
<speak><s>Rest &secret; here.</s><s>Be &calm; now, &later;.</s></speak>
"""


def test_ssml_conversion_notes_every_outside_document_it_does_not_read(tmp_path: Path) -> None:
    source = tmp_path / "talk.ssml"
    source.write_text(OUTSIDE, encoding="utf-8")
    done = bounded("convert", source, "-o", tmp_path / "talk.txt", env=cli_env(tmp_path / "cache"), cwd=tmp_path)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    notes = [line.split(": note: ")[1] for line in done.stderr.splitlines()]
    assert notes == [
        "the document type file:///etc/speak.dtd of <!DOCTYPE speak> is not read, for safety",
        "the entity &secret; is kept in file:///etc/passwd, which is not read, for safety: "
        "it is dropped wherever it is used",
        "the entity %remote; is kept in http://example.com/more.dtd, which is not read, for safety: "
        "it is dropped wherever it is used",
        "&secret; (file:///etc/passwd) is not read, for safety, and is dropped here",
        "&calm; is dropped: its definition was not read",  # declared after an outside part that was not read
        "&later; is dropped: its definition was not read",
    ]
    assert (tmp_path / "talk.txt").read_text(encoding="utf-8") == "Rest here.\nBe now, .\n"
