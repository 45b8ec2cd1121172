"""What the player shows: the moment's texts, which come from the script, reach the terminal escaped."""

from __future__ import annotations

import io

from rich.console import Console

from stillpoint.listen.live import view
from stillpoint.listen.screen import LineScreen, Moment

RAW = "\x1bc\x9b2J\x07"  # reset the terminal, clear it, ring its bell
ESCAPED = r"\x1bc\x9b2J\x07"
MOMENT = Moment(title=f"Even{RAW}ing", section=f"Arri{RAW}ving", section_number=1, sections=2,
                caption=f"Rest {RAW} here.", elapsed=3.0, total=60.0, note=f"continuing at “Arri{RAW}ving”")


def test_plain_lines_show_the_title_note_and_section_escaped() -> None:
    out = io.StringIO()
    LineScreen(out).show(MOMENT)
    assert out.getvalue().splitlines() == [f"Even{ESCAPED}ing  (1:00)", f"  continuing at “Arri{ESCAPED}ving”",
                                           f"    0:03  Arri{ESCAPED}ving"]


def test_the_live_screen_draws_every_text_escaped() -> None:
    out = io.StringIO()
    Console(file=out, force_terminal=True, width=100).print(view(MOMENT))
    drawn = out.getvalue()
    assert not any(char in drawn for char in "\x9b\x07") and "\x1bc" not in drawn
    assert all(f"{text}" in drawn for text in (f"Even{ESCAPED}ing", f"Arri{ESCAPED}ving", f"Rest {ESCAPED} here."))
