"""Findings and plans as plain data (JSON-ready), the same for `check --json`, `plan --json` and the studio."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stillpoint.language import timeline as timing

if TYPE_CHECKING:  # the checker loads only in the commands that check
    from stillpoint.app.authoring import CheckResult
    from stillpoint.language.script import Script
    from stillpoint.language.timeline import Timeline


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
            "seconds": round(timing.plan(parsed).total, 1) if parsed else None,
            "variables": variables(parsed) if parsed else {},
            "diagnostics": [{"line": d.line, "col": d.col, "severity": d.severity, "rule": d.code,
                             "message": d.message, "hint": d.hint} for d in result.diagnostics]}


def plan_report(timeline: Timeline) -> dict[str, object]:
    """Every event with its start and length, each section's spoken and silent time, and the total."""
    events = [
        {"start": round(e.start, 3), "duration": round(e.duration, 3), "kind": e.kind, "text": e.text,
         "section": e.section}
        for e in timeline.events
    ]
    sections = [
        {"title": t.title, "spoken": round(t.spoken, 3), "silent": round(t.silent, 3), "words": t.words,
         "heard_wpm": round(t.heard_wpm, 1)}
        for t in timing.section_times(timeline)
    ]
    return {"title": timeline.title, "total": round(timeline.total, 3), "events": events, "sections": sections}
