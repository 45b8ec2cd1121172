"""Listening on this machine: the play use case from the resume point to the sound card, and the place remembered.

Each run is a process of its own with ALSA's default device writing what is played to a file: PortAudio reads the
sound devices once, when it is first loaded.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FAKE_ENGINE
from stillpoint.language import script, timeline
from stillpoint.app import resume

LISTEN = """
import sys
from stillpoint.app import pipeline
from stillpoint.app.listening import Listening
from stillpoint.language.timeline import Pace
from stillpoint.app import resume
from stillpoint.sound.render import RenderOptions

practice, cache = sys.argv[1:]
with Listening.open(pipeline.load_script(practice), Pace(bells=False), RenderOptions(), cache) as listening:
    first, note = listening.resume_point()
    print(first, note)
    print(listening.play_remembered(first, note, quiet=True, on_warning=lambda message: print("warning:", message)))
print(resume.load(practice))
"""


def listened(practice: Path, state: Path, folder: Path) -> tuple[list[str], int]:
    """Run LISTEN on ``practice``; the lines it printed and the samples that reached the device."""
    capture, config = folder / "played.raw", folder / "asound.conf"
    config.write_text(f'pcm.!default {{ type file; slave.pcm "null"; file "{capture}"; format "raw" }}\n')
    env = {**os.environ, "STILLPOINT_ENGINE": FAKE_ENGINE, "STILLPOINT_STATE": str(state),
           "ALSA_CONFIG_PATH": f"/usr/share/alsa/alsa.conf:{config}"}
    done = subprocess.run([sys.executable, "-c", LISTEN, str(practice), str(folder / "cache")], env=env,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines(), capture.stat().st_size // 2


def test_a_practice_continues_at_the_section_it_stopped_in_and_is_forgotten_at_its_end(
    small_practice: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STILLPOINT_STATE", str(tmp_path / "state"))
    resume.save(str(small_practice), resume.Bookmark("Resting", 2, 20.0))
    planned = timeline.plan(script.load(small_practice), timeline.Pace(bells=False))
    resting = timeline.section_starts(planned)[1]
    said, samples = listened(small_practice, tmp_path / "state", tmp_path)
    assert said == [f"{resting} continuing at “Resting”", "None", "None"]
    heard = samples / 22050
    assert heard == pytest.approx(planned.total - planned.events[resting].start, abs=1.0)


def test_a_place_that_cannot_be_saved_is_a_warning_and_stops_nothing(small_practice: Path, tmp_path: Path) -> None:
    in_the_way = tmp_path / "state"
    in_the_way.write_text("a file where the state folder would be")
    said, samples = listened(small_practice, in_the_way, tmp_path)
    assert said[0] == "0 starting at the beginning" and said[2:] == ["None", "None"] and samples > 0
    assert said[1].startswith("warning: cannot remember where the practice stopped: [Errno 20] Not a directory")
