"""Everything that speaks works with every engine: play, export, --length, preview, a batch and a converted
SSML file, each through the real command in a process of its own with the real voice (heart, joe, en-us)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import wave
from pathlib import Path

import mutagen.mp3
import pytest

from conftest import SMALL_PRACTICE

pytestmark = [pytest.mark.slow, pytest.mark.neural]

VOICES = ["heart", pytest.param("joe", marks=pytest.mark.skipif(
    importlib.util.find_spec("piper") is None, reason="the piper extra is not installed")), "en-us"]
SSML = '<speak version="1.1" xml:lang="en-US"><p>Breathe in slowly.</p><break time="2s"/><p>Rest.</p></speak>'


def run(folder: Path, *args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """stillpoint in a fresh process with the real engines and a cache in folder; it must succeed."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith("STILLPOINT_")}
    clean.update(STILLPOINT_CACHE=str(folder / "cache"), STILLPOINT_STATE=str(folder / "state"), **(env or {}))
    done = subprocess.run([sys.executable, "-m", "stillpoint", *map(str, args)], cwd=folder, env=clean,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    return done


def pcm_of(path: Path) -> bytes:
    """The samples of a WAV file."""
    with wave.open(str(path), "rb") as wav:
        return wav.readframes(wav.getnframes())


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder with two small practices."""
    (tmp_path / "small.txt").write_text(SMALL_PRACTICE)
    (tmp_path / "other.txt").write_text(SMALL_PRACTICE.replace("Small Practice", "Other Practice"))
    return tmp_path


@pytest.mark.parametrize("voice", VOICES)
def test_play_sends_the_sound_card_what_export_writes(folder: Path, voice: str) -> None:
    run(folder, "export", "small.txt", "--voice", voice, "-o", "small.wav")
    capture = folder / "played.raw"
    config = folder / "asound.conf"
    config.write_text(f'pcm.!default {{ type file; slave.pcm "null"; file "{capture}"; format "raw" }}\n')
    run(folder, "play", "small.txt", "--voice", voice, "--no-ui",
        env={"ALSA_CONFIG_PATH": f"/usr/share/alsa/alsa.conf:{config}"})
    exported = pcm_of(folder / "small.wav")
    assert any(exported)
    assert capture.read_bytes()[:len(exported)] == exported


@pytest.mark.parametrize("voice", VOICES)
def test_export_fits_a_length_and_a_batch_writes_every_track(folder: Path, voice: str) -> None:
    run(folder, "export", "small.txt", "--voice", voice, "--length", "35s", "-o", "fitted.mp3")
    assert mutagen.mp3.MP3(folder / "fitted.mp3").info.length == pytest.approx(35.0, abs=0.05)
    run(folder, "export", "small.txt", "other.txt", "--voice", voice, "-o", "album")
    tracks = sorted(path.name for path in (folder / "album").glob("*.mp3"))
    assert len(tracks) == 2 and all(mutagen.mp3.MP3(folder / "album" / name).info.length > 5 for name in tracks)


@pytest.mark.parametrize("voice", VOICES)
def test_preview_of_some_lines_and_a_converted_ssml_file_are_spoken(folder: Path, voice: str) -> None:
    run(folder, "preview", "small.txt", "--lines", "9-12", "--voice", voice, "-o", "part.wav")
    assert any(pcm_of(folder / "part.wav"))
    (folder / "talk.ssml").write_text(SSML)
    run(folder, "convert", "talk.ssml", "-o", "talk.txt")
    run(folder, "export", "talk.txt", "--voice", voice, "-o", "talk.wav")
    assert len(pcm_of(folder / "talk.wav")) / 2 / 22050 > 2.5  # two lines and the two-second break
