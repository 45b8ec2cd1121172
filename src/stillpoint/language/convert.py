"""Converting between Stillpoint scripts, SSML and informally marked-up scripts. Pure: text in, text out."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

from stillpoint.errors import Diagnostic, Findings, ScriptError, UsageError
from stillpoint.language import script as script_language
from stillpoint.language.script import (
    BREAK_STRENGTHS,
    MAX_PRACTICE_SECONDS,
    RATE_RANGE,
    SCALAR_KEYS,
    Marker,
    Script,
    Section,
    Settings,
    Speech,
    format_duration,
    parse_duration,
)
from stillpoint.language.timeline import (
    BELL,
    BELL_SECONDS,
    BREATHE,
    MAX_RESPELLED,
    PAUSE,
    Pronunciations,
    marker_seconds,
    section_settings,
)

FORMATS = ("script", "ssml", "informal")
SSML_NORMAL_RATE = 160  # words per minute taken as a cloud voice's 100% rate
MAX_BREAK_MS = 10_000  # cloud voices cap one <break> at 10 s, so longer silences are written as several
RATE_WORDS = {"x-slow": 0.5, "slow": 0.75, "medium": 1.0, "default": 1.0, "fast": 1.25, "x-fast": 1.5}
DEFAULT_VOICE_LANGUAGES = ("en", "en-us")  # spoken by the default voice, heart
SSML_NAMESPACE = "http://www.w3.org/2001/10/synthesis"
META_PREFIX = "stillpoint"
MARKER_MARK = re.compile(r"\[(pause|breathe|soak|bell)\b[^\[\]]*\]")
HEADING_MARK = re.compile(r"#+\s*(.*?)\s*(?:\{([^{}]*)\})?\s*")
LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(-[a-z0-9]{1,8})*", re.IGNORECASE)
LARGEST_NUMBER = MAX_PRACTICE_SECONDS  # a number read (a length, a count, a rate's factor) past this is refused
SHOWN = 40  # characters of a value quoted in a note; a longer one is cut


@dataclass(frozen=True)
class Conversion:
    """The converted text and a report: what was mapped to what, what was dropped, by line."""

    text: str
    notes: tuple[Diagnostic, ...] = ()


def guess_format(path: str, text: str) -> str:
    """'ssml' for .ssml/.xml files or text that starts like XML, else 'script'."""
    if Path(path).suffix.lower() in (".ssml", ".xml") or text.lstrip().startswith(("<?xml", "<speak")):
        return "ssml"
    return "script"


def convert(text: str, path: str, source: str | None = None, target: str | None = None,
            values: dict[str, str] | None = None, dest: str = "<output>") -> Conversion:
    """Convert ``text`` (read from ``path``) from one format to another, guessing what is not given.

    A script made from SSML or informal text is read back as if from ``dest``, and its errors join the notes.
    """
    source = source or guess_format(path, text)
    target = target or ("ssml" if source == "script" else "script")
    if source == target or target == "informal":
        raise UsageError(f"cannot convert {path} from {source} to {target}",
                         hint="convert a script --to ssml, or ssml or informal text --to script")
    as_script = Conversion(text) if source == "script" else READERS[source](text, path)
    if target == "script":
        return Conversion(as_script.text, as_script.notes + tuple(output_problems(as_script.text, dest)))
    ssml = script_to_ssml(script_language.parse(as_script.text, path, values))
    return Conversion(ssml.text, as_script.notes + ssml.notes)


def output_problems(text: str, path: str) -> list[Diagnostic]:
    """The errors a converted script would raise when read back from ``path``; empty if it is clean."""
    try:
        script_language.parse(text, path)
    except ScriptError as err:
        return err.diagnostics
    return []


def _note(path: str, line: int, col: int, message: str) -> Diagnostic:
    return Diagnostic(path, line, col, message, severity="note")


# ---------------------------------------------------------------- script -> SSML


def script_to_ssml(script: Script) -> Conversion:
    """An SSML document saying what ``script`` says, with its silences as <break>s and its markers as <mark>s."""
    meta = script.meta
    lang = meta.voice if LANGUAGE_TAG.fullmatch(meta.voice) else "en"
    spoken = (cue.text for section in script.sections for cue in section.cues if isinstance(cue, Speech))
    pronounce = Pronunciations.compile(meta.pronounce, spoken)
    body = [line for section in script.sections for line in _section_ssml(script, section, pronounce)]
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f"<speak version=\"1.1\" xmlns=\"{SSML_NAMESPACE}\" xml:lang={quoteattr(lang)}>",
        f"  <!-- {META_PREFIX} {_meta_json(meta)} -->",
        *("  " + line for line in body),
        "</speak>",
    ]
    return Conversion("\n".join(lines) + "\n", tuple(_ssml_notes(script)))


def _meta_json(meta: script_language.Meta) -> str:
    """The front matter as JSON that can sit inside an XML comment (which may not contain '--')."""
    fields = {key: getattr(meta, key.replace("-", "_")) for key in SCALAR_KEYS} | {"tags": list(meta.tags),
                                                                                  "pronounce": meta.pronounce}
    kept = {key: value for key, value in fields.items() if value not in ("", [], {}, None)}
    return json.dumps(kept, ensure_ascii=False).replace("--", "-\\u002d")


def _percent(rate: float) -> str:
    return f"{rate * 100 / SSML_NORMAL_RATE:g}%"


def _section_ssml(script: Script, section: Section, pronounce: Pronunciations) -> list[str]:
    """A section: its heading as a <mark>, then its cues in a <prosody> (not nested: rates are not relative)."""
    resolved = section_settings(script, section)
    opening = [f"<mark name={quoteattr(_heading(section.title, section.settings))}/>"] if section.title else []
    opening.append(f"<prosody rate=\"{_percent(resolved.rate)}\">")
    closing = ["</prosody>"]
    if section.settings.voice:
        opening.append(f"<voice name={quoteattr(section.settings.voice)}>")
        closing.insert(0, "</voice>")
    depth = "  " * len(closing)
    cues = _cue_ssml(section.cues, pronounce, resolved.breath)
    return opening + [depth + line for line in cues] + closing


def _heading(title: str, settings: Settings) -> str:
    """A section heading as written in a script, settings included."""
    parts = [f"voice: {settings.voice}" if settings.voice else "", f"rate: {settings.rate}" if settings.rate else "",
             f"breath: {format_duration(settings.breath)}" if settings.breath else ""]
    block = ", ".join(filter(None, parts))
    return f"# {title} {{{block}}}" if block else f"# {title}"


def _cue_ssml(cues: tuple[Speech | Marker, ...], pronounce: Pronunciations, breath: float) -> list[str]:
    lines: list[str] = []
    in_paragraph = False
    for cue in cues:
        if isinstance(cue, Speech) and not in_paragraph:
            lines.append("<p>")
            in_paragraph = True
        indent = "  " if in_paragraph else ""
        if isinstance(cue, Speech):
            lines.append(f"{indent}<s>{_spoken(cue.text, pronounce)}</s>")
        else:
            lines.append(indent + _marker_ssml(cue, breath))
        if isinstance(cue, Speech) and cue.paragraph_end:
            lines.append("</p>")
            in_paragraph = False
    return lines + (["</p>"] if in_paragraph else [])


def _spoken(text: str, pronounce: Pronunciations) -> str:
    """Escaped text, with each word of the pronunciation table as <sub alias="how it sounds">."""
    pieces = pronounce.pattern.split(text) if pronounce.pattern else [text]
    return "".join(
        escape(piece) if index % 2 == 0 else f"<sub alias={quoteattr(pronounce.sound(piece))}>{escape(piece)}</sub>"
        for index, piece in enumerate(pieces)
    )


def _marker_ssml(marker: Marker, breath: float) -> str:
    """A <mark> naming the marker, then its silence as <break>s of at most 10 s each."""
    millis = round(marker_seconds(marker, breath) * 1000)
    chunks = [MAX_BREAK_MS] * (millis // MAX_BREAK_MS) + ([millis % MAX_BREAK_MS] if millis % MAX_BREAK_MS else [])
    breaks = "".join(f"<break time=\"{_ssml_time(chunk)}\"/>" for chunk in chunks)
    return f"<mark name={quoteattr(marker_text(marker))}/>{breaks}"


def marker_text(marker: Marker) -> str:
    """A marker as it is written in a script: [pause], [pause 8s], [breathe 3], [soak 45s], [bell]."""
    if marker.kind == BELL:
        return "[bell]"
    if marker.kind == BREATHE:
        return "[breathe]" if (marker.count or 1) == 1 else f"[breathe {marker.count}]"
    return f"[{marker.kind} {format_duration(marker.seconds)}]" if marker.seconds else f"[{marker.kind}]"


def _ssml_time(millis: int) -> str:
    return f"{millis // 1000}s" if millis % 1000 == 0 else f"{millis}ms"


def _ssml_notes(script: Script) -> list[Diagnostic]:
    notes = []
    bells = [cue for s in script.sections for cue in s.cues if isinstance(cue, Marker) and cue.kind == BELL]
    if bells:
        notes.append(_note(script.path, bells[0].line, bells[0].col,
                           f"[bell] ({len(bells)} in all) is written as <mark name=\"[bell]\"/> and "
                           f"{format_duration(BELL_SECONDS)} of silence; a cloud voice will not ring it"))
    if script.meta.length:
        notes.append(_note(script.path, 0, 0, f"length: {format_duration(script.meta.length)} is kept in a comment; "
                                              "the <break>s keep the script's own lengths"))
    return notes


# ---------------------------------------------------------------- SSML -> script


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
        self.notes.append(_note(self.path, *self.where(), message))

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
                self.note(f"<break time={_quoted(written)}> is dropped: {str(err).replace(written, _cut(written))}")
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
            self.notes.append(_note(self.path, *position, message))
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
    "prosody": _SsmlReader.prosody,
    "voice": _SsmlReader.voice,
    "sub": _SsmlReader.sub,
}
KEPT_TEXT = {"emphasis": "emphasis", "say-as": "reading hint", "phoneme": "phonetic spelling", "lang": "language",
             "w": "word hint", "token": "word hint"}
DROPPED = ("audio", "desc", "meta", "metadata", "lexicon")


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
    amount = _number(number)
    if (sign and not percent) or amount is None:
        return None
    amount = amount / 100 if percent else amount
    return {"+": 1 + amount, "-": 1 - amount}.get(sign, amount)


def _number(written: str) -> float | None:
    """The value of a number written in digits; None if it is past LARGEST_NUMBER (or, overflowing, infinite)."""
    value = float(written)
    return value if value <= LARGEST_NUMBER else None


def _cut(value: str) -> str:
    """A value as shown in a note: its first SHOWN characters, then an ellipsis if there were more."""
    return value if len(value) <= SHOWN else value[:SHOWN] + "\u2026"


def _quoted(value: str) -> str:
    """An attribute's value as shown in a note, in double quotes."""
    return f'"{_cut(value)}"'


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
    block = ", ".join(f"{key}: {part.settings[key]}" for key in ("voice", "rate", "breath") if key in part.settings)
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


# ---------------------------------------------------------------- informal -> script

_GROUP = re.compile(r"([(\[])([^()\[\]]*)([)\]])")
_TRAILING_DOTS = re.compile(r"(?<=\S)\s*(\.\.\.|\u2026)\s*$")
_ALONE_DOTS = re.compile(r"\.\s*\.\s*\.|\u2026")
NUMBER_WORDS = dict(zip(
    "one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty sixty ninety "
    "few several".split(),
    (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15, 20, 30, 40, 50, 60, 90, 3, 3),
))
UNITS = {"s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1, "m": 60, "min": 60, "mins": 60, "minute": 60,
         "minutes": 60}
BELL_WORDS = {"bell", "bells", "gong", "chime"}
BREATH_WORDS = {"breath", "breaths", "breathe", "breathing"}
SILENCE_WORDS = {"silence", "silent"}
NOT_NUMBERS = {"nan", "inf", "infinity"}  # read as numbers by Python, never as a length or a count
CUE_WORDS = {"pause", "pauses", "pausing", "rest", "wait"} | BELL_WORDS | BREATH_WORDS | SILENCE_WORDS
FILLER_WORDS = {"long", "longer", "short", "brief", "little", "very", "deep", "slow", "full", "ring", "sound", "for",
                "about", "around", "approximately", "roughly", "some", "of", "a", "an", "the", "take", "here", "now",
                "moment", "and", "or", "to", "in", "out"}
INFORMAL_LENGTHS = {"short": "[pause 3s]", "long": "[pause 15s]", "very long": "[pause 30s]", "silence": "[soak]",
                    "long silence": "[soak 1m]"}
TRAILING_DOTS_MARKER = "[pause 3s]"


def informal_to_script(text: str, path: str = "<informal>") -> Conversion:
    """A script from text marked up by hand: (pause), [long pause], (pause 10 seconds), ... and so on."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = script_language.body_start(lines)
    notes = Findings("notes", stop=False)
    out = lines[:start]
    for index in range(start, len(lines)):
        out.extend(_informal_line(lines[index], index + 1, path, notes))
    return Conversion("\n".join(out), tuple(notes))


def _informal_line(raw: str, lineno: int, path: str, notes: list[Diagnostic]) -> list[str]:
    """The script lines for one informal line; what was mapped goes into ``notes``."""
    stripped = raw.strip()
    if stripped.startswith(("#", "//")):
        return [raw]
    if stripped and _ALONE_DOTS.fullmatch(stripped):
        notes.append(_note(path, lineno, raw.index(stripped[0]) + 1, f"'{stripped}' on its own line -> [pause]"))
        return ["[pause]"]
    comments: list[str] = []
    line = _GROUP.sub(lambda match: _informal_group(match, lineno, path, notes, comments), raw)
    line = " ".join(line.split()) if comments else line
    dots = _TRAILING_DOTS.search(line)
    if dots:
        notes.append(_note(path, lineno, dots.start(1) + 1,
                           f"'{dots.group(1)}' at the end of a line -> {TRAILING_DOTS_MARKER}"))
        line = f"{line.rstrip()} {TRAILING_DOTS_MARKER}"
    return comments + ([line] if line.strip() or not comments else [])


def _informal_group(match: re.Match[str], lineno: int, path: str, notes: list[Diagnostic], comments: list[str]) -> str:
    """What a (...) or [...] group becomes: a marker, itself, or (an unknown [...]) a comment line."""
    written, col = match.group(0), match.start() + 1
    try:
        marker = informal_marker(match.group(2))
    except ValueError as err:
        notes.append(_note(path, lineno, col, f"'{_cut(written)}' is not read as a cue: {err}"))
        marker = None
    if marker:
        if marker != written:
            notes.append(_note(path, lineno, col, f"'{written}' -> {marker}"))
        return marker
    first_word = (match.group(2).split() or [""])[0].lower()
    if match.group(1) != "[" or first_word in script_language.MARKER_WORDS:
        return written
    notes.append(_note(path, lineno, col, f"'{written}' is not a cue Stillpoint knows; kept as a comment"))
    comments.append(f"// {written}")
    return ""


def informal_marker(inner: str) -> str | None:
    """The Stillpoint marker for the words of a hand-written cue ('long pause', 'pause 10 seconds'), or None.

    ValueError if a number in it is too large to be a length or a count.
    """
    words = re.findall(r"\d+(?:\.\d+)?|[a-z]+", inner.lower())
    known = CUE_WORDS | FILLER_WORDS | UNITS.keys() | NUMBER_WORDS.keys()
    if CUE_WORDS & set(words) and (not_numbers := NOT_NUMBERS & set(words)):
        raise ValueError(f"{min(not_numbers)} is not a number")
    if not CUE_WORDS & set(words) or any(w not in known and not w[0].isdigit() for w in words):
        return None
    seconds, counts = _amounts(words)
    kind = "soak" if SILENCE_WORDS & set(words) else PAUSE
    if BELL_WORDS & set(words):
        return None if seconds or counts else "[bell]"
    if BREATH_WORDS & set(words) and not seconds:
        count = int(max(counts, default=1))
        return "[breathe]" if count == 1 else f"[breathe {count}]"
    seconds = seconds or max(counts, default=0.0)
    return f"[{kind} {format_duration(seconds)}]" if seconds else _by_length_words(set(words), kind)


def _amounts(words: list[str]) -> tuple[float, list[float]]:
    """Seconds written with units (the larger end of a range), and numbers written without one."""
    seconds, pending = 0.0, []
    for index, word in enumerate(words):
        following = words[index + 1] if index + 1 < len(words) else ""
        if word[0].isdigit() or word in NUMBER_WORDS:
            pending.append(_counted(word) if word[0].isdigit() else float(NUMBER_WORDS[word]))
        elif word in ("a", "an") and following in UNITS:
            pending.append(1.0)
        elif word in UNITS and pending:
            seconds += max(pending) * UNITS[word]
            pending = []
    return seconds, pending


def _counted(written: str) -> float:
    """A number of a hand-written cue; ValueError if it is past LARGEST_NUMBER."""
    value = _number(written)
    if value is None:
        raise ValueError(f"{_cut(written)} is more than {LARGEST_NUMBER:.0f}")
    return value


def _by_length_words(words: set[str], kind: str) -> str:
    """[pause] or [soak], made shorter or longer by words like 'short', 'long', 'very long'."""
    length = "very long" if {"very", "long"} <= words else "long" if {"long", "longer"} & words else (
        "short" if {"short", "brief", "little"} & words else "")
    key = " ".join(filter(None, [length, "silence" if kind == "soak" else ""]))
    return INFORMAL_LENGTHS.get(key, f"[{kind}]")


READERS: dict[str, Callable[[str, str], Conversion]] = {"ssml": ssml_to_script, "informal": informal_to_script}
