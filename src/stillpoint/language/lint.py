"""Warnings about things a listener would notice in a script that parses. Pure: a Script and its text in."""

from __future__ import annotations

import heapq
import itertools
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass

from stillpoint.errors import MAX_FINDINGS, Diagnostic, Findings, Fix
from stillpoint.language.script import Marker, Script, Speech, body_start, format_breath, format_duration
from stillpoint.language.timeline import (BELL, CLIP, MAX_RESPELLED, SOAK, breath_seconds, marker_seconds,
                                          section_settings)

LONG_SILENCE = 30.0
MIN_SOAK = 10.0
_ALLOW = re.compile(r"\s*//\s*allow\s*:(.*)$", re.IGNORECASE)
_PHRASE_BREAK = re.compile(r"[,;:.!?()\u2014\u2013\u2026]|\s-\s|--")
_CAPITALS = re.compile(r"\b[A-Z]{2,}\b")
_MASKED = re.compile(r"\[[^\]]*\]?|<[^>]*>?|\{[^}]*\}?")
_QUOTES = '"\u201c\u201d'


@dataclass(frozen=True)
class Finding:
    """What a rule found: where, what, and what to do."""

    line: int
    col: int
    message: str
    hint: str
    fix: Fix | None = None


@dataclass(frozen=True)
class Source:
    """A parsed script next to the lines it came from, and the words with a known pronunciation."""

    script: Script
    lines: tuple[str, ...]
    body_start: int
    pronounced: frozenset[str]

    def text_lines(self) -> Iterator[tuple[int, str]]:
        """(line number, text) of every body line that holds spoken text; markers, tags and variables blanked."""
        for index in range(self.body_start, len(self.lines)):
            stripped = self.lines[index].strip()
            if stripped and not stripped.startswith(("//", "#")):
                yield index + 1, _MASKED.sub(lambda m: " " * len(m.group(0)), self.lines[index])


def lint(script: Script, text: str, lexicon: Iterable[str] = (), more: Mapping[str, Rule] | None = None,
         allowable: Collection[str] = ()) -> list[Diagnostic]:
    """Every warning for ``script`` (parsed from ``text``) by these rules and ``more``, minus those allowed by
    `// allow: RULE` comments; ``allowable`` names rules an allow comment may name though they do not run."""
    lines = tuple(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    known = frozenset(word.lower() for word in (*script.meta.pronounce, *lexicon))
    source = Source(script, lines, body_start(lines), known)
    rules = {**RULES, **(more or {})}
    allowed, unknown = _allowances(source, [*rules, *(name for name in allowable if name not in rules)])
    found = (
        Diagnostic(script.path, f.line, f.col, f.message, f.hint, severity="warning", code=code, fix=f.fix)
        for code, rule in rules.items()
        for f in rule(source)
        if code not in allowed.get(f.line, ())
    )
    # only the first warnings are shown: keep those, not every one a pasted text can raise
    first = heapq.nsmallest(MAX_FINDINGS + 1, itertools.chain(found, unknown), key=lambda d: (d.line, d.col, d.code))
    shown = Findings("warnings", stop=False)
    shown.extend(first)
    return list(shown)


# ---------------------------------------------------------------- rules


def long_silence(source: Source) -> Iterator[Finding]:
    """Markers with nothing between them that add up to a long silence, probably by accident."""
    run: list[tuple[Marker, float]] = []
    for section in source.script.sections:
        breath = section_settings(source.script, section).breath
        for cue in section.cues:
            if isinstance(cue, Marker) and cue.kind not in (BELL, CLIP):
                run.append((cue, marker_seconds(cue, breath)))
                continue
            yield from _silence_run(source, run)
            run = []
    yield from _silence_run(source, run)


def _silence_run(source: Source, run: list[tuple[Marker, float]]) -> Iterator[Finding]:
    total = sum(seconds for _marker, seconds in run)
    if len(run) > 1 and total >= LONG_SILENCE:
        written = " + ".join(_written(source, marker) for marker, _seconds in run)
        length = format_duration(total)
        yield Finding(run[0][0].line, run[0][0].col, f"{written} make {length} of silence in a row",
                      f"if that is meant, write one marker like [soak {length}]; if not, put words between them")


def _written(source: Source, marker: Marker) -> str:
    """The marker as the author wrote it."""
    line = source.lines[marker.line - 1]
    start = marker.col - 1
    end = line.find("]" if line[start] == "[" else ">", start)
    return line[start:end + 1]


def long_phrase(source: Source) -> Iterator[Finding]:
    """A stretch of words without a comma or full stop that takes longer than one breath to say."""
    for section in source.script.sections:
        settings = section_settings(source.script, section)
        for cue in (cue for cue in section.cues if isinstance(cue, Speech)):
            words = max(len(part.split()) for part in _PHRASE_BREAK.split(cue.text))
            seconds = words * 60.0 / settings.rate
            if seconds > breath_seconds(settings.breath):
                yield Finding(cue.line, cue.col,
                              f"{words} words without a pause take {seconds:.1f}s at {settings.rate} wpm, "
                              f"more than one {format_breath(settings.breath)} breath",
                              "add a comma where a speaker would breathe, or split the sentence")


def empty_section(source: Source) -> Iterator[Finding]:
    """A titled section with nothing to say."""
    for section in source.script.sections:
        if section.title and not any(isinstance(cue, Speech) for cue in section.cues):
            col = source.lines[section.line - 1].index("#") + 1
            yield Finding(section.line, col, f"section '{section.title}' has nothing to say",
                          "add a line to be spoken, or move its markers into the section before")


def short_soak(source: Source) -> Iterator[Finding]:
    """A [soak] too short to soak in anything."""
    for section in source.script.sections:
        for cue in section.cues:
            if isinstance(cue, Marker) and cue.kind == SOAK and cue.seconds is not None and cue.seconds < MIN_SOAK:
                length = format_duration(cue.seconds)
                yield Finding(cue.line, cue.col, f"[soak {length}] is shorter than {format_duration(MIN_SOAK)}",
                              f"a soak is a long rest; for a short silence write [pause {length}]")


def all_caps(source: Source) -> Iterator[Finding]:
    """A word in capitals, which the voice may spell out letter by letter."""
    for lineno, text in source.text_lines():
        for match in _CAPITALS.finditer(text):
            if match.group(0).lower() not in source.pronounced:
                yield Finding(lineno, match.start() + 1,
                              f"'{match.group(0)}' is in capitals, so the voice may spell it out",
                              f"write it as '{match.group(0).lower()}', or say how it sounds under `pronounce:`")


def unbalanced_quote(source: Source) -> Iterator[Finding]:
    """A quote mark without its partner in the same paragraph."""
    for paragraph in _paragraphs(source):
        marks = [(line, col, ch) for line, text in paragraph for col, ch in enumerate(text, 1) if ch in _QUOTES]
        yield from _unpaired(marks)


def _paragraphs(source: Source) -> Iterator[list[tuple[int, str]]]:
    """Runs of text lines not broken by a blank line or a heading."""
    paragraph: list[tuple[int, str]] = []
    previous = 0
    for lineno, text in source.text_lines():
        between = source.lines[previous:lineno - 1]
        if paragraph and any(not line.strip() or line.strip().startswith("#") for line in between):
            yield paragraph
            paragraph = []
        paragraph.append((lineno, text))
        previous = lineno
    if paragraph:
        yield paragraph


def _unpaired(marks: list[tuple[int, int, str]]) -> Iterator[Finding]:
    straight = [mark for mark in marks if mark[2] == '"']
    if len(straight) % 2:
        line, col, _ch = straight[-1]
        yield Finding(line, col, "this quote mark (\") has no partner in its paragraph",
                      "add the missing quote mark, or remove this one")
    opened: list[tuple[int, int, str]] = []
    for line, col, ch in marks:
        if ch == "\u201c":
            opened.append((line, col, ch))
        elif ch == "\u201d" and opened:
            opened.pop()
        elif ch == "\u201d":
            yield Finding(line, col, "\u201d closes a quote that was never opened", "open it with \u201c, or remove it")
    for line, col, _ch in opened[:1]:
        yield Finding(line, col, "\u201c opens a quote that is never closed", "close it with \u201d")


def unused_variable(source: Source) -> Iterator[Finding]:
    """A variable given a default under `vars:` that the text never uses."""
    positions = _table_entries(source, "vars")
    for name in source.script.meta.vars:
        if name not in source.script.variables and name in positions:
            line, col = positions[name]
            yield Finding(line, col, f"variable '{name}' is defined but never used",
                          f"use it as {{{name}}} in the text, or remove it from `vars:`")


def long_respelling(source: Source) -> Iterator[Finding]:
    """A word under `pronounce:` too long to be looked for in the text."""
    positions = _table_entries(source, "pronounce")
    for word in source.script.meta.pronounce:
        if len(word) > MAX_RESPELLED and word in positions:
            yield Finding(*positions[word], f"'{word[:20]}…' is longer than {MAX_RESPELLED} characters, so it is "
                          "never looked for in the text", "respell a word or a short phrase")


def _table_entries(source: Source, table: str) -> dict[str, tuple[int, int]]:
    """Where each entry under `vars:` or `pronounce:` is written, by name (a word to pronounce in lower case)."""
    found: dict[str, tuple[int, int]] = {}
    in_table = False
    for index in range(1, max(source.body_start - 1, 1)):
        raw = source.lines[index]
        if not raw.strip() or raw.strip().startswith(("#", "//")):
            continue
        if raw[:1] not in " \t":
            in_table = raw.split(":")[0].strip().lower() == table
        elif in_table and ":" in raw:
            name = raw.split(":")[0].strip()
            found.setdefault(name if table == "vars" else name.lower(), (index + 1, len(raw) - len(raw.lstrip()) + 1))
    return found


Rule = Callable[[Source], Iterable[Finding]]
RULES: dict[str, Rule] = {
    "long-silence": long_silence,
    "long-phrase": long_phrase,
    "empty-section": empty_section,
    "short-soak": short_soak,
    "all-caps": all_caps,
    "unbalanced-quote": unbalanced_quote,
    "unused-variable": unused_variable,
    "long-respelling": long_respelling,
}


# ---------------------------------------------------------------- allow comments


def _allowances(source: Source, names: list[str]) -> tuple[dict[int, set[str]], list[Diagnostic]]:
    """Rules (of ``names``) allowed on each line by a `// allow: RULE, RULE` comment above it, and warnings for
    unknown rules."""
    allowed: dict[int, set[str]] = {}
    unknown: list[Diagnostic] = []
    targets = _next_content_lines(source.lines)
    for index, raw in enumerate(source.lines):
        match = _ALLOW.match(raw)
        if not match:
            continue
        for name in filter(None, re.split(r"[\s,]+", match.group(1).strip().lower())):
            if name in names:
                allowed.setdefault(targets[index], set()).add(name)
            elif len(unknown) <= MAX_FINDINGS:  # in line order: later ones are never shown
                unknown.append(Diagnostic(source.script.path, index + 1, raw.index("/") + 1,
                                          f"'{name}' is not a rule that can be allowed",
                                          "rules: " + ", ".join(names), severity="warning", code="allow"))
    return allowed, unknown


def _next_content_lines(lines: tuple[str, ...]) -> list[int]:
    """For each line, the number of the first line after it that is neither blank nor a comment (0 if none).

    One pass from the end, so a run of comments costs no more than its length.
    """
    found, following = [0] * len(lines), 0
    for index in range(len(lines) - 1, -1, -1):
        found[index] = following
        stripped = lines[index].strip()
        if stripped and not stripped.startswith("//"):
            following = index + 1
    return found
