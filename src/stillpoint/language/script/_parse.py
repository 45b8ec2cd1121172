"""Script text -> Script, with every error of the text at once; and the variables a script defines or uses."""

from __future__ import annotations

from stillpoint.errors import MAX_FINDINGS, Diagnostic, Findings, ScriptError, TooManyFindings
from stillpoint.language.script._body import Body, room
from stillpoint.language.script._front import FrontMatter
from stillpoint.language.script._model import Script, Speech
from stillpoint.language.script._syntax import split_lines

MAX_ERRORS = MAX_FINDINGS  # a pasted binary can hold millions; past this many a parse stops


def parse(text: str, path: str = "<text>", values: dict[str, str] | None = None) -> Script:
    """Parse script text; raises ScriptError listing the errors found (after MAX_ERRORS, a note that it stopped)."""
    lines = split_lines(text)
    errors = Findings()
    try:
        front_matter = FrontMatter(path, lines, errors)
        meta, body_start = front_matter.parse()
        body = Body(path, meta.title, {**meta.vars, **(values or {})}, errors, room(text))
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
    lines = split_lines(text)
    errors = Findings()
    try:
        meta, body_start = FrontMatter(path, lines, errors).parse()
        body = Body(path, meta.title, _AnyValue(meta.vars), errors, room(text))
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


def _by_position(errors: list[Diagnostic]) -> list[Diagnostic]:
    return sorted(errors, key=lambda d: (d.line, d.col))
