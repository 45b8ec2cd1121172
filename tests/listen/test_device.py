"""The sound device: PortAudio through ALSA's file plugin keeps every byte, in a process of its own (PortAudio
reads the devices once, when it loads); failures in one line; a set-up that needs no compiler."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import numpy as np
import pytest
import sounddevice

from stillpoint.listen import device
from stillpoint.errors import PlaybackError

ROOT = Path(__file__).parents[2]
# Written through a DeviceSink in a fresh process: chunks of uneven sizes, a pause in the middle (finish, then more);
# what is still queued at the end, or the error, as JSON on stdout.
PLAYER = """
import json, sys
import numpy as np
from stillpoint.listen.device import DeviceSink
from stillpoint.errors import PlaybackError
try:
    sink = DeviceSink()
except PlaybackError as err:
    print(json.dumps({"error": str(err.diagnostic)}))
    sys.exit(1)
pcm = np.random.default_rng(7).integers(-20000, 20000, 3 * 22050).astype("<i2").tobytes()
with sink:
    for cut in range(0, len(pcm), 3001 * 2):
        sink.write(pcm[cut:cut + 3001 * 2])
        if cut == 9 * 3001 * 2:
            sink.finish()
    sink.finish()
    print(json.dumps({"queued": sink.queued()}))
"""


def played(tmp_path: Path, config: str) -> tuple[subprocess.CompletedProcess, dict]:
    """Run PLAYER with ALSA's default device defined by ``config``; returns the process and what it printed."""
    conf = tmp_path / "asound.conf"
    conf.write_text(config)
    env = {**os.environ, "ALSA_CONFIG_PATH": f"/usr/share/alsa/alsa.conf:{conf}"}
    done = subprocess.run([sys.executable, "-c", PLAYER], env=env, capture_output=True, text=True, timeout=60)
    return done, json.loads(done.stdout)


def test_what_reaches_the_device_is_every_byte_written_in_order(tmp_path: Path) -> None:
    capture = tmp_path / "capture.raw"
    done, report = played(tmp_path, f'pcm.!default {{ type file; slave.pcm "null"; file "{capture}"; format "raw" }}\n')
    assert done.returncode == 0, done.stderr
    pcm = np.random.default_rng(7).integers(-20000, 20000, 3 * 22050).astype("<i2").tobytes()
    assert capture.read_bytes() == pcm  # the pause in the middle added no silence and lost nothing
    assert report["queued"] == 0
    assert done.stderr == ""  # ALSA's and PortAudio's own lines are kept off the terminal


def test_no_device_is_one_line_and_comes_at_once(tmp_path: Path) -> None:
    done, report = played(tmp_path, "pcm.!default { type hw; card 31 }\n")
    assert done.returncode == 1
    assert report["error"] == "error: no audio device found (use `stillpoint export` to make an MP3 instead)"
    assert done.stderr == ""


@pytest.mark.parametrize(("code", "message"), [
    (device.DEVICE_UNAVAILABLE, "the audio device is in use by another program"),
    (device.INVALID_SAMPLE_RATE, "the audio device cannot play 22050 Hz 16-bit sound: Invalid sample rate"),
    (-9996, "no audio device found (PortAudio: Invalid sample rate)"),
])
def test_what_portaudio_says_becomes_one_line_with_what_to_do(code: int, message: str) -> None:
    failure = device._open_error(sounddevice.PortAudioError(f"Invalid sample rate [PaErrorCode {code}]", code))
    assert isinstance(failure, PlaybackError)
    assert failure.diagnostic.message == message and "stillpoint export" in failure.diagnostic.hint


def _requirements(name: str, seen: set[str]) -> set[str]:
    """``name`` and every distribution it needs at run time (markers for this interpreter, no extras)."""
    key = re.sub(r"[-_.]+", "-", name).lower()
    if key in seen:
        return seen
    seen.add(key)
    for requirement in metadata.requires(name) or []:
        spec, _, marker = requirement.partition(";")
        if "extra" in marker or (marker and not _marker_holds(marker)):
            continue
        _requirements(re.split(r"[\s<>=!~\[(]", spec.strip(), maxsplit=1)[0], seen)
    return seen


def _marker_holds(marker: str) -> bool:
    """Whether an environment marker such as ``python_version >= '3.13'`` holds here."""
    from packaging.markers import Marker

    return Marker(marker).evaluate()


def test_nothing_the_player_needs_was_compiled_on_this_machine() -> None:
    # A wheel built here (from a source distribution, with a compiler) is tagged for plain linux_x86_64;
    # published binary wheels carry manylinux tags, and pure ones none-any.
    local = {}
    for name in sorted(_requirements("stillpoint", set()) - {"stillpoint"}):
        wheel = metadata.distribution(name).read_text("WHEEL") or ""
        tags = re.findall(r"^Tag: (\S+)$", wheel, flags=re.M)
        if not tags or any(re.search(r"-linux_", tag) for tag in tags):
            local[name] = tags
    assert local == {}
    assert "sounddevice" in _requirements("stillpoint", set())


def test_the_set_up_installs_no_compiler_and_no_headers_for_running() -> None:
    makefile = (ROOT / "Makefile").read_text()
    run_packages = re.search(r"^APT_RUN := (.*)$", makefile, flags=re.M).group(1).split()
    assert run_packages == ["libportaudio2"]
    depends = subprocess.run(["dpkg-query", "-W", "-f", "${Depends}", "libportaudio2"], capture_output=True,
                             text=True, check=True).stdout
    assert not re.search(r"\b(gcc|cc|[\w.+-]+-dev)\b", depends), depends
