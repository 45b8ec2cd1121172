"""Wiring for writing practices: checking a file against the linter, and the library by tag. Prints nothing."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from stillpoint.app import pipeline
from stillpoint.errors import Diagnostic, ScriptError, StillpointError, UsageError, VoiceError
from stillpoint.language import library, lint
from stillpoint.language import script as script_language
from stillpoint.language.lexicon import Lexicon
from stillpoint.language.script import Script
from stillpoint.voice.engine import VoiceInfo, resolve_voice


def lint_script(source: str, values: dict[str, str] | None = None,
                lexicon: Lexicon = ()) -> tuple[Script, list[Diagnostic]]:
    """The practice named or pointed to by ``source``, and the warnings about it."""
    parsed = pipeline.load_script(source, values)
    text = script_language.read(parsed.path)
    return parsed, lint.lint(parsed, text, (word for word, _sound in lexicon))


@dataclass(frozen=True)
class CheckResult:
    """What checking one script found; ``script`` is None when it could not be read."""

    path: str
    script: Script | None
    diagnostics: tuple[Diagnostic, ...]

    def count(self, severity: str) -> int:
        """How many findings have this severity."""
        return sum(1 for d in self.diagnostics if d.severity == severity)


def check(source: str, values: dict[str, str] | None = None, lexicon: Lexicon = (), strict: bool = False,
          offered: Callable[[], Sequence[VoiceInfo]] | None = None) -> CheckResult:
    """Errors and warnings for one script; with ``strict`` every warning counts as an error.

    Given ``offered`` (the engine's voices, asked for only if the script chooses a voice), a voice the engine
    does not offer is an error at the line that chooses it.
    """
    try:
        parsed, warnings = lint_script(source, values, lexicon)
    except ScriptError as err:
        return CheckResult(source, None, tuple(err.diagnostics))
    except StillpointError as err:
        return CheckResult(source, None, (err.diagnostic,))
    found = [replace(w, severity="error") for w in warnings] if strict else warnings
    if offered:
        found = sorted([*found, *_unknown_voices(parsed, offered)], key=lambda d: (d.line, d.col))
    return CheckResult(parsed.path, parsed, tuple(found))


def _unknown_voices(parsed: Script, offered: Callable[[], Sequence[VoiceInfo]]) -> list[Diagnostic]:
    """An error at each voice setting of the script that the engine does not offer."""
    chosen = _voice_settings(parsed)
    voices = offered() if chosen else ()
    found = []
    for voice, line in chosen:
        try:
            resolve_voice(voice, voices)
        except VoiceError as err:
            found.append(Diagnostic(parsed.path, line, 1, err.diagnostic.message, err.diagnostic.hint))
    return found


def _voice_settings(parsed: Script) -> list[tuple[str, int]]:
    """Each voice the script chooses, with the line that chooses it: the front matter's, then the sections'."""
    front = [(parsed.meta.voice, parsed.settings_at["voice"])] if "voice" in parsed.settings_at else []
    return front + [(section.settings.voice, section.line) for section in parsed.sections if section.settings.voice]


@dataclass(frozen=True)
class Practice:
    """A practice in the library: its name, and its script or why it cannot be read."""

    name: str
    script: Script | None
    problem: str = ""


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
    try:
        return Practice(name, script_language.load(path))
    except StillpointError as err:
        return Practice(name, None, str(err))
