"""Where the listener stopped each practice, and where it goes on: a small JSON file per practice, written
atomically, and the event a saved place starts from. Prints nothing."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict
from pathlib import Path

from stillpoint import inputs, places
from stillpoint.inputs import InputError
from stillpoint.language.timeline import Timeline, section_starts
from stillpoint.listen.player import Bookmark
from stillpoint.output import files

STATE_CAP = 64_000  # a resume point is a line of JSON


def state_file(practice: str) -> Path:
    """The file that remembers ``practice`` (a script path) in the state folder; named after it, unique to its full
    path."""
    path = Path(practice).expanduser().resolve()
    digest = hashlib.sha256(str(path).encode()).hexdigest()[:12]
    return places.state_folder() / f"{path.stem}-{digest}.json"


def load(practice: str) -> Bookmark | None:
    """Where ``practice`` was stopped, or None if it was not, or if the file is damaged: not JSON, or not a place."""
    try:
        return _bookmark(json.loads(inputs.read_capped(state_file(practice), STATE_CAP, "a resume point")))
    except (InputError, ValueError, RecursionError):  # RecursionError: arrays nested deeper than the parser goes
        return None


def _bookmark(data: object) -> Bookmark | None:
    """The place ``data`` (a saved place, as JSON) describes, if it is one: a title, a number and a finite time."""
    if not isinstance(data, dict):
        return None
    section, number, seconds = data.get("section"), data.get("number"), data.get("seconds")
    if not isinstance(section, str) or type(number) is not int or type(seconds) not in (int, float):
        return None
    if number < 0 or not 0 <= seconds < math.inf:  # nan fails both comparisons
        return None
    return Bookmark(section, number, float(seconds))


def save(practice: str, bookmark: Bookmark | None) -> None:
    """Remember ``bookmark`` for ``practice``; None forgets it (the practice was heard to the end).

    Raises OSError or UsageError when the state folder cannot be written.
    """
    target = state_file(practice)
    if bookmark is None:
        target.unlink(missing_ok=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    files.write_text(target, json.dumps({"practice": str(Path(practice).resolve()), **asdict(bookmark)}), force=True)


def starting_point(timeline: Timeline, bookmark: Bookmark | None) -> int:
    """The first event of the section a bookmark names (matched by number and title, else title), else 0."""
    if bookmark is None:
        return 0
    starts = section_starts(timeline)
    titles = [timeline.events[index].section for index in starts]
    if 0 < bookmark.number <= len(titles) and titles[bookmark.number - 1] == bookmark.section:
        return starts[bookmark.number - 1]
    return starts[titles.index(bookmark.section)] if bookmark.section in titles else 0
