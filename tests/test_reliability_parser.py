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

import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stillpoint.errors import Diagnostic, ScriptError
from stillpoint.language import script
from stillpoint.language.script import Speech

TEN_MB = 10_000_000
BIG_LINE_SECONDS = 20.0  # a sanity bound: these take one or two seconds
GROWTH = 8  # the large input is this many times the small one
GROWTH_LIMIT = 32  # linear time gives about 8; quadratic about 64
SMALL = 20_000


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
        "🙏🏽 Rest here.", "pause", "שָׁלוֹם, מה שלומך? \u202eمرحبا بك\u202c.", "bell"]
    assert [c.col for c in cues] == [1, text.index("[pause") + 1, text.index("ש") + 1, text.index("[bell") + 1]


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


def in_child(code: str, *args: str, data: bytes = b"", timeout: float = 60.0) -> str:
    """Run ``code`` in a fresh interpreter (so a hang ends at ``timeout`` as a failure); its output."""
    done = subprocess.run([sys.executable, "-c", code, *args], input=data, capture_output=True, timeout=timeout)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode().strip()


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
    small, large = json.loads(in_child(SCALING, build, str(SMALL), str(GROWTH)))
    floor = 0.002  # below this, timings are noise
    assert max(large, floor) / max(small, floor) < GROWTH_LIMIT, (small, large)


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
