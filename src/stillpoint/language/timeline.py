"""Script + pace settings -> ordered, timed events. Pure: no synthesis, no I/O."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from stillpoint.audio import SAMPLE_RATE, clock
from stillpoint.errors import Diagnostic, ScriptError, Setting, UsageError
from stillpoint.language.script import MAX_PRACTICE_SECONDS, NO_CUE, Marker, Script, Section, Settings, Speech
from stillpoint.language.sentences import pieces

SPEECH, GAP, PAUSE, BREATHE, SOAK, BELL, CLIP = "speech", "gap", "pause", "breathe", "soak", "bell", "clip"
SLEEP = "sleep"  # the sleep ending: the ambience going on after the last words, fading to silence
SLEEP_SECTION = "Sleep"  # its chapter: where the words end, and how long the quiet lasts
FROM_CLIPS = (SPEECH, CLIP)  # the events whose sound is a clip: a line spoken or recorded, or a sound file


@dataclass(frozen=True)
class Recording:
    """A sound file played instead of a line's synthesis ([recorded FILE]) or where it stands ([clip FILE])."""

    file: str  # the file as written, joined to the script's folder
    clip: bool = False
    col: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Utterance:
    """What the engine is asked to say (or the recording played instead); path, line and voice_line (where the voice
    was chosen) say where from."""

    text: str
    voice: str
    rate: int
    path: str = field(default="", compare=False)
    line: int = field(default=0, compare=False)
    voice_line: int = field(default=0, compare=False)
    recording: Recording | None = None


@dataclass(frozen=True)
class Breaths:
    """What a breathe event holds: the seconds of one breath's phases, how many breaths, and the cue heard."""

    pattern: tuple[float, ...]
    cycles: int
    cue: str = NO_CUE


@dataclass(frozen=True)
class Event:
    """One timed piece of the practice: speech, a silence of some kind, or a bell."""

    kind: str
    start: float
    duration: float
    text: str = ""
    section: str = ""
    line: int = 0
    utterance: Utterance | None = None
    flexible: bool = False
    breaths: Breaths | None = None

    @property
    def end(self) -> float:
        """Time at which the event ends."""
        return self.start + self.duration


@dataclass(frozen=True)
class Chapter:
    """A section of the practice as it falls on the timeline."""

    title: str
    start: float
    end: float


@dataclass(frozen=True)
class Timeline:
    """The whole practice laid out in time."""

    title: str
    events: tuple[Event, ...]
    exact: bool = True

    @property
    def total(self) -> float:
        """Length of the practice in seconds."""
        return self.events[-1].end if self.events else 0.0


CLAUSE_GAP = 0.3  # between the pieces of a sentence too long to be said at once
SENTENCE_GAP = 0.8
PARAGRAPH_GAP = 2.0
SECTION_GAP = 3.0
DEFAULT_SECONDS = {PAUSE: 5.0, SOAK: 30.0}
BELL_SECONDS = 7.0
STRETCH_RANGE = (0.5, 4.0)


@dataclass(frozen=True)
class Pace:
    """Listener's settings on top of the script's own: overrides, bells, target length, lexicon."""

    voice: str | None = None
    rate: int | None = None
    breath: tuple[float, ...] | None = None
    bells: bool = True
    length: float | None = None
    lexicon: tuple[tuple[str, str], ...] = ()
    sleep: float | None = None  # seconds of a sleep ending, over the script's `ending:`


def utterances(script: Script, pace: Pace = Pace()) -> list[Utterance]:
    """Everything the engine will be asked to say, in order."""
    return [event.utterance for event in _raw_events(script, pace) if event.utterance]


def plan(script: Script, pace: Pace = Pace(), durations: Mapping[Utterance, float] | None = None) -> Timeline:
    """Lay the script out in time; speech lengths come from ``durations`` or are estimated."""
    durations = durations or {}
    events = [_with_duration(event, durations) for event in _raw_events(script, pace)]
    target = length_target(script, pace)
    if target is not None:
        events = _fitted(events, target, script, pace)
    events += _ending(script, pace, sum(event.duration for event in events))
    exact = all(event.utterance in durations for event in events if event.utterance)
    return Timeline(script.meta.title, _placed(events), exact)


def estimated(script: Script, pace: Pace = Pace()) -> tuple[Timeline | None, list[Diagnostic]]:
    """The practice laid out with estimated speech, and the errors that keep it from being laid out as asked: a
    length out of reach (the timeline is then at the practice's own length), or markers past the ceiling (then
    there is none)."""
    try:
        return plan(script, pace), []
    except (ScriptError, UsageError) as err:
        found = list(err.diagnostics) if isinstance(err, ScriptError) else [replace(
            err.diagnostic, path=script.path, line=script.settings_at.get("length", 1), col=1, code="length")]
    try:
        return plan(replace(script, meta=replace(script.meta, length=None)), pace), found
    except ScriptError:
        return None, found


def length_target(script: Script, pace: Pace) -> float | None:
    """The length the practice is to be fitted to (the listener's, else the script's), if any."""
    return pace.length if pace.length is not None else script.meta.length


def sleep_seconds(script: Script, pace: Pace) -> float | None:
    """The length of the practice's sleep ending (the listener's, else the script's `ending:`), if it has one."""
    return pace.sleep if pace.sleep is not None else script.meta.sleep


def _ending(script: Script, pace: Pace, practice: float) -> list[Event]:
    """The sleep ending after a practice ``practice`` seconds long, as one event; none without one.

    It comes after any fitting: a length fits the practice, and the ending is added to it.
    """
    seconds = sleep_seconds(script, pace)
    if seconds is None:
        return []
    if practice + seconds > MAX_PRACTICE_SECONDS:
        _refuse_ending(script, pace, practice)
    line = script.settings_at.get("ending", 0) if pace.sleep is None else 0
    return [Event(SLEEP, 0.0, _on_grid(seconds), section=SLEEP_SECTION, line=line)]


def _refuse_ending(script: Script, pace: Pace, practice: float) -> None:
    """The error for a sleep ending that would take the track past MAX_PRACTICE_SECONDS: the option's or the line's."""
    message = (f"the practice ({clock(practice)}) and its sleep ending would pass {MAX_PRACTICE_SECONDS / 3600:g} "
               "hours, the most a track may last")
    hint = f"choose a sleep ending of at most {clock(max(0, math.floor(MAX_PRACTICE_SECONDS - practice)))}"
    if pace.sleep is not None:
        raise UsageError(message, hint=hint, setting=Setting("sleep"))
    line = script.settings_at.get("ending", 1)
    raise ScriptError([Diagnostic(script.path, line, 1, f"ending: {message}", hint, code="ending")])


def chapters(timeline: Timeline) -> list[Chapter]:
    """The sections of a timeline with their start and end times."""
    found: list[Chapter] = []
    for event in timeline.events:
        if found and found[-1].title == event.section:
            found[-1] = Chapter(event.section, found[-1].start, event.end)
        elif event.section:
            found.append(Chapter(event.section, event.start, event.end))
    return found


def section_starts(timeline: Timeline) -> list[int]:
    """The index of the first event of each section."""
    events = timeline.events
    return [i for i, event in enumerate(events) if i == 0 or event.section != events[i - 1].section]


def section_at(timeline: Timeline, starts: list[int], seconds: float) -> int:
    """The position in ``starts`` (see section_starts) of the section playing at ``seconds``."""
    playing = 0
    for number, index in enumerate(starts):
        if timeline.events[index].start <= seconds + 1e-6:
            playing = number
    return playing


@dataclass(frozen=True)
class SectionTime:
    """How a section's time is spent: seconds of speech, seconds of everything else, words said."""

    title: str
    spoken: float
    silent: float
    words: int

    @property
    def heard_wpm(self) -> float:
        """Words per minute over the whole section, silences included: the pace a listener feels."""
        total = self.spoken + self.silent
        return self.words * 60.0 / total if total else 0.0


def section_times(timeline: Timeline) -> list[SectionTime]:
    """Spoken and silent time and words of each section, in order."""
    found: list[SectionTime] = []
    for event in timeline.events:
        if not found or found[-1].title != event.section:
            found.append(SectionTime(event.section, 0.0, 0.0, 0))
        spoken = event.duration if event.kind == SPEECH else 0.0
        found[-1] = replace(found[-1], spoken=found[-1].spoken + spoken,
                            silent=found[-1].silent + event.duration - spoken,
                            words=found[-1].words + len(event.text.split()))
    return found


def estimate_seconds(utterance: Utterance) -> float:
    """A text-only guess at how long the engine takes to say an utterance."""
    words = len(utterance.text.split())
    return round(words * 60.0 / utterance.rate + 0.4, 3)


def length_range(script: Script, pace: Pace = Pace(), durations: Mapping[Utterance, float] | None = None
                 ) -> tuple[float, float] | None:
    """The shortest and longest lengths the practice can be fitted to; None when none of its silences stretch."""
    events = [_with_duration(event, durations or {}) for event in _raw_events(script, pace)]
    return _stretch_range(events) if any(event.flexible for event in events) else None


def _stretch_range(events: list[Event]) -> tuple[float, float]:
    """The total of ``events`` with the flexible silences shrunk and stretched as far as fitting goes."""
    flexible = sum(e.duration for e in events if e.flexible)
    fixed = sum(e.duration for e in events) - flexible
    low, high = (fixed + flexible * factor for factor in STRETCH_RANGE)
    return low, high


class Unreachable(Exception):
    """A length the practice cannot be fitted to: why (the exception's text), and ``hint``, what to do."""

    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.hint = hint


def _fitted(events: list[Event], target: float, script: Script, pace: Pace) -> list[Event]:
    """``events`` fitted to ``target``; out of reach, it is the length the listener chose or the script's `length:`
    line."""
    try:
        return fit(events, target)
    except Unreachable as problem:
        if pace.length is not None:
            raise UsageError(str(problem), hint=problem.hint, setting=Setting("length")) from None
        line = script.settings_at.get("length", 1)
        found = Diagnostic(script.path, line, 1, f"length: {problem}", problem.hint, code="length")
        raise ScriptError([found]) from None


def fit(events: list[Event], target: float) -> list[Event]:
    """Stretch or shrink the flexible silences so the practice lasts ``target`` seconds; Unreachable if it cannot."""
    flexible = sum(e.duration for e in events if e.flexible)
    fixed = sum(e.duration for e in events) - flexible
    low, high = _stretch_range(events)
    if flexible == 0:
        raise Unreachable(f"this practice cannot be fitted to {clock(target)}: it has no bare pause, breath or soak "
                          "to stretch", hint="add one, or play it at its own length")
    if not low - 0.5 <= target <= high + 0.5:
        raise Unreachable(f"this practice cannot be fitted to {clock(target)}",
                          hint=f"choose a length between {clock(math.ceil(low))} and {clock(math.floor(high))}")
    factor = min(max((target - fixed) / flexible, STRETCH_RANGE[0]), STRETCH_RANGE[1])
    return [replace(e, duration=_on_grid(e.duration * factor)) if e.flexible else e for e in events]


def _on_grid(seconds: float) -> float:
    """Round to a whole number of samples so starts add up exactly."""
    return round(seconds * SAMPLE_RATE) / SAMPLE_RATE


def _with_duration(event: Event, durations: Mapping[Utterance, float]) -> Event:
    if event.utterance is None:
        return event
    seconds = durations.get(event.utterance)
    return replace(event, duration=_on_grid(seconds if seconds is not None else estimate_seconds(event.utterance)))


def _placed(events: list[Event]) -> tuple[Event, ...]:
    placed, start = [], 0.0
    for event in events:
        placed.append(replace(event, start=_on_grid(start)))
        start += event.duration
    return tuple(placed)


def _raw_events(script: Script, pace: Pace) -> list[Event]:
    events: list[Event] = []
    pronounce = _pronunciations(script, pace)
    for index, section in enumerate(script.sections):
        events.extend(_section_events(script, section, pace, pronounce))
        if index + 1 < len(script.sections) and events and events[-1].kind == SPEECH:
            events.append(Event(GAP, 0.0, SECTION_GAP, section=events[-1].section))
    if pace.bells and events[0].kind != BELL:
        events.insert(0, Event(BELL, 0.0, BELL_SECONDS, section=events[0].section))
    if sleep_seconds(script, pace) is not None:
        events = _unrung(events)
    elif pace.bells and events[-1].kind != BELL:
        if events[-1].kind == SPEECH:
            events.append(Event(GAP, 0.0, PARAGRAPH_GAP, section=events[-1].section))
        events.append(Event(BELL, 0.0, BELL_SECONDS, section=events[-1].section))
    _check_ceiling(script, events)
    return events


def _unrung(events: list[Event]) -> list[Event]:
    """``events`` without the bells after the last words: a sleep ending lets the listener drift off, not wake."""
    last = max(index for index, event in enumerate(events) if event.kind == SPEECH)
    return events[:last + 1] + [event for event in events[last + 1:] if event.kind != BELL]


def _check_ceiling(script: Script, events: list[Event]) -> None:
    """Refuse a practice whose markers (pauses, breaths, soaks, bells) add up to over MAX_PRACTICE_SECONDS.

    However long its breaths and however many its markers, the error names the line where they pass the ceiling.
    Speech and the gaps between sentences need no ceiling of their own: the script's size bounds them.
    """
    total, line = 0.0, 0
    for event in events:
        total += event.duration if event.kind not in (SPEECH, GAP) else 0.0
        line = event.line or line  # the closing bell has none
        if total > MAX_PRACTICE_SECONDS:
            hours = MAX_PRACTICE_SECONDS / 3600
            raise ScriptError([Diagnostic(
                script.path, line, 0, f"the practice's pauses, breaths and soaks pass {hours:g} hours here, "
                "the most they may last in all", "shorten them, or make it two practices")])


def _title(script: Script, section: Section) -> str:
    return section.title or script.meta.title


def section_settings(script: Script, section: Section, pace: Pace = Pace()) -> Settings:
    """The voice, rate, breath pattern and breath cue a section is spoken with, every one resolved."""
    return Settings(
        voice=pace.voice or section.settings.voice or script.meta.voice,
        rate=section.settings.rate or pace.rate or script.meta.rate,
        breath=section.settings.breath or pace.breath or script.meta.breath,
        breath_cue=section.settings.breath_cue or script.meta.breath_cue,
    )


def _voice_line(script: Script, section: Section, pace: Pace) -> int:
    """The line of the script that chose the section's voice; 0 if --voice or the default did."""
    if pace.voice:
        return 0
    return section.line if section.settings.voice else script.settings_at.get("voice", 0)


def _section_events(script: Script, section: Section, pace: Pace, pronounce: Pronunciations) -> list[Event]:
    settings = section_settings(script, section, pace)
    voice = (settings.voice, settings.rate, _voice_line(script, section, pace))
    title = _title(script, section)
    events: list[Event] = []
    for cue, following in zip(section.cues, section.cues[1:] + (None,)):
        if isinstance(cue, Speech):
            events.extend(_speech_events(script, cue, voice, title, pronounce))
            if isinstance(following, Speech):
                gap = PARAGRAPH_GAP if cue.paragraph_end else SENTENCE_GAP
                events.append(Event(GAP, 0.0, gap, section=title, line=cue.line))
        elif cue.kind == CLIP:
            utterance = Utterance("", *voice[:2], script.path, cue.line, recording=_recording(script, cue))
            events.append(Event(CLIP, 0.0, 0.0, section=title, line=cue.line, utterance=utterance))
        else:
            events.append(_marker_event(cue, title, settings, pace.bells))
    return events


def _speech_events(script: Script, cue: Speech, voice: tuple[str, int, int], title: str,
                   pronounce: Pronunciations) -> list[Event]:
    """A sentence's pieces with the short gaps between them; a recorded line as one piece, played from its file."""
    if cue.recording:
        utterance = Utterance(cue.text, *voice[:2], script.path, cue.line, voice[2], _recording(script, cue.recording))
        return [Event(SPEECH, 0.0, 0.0, cue.text, title, cue.line, utterance)]
    events = []
    for said, shown in _said_and_shown(cue.text, pronounce):
        utterance = Utterance(said, *voice[:2], script.path, cue.line, voice[2])
        events.append(Event(SPEECH, 0.0, 0.0, shown, title, cue.line, utterance))
        events.append(Event(GAP, 0.0, CLAUSE_GAP, section=title, line=cue.line))
    return events[:-1]  # the pause after the last piece is the sentence's own


def _recording(script: Script, marker: Marker) -> Recording:
    """The sound file a [recorded] or [clip] marker names, found from the script's folder."""
    return Recording(os.path.join(os.path.dirname(script.path), marker.file), marker.kind == CLIP, marker.col)


def recordings(script: Script) -> list[Utterance]:
    """The sound files a script plays, in order, each in an utterance naming its line (no voice: nothing is said).

    Read from the cues alone, in one pass: no timing, so a script past the ceiling on markers still has its files.
    """
    found = []
    for cue in (cue for section in script.sections for cue in section.cues):
        marker = cue.recording if isinstance(cue, Speech) else cue if cue.kind == CLIP else None
        if marker is not None:
            text = cue.text if isinstance(cue, Speech) else ""
            found.append(Utterance(text, "", 0, script.path, cue.line, recording=_recording(script, marker)))
    return found


def _said_and_shown(text: str, pronounce: Pronunciations) -> list[tuple[str, str]]:
    """What the engine is asked to say and what captions show, piece by piece, for a sentence ``text``.

    A piece whose pronunciations make it too long to say at once is cut again, and shown as it is said.
    """
    found = []
    for piece in pieces(text):
        said = pieces(pronounce.apply(piece))
        found.extend([(said[0], piece)] if len(said) == 1 else [(part, part) for part in said])
    return found


def breath_seconds(pattern: tuple[float, ...]) -> float:
    """How long one breath of ``pattern`` lasts: one length, or the sum of its phases."""
    return sum(pattern)


def marker_seconds(marker: Marker, breath: tuple[float, ...]) -> float:
    """How long a marker lasts, before any fitting, with breaths of the pattern ``breath``; no silence for a [clip]
    (its sound lasts as long as its file, known once read)."""
    if marker.kind == CLIP:
        return 0.0
    if marker.kind == BELL:
        return BELL_SECONDS
    if marker.kind == BREATHE:
        return _on_grid((marker.count or 1) * breath_seconds(breath))
    return _on_grid(marker.seconds if marker.seconds is not None else DEFAULT_SECONDS[marker.kind])


def _marker_event(marker: Marker, section: str, settings: Settings, bells: bool) -> Event:
    kind = PAUSE if marker.kind == BELL and not bells else marker.kind
    flexible = marker.kind in (BREATHE, SOAK) or (marker.kind == PAUSE and marker.seconds is None)
    breath = settings.breath or ()
    breaths = Breaths(breath, marker.count or 1, settings.breath_cue or NO_CUE) if kind == BREATHE else None
    return Event(kind, 0.0, marker_seconds(marker, breath), section=section, line=marker.line, flexible=flexible,
                 breaths=breaths)


def _pronunciations(script: Script, pace: Pace) -> Pronunciations:
    """The script's respellings over the lexicon's, compiled once for every line the script speaks."""
    spoken = (cue.text for section in script.sections for cue in section.cues if isinstance(cue, Speech))
    return Pronunciations.compile({**dict(pace.lexicon), **script.meta.pronounce}, spoken)


MAX_RESPELLED = 100  # characters of a word or phrase given a pronunciation; a longer one is never looked for
_WORD = re.compile(r"\w+")
_END = ""  # marks, in a trie node, that a word ends there


@dataclass(frozen=True)
class Pronunciations:
    """Words (lower case) and how they sound, with one pattern finding them in a text: any case, longest first."""

    table: Mapping[str, str]
    pattern: re.Pattern[str] | None

    @classmethod
    def compile(cls, table: Mapping[str, str], texts: Iterable[str]) -> Pronunciations:
        """The entries of ``table`` that could occur in ``texts``, laid out as a trie in one pattern.

        A lexicon can hold a hundred thousand words: only those whose first word the texts hold are compiled,
        and the trie makes a text's matching take time linear in its length, however many there are.
        """
        vocabulary = {word.lower() for text in texts for word in _WORD.findall(text)}
        words = [word for word in table if len(word) <= MAX_RESPELLED and _may_occur(word, vocabulary)]
        pattern = re.compile(r"\b(" + _alternatives(_trie(words)) + r")\b", re.IGNORECASE) if words else None
        return cls(table, pattern)

    def sound(self, written: str) -> str:
        """How a word the pattern found sounds; as written if its case maps to no entry (a long s, a Kelvin sign)."""
        return self.table.get(written.lower(), written)

    def apply(self, text: str) -> str:
        """``text`` with every word of the table respelled."""
        return self.pattern.sub(lambda match: self.sound(match.group(0)), text) if self.pattern else text


def _may_occur(word: str, vocabulary: set[str]) -> bool:
    """Whether ``word`` can match where only ``vocabulary`` is written: its first word must be one of them."""
    first = _WORD.match(word)
    return first is None or first.group(0) in vocabulary


def _trie(words: Iterable[str]) -> dict:
    """The words as nested dictionaries, one level a character; an _END key where a word ends."""
    root: dict = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[_END] = {}
    return root


def _alternatives(node: dict) -> str:
    """A regular expression for a trie node: longer words first, so the longest that fits is matched."""
    branches = [re.escape(char) + _alternatives(child) for char, child in sorted(node.items()) if char != _END]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if _END in node else body
