"""`stillpoint plan`: every event of a practice with its start, the sections' times and the total."""

import json
from typing import Annotated

import typer

from stillpoint.app import pipeline, reports, session
from stillpoint.audio import clock
from stillpoint.cli import display
from stillpoint.cli.base import command_app, handled
from stillpoint.cli.options import CacheOpt, DebugOpt, FittedSpeaking, QuietOpt, ScriptArg
from stillpoint.language import timeline as timing
from stillpoint.language.timeline import Event, Timeline
from stillpoint.sound import breath

app = command_app()


@app.command()
@handled
def plan(
    script: ScriptArg,
    as_json: Annotated[bool, typer.Option("--json", help="Print the timeline as JSON.")] = False,
    speaking: FittedSpeaking = FittedSpeaking(),
    cache_dir: CacheOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Show every event with its start time and the total length (a dry run of export).

    \b
    Examples:
      stillpoint plan benefactor
      stillpoint plan my-practice.txt --length 10m --json
    """
    parsed = pipeline.load_script(script, speaking.values())
    with session.synthesizer(cache_dir, speaking.voice) as synth, \
            display.progress(quiet or as_json, "Measuring") as on_progress:
        timeline = pipeline.timed_plan(parsed, speaking.pace(), synth, on_progress)
    if as_json:
        typer.echo(json.dumps(reports.plan_report(timeline), indent=2))
        return
    for row in _table(timeline):
        display.say(row)


def _table(timeline: Timeline) -> list[str]:
    """Every event with its start, then the sections' times and the total, a row each."""
    rows = [f"{timeline.title}"]
    section = None
    for event in timeline.events:
        if event.section != section:
            section = event.section
            rows += ["", f"# {section}"]
        detail = event.text if event.kind == timing.SPEECH else ""
        rows.append(f"{clock(event.start):>6}  {event.kind:<8}{event.duration:6.1f}s  {detail}".rstrip())
        rows += _breaths(event)
    return [*rows, "", *_sections(timeline), "", f"total {clock(timeline.total)} ({timeline.total:.1f} s)"]


def _breaths(event: Event) -> list[str]:
    """A breathe event's breaths, a row each: when it starts, and each phase with its length."""
    phases = breath.timed(event)
    size = len(breath.cycle(event.breaths.pattern)) if event.breaths else 1
    rows = []
    for first in range(0, len(phases), size):
        cycle = phases[first:first + size]
        shown = " · ".join(f"{kind} {duration:.1f}s" for kind, _start, duration in cycle)
        rows.append(f"{clock(cycle[0][1]):>6}    {shown}")
    return rows


def _sections(timeline: Timeline) -> list[str]:
    """Each section's spoken and silent time and the pace it is heard at, under a header."""
    width = max(len("section"), *(len(t.title) for t in timing.section_times(timeline)))
    rows = [f"{'section':<{width}}  spoken  silent  wpm heard"]
    for times in timing.section_times(timeline):
        pace = f"{times.heard_wpm:9.0f}" if times.spoken else f"{'—':>9}"  # no words (a sleep ending): no pace
        rows.append(f"{times.title:<{width}}  {clock(times.spoken):>6}  {clock(times.silent):>6}  {pace}")
    return rows
