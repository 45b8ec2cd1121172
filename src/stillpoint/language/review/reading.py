"""A script read for the review: its English sentences as words with lemmas and positions, and its silences."""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from stillpoint.language.lint import Source
from stillpoint.language.script import Marker, Script
from stillpoint.language.timeline import (BELL, BELL_SECONDS, BREATHE, PAUSE, SECTION_GAP, SOAK, SPEECH, STRETCH_RANGE,
                                         Event, estimated, marker_seconds, section_settings)

_TOKEN = re.compile(r"[^\W\d_]+(?:[-'\u2019][^\W\d_]+)*|\d+|\.{2,}|\u2026|[.!?]+|[,;:()\u2014\u2013]|(?<=\s)-(?=\s)")
_MASKED = re.compile(r"\[[^\]]*\]?|<[^>]*>?|\{[^}]*\}?")
_ENDS = frozenset(".!?")
_CONTRACTED = {"won't": ("will", "not"), "can't": ("can", "not"), "shan't": ("shall", "not"), "let's": ("let", "us"),
               "ain't": ("is", "not"), "cannot": ("can", "not")}
_SUFFIXES = (("n't", "not"), ("'ll", "will"), ("'re", "are"), ("'ve", "have"), ("'m", "am"), ("'d", "would"))
_IS = frozenset("it that there here what who he she where how".split())
_MARKER_KINDS = frozenset((PAUSE, BREATHE, SOAK, BELL))


class Token(NamedTuple):
    """One word (or a mark of punctuation) as written: its form in lower case, its lemma, and where it stands."""

    word: str
    lemma: str
    line: int
    col: int  # 1-based, in characters
    end: int  # the column just after it


@dataclass(frozen=True)
class Sentence:
    """A sentence of the spoken text, in the section it belongs to."""

    tokens: tuple[Token, ...]
    section: int
    _phrases: dict[tuple[str, ...], int] = field(default_factory=dict, compare=False, repr=False)

    @functools.cached_property
    def bag(self) -> frozenset[str]:
        """Every word and lemma in it, for a quick look before a closer one."""
        return frozenset([t.word for t in self.tokens] + [t.lemma for t in self.tokens])

    def has(self, index: int, wanted: frozenset[str]) -> bool:
        """Whether the token at ``index`` is (or has the lemma of) one of ``wanted``."""
        return 0 <= index < len(self.tokens) and (self.tokens[index].word in wanted or
                                                  self.tokens[index].lemma in wanted)

    def find(self, wanted: frozenset[str], start: int = 0, stop: int | None = None) -> int:
        """The index of the first token from ``start`` (to before ``stop``) that is one of ``wanted``, or -1."""
        tokens = self.tokens
        for index in range(max(start, 0), len(tokens) if stop is None else min(len(tokens), stop)):
            if tokens[index].word in wanted or tokens[index].lemma in wanted:
                return index
        return -1

    def near(self, index: int, wanted: frozenset[str], before: int, after: int) -> int:
        """A token within ``before`` tokens before or ``after`` after ``index`` that is one of ``wanted``, or -1."""
        for other in range(max(index - before, 0), min(index + after + 1, len(self.tokens))):
            if other != index and self.has(other, wanted):
                return other
        return -1

    def follows(self, index: int, *steps: frozenset[str], gap: int = 3) -> int:
        """The index of the last step if ``steps`` follow the token at ``index``, each within ``gap`` tokens of the
        one before; -1 if not."""
        for wanted in steps:
            index = self.find(wanted, index + 1, index + 1 + gap)
            if index < 0:
                return -1
        return index

    def seek(self, *steps: frozenset[str], gap: int = 3) -> tuple[int, int]:
        """The first and last index of the first place where ``steps`` follow each other; (-1, -1) if none."""
        start = self.find(steps[0])
        while start >= 0:
            end = self.follows(start, *steps[1:], gap=gap)
            if end >= 0:
                return start, end
            start = self.find(steps[0], start + 1)
        return -1, -1

    def phrase(self, words: tuple[str, ...]) -> int:
        """The index where the words ``words`` stand one after another, or -1 (each phrase looked for once)."""
        found = self._phrases.get(words)
        if found is None:
            found = self._phrases[words] = self._phrase(words) if words[0] in self.bag else -1
        return found

    def _phrase(self, words: tuple[str, ...]) -> int:
        forms = [t.word for t in self.tokens]
        for index in range(len(forms) - len(words) + 1):
            if tuple(forms[index:index + len(words)]) == words:
                return index
        return -1


@dataclass(frozen=True)
class Silence:
    """Silence between two spoken lines: how long, and the marker that starts it."""

    seconds: float
    marker: Marker


LONG_SILENCE = 120.0  # seconds of silence that want a word before them about the way out


@dataclass(frozen=True)
class Options:
    """How the review reads: the silence that wants a reminder before it, and the voices (casefolded names) whose
    sections it leaves out because they do not speak English."""

    silence: float = LONG_SILENCE
    foreign: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Reading:
    """What the review rules look at: the script, its lines, its English sentences and its silences."""

    source: Source
    sentences: tuple[Sentence, ...]
    silences: tuple[Silence, ...]
    options: Options

    @property
    def script(self) -> Script:
        """The parsed script."""
        return self.source.script

    def before(self, line: int, col: int) -> int:
        """How many sentences end before the place (line, col)."""
        return bisect.bisect_left(self._ends, (line, col))

    @functools.cached_property
    def _ends(self) -> list[tuple[int, int]]:
        return [(s.tokens[-1].line, s.tokens[-1].col) for s in self.sentences]


def read(source: Source, options: Options = Options()) -> Reading:
    """The reading of ``source``, leaving out the sections spoken by a voice the options call foreign."""
    skipped = _foreign_sections(source.script, options.foreign)
    sentences = tuple(s for s in _sentences(source) if s.section not in skipped)
    return Reading(source, sentences, tuple(_silences(source.script, skipped, options.silence)), options)


# ---------------------------------------------------------------- words


def lemma(word: str) -> str:
    """The dictionary form of an English word in lower case (``eyes`` -> ``eye``, ``floated`` -> ``float``)."""
    import simplemma  # its English dictionary loads at the first word (about a quarter of a second), once

    return simplemma.lemmatize(word, lang="en").lower()


def _line_tokens(text: str, line: int) -> tuple[list[Token], list[int]]:
    """The tokens of line ``line``, and after which of them a sentence ends, remembered by the line's text and
    number: checking again after an edit (as the studio does at every pause in typing) reads only the lines that
    changed or moved."""
    key = (text, line)
    found = _READ_LINES.get(key)
    if found is None:
        if len(_READ_LINES) >= LINES_KEPT:
            _READ_LINES.clear()
        tokens = _tokens(text, line)
        ends = [index + 1 for index, token in enumerate(tokens)
                if token.word[-1] in _ENDS and not token.word.startswith("..")]
        found = _READ_LINES[key] = (tokens, ends)
    return found


def _tokens(text: str, line: int) -> list[Token]:
    """The words and punctuation of one line of text, contractions opened (``don't`` -> ``do`` ``not``)."""
    lowered = text.lower()
    if "'" in lowered or "\u2019" in lowered or "cannot" in lowered:
        return [_token(word, line, match.start() + 1, match.end() + 1) for match in _TOKEN.finditer(lowered)
                for word in _opened(match.group().replace("\u2019", "'"))]
    known, made = _LEMMAS.get, tuple.__new__  # tens of thousands of tokens in a long script: kept short
    return [made(Token, (word, known(word) or _learned(word), line, match.start() + 1, match.end() + 1))
            for match in _TOKEN.finditer(lowered) for word in (match.group(),)]


def _token(word: str, line: int, col: int, end: int) -> Token:
    """A token of ``word`` with its lemma."""
    return tuple.__new__(Token, (word, _LEMMAS.get(word) or _learned(word), line, col, end))


def _learned(word: str) -> str:
    """The lemma of ``word`` (itself for punctuation and numbers), remembered for the words to come."""
    found = lemma(word) if word[0].isalpha() else word
    if len(_LEMMAS) < 65536:
        _LEMMAS[word] = found
    return found


_LEMMAS: dict[str, str] = {}
LINES_KEPT = 12_000  # lines whose tokens are remembered (a few megabytes)
_READ_LINES: dict[tuple[str, int], tuple[list[Token], list[int]]] = {}


def _opened(word: str) -> tuple[str, ...]:
    """A word with its contraction opened: ``you'll`` -> ``you`` ``will``; a possessive ``'s`` dropped."""
    if word in _CONTRACTED:
        return _CONTRACTED[word]
    for suffix, meaning in _SUFFIXES:
        if word.endswith(suffix):
            return word[: -len(suffix)], meaning
    if word.endswith("'s"):
        stem = word[:-2]
        return (stem, "is") if stem in _IS else (stem,)
    return (word,)


def _sentences(source: Source) -> Iterator[Sentence]:
    """The sentences of the spoken text; a blank line, a heading or a line of markers only ends one too."""
    starts = [section.line for section in source.script.sections]
    current: list[Token] = []
    for index in range(source.body_start, len(source.lines)):
        raw = source.lines[index]
        stripped = raw.strip()
        if stripped.startswith("//"):
            continue
        text = "" if stripped.startswith("#") else _masked(raw)
        if not text.strip():
            yield from _sentence(current, starts)
            current = []
            continue
        tokens, ends = _line_tokens(text, index + 1)
        start = 0
        for end in ends:
            yield from _sentence(current + tokens[start:end], starts)
            current, start = [], end
        current += tokens[start:]
    yield from _sentence(current, starts)


def _masked(raw: str) -> str:
    """A line with its markers, tags and variables blanked out, columns kept."""
    if "[" not in raw and "<" not in raw and "{" not in raw:
        return raw
    return _MASKED.sub(lambda m: " " * len(m.group(0)), raw)


def _sentence(tokens: list[Token], starts: list[int]) -> Iterator[Sentence]:
    """The tokens as a sentence, if any of them is a word."""
    if any(token.word[0].isalnum() for token in tokens):
        yield Sentence(tuple(tokens), max(bisect.bisect_right(starts, tokens[0].line) - 1, 0))


# ---------------------------------------------------------------- sections and silences


def _foreign_sections(script: Script, foreign: frozenset[str]) -> frozenset[int]:
    """The sections spoken by a voice in ``foreign``."""
    if not foreign:
        return frozenset()
    return frozenset(index for index, section in enumerate(script.sections)
                     if (section_settings(script, section).voice or "").strip().casefold() in foreign)


def _silences(script: Script, skipped: frozenset[int], shortest: float) -> Iterator[Silence]:
    """Every stretch without speech that starts with a marker and may last ``shortest`` or more, as long as the plan
    makes it (after any fitting)."""
    if _longest_bound(script) < shortest:
        return
    markers = iter([(cue, index) for index, section in enumerate(script.sections) for cue in section.cues
                    if isinstance(cue, Marker) and cue.kind in _MARKER_KINDS])
    first: tuple[Marker, int] | None = None
    seconds = 0.0
    for event in _events(script):
        if event.kind == SPEECH:
            if first and first[1] not in skipped:
                yield Silence(seconds, first[0])
            first, seconds = None, 0.0
            continue
        if event.kind in _MARKER_KINDS and event.line:
            marker = next(markers)
            first = first or marker
        seconds += event.duration
    if first and first[1] not in skipped:
        yield Silence(seconds, first[0])


def _longest_bound(script: Script) -> float:
    """More than the longest silence the plan can make (markers in a row, gaps and bells, stretched by fitting):
    most scripts need no plan to know that none is long."""
    longest = run = 0.0
    for section in script.sections:
        breath = section_settings(script, section).breath or ()
        for index, cue in enumerate(section.cues):
            gap = SECTION_GAP if index == 0 else 0.0  # the gap after a section that ended with speech
            run = run + gap + marker_seconds(cue, breath) if isinstance(cue, Marker) else 0.0
            longest = max(longest, run)
    return (longest + 2 * BELL_SECONDS) * (STRETCH_RANGE[1] if script.meta.length else 1.0)


def _events(script: Script) -> tuple[Event, ...]:
    """The events of the script's estimated plan (unfitted if its `length:` is out of reach); none if its markers
    pass the ceiling, which check reports on its own."""
    timeline, _problems = estimated(script)
    return timeline.events if timeline else ()
