"""Where a command goes in a practice: sections, skips into silences and lines, on a planned timeline."""

from __future__ import annotations

import pytest

from stillpoint.audio import seconds_to_samples
from stillpoint.language import script
from stillpoint.language import timeline as timing
from stillpoint.listen import commands

PRACTICE = """---
title: Three Parts
rate: 150
---
# One
Settle in and let the floor hold you. [soak 30s]
# Two
Notice the breath as it comes and goes. [pause 20s]
Rest here a while.
# Three
Come back when you are ready.
"""


@pytest.fixture(scope="module")
def plan() -> timing.Timeline:
    return timing.plan(script.parse(PRACTICE, "three.txt"), timing.Pace(bells=False))


def start_of(plan: timing.Timeline, section: str) -> float:
    return next(event.start for event in plan.events if event.section == section)


def test_next_section_goes_to_the_following_one_and_none_after_the_last(plan: timing.Timeline) -> None:
    two, three = start_of(plan, "Two"), start_of(plan, "Three")
    assert plan.events[commands.next_section(plan, 1.0)].start == two
    assert plan.events[commands.next_section(plan, two + 0.5)].start == three
    assert commands.next_section(plan, three + 0.5) is None


def test_previous_section_restarts_this_one_unless_it_has_only_just_begun(plan: timing.Timeline) -> None:
    two = start_of(plan, "Two")
    assert plan.events[commands.previous_section(plan, two + commands.RESTART_GRACE + 1)].start == two
    assert plan.events[commands.previous_section(plan, two + 1.0)].start == 0.0
    assert plan.events[commands.previous_section(plan, 1.0)].start == 0.0  # the first has none before it


def test_a_skip_into_a_silence_lands_on_the_sample_and_into_a_line_at_its_start(plan: timing.Timeline) -> None:
    soak = next(event for event in plan.events if event.kind == timing.SOAK)
    index, into = commands.skip(plan, soak.start + 1.0, forward=True)
    assert plan.events[index] is soak and into == seconds_to_samples(1.0 + commands.SKIP_SECONDS)
    line = next(i for i, event in enumerate(plan.events) if event.text == "Rest here a while.")
    heard = plan.events[line].start + commands.SKIP_SECONDS + 0.5
    assert commands.skip(plan, heard, forward=False) == (line, 0)


def test_a_skip_stops_at_the_last_line_and_never_goes_back_to_the_start_of_the_line_playing(
        plan: timing.Timeline) -> None:
    last = len(plan.events) - 1
    assert plan.events[last].kind == timing.SPEECH
    assert commands.skip(plan, plan.events[last].start - 1.0, forward=True) == (last, 0)
    assert commands.skip(plan, plan.events[last].start + 0.5, forward=True) == (last, 0)  # no line after it
    assert commands.skip(plan, 3.0, forward=False) == (0, 0)
