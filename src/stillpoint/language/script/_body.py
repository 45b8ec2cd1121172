"""The body: sections, spoken text cut into sentences, markers, tags and variables filled in, with their positions."""

from __future__ import annotations

import bisect
import re
from dataclasses import replace

from stillpoint.errors import Diagnostic
from stillpoint.language import sentences
from stillpoint.language.script._model import Marker, Section, Settings, Speech
from stillpoint.language.script._numbers import BREATH_HINT, RATE_RANGE, parse_breath, parse_duration, parse_rate
from stillpoint.language.script._syntax import (BREAK_STRENGTHS, MARKER_WORDS, SECTION_KEYS, SOUND_MARKERS,
                                                cue_problem, suggest, unquote)

EXPANSION_FACTOR = 10  # filled-in variables may make a script's text at most this many times as long
EXPANSION_FLOOR = 100_000  # characters of text a script may always reach, however short it is


def room(text: str) -> int:
    """How many characters filled-in variables may add to a script of ``text``."""
    return max(EXPANSION_FACTOR * len(text), EXPANSION_FLOOR)


_TOKEN = re.compile(r"\[|\]|<|\{|\}")


class _Paragraph:
    """Text gathered so far, with the source position of each piece."""

    def __init__(self) -> None:
        self.pieces: list[tuple[str, int, int]] = []

    def add(self, text: str, line: int, col: int) -> None:
        if text:
            self.pieces.append((text, line, col))

    def take_line(self, line: int) -> list[tuple[str, int, int]]:
        """The pieces gathered from ``line``, taken out of the paragraph (they come last)."""
        first = next((i for i, piece in enumerate(self.pieces) if piece[1] == line), len(self.pieces))
        taken, self.pieces = self.pieces[first:], self.pieces[:first]
        return taken

    def flush(self) -> list[Speech]:
        """The gathered text as sentences; empties the paragraph."""
        text, starts = _join(self.pieces)
        offsets = [start[0] for start in starts]
        self.pieces = []
        found = []
        for start, end in sentences.spans(text):
            words = text[start:end].split()
            if words:
                offset = start + len(text[start:end]) - len(text[start:end].lstrip())
                line, col = _locate(starts, offsets, offset)
                found.append(Speech(" ".join(words), line, col))
        return found


def _join(pieces: list[tuple[str, int, int]]) -> tuple[str, list[tuple[int, int, int]]]:
    text, starts, offset = [], [], 0
    for piece, line, col in pieces:
        starts.append((offset, line, col))
        text.append(piece)
        offset += len(piece)
    return "".join(text), starts


def _locate(starts: list[tuple[int, int, int]], offsets: list[int], offset: int) -> tuple[int, int]:
    index = bisect.bisect_right(offsets, offset) - 1
    piece_offset, line, col = starts[max(index, 0)]
    return line, col + offset - piece_offset


def _heading_parts(stripped: str) -> tuple[str, str | None]:
    """Title and trailing ``{settings}`` block (None without one) of a stripped heading line."""
    body = stripped.lstrip("#").strip()
    brace = body.rfind("{")
    if body.endswith("}") and brace >= 0 and "}" not in body[brace:-1]:
        return body[:brace].rstrip(), body[brace:]
    return body, None


def _next(raw: str, char: str, start: int, ahead: dict[str, int]) -> int:
    """Index of the first ``char`` in ``raw`` from ``start`` on, or -1; ``ahead`` remembers it for the line.

    Remembering keeps a line of many openers and one far closer linear instead of quadratic.
    """
    found = ahead.get(char)
    if found is None or 0 <= found < start:
        found = ahead[char] = raw.find(char, start)
    return found


class Body:
    """Reads sections, spoken text and markers after the front matter."""

    def __init__(self, path: str, title: str, values: dict[str, str], errors: list[Diagnostic], room: int):
        self.path, self.values, self.errors = path, values, errors
        self.room = room  # characters that filled-in variables may still add; below 0, none are added
        self.used: dict[str, tuple[int, int]] = {}
        self.sections: list[Section] = []
        self.current = Section(title="", line=1, cues=())
        self.cues: list[Speech | Marker] = []
        self.paragraph = _Paragraph()
        self.raw = ""  # the line being read
        self.marked_line = 0  # the last line a marker stood on
        self.personal_line = 0  # the last line a variable was filled in on

    def parse(self, lines: list[str], start: int) -> list[Section]:
        """All sections of the body, starting at line index ``start``."""
        for index in range(start, len(lines)):
            self._line(index + 1, lines[index])
        self._end_section()
        return self.sections

    def _line(self, lineno: int, raw: str) -> None:
        stripped = raw.strip()
        if not stripped:
            self._flush(paragraph_end=True)
        elif stripped.startswith("//"):
            return
        elif stripped.startswith("#"):
            self._heading(lineno, raw)
        else:
            self._text_line(lineno, raw)

    def _heading(self, lineno: int, raw: str) -> None:
        self._end_section()
        col = raw.index("#") + 1
        title, block = _heading_parts(raw.strip())
        if not title or "{" in title or "}" in title:
            self._error(lineno, col, "a section heading needs a title", "write it like `# Arriving`")
        settings = self._section_settings(lineno, raw, block)
        self.current = Section(title=title, line=lineno, cues=(), settings=settings)

    def _section_settings(self, lineno: int, raw: str, block: str | None) -> Settings:
        if not block:
            return Settings()
        col = raw.index(block) + 1
        found: dict[str, object] = {}
        for entry in filter(None, (e.strip() for e in block[1:-1].split(","))):
            key, sep, value = (part.strip() for part in entry.partition(":"))
            parsed = self._section_value(lineno, col, key.lower(), value) if sep else None
            if not sep:
                self._error(lineno, col, f"'{entry}' is not a section setting", "write it like {rate: 100}")
            elif parsed is not None:
                found[key.lower().replace("-", "_")] = parsed
        return Settings(**found)

    def _section_value(self, lineno: int, col: int, key: str, value: str) -> object:
        if key not in SECTION_KEYS:
            near = suggest(key, SECTION_KEYS)
            self._error(lineno, col, f"unknown section setting '{key}'",
                        f"did you mean `{near}`?" if near else "a section may set voice, rate, breath and breath-cue")
            return None
        if key == "rate":
            rate = parse_rate(value)
            if rate is None:
                self._error(lineno, col, f"rate '{value}' is not usable",
                            f"give words per minute, a whole number from {RATE_RANGE[0]} to {RATE_RANGE[1]}")
            return rate
        if key == "breath":
            return self._breath_pattern(lineno, col, value)
        if key == "breath-cue":
            return self._breath_cue(lineno, col, value)
        return unquote(value) or None

    def _breath_pattern(self, lineno: int, col: int, value: str) -> tuple[float, ...] | None:
        try:
            return parse_breath(value)
        except ValueError as err:
            self._error(lineno, col, f"breath: {err}", BREATH_HINT)
            return None

    def _breath_cue(self, lineno: int, col: int, value: str) -> str | None:
        if problem := cue_problem(value):
            self._error(lineno, col, f"breath-cue: {problem[0]}", problem[1])
            return None
        return value.strip().lower()

    def _text_line(self, lineno: int, raw: str) -> None:
        position, ahead, self.raw = 0, {}, raw
        for match in _TOKEN.finditer(raw):
            if match.start() < position:
                continue
            self._text(lineno, raw[position:match.start()], position + 1)
            position = self._token(lineno, raw, match.start(), ahead)
        self._text(lineno, raw[position:], position + 1)
        self.paragraph.add(" ", lineno, len(raw) + 1)

    def _text(self, lineno: int, text: str, col: int) -> None:
        self.paragraph.add(text, lineno, col)

    def _token(self, lineno: int, raw: str, start: int, ahead: dict[str, int]) -> int:
        """Handle the bracket, tag or brace at ``start``; return where plain text resumes."""
        opener = raw[start]
        if opener in "]}":
            self._error(lineno, start + 1, f"unexpected '{opener}'", "remove it, or open it with "
                        + ("[" if opener == "]" else "{"))
            return start + 1
        closer = {"[": "]", "<": ">", "{": "}"}[opener]
        end = _next(raw, closer, start + 1, ahead)
        nested = _next(raw, opener, start + 1, ahead)
        if end < 0 or (opener != "<" and 0 <= nested < end):
            self._unclosed(lineno, start, opener, closer)
            return len(raw) if end < 0 else nested
        inner = raw[start + 1:end]
        {"[": self._marker, "<": self._tag, "{": self._variable}[opener](lineno, start + 1, inner)
        return end + 1

    def _unclosed(self, lineno: int, start: int, opener: str, closer: str) -> None:
        what = {"[": "marker", "<": "tag", "{": "variable"}[opener]
        self._error(lineno, start + 1, f"unclosed {what}: '{opener}' without '{closer}'",
                    f"close it with '{closer}' on the same line")

    def _marker(self, lineno: int, col: int, inner: str) -> None:
        word, _, argument = inner.strip().partition(" ")
        word, argument = word.lower(), argument.strip()
        if word not in MARKER_WORDS:
            self._unknown_marker(lineno, col, inner, word, argument)
        elif word == "bell":
            if argument:
                self._error(lineno, col, "[bell] takes no length", "write [bell], and a [pause] after it if needed")
            self._add_marker(Marker("bell", lineno, col))
        elif word == "breathe":
            self._breathe(lineno, col, argument)
        elif word in SOUND_MARKERS:
            self._sound(lineno, col, word, unquote(argument).strip(), self.raw[col + len(inner) + 1:])
        else:
            seconds = self._positive_duration(lineno, col, argument) if argument else None
            if seconds is not None or not argument:
                self._add_marker(Marker(word, lineno, col, seconds=seconds))

    def _unknown_marker(self, lineno: int, col: int, inner: str, word: str, argument: str) -> None:
        near = suggest(word, MARKER_WORDS)
        if near:
            hint = f"did you mean [{near}{' ' + argument if argument else ''}]?"
        else:
            hint = "markers are [pause 5s], [breathe 3], [soak 45s] and [bell]"
        self._error(lineno, col, f"unknown marker [{inner.strip()}]", hint)

    def _breathe(self, lineno: int, col: int, argument: str) -> None:
        if not argument:
            self._add_marker(Marker("breathe", lineno, col, count=1))
        elif (count := re.fullmatch(r"0*(\d{1,3})", argument)) and 1 <= int(count.group(1)) <= 100:
            self._add_marker(Marker("breathe", lineno, col, count=int(count.group(1))))
        else:
            self._error(lineno, col, f"[breathe {argument}]: give a number of breaths from 1 to 100",
                        "for a timed silence write [pause 30s] or [soak 30s]")

    def _sound(self, lineno: int, col: int, word: str, file: str, after: str) -> None:
        """A [clip FILE] where it stands, or the line ending in [recorded FILE] as one piece of speech played from FILE."""
        if not file:
            example = "[clip sounds/chime.ogg]" if word == "clip" else "[recorded practice.recordings/take-1.wav]"
            self._error(lineno, col, f"[{word}] needs a sound file", f"write it like {example}")
        elif word == "clip":
            self._add_marker(Marker("clip", lineno, col, file=file))
        elif after.strip():
            self._error(lineno, col, "[recorded] must end its line", "put it after the last words of the line it plays")
        elif self.marked_line == lineno:
            self._error(lineno, col, "a recorded line holds no other marker", "put the other marker on its own line")
        else:
            self._recorded(Marker("recorded", lineno, col, file=file))

    def _recorded(self, marker: Marker) -> None:
        """The words of ``marker``'s line as one Speech played from its file; the words before it spoken as usual."""
        pieces = self.paragraph.take_line(marker.line)
        self._flush(paragraph_end=False)
        text = "".join(piece for piece, _line, _col in pieces)
        if not text.split():
            self._error(marker.line, marker.col, "[recorded] needs the words it plays before it, on its line",
                        "write the line's words, then [recorded FILE] at its end")
            return
        col = pieces[0][2] + len(text) - len(text.lstrip())
        personal = self.personal_line == marker.line
        self.cues.append(Speech(" ".join(text.split()), marker.line, col, recording=marker, personal=personal))

    def _positive_duration(self, lineno: int, col: int, text: str) -> float | None:
        try:
            seconds = parse_duration(text)
        except ValueError as err:
            self._error(lineno, col, str(err), "write it like 8s, 1m30s or 500ms")
            return None
        if seconds <= 0:
            self._error(lineno, col, f"a length of 0 is no pause ('{text}')", "remove the marker or give a length like 5s")
            return None
        return seconds

    def _tag(self, lineno: int, col: int, inner: str) -> None:
        match = re.match(r"\s*break\b", inner)
        if not match:
            name = (inner.split() or ["?"])[0].strip("/")
            self._error(lineno, col, f"<{name}> is not supported in a script",
                        "only <break time=\"3s\"/> and <break strength=\"strong\"/> are; "
                        "use `stillpoint convert` for other SSML")
            return
        seconds = self._break_seconds(lineno, col, inner[match.end():])
        if seconds:
            self._add_marker(Marker("pause", lineno, col, seconds=seconds))

    def _break_seconds(self, lineno: int, col: int, attributes: str) -> float | None:
        attrs = dict(re.findall(r"(?<!\w)(\w+)\s*=\s*[\"']([^\"']*)[\"']", attributes))
        if "time" in attrs:
            return self._positive_duration(lineno, col, attrs["time"])
        if attrs.get("strength", "medium") in BREAK_STRENGTHS:
            return BREAK_STRENGTHS[attrs.get("strength", "medium")]
        self._error(lineno, col, f"<break strength=\"{attrs['strength']}\"> is not a strength",
                    "use one of " + ", ".join(BREAK_STRENGTHS))
        return None

    def _variable(self, lineno: int, col: int, inner: str) -> None:
        name = inner.strip()
        if not re.fullmatch(r"[A-Za-z_][\w-]*", name):
            self._error(lineno, col, f"'{{{inner}}}' is not a variable", "write a variable like {benefactor}")
        elif name not in self.values:
            self._error(lineno, col, f"variable {{{name}}} has no value",
                        f"give it a default under `vars:` or run with --set {name}=...")
        else:
            self.used.setdefault(name, (lineno, col))
            self._fill_in(lineno, col, name)

    def _fill_in(self, lineno: int, col: int, name: str) -> None:
        """The value of variable ``name`` as text, unless the text would grow far beyond the script's length."""
        if self.room < 0:
            return  # already reported where it happened first
        self.room -= len(self.values[name])
        if self.room >= 0:
            self.personal_line = lineno
            self._text(lineno, self.values[name], col)
            return
        self._error(lineno, col, f"filling in {{{name}}} here makes the text more than {EXPANSION_FACTOR} times "
                    "as long as the script", f"shorten the value of {name}, or use it less often")

    def _add_marker(self, marker: Marker) -> None:
        self.marked_line = marker.line
        self._flush(paragraph_end=False)
        self.cues.append(marker)

    def _flush(self, paragraph_end: bool) -> None:
        self.cues.extend(self.paragraph.flush())
        if paragraph_end and self.cues and isinstance(self.cues[-1], Speech):
            self.cues[-1] = replace(self.cues[-1], paragraph_end=True)

    def _end_section(self) -> None:
        self._flush(paragraph_end=True)
        if self.cues or self.current.title:
            self.sections.append(replace(self.current, cues=tuple(self.cues)))
        self.cues = []

    def _error(self, line: int, col: int, message: str, hint: str = "") -> None:
        self.errors.append(Diagnostic(self.path, line, col, message, hint))
