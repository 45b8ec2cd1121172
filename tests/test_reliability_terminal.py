"""The terminal is safe: text from files (titles, sections, lines, tags, names, paths, values in messages) reaches
it with its control characters escaped, so no escape sequence in a script or a file name acts on the terminal.

The player's live screen and plain lines are in tests/listen/test_screen.py.
"""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest
from conftest import FAKE_ENGINE
from reliability import bounded, cli_env, stillpoint

from stillpoint.voice.engine import VoiceInfo
from stillpoint.voice.fake import FakeEngine

# Reset the terminal (ESC c), clear it (the one-byte CSI, U+009B) and ring its bell; none holds a bracket, which a
# script would read as a marker.
RAW = "\x1bc\x9b2J\x07"
ESCAPED = r"\x1bc\x9b2J\x07"
SCRIPT = f"---\ntitle: Even{RAW}ing\ntags: calm, soft{RAW}\n---\n# Arri{RAW}ving\nRest {RAW} here.\n[pause 1s]\n"
FILE_NAME = "e\x1b]0;owned\x07vening.txt"  # a file name may hold what a script line may not: sets the window title


def _shows_only_escaped(done: subprocess.CompletedProcess) -> None:
    """What a run printed holds no control character but line ends, and the escaped form of those it was given."""
    printed = done.stdout + done.stderr
    assert not any(char in printed for char in "\x1b\x9b\x07\r"), printed[-2000:]
    assert ESCAPED in printed or r"\x1b]0;owned\x07" in printed, printed[-2000:]
    assert "Traceback" not in printed


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A practice whose file name, title, tags, section and line hold escape sequences."""
    (tmp_path / FILE_NAME).write_text(SCRIPT, encoding="utf-8")
    return tmp_path


COMMANDS = {
    "plan": ("plan", "{practice}"),
    "check": ("check", "{practice}"),
    "list": ("list",),
    "export": ("export", "{practice}", "-o", "out.mp3"),
    "preview -o": ("preview", "{practice}", "--section", "arri", "-o", "part.wav"),
    "convert": ("convert", "{practice}", "--to", "ssml"),
}


@pytest.mark.parametrize("command", COMMANDS)
def test_what_a_command_prints_from_a_script_is_escaped(folder: Path, command: str) -> None:
    args = [arg.format(practice=folder / FILE_NAME) for arg in COMMANDS[command]]
    env = {**cli_env(folder / "cache"), "STILLPOINT_PATH": str(folder)}
    done = bounded(*args, env=env, cwd=folder)
    assert done.returncode == 0, done.stderr
    _shows_only_escaped(done)
    assert ESCAPED in done.stdout or command == "check"  # the script's own text too, where a command shows it


MISTAKES = {
    "unknown marker": f"Rest here. [pau{RAW}se 5s]\n",
    "unknown setting": f"---\nti{RAW}tle: x\n---\nRest here.\n",
    "unknown voice": f"---\nvoice: he{RAW}art\n---\nRest here.\n",
    "section not found": "# Arriving\nRest here.\n",
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_an_error_message_shows_the_values_it_quotes_escaped(tmp_path: Path, mistake: str) -> None:
    practice = tmp_path / FILE_NAME
    practice.write_text(MISTAKES[mistake], encoding="utf-8")
    args = ("preview", practice, "--section", f"clos{RAW}ing") if mistake == "section not found" else ("plan", practice)
    done = bounded(*args, env=cli_env(tmp_path / "cache", FAKE_ENGINE), cwd=tmp_path)
    assert done.returncode in (1, 2) and len(done.stderr.splitlines()) == 1, done.stderr
    _shows_only_escaped(done)


def test_play_in_plain_lines_shows_the_script_escaped(folder: Path) -> None:
    capture, conf = folder / "capture.raw", folder / "asound.conf"
    conf.write_text(f'pcm.!default {{ type file; slave.pcm "null"; file "{capture}"; format "raw" }}\n')
    env = {**cli_env(folder / "cache"), "ALSA_CONFIG_PATH": f"/usr/share/alsa/alsa.conf:{conf}",
           "STILLPOINT_STATE": str(folder / "state")}
    done = bounded("play", folder / FILE_NAME, "--no-ui", "--no-bells", env=env, cwd=folder)
    assert done.returncode == 0, done.stderr
    _shows_only_escaped(done)
    assert f"Even{ESCAPED}ing" in done.stdout and f"Arri{ESCAPED}ving" in done.stdout


def test_serve_announces_a_folder_and_the_files_it_leaves_out_escaped(tmp_path: Path) -> None:
    album = tmp_path / f"al{RAW}bum"
    album.mkdir()
    (tmp_path / "calm.txt").write_text("Rest here.\n", encoding="utf-8")
    env = {**cli_env(tmp_path / "cache"), "STILLPOINT_STATE": str(tmp_path / "state")}
    assert bounded("export", tmp_path / "calm.txt", "-o", album / "calm.mp3", env=env).returncode == 0
    (album / f"not{RAW}sound.mp3").write_bytes(b"no audio here")
    with subprocess.Popen(stillpoint("serve", album, "--host", "127.0.0.1", "--port", "0"), env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as server:
        try:
            lines = [server.stdout.readline() for _ in range(2)]
        finally:
            server.send_signal(signal.SIGINT)
        stdout, stderr = server.communicate(timeout=60)
    done = subprocess.CompletedProcess(server.args, server.returncode, "".join(lines) + stdout, stderr)
    _shows_only_escaped(done)
    assert f"not{ESCAPED}sound.mp3" in done.stderr and f"al{ESCAPED}bum" in done.stdout


class HostileVoices(FakeEngine):
    """The fake engine, with a voice whose name and description hold escape sequences."""

    def voices(self) -> list[VoiceInfo]:
        """The fake voices and one more."""
        return [*super().voices(), VoiceInfo(f"fake/odd{RAW}", f"Odd {RAW} voice", ("en",))]


def test_voices_lists_an_engines_names_and_descriptions_escaped(tmp_path: Path) -> None:
    done = bounded("voices", env=cli_env(tmp_path / "cache", f"{__name__}:HostileVoices"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    _shows_only_escaped(done)
    assert f"Odd {ESCAPED} voice" in done.stdout
