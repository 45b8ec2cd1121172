"""With the network cut (a new network namespace), the real default voice still speaks a whole practice."""

from __future__ import annotations

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
