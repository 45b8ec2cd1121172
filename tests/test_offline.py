"""With the network cut (a new network namespace), the real default voice still speaks a whole practice, and an
export writes nothing but the track and Stillpoint's own folders."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import mutagen.mp3
import pytest

pytestmark = pytest.mark.slow


def _can_cut_network() -> bool:
    """Whether this process may run a command in a network namespace of its own (root, or user namespaces)."""
    unshare = shutil.which("unshare")
    return bool(unshare) and subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _can_cut_network(), reason="unshare -n is not permitted here")
def test_export_needs_no_network(tmp_path: Path) -> None:
    """The default voice's export runs in a namespace with no network at all and writes the whole track."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("STILLPOINT_", "HF_", "HUGGINGFACE", "TRANSFORMERS"))}
    env["STILLPOINT_CACHE"] = str(tmp_path / "cache")
    target = tmp_path / "benefactor.mp3"
    command = ["unshare", "-n", sys.executable, "-m", "stillpoint", "export", "benefactor", "-o", str(target)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert mutagen.mp3.MP3(target).info.length > 600  # benefactor is about 12 minutes long


TWO_VOICES = """---
title: Two Voices
---
# Heart
Settle in and let the floor hold you.
# Joe {voice: joe}
Breathe in slowly, and let the breath go.
"""
HOMES = ("home", "cache", "data", "state", "config", "tmp")


def private_env(root: Path) -> dict[str, str]:
    """The environment with a fresh home, XDG folders and temporary folder under ``root``, and no cache named."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("STILLPOINT_", "XDG_", "ORT_"))}
    for name in HOMES:
        (root / name).mkdir()
    env.update(HOME=str(root / "home"), TMPDIR=str(root / "tmp"), XDG_CACHE_HOME=str(root / "cache"),
               XDG_DATA_HOME=str(root / "data"), XDG_STATE_HOME=str(root / "state"),
               XDG_CONFIG_HOME=str(root / "config"))
    return env


def test_an_export_writes_only_the_track_and_its_own_cache(tmp_path: Path) -> None:
    """Both neural engines (onnxruntime in every worker) and the default cache: nothing else is written anywhere
    under a fresh home, XDG folders and temporary folder (onnxruntime would write a device id and telemetry)."""
    joe = importlib.util.find_spec("piper") is not None
    script = tmp_path / "work" / "two.txt"
    script.parent.mkdir()
    script.write_text(TWO_VOICES if joe else TWO_VOICES.replace(" {voice: joe}", ""), encoding="utf-8")
    env, out = private_env(tmp_path), script.with_suffix(".mp3")
    command = [sys.executable, "-m", "stillpoint", "export", str(script), "-o", str(out), "--quiet"]
    if _can_cut_network():
        command = ["unshare", "-n", *command]
    done = subprocess.run(command, env=env, cwd=script.parent, capture_output=True, text=True, timeout=600,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0 and done.stderr == "", done.stderr[-2000:]
    own = tmp_path / "cache" / "stillpoint"
    written = {path for path in tmp_path.rglob("*") if not path.is_relative_to(own)}
    assert written == {*(tmp_path / name for name in HOMES), script.parent, script, out}
    # each line, slower than its voice's floor, cached whole and as its phrases (one and two)
    assert (own / "CACHEDIR.TAG").is_file() and len(list(own.glob("??/*.wav"))) == 2 + 3
