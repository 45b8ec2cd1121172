"""Wiring for writing practices: checking a file against the linter, and the library by tag. Prints nothing."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from stillpoint.app import pipeline
from stillpoint.errors import Diagnostic, ScriptError, StillpointError, UsageError, VoiceError
from stillpoint.language import library, lint, review
from stillpoint.language import timeline as timing
from stillpoint.language import script as script_language
from stillpoint.language.lexicon import Lexicon
from stillpoint.language.script import Script
from stillpoint.language.timeline import Pace, Timeline
from stillpoint.voice import recording


@dataclass(frozen=True)
class CheckResult:
    """What checking one script found; ``script`` is None when it could not be read.

    ``timeline`` is its estimated plan (at its own length when its `length:` is out of reach, which is a finding).
    """

    path: str
    script: Script | None
    diagnostics: tuple[Diagnostic, ...]
    timeline: Timeline | None = None

    def count(self, severity: str) -> int:
        """How many findings have this severity."""
        return sum(1 for d in self.diagnostics if d.severity == severity)


Voices = Callable[[str], object]  # picks the voice a name chooses, or raises VoiceError


def check(source: str, values: dict[str, str] | None = None, lexicon: Lexicon = (), strict: bool = False,
          offered: Voices | None = None, reviewing: review.Options | None = None) -> CheckResult:
    """Errors and warnings for the script named or pointed to by ``source``; see check_text."""
    try:
        path = library.find(source)
        text = script_language.read(path)
    except StillpointError as err:
        return _unreadable(source, err)
    return check_text(text, str(path), values, lexicon, strict, offered, reviewing=reviewing)


def check_text(text: str, path: str, values: dict[str, str] | None = None, lexicon: Lexicon = (),
               strict: bool = False, offered: Voices | None = None, pace: Pace = Pace(),
               reviewing: review.Options | None = None) -> CheckResult:
    """Errors and warnings for script ``text`` (from ``path``); with ``strict`` every warning counts as an error.

    Given ``offered`` (the synthesizer's ``resolve_voice``, called only if the script chooses a voice), a voice
    that is unknown or not installed is an error at the line that chooses it. A `length:` the practice cannot be
    fitted to (spoken at ``pace``) is an error at its line. Given ``reviewing``, the review's findings come too,
    and a note for each voice that does not speak English (the review reads English only).
    """
    try:
        parsed = script_language.parse(text, path, values)
        pipeline.check_values(values or {}, [parsed])
    except StillpointError as err:
        return _unreadable(path, err)
    foreign = _foreign_voices(parsed, offered) if reviewing else {}
    more = review.rules(replace(reviewing, foreign=frozenset(foreign))) if reviewing else None
    warnings = lint.lint(parsed, text, (word for word, _sound in lexicon), more, review.NAMES)
    found = [replace(w, severity="error") if w.severity == "warning" else w for w in warnings] if strict else warnings
    timeline, unreachable = timing.estimated(parsed, pace)
    extra = [*unreachable, *(_unknown_voices(parsed, offered) if offered else []), *_english_only(parsed, foreign),
             *_unplayable(parsed)]
    return CheckResult(parsed.path, parsed, tuple(sorted([*found, *extra], key=lambda d: (d.line, d.col))), timeline)


@dataclass(frozen=True)
class Draft:
    """A script being written: its findings, its estimated timeline, and the lengths it could be fitted to."""

    result: CheckResult
    timeline: Timeline | None
    fits: tuple[float, float] | None


def draft(text: str, path: str, pace: Pace = Pace(), lexicon: Lexicon = (), offered: Voices | None = None,
          reviewing: review.Options | None = None) -> Draft:
    """Check script ``text`` (and review it, given ``reviewing``) and lay it out in time with estimated speech; a
    length it cannot fit is a finding."""
    result = check_text(text, path, lexicon=lexicon, offered=offered, pace=pace, reviewing=reviewing)
    if result.script is None or result.timeline is None:
        return Draft(result, None, None)
    return Draft(result, result.timeline, timing.length_range(result.script, pace))


def _unreadable(source: str, err: StillpointError) -> CheckResult:
    """The result for a script that cannot be read or parsed: its errors, and no script."""
    return CheckResult(source, None, tuple(err.diagnostics if isinstance(err, ScriptError) else [err.diagnostic]))


def _unplayable(parsed: Script) -> list[Diagnostic]:
    """An error at each [recorded] or [clip] whose sound file is missing, unreadable, not sound, or too large."""
    found = []
    for utterance in timing.recordings(parsed):
        try:
            recording.check(utterance)
        except StillpointError as err:
            found.append(err.diagnostic)
    return found


def _unknown_voices(parsed: Script, offered: Voices) -> list[Diagnostic]:
    """An error at each voice setting of the script that is unknown or not installed."""
    found = []
    for voice, line in _voice_settings(parsed):
        try:
            offered(voice)
        except VoiceError as err:
            found.append(Diagnostic(parsed.path, line, 1, err.diagnostic.message, err.diagnostic.hint))
    return found


def _foreign_voices(parsed: Script, offered: Voices | None) -> dict[str, tuple[int, str]]:
    """The voices the script chooses that speak no English (casefolded), with the line choosing each and its
    language; unknown voices are left to the check of voices."""
    found: dict[str, tuple[int, str]] = {}
    for voice, line in _voice_settings(parsed) if offered else []:
        try:
            chosen = offered(voice)
        except VoiceError:
            continue
        languages = [language for language in (getattr(chosen, "language", ""), *getattr(chosen, "languages", ()))
                     if language]
        if languages and not any(language.casefold().startswith("en") for language in languages):
            found.setdefault(voice.strip().casefold(), (line, languages[0]))
    return found


def _english_only(parsed: Script, foreign: dict[str, tuple[int, str]]) -> list[Diagnostic]:
    """A note at each voice the review could not read: it reads English only."""
    return [Diagnostic(parsed.path, line, 1, f"the review reads English only: what the voice '{voice}' speaks "
                       f"({language}) was not reviewed", "have it read by someone who knows the language",
                       severity="note", code="review")
            for voice, (line, language) in foreign.items()]


def _voice_settings(parsed: Script) -> list[tuple[str, int]]:
    """Each voice the script chooses, with the line that chooses it: the front matter's, then the sections'."""
    front = [(parsed.meta.voice, parsed.settings_at["voice"])] if "voice" in parsed.settings_at else []
    return front + [(section.settings.voice, section.line) for section in parsed.sections if section.settings.voice]


@dataclass(frozen=True)
class Practice:
    """A practice in the library: its name, and its script and estimated length, or why it cannot be used."""

    name: str
    script: Script | None
    seconds: float = 0.0
    problems: tuple[Diagnostic, ...] = ()


def catalog(tag: str | None = None) -> list[Practice]:
    """Every practice that can be named, or those tagged ``tag`` (any case); an unknown tag is an error."""
    found = [_practice(name, path) for name, path in library.practices().items()]
    if tag is None:
        return found
    chosen = [p for p in found if p.script and tag.casefold() in (t.casefold() for t in p.script.meta.tags)]
    if not chosen:
        raise _unknown_tag(tag, {t.casefold(): t for p in found if p.script for t in p.script.meta.tags})
    return chosen


def _unknown_tag(tag: str, tags: dict[str, str]) -> UsageError:
    near = difflib.get_close_matches(tag.casefold(), list(tags), n=1)
    hint = f"did you mean '{tags[near[0]]}'?" if near else "tags in use: " + ", ".join(sorted(tags.values()))
    return UsageError(f"no practice is tagged '{tag}'", hint=hint)


def _practice(name: str, path: Path) -> Practice:
    """The practice at ``path``; one that cannot be read, or fitted to its own `length:`, with the reasons."""
    try:
        parsed = script_language.load(path)
        return Practice(name, parsed, timing.plan(parsed).total)
    except StillpointError as err:
        return Practice(name, None, problems=_unreadable(str(path), err).diagnostics)
