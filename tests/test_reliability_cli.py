"""The command line when it is interrupted, piped into a pager that stops reading, or given mistakes.

Covered in tests/test_cli.py and not repeated: single mistakes through CliRunner giving one line and an
exit code (test_mistakes_give_one_line_and_an_exit_code) and --debug letting the error through
(test_debug_lets_the_error_through). SIGINT and SIGTERM while the file is being written are in
tests/test_reliability_export.py.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from unittest.mock import ANY

import lameenc
import pytest
from conftest import FAKE_ENGINE
from reliability import FAULTY, WAV, cli_env, stillpoint
from typer.testing import CliRunner

from stillpoint import cli
from stillpoint.output.export import PART_SUFFIX

README = Path(__file__).parent.parent / "README.md"
OLD = b"the file from last time"
TIMEOUT = 60.0


def _raise_interrupt(*_args: object, **_kwargs: object) -> None:
    raise KeyboardInterrupt


class _InterruptedEncoder:
    """A real MP3 encoder that is interrupted on its second chunk."""

    real = lameenc.Encoder

    def __init__(self) -> None:
        self.inner, self.calls = self.real(), 0

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def encode(self, pcm: bytes) -> bytes:
        """Encode, or take a Ctrl-C on the second call."""
        self.calls += 1
        if self.calls == 2:
            raise KeyboardInterrupt
        return self.inner.encode(pcm)


STAGES = {
    "parse": ("stillpoint.language.script.parse", _raise_interrupt),
    "synthesize": ("stillpoint.voice.pool.wait", _raise_interrupt),  # where the parent waits for its workers
    "render": ("stillpoint.sound.render.speech_pcm", _raise_interrupt),
    "encode": ("lameenc.Encoder", _InterruptedEncoder),
}


@pytest.mark.parametrize("stage", STAGES)
def test_ctrl_c_in_each_stage_exits_130_quietly_and_leaves_the_old_file(
    stage: str, fake_engine: Path, small_practice: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dest = tmp_path / "small.mp3"
    dest.write_bytes(OLD)
    target, replacement = STAGES[stage]
    monkeypatch.setattr(target, replacement)
    before = set(multiprocessing.active_children())
    result = CliRunner().invoke(cli.app, ["export", str(small_practice), "-o", str(dest), "--force"])
    assert result.exit_code == 130
    assert (result.stdout, result.stderr) == ("", "")
    assert dest.read_bytes() == OLD and not list(tmp_path.glob(f"*{PART_SUFFIX}"))
    assert set(multiprocessing.active_children()) <= before


def children(pid: int) -> list[str]:
    """Process ids of the children of ``pid``."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return path.read_text().split() if path.exists() else []


@pytest.mark.parametrize("after", [0.05, 0.1, 0.2])
def test_ctrl_c_while_the_voice_workers_start_prints_nothing(tmp_path: Path, after: float) -> None:
    """A terminal's Ctrl-C reaches every process of the job, workers still importing included."""
    process = subprocess.Popen(stillpoint("export", "benefactor", "-o", tmp_path / "b.mp3"), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=cli_env(tmp_path / "cache"), start_new_session=True)
    give_up = time.monotonic() + TIMEOUT
    while not children(process.pid) and process.poll() is None and time.monotonic() < give_up:
        time.sleep(0.001)
    time.sleep(after)
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=TIMEOUT)
    assert (process.returncode, stderr.decode()) == (130, "")


@pytest.mark.parametrize("practice", ["benefactor", "long"])
def test_plan_piped_into_head_ends_quietly(tmp_path: Path, practice: str) -> None:
    """The long plan is far bigger than a pipe holds, so stillpoint really meets the closed pipe."""
    long = tmp_path / "long.txt"
    long.write_text("# Part\n" + "Rest here a while. [pause 2s]\n" * 5000, encoding="utf-8")
    name = str(long) if practice == "long" else practice
    command = " ".join(f"'{part}'" for part in stillpoint("plan", name))
    shell = f"{command} 2>'{tmp_path}/stderr' | head -1; echo \"${{PIPESTATUS[0]}}\" >'{tmp_path}/status'"
    first = subprocess.run(["bash", "-c", shell], env=cli_env(tmp_path / "cache"), capture_output=True, text=True,
                           timeout=TIMEOUT)
    assert first.stdout.strip() in ("Taking in the Love of a Benefactor", "Long")
    assert (tmp_path / "stderr").read_text() == ""
    assert (tmp_path / "status").read_text().strip() == "0"


BAD_SCRIPT = "# Part\nRest [paws 5s] here.\nAnd {who} too.\n"


@pytest.mark.parametrize(("case", "args", "env", "code", "lines"), [
    ("no such practice", ("export", "benefactr"), {}, 2, 1),
    ("two script errors", ("plan", "{bad}"), {}, 1, 2),
    ("missing script file", ("plan", "{tmp}/missing.txt"), {}, 1, 1),
    ("binary script file", ("plan", "{binary}"), {}, 1, 1),
    ("missing destination folder", ("export", "{good}", "-o", "{tmp}/nowhere/x.mp3"), {}, 1, 1),
    ("cache folder is a file", ("plan", "{good}", "--cache-dir", "{binary}"), {}, 1, 1),
    ("engine cannot start", ("plan", "{good}"), {"STILLPOINT_ENGINE": "no.such:Engine"}, 1, 1),
    ("unknown voice", ("plan", "{good}", "--voice", "klingon"), {}, 2, 1),
    ("engine dies on a line", ("export", "{crash}", "-o", "{tmp}/c.mp3"), {"STILLPOINT_ENGINE": WAV}, 1, 1),
])
def test_every_error_is_one_line_each_without_a_traceback(tmp_path: Path, case: str, args: tuple[str, ...],
                                                          env: dict[str, str], code: int, lines: int) -> None:
    files = {"bad": tmp_path / "bad.txt", "good": tmp_path / "good.txt", "binary": tmp_path / "tone.wav",
             "crash": tmp_path / "crash.txt"}
    files["bad"].write_text(BAD_SCRIPT, encoding="utf-8")
    files["good"].write_text("Rest here.\n", encoding="utf-8")
    files["binary"].write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt ")
    files["crash"].write_text("Rest here.\n\ncrash now.\n", encoding="utf-8")
    argv = [arg.format(tmp=tmp_path, **files) for arg in args]
    done = subprocess.run(stillpoint(*argv), env={**cli_env(tmp_path / "cache", FAULTY), **env}, capture_output=True,
                          text=True, timeout=TIMEOUT)
    assert done.returncode == code, done.stderr
    found = done.stderr.splitlines()
    assert len(found) == lines and all(re.search(r"(^|: )error: \S", line) for line in found), found
    assert "Traceback" not in done.stderr


def test_the_readme_documents_every_exit_code() -> None:
    table = dict(re.findall(r"^\| (\d+) \| (.+) \|$", README.read_text(encoding="utf-8"), re.M))
    codes = {cli.EXIT_OK, cli.EXIT_ERROR, cli.EXIT_USAGE, cli.EXIT_INTERRUPTED}
    assert set(map(int, table)) == codes
    assert "Ctrl-C" in table[str(cli.EXIT_INTERRUPTED)] and "SIGTERM" in table[str(cli.EXIT_INTERRUPTED)]


def test_voice_workers_of_the_stillpoint_script_do_not_run_it_again(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("stillpoint")  # the console script pip installed beside python
    env = {**cli_env(tmp_path / "cache", engine=FAKE_ENGINE), "PYTHONPROFILEIMPORTTIME": "1"}
    result = subprocess.run([str(script), "voices"], env=env, capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 0 and "en-us" in result.stdout
    # Every interpreter lists its imports on stderr: the script's own, and a worker's if it ran the script too.
    assert [line for line in result.stderr.splitlines() if line.endswith("| stillpoint.cli")] == [ANY]
