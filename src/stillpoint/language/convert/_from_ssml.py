"""SSML -> script: a <speak> document read by expat, every element that cannot be kept reported by line."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from xml.parsers import expat

from stillpoint.errors import Diagnostic, Findings, ScriptError
from stillpoint.language.convert._notes import LARGEST_NUMBER, Conversion, cut, note, read_number
from stillpoint.language.convert._to_ssml import META_PREFIX, SSML_NORMAL_RATE
from stillpoint.language.script import BREAK_STRENGTHS, RATE_RANGE, SCALAR_KEYS, format_duration, parse_duration
from stillpoint.language.timeline import MAX_RESPELLED

RATE_WORDS = {"x-slow": 0.5, "slow": 0.75, "medium": 1.0, "default": 1.0, "fast": 1.25, "x-fast": 1.5}
DEFAULT_VOICE_LANGUAGES = ("en", "en-us")  # spoken by the default voice, heart
MARKER_MARK = re.compile(r"\[(pause|breathe|soak|bell|recorded)\b[^\[\]]*\]")
HEADING_MARK = re.compile(r"#+\s*(.*?)\s*(?:\{([^{}]*)\})?\s*")


@dataclass
class _Part:
    """A section being built: its title, its settings, and its script lines."""

    title: str | None = None
    settings: dict[str, str] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    said: bool = False


def ssml_to_script(text: str, path: str = "<ssml>") -> Conversion:
    """A Stillpoint script from an SSML <speak> document; every element that cannot be kept is reported by line."""
    reader = _SsmlReader(path)
    parser = expat.ParserCreate()
    reader.attach(parser)
    try:
        parser.Parse(text, True)
    except expat.ExpatError as err:
        message = f"is not well-formed SSML: {expat.ErrorString(err.code)}"
        raise ScriptError([Diagnostic(path, err.lineno, err.offset + 1, message, "fix the XML, then convert again")]) \
            from None
    return Conversion(reader.render(), tuple(reader.notes))


class _SsmlReader:
    """Turns expat events into script lines, sections and front matter."""

    def __init__(self, path: str):
        self.path = path
        self.notes = Findings("notes", stop=False)
        self.front: dict[str, object] = {}
        self.pronounce: dict[str, str] = {}
        self.parts = [_Part()]
        self.words: list[str] = []
        self.unsaid = False  # whether the line being gathered holds anything but spaces
        self.pending: tuple[str | None, float] | None = None
        self.skipping = 0
        self.alias: tuple[str, list[str]] | None = None  # the open <sub>: its alias and the text inside it
        self.parser: expat.XMLParserType | None = None

    def attach(self, parser: expat.XMLParserType) -> None:
        """Route the parser's events here."""
        self.parser = parser
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.characters
        parser.CommentHandler = self.comment
        parser.StartDoctypeDeclHandler = self.doctype
        parser.EntityDeclHandler = self.entity
        parser.ExternalEntityRefHandler = self.external_reference
        parser.SkippedEntityHandler = self.skipped_entity

    def where(self) -> tuple[int, int]:
        """Line and column of the event being handled."""
        assert self.parser is not None
        return self.parser.CurrentLineNumber, self.parser.CurrentColumnNumber + 1

    def note(self, message: str) -> None:
        """Report something about the current position."""
        self.notes.append(note(self.path, *self.where(), message))

    # -- events

    def start(self, name: str, attrs: dict[str, str]) -> None:
        """An element opens."""
        if self.skipping:
            self.skipping += 1
            return
        handler = ELEMENT_STARTS.get(name)
        if handler:
            handler(self, attrs)
        elif name in KEPT_TEXT:
            self.note(f"<{name}> is not supported: its text is kept, the {KEPT_TEXT[name]} is dropped")
        elif name in DROPPED:
            self.note(f"<{name}> is not supported: it is dropped with everything inside it")
            self.skipping = 1
        else:
            self.note(f"<{name}> is not SSML that Stillpoint knows: its text is kept")

    def end(self, name: str) -> None:
        """An element closes."""
        if self.skipping:
            self.skipping -= 1
        elif name in ("s", "p"):
            self.end_line(blank=name == "p")
        elif name == "sub" and self.alias:
            self.respell(*self.alias)
            self.alias = None

    def characters(self, data: str) -> None:
        """Text: spoken words (or whitespace between elements)."""
        if self.skipping:
            return
        if data.strip():
            self.flush_pending()
            data = self.safe(data)
            self.unsaid = True
        self.words.append(data)
        if self.alias:
            self.alias[1].append(data)

    def comment(self, data: str) -> None:
        """An XML comment: the front matter if it is ours, else kept as script comments."""
        if data.strip().startswith(META_PREFIX + " "):
            self.read_meta(data.strip()[len(META_PREFIX):])
            return
        self.end_line()
        self.parts[-1].lines.extend("// " + line.strip() for line in data.strip().splitlines())

    # -- what is never read, for safety: outside documents

    def doctype(self, name: str, system_id: str | None, public_id: str | None, _internal: int) -> None:
        """<!DOCTYPE>: a document type kept outside the file is not read."""
        if system_id or public_id:
            self.note(f"the document type {system_id or public_id} of <!DOCTYPE {name}> is not read, for safety")

    def entity(self, name: str, is_parameter: int, _value: str | None, _base: str | None, system_id: str | None,
               public_id: str | None, _notation: str | None) -> None:
        """<!ENTITY>: one whose text is kept outside the file is not read."""
        if system_id or public_id:
            self.note(f"the entity {'%' if is_parameter else '&'}{name}; is kept in {system_id or public_id}, "
                      "which is not read, for safety: it is dropped wherever it is used")

    def external_reference(self, context: str | None, _base: str | None, system_id: str | None,
                           public_id: str | None) -> int:
        """A use of an entity kept outside the file: nothing is said for it."""
        self.note(f"&{context or ''}; ({system_id or public_id}) is not read, for safety, and is dropped here")
        return 1

    def skipped_entity(self, name: str, is_parameter: int) -> None:
        """A use of an entity whose definition was not read (it is in an outside document type)."""
        self.note(f"{'%' if is_parameter else '&'}{name}; is dropped: its definition was not read")

    # -- elements

    def speak(self, attrs: dict[str, str]) -> None:
        """The root: its language is the voice unless the front matter says otherwise (American English, or
        English with no region, is the default voice's language, so it needs no voice line)."""
        lang = attrs.get("xml:lang", "").lower()
        if lang and lang not in DEFAULT_VOICE_LANGUAGES:
            self.front.setdefault("voice", lang)

    def paragraph(self, _attrs: dict[str, str]) -> None:
        """<p> or <s>: starts a new line."""
        self.end_line()

    def silence(self, attrs: dict[str, str]) -> None:
        """<break>: silences in a row add up to one pause."""
        seconds = self.break_seconds(attrs)
        if seconds:
            marker, before = self.pending or (None, 0.0)
            self.pending = (marker, before + seconds)

    def mark(self, attrs: dict[str, str]) -> None:
        """<mark>: a section heading or a marker written by `convert --to ssml`; others are reported."""
        name = attrs.get("name", "").strip()
        heading = HEADING_MARK.fullmatch(name) if name.startswith("#") else None
        if heading and heading.group(1):
            self.flush_pending()
            self.end_line()
            self.parts.append(_Part(heading.group(1), _settings_of(heading.group(2) or "")))
        elif MARKER_MARK.fullmatch(name):
            self.flush_pending()
            self.pending = (name, 0.0)
        else:
            self.note(f"<mark name=\"{name}\"> has no meaning in a script and is dropped")

    def audio(self, attrs: dict[str, str]) -> None:
        """<audio src>: the sound file as a [clip] where it stands; what it holds (said when it cannot play) is dropped."""
        src = " ".join(attrs.get("src", "").split())
        self.skipping = 1
        if not src or "://" in src or set(src) & set("[]{}<>"):
            self.note(f"<audio src=\"{src}\"> is dropped: a [clip] plays a file named from the script's folder")
            return
        self.flush_pending()
        self.words.append(f" [clip {src}] ")
        self.unsaid = True

    def prosody(self, attrs: dict[str, str]) -> None:
        """<prosody rate>: the rate of the whole document or of a section, when it starts one."""
        for other in sorted(set(attrs) - {"rate"}):
            self.note(f"<prosody {other}> is not supported and is dropped")
        if "rate" in attrs:
            wpm = self.rate_wpm(attrs["rate"])
            if wpm is not None:
                self.setting("rate", wpm, f"<prosody rate={_quoted(attrs['rate'])}>")

    def voice(self, attrs: dict[str, str]) -> None:
        """<voice name>: the voice of the whole document or of a section, when it starts one."""
        if "name" in attrs:
            self.setting("voice", attrs["name"], f"<voice name=\"{attrs['name']}\">")
        for other in sorted(set(attrs) - {"name"}):
            self.note(f"<voice {other}> is not supported and is dropped")

    def sub(self, attrs: dict[str, str]) -> None:
        """<sub alias>: the text is kept and the alias becomes its pronunciation; one inside another is not."""
        if self.alias:
            self.note("a <sub> inside another is not SSML: its text is kept, its alias is dropped")
        else:
            self.alias = (" ".join(attrs.get("alias", "").split()), [])

    # -- helpers

    def respell(self, alias: str, words: list[str]) -> None:
        """The text of a <sub> becomes a word under `pronounce:`, said as ``alias``, if it is short enough."""
        word = " ".join("".join(words).split()).lower()
        if len(word) > MAX_RESPELLED:
            self.note(f"<sub alias={_quoted(alias)}> holds more than {MAX_RESPELLED} characters: its text is kept, "
                      "its alias is dropped")
        elif word and alias:
            self.pronounce.setdefault(word, alias)

    def setting(self, key: str, value: object, written: str) -> None:
        """Give the document or the current section a setting, if nothing has been said in it yet."""
        part = self.parts[-1]
        if part.said or self.unsaid or self.pending:
            self.note(f"{written} covers only part of a section and is dropped; settings apply to whole sections")
        elif part.title is None:
            self.front.setdefault(key, value)
        elif str(self.front.get(key)) != str(value):
            part.settings.setdefault(key, str(value))

    def break_seconds(self, attrs: dict[str, str]) -> float:
        """Seconds of a <break>; 0 (with a note) when it has none."""
        if "time" in attrs:
            written = attrs["time"]
            try:
                return parse_duration(written)
            except ValueError as err:
                self.note(f"<break time={_quoted(written)}> is dropped: {str(err).replace(written, cut(written))}")
                return 0.0
        strength = attrs.get("strength", "medium")
        if strength not in BREAK_STRENGTHS:
            self.note(f"<break strength={_quoted(strength)}> is not a strength and is dropped")
        return BREAK_STRENGTHS.get(strength, 0.0)

    def rate_wpm(self, value: str) -> int | None:
        """Words per minute for an SSML rate: 75%, +10%, 0.8, slow; None (with a note) if unusable."""
        factor = _rate_factor(value.strip().lower())
        if factor is None:
            self.note(f"<prosody rate={_quoted(value)}> is not a rate Stillpoint reads and is dropped")
            return None
        wpm = round(factor * SSML_NORMAL_RATE)
        clamped = min(max(wpm, RATE_RANGE[0]), RATE_RANGE[1])
        if clamped != wpm:
            self.note(f"<prosody rate={_quoted(value)}> is {wpm} words a minute; kept at {clamped}")
        return clamped

    def read_meta(self, data: str) -> None:
        """Front matter written by `convert --to ssml`: plain values are kept, anything else is dropped."""
        try:
            fields = json.loads(data)
        except (ValueError, RecursionError):  # not JSON, a number of too many digits, or nested too deep
            fields = None
        if not isinstance(fields, dict):
            self.note("the stillpoint comment is not readable and is dropped")
            return
        pronounce = fields.pop("pronounce", {})
        if _is_table(pronounce):
            self.pronounce.update(pronounce)
        else:
            self.note("the stillpoint comment's 'pronounce' is not a table of words and is dropped")
        for key in (key for key in SCALAR_KEYS if key in fields):
            if _is_plain(fields[key]) or isinstance(fields[key], list) and all(map(_is_plain, fields[key])):
                self.front[key] = fields[key]
            else:
                self.note(f"the stillpoint comment's '{key}' is not a text or a number (NaN, Infinity and numbers "
                          f"past {LARGEST_NUMBER:.0f} are not) and is dropped")

    def safe(self, data: str) -> str:
        """Text with the characters that mean something in a script replaced, and a note if any were."""
        found = re.search(r"[\[\]{}<]", data)
        if found:
            position = _moved(self.where(), data[:found.start()])
            message = "brackets, braces and '<' in the text are written as ( ) and \u2039"
            self.notes.append(note(self.path, *position, message))
        return data.translate(SCRIPT_CHARACTERS)

    def flush_pending(self) -> None:
        """Write the marker or pause waiting for its breaks to end."""
        if self.pending:
            marker, seconds = self.pending
            self.words.append(f" {marker or '[pause ' + format_duration(seconds) + ']'} ")
            self.pending = None
            self.unsaid = True

    def end_line(self, blank: bool = False) -> None:
        """Finish the line being gathered; a blank line after it ends a paragraph."""
        self.flush_pending()
        line = " ".join("".join(self.words).split())
        self.words, self.unsaid = [], False
        if line.startswith(("#", "//")):
            self.note("a line starting with # or // would not be spoken; the marks are dropped")
            line = line.lstrip("#/ ")
        lines = self.parts[-1].lines
        if line:
            lines.append(line)
            self.parts[-1].said = True
        if blank and lines and lines[-1]:
            lines.append("")

    def render(self) -> str:
        """The script text."""
        self.end_line()
        body = "\n\n".join(filter(None, (_part_text(part) for part in self.parts)))
        return _front_text(self.front, self.pronounce) + body + "\n"


ELEMENT_STARTS: dict[str, Callable[[_SsmlReader, dict[str, str]], None]] = {
    "speak": _SsmlReader.speak,
    "p": _SsmlReader.paragraph,
    "s": _SsmlReader.paragraph,
    "break": _SsmlReader.silence,
    "mark": _SsmlReader.mark,
    "audio": _SsmlReader.audio,
    "prosody": _SsmlReader.prosody,
    "voice": _SsmlReader.voice,
    "sub": _SsmlReader.sub,
}
KEPT_TEXT = {"emphasis": "emphasis", "say-as": "reading hint", "phoneme": "phonetic spelling", "lang": "language",
             "w": "word hint", "token": "word hint"}
DROPPED = ("desc", "meta", "metadata", "lexicon")
SCRIPT_CHARACTERS = str.maketrans("[]{}<", "()()\u2039")


def _moved(position: tuple[int, int], text: str) -> tuple[int, int]:
    """Where ``text`` that starts at ``position`` ends."""
    line, col = position
    if "\n" in text:
        return line + text.count("\n"), len(text.rpartition("\n")[2]) + 1
    return line, col + len(text)


def _rate_factor(value: str) -> float | None:
    if value in RATE_WORDS:
        return RATE_WORDS[value]
    match = re.fullmatch(r"([+-]?)(\d+(?:\.\d+)?)(%?)", value)
    if not match:
        return None
    sign, number, percent = match.groups()
    amount = read_number(number)
    if (sign and not percent) or amount is None:
        return None
    amount = amount / 100 if percent else amount
    return {"+": 1 + amount, "-": 1 - amount}.get(sign, amount)


def _quoted(value: str) -> str:
    """An attribute's value as shown in a note, in double quotes."""
    return f'"{cut(value)}"'


def _is_plain(value: object) -> bool:
    """A text, or a number within LARGEST_NUMBER of 0 (which NaN and Infinity, read by json, are not)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return -LARGEST_NUMBER <= value <= LARGEST_NUMBER
    return isinstance(value, str)


def _is_table(value: object) -> bool:
    """A JSON object of words and how they sound, all text."""
    return isinstance(value, dict) and all(isinstance(sound, str) for sound in value.values())


def _settings_of(block: str) -> dict[str, str]:
    pairs = (entry.partition(":") for entry in block.split(","))
    return {key.strip().lower(): value.strip() for key, sep, value in pairs if sep and key.strip()}


def _part_text(part: _Part) -> str:
    lines = list(part.lines)
    while lines and not lines[-1]:
        lines.pop()
    if part.title is None:
        return "\n".join(lines)
    block = ", ".join(f"{key}: {part.settings[key]}" for key in ("voice", "rate", "breath", "breath-cue")
                      if key in part.settings)
    heading = f"# {part.title} {{{block}}}" if block else f"# {part.title}"
    return "\n".join([heading, *lines])


def _front_text(front: dict[str, object], pronounce: dict[str, str]) -> str:
    lines = [f"{key}: {_front_value(key, front[key])}" for key in SCALAR_KEYS if key in front]
    if pronounce:
        lines += ["pronounce:", *(f"  {' '.join(word.split())}: {' '.join(sound.split())}"
                                  for word, sound in pronounce.items())]
    return "---\n" + "".join(line + "\n" for line in lines) + "---\n" if lines else ""


def _front_value(key: str, value: object) -> str:
    """A front matter value on one line: lengths in seconds written as lengths, lists joined by commas."""
    if key in ("breath", "length") and isinstance(value, (int, float)):
        return format_duration(float(value))
    if isinstance(value, list):
        return ", ".join(" ".join(str(item).split()) for item in value)
    return " ".join(str(value).split())
