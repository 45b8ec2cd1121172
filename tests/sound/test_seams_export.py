"""Real exports of every built-in practice, with the default voice: no edge between silence and sound steps."""

from __future__ import annotations

import os
import subprocess
import sys
import wave
from pathlib import Path

import pytest

from stillpoint.language import library
from stillpoint.sound import seams

PRACTICES = sorted(path.stem for path in library.builtin_folder().glob("*.txt"))
HIBARI = "stillpoint.voice.hibari:HibariEngine"

pytestmark = pytest.mark.slow  # about 20 s: a real export of every practice, and of one with the neural voice


def export(destination: Path, *args: str, engine: str | None = None) -> None:
    """`stillpoint export ARGS -o destination -f wav` with ``engine`` (else the default), a cache beside it."""
    env = {key: value for key, value in os.environ.items() if key != "STILLPOINT_ENGINE"}
    env.update({"STILLPOINT_ENGINE": engine} if engine else {})
    env["STILLPOINT_CACHE"] = str(destination.parent / "cache")
    command = [sys.executable, "-m", "stillpoint", "export", *args, "-o", str(destination), "-f", "wav", "-q"]
    done = subprocess.run(command, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600,
                          check=False)
    assert done.returncode == 0, done.stderr


def edges_of(path: Path) -> seams.Edges:
    with wave.open(str(path)) as audio:
        return seams.edges(audio.readframes(audio.getnframes()))


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("seams")


def test_the_built_in_practices_are_all_here() -> None:
    assert len(PRACTICES) == 7 and {"benefactor", "slower-breath"} <= set(PRACTICES)


def test_no_edge_in_any_practice_steps_by_more_than_the_limit(folder: Path) -> None:
    export(folder / "plain", *PRACTICES)
    tracks = sorted((folder / "plain").glob("*.wav"))
    assert len(tracks) == len(PRACTICES)
    found = {track.stem: edges_of(track) for track in tracks}
    assert all(edges.count > 50 for edges in found.values())  # speech between pauses: many edges measured
    assert {name: edges.over for name, edges in found.items()} == dict.fromkeys(found, 0), found


@pytest.mark.parametrize("engine", [None, pytest.param(HIBARI, marks=pytest.mark.neural)], ids=["default", "hibari"])
def test_with_a_loud_bell_and_an_ambience_no_edge_steps_either(folder: Path, engine: str | None) -> None:
    track = folder / f"bed-{engine is None}.wav"
    export(track, "benefactor", "--ambience", "ocean", "--bell-volume", "2", engine=engine)
    found = edges_of(track)
    assert 2 <= found.count <= 4 and found.over == 0, found  # the bed fills every pause: edges at the ends only
