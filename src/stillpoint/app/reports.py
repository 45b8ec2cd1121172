"""Findings and plans as plain data (JSON-ready), the same for `check --json`, `plan --json` and the studio."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stillpoint.language import review
from stillpoint.language import timeline as timing
from stillpoint.sound import breath

if TYPE_CHECKING:  # the checker loads only in the commands that check
    from stillpoint.app.authoring import CheckResult, Draft
    from stillpoint.errors import Diagnostic
    from stillpoint.language.script import Script
    from stillpoint.language.timeline import Event, Timeline


def variables(parsed: Script) -> dict[str, str | None]:
    """Every variable of a practice with its default (None when it has none), by name."""
    return {name: parsed.meta.vars.get(name) for name in sorted({*parsed.meta.vars, *parsed.variables})}


def check_report(results: list[CheckResult]) -> dict[str, object]:
    """The findings of checking several scripts, with their shape and variables, and the counts."""
    return {"files": [_file_report(result) for result in results],
            "errors": sum(r.count("error") for r in results),
            "warnings": sum(r.count("warning") for r in results)}


def _file_report(result: CheckResult) -> dict[str, object]:
    """One script's findings and shape."""
    parsed = result.script
    return {"path": result.path, "ok": not result.count("error"),
            "sections": len(parsed.sections) if parsed else None,
            "seconds": round(result.timeline.total, 1) if result.timeline else None,
            "variables": variables(parsed) if parsed else {},
            "diagnostics": [diagnostic(d) for d in result.diagnostics]}


def diagnostic(found: Diagnostic) -> dict[str, object]:
    """One finding: where (1-based line and column, in characters), how bad, what, what to do, its rule and its
    family (the review's or the check's), and the rewrite that answers it, if one can be made in place."""
    fix = found.fix
    return {"line": found.line, "col": found.col, "severity": found.severity, "rule": found.code,
            "family": "review" if found.code in (*review.NAMES, "review") else "check",
            "message": found.message, "hint": found.hint,
            "fix": {"line": fix.line, "col": fix.col, "end_line": fix.end_line, "end_col": fix.end_col,
                    "text": fix.text} if fix else None}


def draft_report(draft: Draft) -> dict[str, object]:
    """A script being written: its findings, variables and estimated plan, and the lengths it could be fitted to."""
    result = draft.result
    return {"diagnostics": [diagnostic(d) for d in result.diagnostics],
            "errors": result.count("error"), "warnings": result.count("warning"),
            "title": result.script.meta.title if result.script else None,
            "variables": variables(result.script) if result.script else {},
            "plan": plan_report(draft.timeline) if draft.timeline else None,
            "fits": {"shortest": round(draft.fits[0], 1), "longest": round(draft.fits[1], 1)} if draft.fits else None}


def plan_report(timeline: Timeline) -> dict[str, object]:
    """Every event with its start and length (a breathe event's phases too), each section's spoken and silent time,
    and the total."""
    events = [
        {"start": round(e.start, 3), "duration": round(e.duration, 3), "kind": e.kind, "text": e.text,
         "section": e.section, "line": e.line, **_phases(e)}
        for e in timeline.events
    ]
    sections = [
        {"title": t.title, "spoken": round(t.spoken, 3), "silent": round(t.silent, 3), "words": t.words,
         "heard_wpm": round(t.heard_wpm, 1)}
        for t in timing.section_times(timeline)
    ]
    return {"title": timeline.title, "total": round(timeline.total, 3), "exact": timeline.exact, "events": events,
            "sections": sections}


def _phases(event: Event) -> dict[str, object]:
    """A breathe event's phases, each with its start in the track and its length, in seconds to the sample."""
    if event.breaths is None:
        return {}
    return {"phases": [{"phase": kind, "start": round(start, 6), "duration": round(duration, 6)}
                       for kind, start, duration in breath.timed(event)]}
