"""The practice-script language: text -> Script, with every error's file, line and column. Pure."""

from __future__ import annotations

import bisect
import difflib
import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from stillpoint import inputs
from stillpoint.errors import MAX_FINDINGS, Diagnostic, Findings, ScriptError, TooManyFindings, UsageError
from stillpoint.language import sentences

DEFAULT_VOICE = "heart"  # the neural voice bundled with Stillpoint; see voice/catalogue.py
DEFAULT_RATE = 120
DEFAULT_BREATH = 8.0
MAX_SECONDS = 3600.0  # of one marker, or one breath
SHORTEST_SECONDS = 0.001  # a length under a millisecond is taken as 0: no pause (and nothing `format_duration` writes)
MAX_PRACTICE_SECONDS = 24 * 3600.0  # the longest a practice may be fitted to
MAX_ERRORS = MAX_FINDINGS  # a pasted binary can hold millions; past this many a parse stops
EXPANSION_FACTOR = 10  # filled-in variables may make a script's text at most this many times as long
EXPANSION_FLOOR = 100_000  # characters of text a script may always reach, however short it is
RATE_RANGE = (60, 300)
MARKER_WORDS = ("pause", "breathe", "soak", "bell")
BREAK_STRENGTHS = {"none": 0.0, "x-weak": 0.25, "weak": 0.5, "medium": 1.0, "strong": 2.0, "x-strong": 4.0}
SCALAR_KEYS = ("title", "author", "source", "description", "content-note", "tags", "voice", "rate", "breath", "length",
               "year")
TABLE_KEYS = ("vars", "pronounce")
SECTION_KEYS = ("voice", "rate", "breath")


@dataclass(frozen=True)
class Speech:
    """A sentence (or a piece of one between markers) to be spoken."""

    text: str
    line: int
    col: int
    paragraph_end: bool = False


@dataclass(frozen=True)
class Marker:
    """A pause, breathing, soaking or bell marker; ``seconds``/``count`` are None when left bare."""

    kind: str
    line: int
    col: int
    seconds: float | None = None
    count: int | None = None


@dataclass(frozen=True)
class Settings:
    """Voice, rate and breath length; None means 'inherit'."""

    voice: str | None = None
    rate: int | None = None
    breath: float | None = None


@dataclass(frozen=True)
class Section:
    """A titled part of the practice (a chapter in the MP3) with its cues."""

    title: str
    line: int
    cues: tuple[Speech | Marker, ...]
    settings: Settings = Settings()


@dataclass(frozen=True)
class Meta:
    """The front matter of a practice."""

    title: str
    author: str = ""
    source: str = ""
    description: str = ""
    content_note: str = ""  # what a listener may want to know before choosing it: subjects that can be hard to hear
    tags: tuple[str, ...] = ()
    voice: str = DEFAULT_VOICE
    rate: int = DEFAULT_RATE
    breath: float = DEFAULT_BREATH
    length: float | None = None
    year: int | None = None
    vars: dict[str, str] = field(default_factory=dict)
    pronounce: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Script:
    """A parsed practice: metadata, sections, and where each variable is first used."""

    path: str
    meta: Meta
    sections: tuple[Section, ...]
    variables: dict[str, tuple[int, int]] = field(default_factory=dict)
    settings_at: dict[str, int] = field(default_factory=dict)  # the line of each front-matter setting

    def speeches(self) -> list[Speech]:
        """Every spoken piece, in order."""
        return [cue for section in self.sections for cue in section.cues if isinstance(cue, Speech)]


# ---------------------------------------------------------------- entry points


def load(path: str | Path, values: dict[str, str] | None = None) -> Script:
    """Read and parse the practice file at ``path``."""
    return parse(read(path), str(path), values)


def read(path: str | Path, what: str = "a practice script") -> str:
    """The text of a script file (or of another text file: ``what`` it is), with every problem as a ScriptError."""
    name = str(path)
    try:
        data = inputs.read_capped(path, inputs.TEXT_CAP, what)
    except inputs.MissingFile:
        raise _single(name, "no such file", "check the path, or run `stillpoint list`") from None
    except inputs.InputError as err:
        raise _single(name, err.diagnostic.message, err.diagnostic.hint) from None
    return decode(data, name)


def decode(data: bytes, path: str = "<text>") -> str:
    """Bytes of a script file -> text; UTF-8 (with or without BOM) or UTF-16 with a BOM."""
    encoding = "utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as err:
        if b"\x00" in data and encoding != "utf-16":
            raise _binary(path, data.decode(encoding, "replace")) from None
        line, col = _position_after(data[: err.start].decode(encoding))
        name = encoding.upper().removesuffix("-SIG")
        raise _single(path, f"is not valid {name} text", "save the file as UTF-8", line, col) from None
    if "\x00" in text:
        raise _binary(path, text)
    return text


def parse(text: str, path: str = "<text>", values: dict[str, str] | None = None) -> Script:
    """Parse script text; raises ScriptError listing the errors found (after MAX_ERRORS, a note that it stopped)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    errors = Findings()
    try:
        front_matter = _FrontMatter(path, lines, errors)
        meta, body_start = front_matter.parse()
        body = _Body(path, meta.title, {**meta.vars, **(values or {})}, errors, _room(text))
        sections = body.parse(lines, body_start)
    except TooManyFindings:
        raise ScriptError(_by_position(errors)) from None
    if not errors and not any(isinstance(c, Speech) for s in sections for c in s.cues):
        line = body_start + 1 if body_start < len(lines) else 1
        message = "the script is empty" if not text.strip() else "the script has no spoken text"
        errors.append(Diagnostic(path, line, 1, message, "write at least one line to be spoken"))
    if errors:
        raise ScriptError(_by_position(errors))
    return Script(path, meta, tuple(sections), body.used, front_matter.positions)


def variables(text: str, path: str = "<text>") -> dict[str, str | None]:
    """Every variable the script defines or uses, with its default (None when it has none), by name.

    Unlike ``parse``, a variable with no value is no error here; any other error is a ScriptError.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    errors = Findings()
    try:
        meta, body_start = _FrontMatter(path, lines, errors).parse()
        body = _Body(path, meta.title, _AnyValue(meta.vars), errors, _room(text))
        body.parse(lines, body_start)
    except TooManyFindings:
        pass
    if errors:
        raise ScriptError(_by_position(errors))
    return {name: meta.vars.get(name) for name in sorted({*meta.vars, *body.used})}


class _AnyValue(dict):
    """Values where every variable has one: its default, or else an empty stand-in."""

    def __contains__(self, name: object) -> bool:
        return True

    def __missing__(self, name: str) -> str:
        return ""


def parse_duration(text: str, longest: float = MAX_SECONDS, what: str = "a single marker") -> float:
    """'8s', '1m30s', '500ms', '1h', or a bare number of seconds -> seconds; ValueError with the reason.

    Lengths past ``longest`` seconds are refused as longer than ``what`` may last; one under SHORTEST_SECONDS is 0.
    """
    raw = text.strip().lower()
    if re.fullmatch(r"[+-]?(nan|inf(inity)?)(ms|s|m|h)?", raw):
        raise ValueError(f"'{text}' is not a length of time")
    if raw.startswith("-"):
        raise ValueError(f"a length of time cannot be negative ('{text}')")
    seconds = _duration_seconds(raw)
    if seconds is None:
        raise ValueError(f"'{text}' is not a length of time; write it like 8s, 1m30s or 500ms")
    if not math.isfinite(seconds) or seconds > longest:
        hours = longest / 3600
        raise ValueError(f"'{text}' is longer than the {hours:g} hour{'s' if hours != 1 else ''} {what} may last")
    return seconds if seconds >= SHORTEST_SECONDS else 0.0


def parse_length(text: str) -> float:
    """The length a whole practice is to be fitted to, like '45m' or '1h30m'; ValueError with the reason."""
    return parse_duration(text, MAX_PRACTICE_SECONDS, "a practice")


def value_problem(value: str) -> str | None:
    """Why ``value`` cannot be a variable's value, which is spoken as plain words: markup or a line break in it."""
    found = _NOT_IN_VALUES.search(value)
    if found is None:
        return None
    char = found.group()
    if char in "\r\n":
        return "holds a line break"
    if char in "[]{}<>":
        return f"holds '{char}', which a script reads as markup"
    return f"holds a control character (U+{ord(char):04X})"


VALUE_HINT = "a value is spoken as plain words: write markers and pauses in the script itself"
_NOT_IN_VALUES = re.compile(r"[\[\]{}<>\x00-\x08\x0a-\x1f\x7f]")


def format_duration(seconds: float) -> str:
    """Seconds -> the shortest form parse_duration reads back: '8s', '1m30s', '500ms'."""
    millis = round(seconds * 1000)
    if millis < 1000:
        return f"{millis}ms"
    minutes, rest = divmod(millis, 60000)
    rest_text = f"{rest / 1000:g}s" if rest else ""
    return f"{minutes}m{rest_text}" if minutes else rest_text


def excerpt(script: Script, section: str | None = None, lines: tuple[int, int] | None = None) -> Script:
    """Just one section (by title, any case) or the cues on lines ``lines`` of ``script``; no target length."""
    if section is not None:
        parts = (_section_named(script, section),)
    else:
        first, last = lines or (1, 10**9)
        parts = _sections_within(script, first, last)
    return replace(script, meta=replace(script.meta, length=None), sections=parts)


def _section_named(script: Script, name: str) -> Section:
    by_key: dict[str, Section] = {}
    for section in script.sections:
        if section.title:
            by_key.setdefault(section.title.casefold(), section)
    key = name.strip().casefold()
    starting = [title for title in by_key if title.startswith(key)] if key else []
    if key in by_key or len(starting) == 1:
        return by_key[key if key in by_key else starting[0]]
    near = difflib.get_close_matches(key, list(by_key), n=1, cutoff=0.5)
    if near:
        hint = f"did you mean '{by_key[near[0]].title}'?"
    else:
        hint = "its sections: " + ", ".join(s.title for s in by_key.values()) if by_key else "use --lines instead"
    raise UsageError(f"{script.path} has no section named '{name}'", hint=hint)


def _sections_within(script: Script, first: int, last: int) -> tuple[Section, ...]:
    parts = []
    for section in script.sections:
        cues = tuple(cue for cue in section.cues if first <= cue.line <= last)
        if cues:
            parts.append(replace(section, cues=cues))
    if not any(isinstance(cue, Speech) for part in parts for cue in part.cues):
        spoken = [speech.line for speech in script.speeches()]
        raise UsageError(f"lines {first}-{last} of {script.path} hold nothing to say",
                         hint=f"its spoken lines run from {spoken[0]} to {spoken[-1]}")
    return tuple(parts)


_DURATION = re.compile(r"(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+(?:\.\d+)?)ms)?")


def _duration_seconds(raw: str) -> float | None:
    if re.fullmatch(r"\d+(\.\d+)?", raw):
        return float(raw)
    match = _DURATION.fullmatch(raw.replace(" ", ""))
    if not raw or not match or not any(match.groups()):
        return None
    hours, minutes, seconds, millis = (float(g) if g else 0.0 for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds + millis / 1000


def _room(text: str) -> int:
    """How many characters filled-in variables may add to a script of ``text``."""
    return max(EXPANSION_FACTOR * len(text), EXPANSION_FLOOR)


def _by_position(errors: list[Diagnostic]) -> list[Diagnostic]:
    return sorted(errors, key=lambda d: (d.line, d.col))


def _single(path: str, message: str, hint: str = "", line: int = 0, col: int = 0) -> ScriptError:
    return ScriptError([Diagnostic(path, line, col, message, hint)])


def _binary(path: str, text: str) -> ScriptError:
    line, col = _position_after(text[: text.index("\x00")])
    return _single(path, "looks like a binary file (it contains NUL bytes)", "give a plain-text script", line, col)


def _position_after(text: str) -> tuple[int, int]:
    """Line and column, counted in characters, just after ``text``."""
    return text.count("\n") + 1, len(text) - text.rfind("\n")


def _suggest(word: str, choices: tuple[str, ...] | list[str]) -> str | None:
    close = difflib.get_close_matches(word.lower(), choices, n=1, cutoff=0.6)
    return close[0] if close else None


# ---------------------------------------------------------------- front matter


class _FrontMatter:
    """Reads the `---` block at the top of a script into Meta."""

    def __init__(self, path: str, lines: list[str], errors: list[Diagnostic]):
        self.path, self.lines, self.errors = path, lines, errors
        self.fields: dict[str, str] = {}
        self.positions: dict[str, int] = {}
        self.tables: dict[str, dict[str, str]] = {key: {} for key in TABLE_KEYS}
        self.entry_lines: dict[str, dict[str, int]] = {key: {} for key in TABLE_KEYS}

    def parse(self) -> tuple[Meta, int]:
        """Meta and the index of the first body line."""
        if not _has_front_matter(self.lines):
            return self._meta(), 0
        end = _front_matter_close(self.lines)
        if end is None:
            self._error(1, 1, "the front matter is not closed", "add a line with --- after the last setting")
            return self._meta(), len(self.lines)
        self._read_block(1, end)
        return self._meta(), end + 1

    def _read_block(self, first: int, end: int) -> None:
        table = None
        for index in range(first, end):
            raw = self.lines[index]
            if not raw.strip() or raw.lstrip().startswith(("#", "//")):
                continue
            if raw[0] in " \t" and table is not None:
                self._table_entry(index + 1, raw, table)
            else:
                table = self._setting(index + 1, raw)

    def _setting(self, lineno: int, raw: str) -> str | None:
        key, sep, value = raw.partition(":")
        key = key.strip().lower()
        if not sep:
            self._error(lineno, 1, f"'{raw.strip()}' is not a setting", "write settings as `key: value`")
        elif key in TABLE_KEYS:
            self._table_inline(lineno, key, value)
            return key
        elif key not in SCALAR_KEYS:
            near = _suggest(key, SCALAR_KEYS + TABLE_KEYS)
            hint = f"did you mean `{near}:`?" if near else "known settings: " + ", ".join(SCALAR_KEYS + TABLE_KEYS)
            self._error(lineno, 1, f"unknown setting '{key}'", hint)
        elif key in self.fields:
            self._error(lineno, 1, f"'{key}' is set twice", "keep one of them")
        else:
            self.fields[key] = _unquote(value.strip())
            self.positions[key] = lineno
        return None

    def _table_inline(self, lineno: int, key: str, value: str) -> None:
        if value.strip():
            self._error(lineno, len(key) + 2, f"put each entry of '{key}' on its own indented line",
                        f"write `{key}:` alone, then each entry indented below it, like `  name: value`")

    def _table_entry(self, lineno: int, raw: str, table: str) -> None:
        name, sep, value = raw.strip().partition(":")
        col = len(raw) - len(raw.lstrip()) + 1
        name = name.strip()
        if not sep or not name:
            self._error(lineno, col, f"'{raw.strip()}' is not an entry of '{table}'", "write it as `name: value`")
        elif table == "vars" and not re.fullmatch(r"[A-Za-z_][\w-]*", name):
            self._error(lineno, col, f"'{name}' is not a variable name", "use letters, digits, - and _")
        elif (key := name if table == "vars" else name.lower()) in self.entry_lines[table]:
            self._error(lineno, col, f"'{name}' is listed twice under '{table}'",
                        f"it is first on line {self.entry_lines[table][key]}; keep one of them")
        else:
            self.tables[table][key] = _unquote(value.strip())
            self.entry_lines[table][key] = lineno
            if table == "vars" and (problem := value_problem(self.tables[table][key])):
                col = raw.index(":") + 2 + len(value) - len(value.lstrip())
                self._error(lineno, col, f"the value of '{name}' {problem}", VALUE_HINT)

    def _meta(self) -> Meta:
        stem = Path(self.path).stem.replace("-", " ").replace("_", " ").strip()
        return Meta(
            title=self.fields.get("title") or stem.title() or "Untitled practice",
            author=self.fields.get("author", ""),
            source=self.fields.get("source", ""),
            description=self.fields.get("description", ""),
            content_note=self.fields.get("content-note", ""),
            tags=tuple(t.strip() for t in self.fields.get("tags", "").strip("[]").split(",") if t.strip()),
            voice=self.fields.get("voice") or DEFAULT_VOICE,
            rate=self._rate(),
            breath=self._duration("breath", DEFAULT_BREATH),
            length=self._duration("length", None),
            year=self._year(),
            vars=self.tables["vars"],
            pronounce=self.tables["pronounce"],
        )

    def _year(self) -> int | None:
        if "year" not in self.fields:
            return None
        if not re.fullmatch(r"\d{4}", self.fields["year"].strip()) or int(self.fields["year"]) == 0:
            self._error(self.positions["year"], 1, f"year '{self.fields['year']}' is not a year",
                        "write it with four digits, like 2024")
            return None
        return int(self.fields["year"])

    def _rate(self) -> int:
        if "rate" not in self.fields:
            return DEFAULT_RATE
        rate = _parse_rate(self.fields["rate"])
        if rate is None:
            self._error(self.positions["rate"], 1, f"rate '{self.fields['rate']}' is not usable",
                        f"give words per minute, a whole number from {RATE_RANGE[0]} to {RATE_RANGE[1]}")
            return DEFAULT_RATE
        return rate

    def _duration(self, key: str, default: float | None) -> float | None:
        if key not in self.fields:
            return default
        try:
            seconds = parse_length(self.fields[key]) if key == "length" else parse_duration(self.fields[key],
                                                                                             what="a breath")
        except ValueError as err:
            self._error(self.positions[key], 1, f"{key}: {err}", "write it like 8s or 1m30s")
            return default
        if seconds <= 0:
            self._error(self.positions[key], 1, f"{key} must be longer than 0", "write it like 8s or 1m30s")
            return default
        return seconds

    def _error(self, line: int, col: int, message: str, hint: str = "") -> None:
        self.errors.append(Diagnostic(self.path, line, col, message, hint))


def body_start(lines: list[str] | tuple[str, ...]) -> int:
    """Index of the first line after the front matter: 0 without one, len(lines) if it is never closed."""
    if not _has_front_matter(lines):
        return 0
    end = _front_matter_close(lines)
    return len(lines) if end is None else end + 1


def _has_front_matter(lines: list[str] | tuple[str, ...]) -> bool:
    return bool(lines) and lines[0].strip() == "---"


def _front_matter_close(lines: list[str] | tuple[str, ...]) -> int | None:
    return next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _parse_rate(text: str) -> int | None:
    if not re.fullmatch(r"\d{1,4}", text.strip()):
        return None
    rate = int(text)
    return rate if RATE_RANGE[0] <= rate <= RATE_RANGE[1] else None


# ---------------------------------------------------------------- body

_TOKEN = re.compile(r"\[|\]|<|\{|\}")


@dataclass
class _Paragraph:
    """Text gathered so far, with the source position of each piece."""

    pieces: list[tuple[str, int, int]] = field(default_factory=list)

    def add(self, text: str, line: int, col: int) -> None:
        if text:
            self.pieces.append((text, line, col))

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


class _Body:
    """Reads sections, spoken text and markers after the front matter."""

    def __init__(self, path: str, title: str, values: dict[str, str], errors: list[Diagnostic], room: int):
        self.path, self.values, self.errors = path, values, errors
        self.room = room  # characters that filled-in variables may still add; below 0, none are added
        self.used: dict[str, tuple[int, int]] = {}
        self.sections: list[Section] = []
        self.current = Section(title="", line=1, cues=())
        self.cues: list[Speech | Marker] = []
        self.paragraph = _Paragraph()

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
                found[key.lower()] = parsed
        return Settings(**found)

    def _section_value(self, lineno: int, col: int, key: str, value: str) -> object:
        if key not in SECTION_KEYS:
            near = _suggest(key, SECTION_KEYS)
            self._error(lineno, col, f"unknown section setting '{key}'",
                        f"did you mean `{near}`?" if near else "a section may set voice, rate and breath")
            return None
        if key == "rate":
            rate = _parse_rate(value)
            if rate is None:
                self._error(lineno, col, f"rate '{value}' is not usable",
                            f"give words per minute, a whole number from {RATE_RANGE[0]} to {RATE_RANGE[1]}")
            return rate
        if key == "breath":
            return self._positive_duration(lineno, col, value)
        return _unquote(value) or None

    def _text_line(self, lineno: int, raw: str) -> None:
        position, ahead = 0, {}
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
        else:
            seconds = self._positive_duration(lineno, col, argument) if argument else None
            if seconds is not None or not argument:
                self._add_marker(Marker(word, lineno, col, seconds=seconds))

    def _unknown_marker(self, lineno: int, col: int, inner: str, word: str, argument: str) -> None:
        near = _suggest(word, MARKER_WORDS)
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
            self._text(lineno, self.values[name], col)
            return
        self._error(lineno, col, f"filling in {{{name}}} here makes the text more than {EXPANSION_FACTOR} times "
                    "as long as the script", f"shorten the value of {name}, or use it less often")

    def _add_marker(self, marker: Marker) -> None:
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
