"""The user-wide pronunciation lexicon: `word: how it sounds`, one entry a line, applied before synthesis."""

from __future__ import annotations

from functools import lru_cache

from stillpoint import places
from stillpoint.errors import Diagnostic, Findings, ScriptError, TooManyFindings, UsageError
from stillpoint.language import script as script_language
from stillpoint.language.timeline import MAX_RESPELLED

ENTRY_HINT = "write it as `word: how it sounds`, e.g. `oxytocin: ok-see-TOE-sin`"

Lexicon = tuple[tuple[str, str], ...]


def load() -> Lexicon:
    """The entries of the user's lexicon file; none when the default file does not exist."""
    path = places.lexicon_file()
    if path.exists() or path.is_symlink():
        return _parsed(script_language.read(path, "a lexicon"), str(path))
    if places.named(places.LEXICON_ENV):
        raise UsageError(f"{places.LEXICON_ENV} names a lexicon that does not exist", path=str(path),
                         hint=f"create the file, or unset {places.LEXICON_ENV}")
    return ()


@lru_cache(maxsize=1)
def _parsed(text: str, path: str) -> Lexicon:
    """The entries of a lexicon file's text, parsed again only when the text changes (the studio reads the file at
    every check, and 100,000 entries take half a second to parse)."""
    return parse(text, path)


def parse(text: str, path: str = "<lexicon>") -> Lexicon:
    """Lexicon text -> (word, sound) pairs with words in lower case; ScriptError naming every bad line."""
    entries: dict[str, tuple[str, int]] = {}
    errors = Findings()
    try:
        for lineno, raw in enumerate(text.splitlines(), start=1):
            stripped = raw.strip()
            if not stripped or stripped.startswith(("#", "//")):
                continue
            problem = _entry(raw, lineno, entries)
            if problem:
                errors.append(Diagnostic(path, lineno, len(raw) - len(raw.lstrip()) + 1, *problem))
    except TooManyFindings:
        pass  # the last of ``errors`` says where reading stopped
    if errors:
        raise ScriptError(errors)
    return tuple((word, sound) for word, (sound, _line) in entries.items())


def _entry(raw: str, lineno: int, entries: dict[str, tuple[str, int]]) -> tuple[str, str] | None:
    """Add one line's entry; (message, hint) when the line cannot be used."""
    word, sep, sound = (part.strip() for part in raw.partition(":"))
    if not sep or not word or not sound:
        return f"'{raw.strip()}' is not a lexicon entry", ENTRY_HINT
    key = " ".join(word.lower().split())
    if len(key) > MAX_RESPELLED:
        return f"'{word[:20]}…' is longer than {MAX_RESPELLED} characters", "respell a word or a short phrase"
    if key in entries:
        return f"'{word}' is listed twice", f"it is first on line {entries[key][1]}; keep one of them"
    entries[key] = (sound, lineno)
    return None
