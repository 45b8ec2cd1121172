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
from reliability import FAULTY, WAV, bounded, cli_env, fingerprint, refused, stillpoint
from typer.testing import CliRunner

from stillpoint import cli
from stillpoint.errors import ExitStatus
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
    "parse": ("stillpoint.language.script.load", _raise_interrupt),  # reads the file, then parses it
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
    codes = {ExitStatus.OK, ExitStatus.ERROR, ExitStatus.USAGE, ExitStatus.INTERRUPTED}
    assert set(map(int, table)) == codes
    assert "Ctrl-C" in table[str(ExitStatus.INTERRUPTED)] and "SIGTERM" in table[str(ExitStatus.INTERRUPTED)]


def test_voice_workers_of_the_stillpoint_script_do_not_run_it_again(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("stillpoint")  # the console script pip installed beside python
    env = {**cli_env(tmp_path / "cache", engine=FAKE_ENGINE), "PYTHONPROFILEIMPORTTIME": "1"}
    result = subprocess.run([str(script), "voices"], env=env, capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 0 and "en-us" in result.stdout
    # Every interpreter lists its imports on stderr: the script's own, and a worker's if it ran the script too.
    assert [line for line in result.stderr.splitlines() if line.endswith("| stillpoint.cli")] == [ANY]


def running(pid: str) -> bool:
    """Whether process ``pid`` exists and has not ended (an ended one may wait as a zombie to be reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


@pytest.mark.parametrize(("how", "after"), [
    (signal.SIGKILL, 0.05), (signal.SIGKILL, 0.3), (signal.SIGKILL, 1.0),
    (signal.SIGTERM, 0.0), (signal.SIGTERM, 0.3), (signal.SIGTERM, 1.0),
], ids=["SIGKILL-starting", "SIGKILL-0.3s", "SIGKILL-1s", "SIGTERM-starting", "SIGTERM-0.3s", "SIGTERM-1s"])
def test_voice_workers_of_a_killed_export_end_quietly(tmp_path: Path, how: signal.Signals, after: float) -> None:
    """Only the exporting process is signalled; its workers find their pipe closed and must end without a word.

    SIGKILL comes 50 ms after the first worker appears at the earliest: in the first millisecond of a worker's
    life its parent is still sending it what it needs to start, and a worker cut off then fails in
    multiprocessing's own start-up code, before any of Stillpoint's runs.
    """
    practice = tmp_path / "many.txt"
    practice.write_text("# Part\n" + "".join(f"Line number {n} is here.\n" for n in range(200)), encoding="utf-8")
    process = subprocess.Popen(stillpoint("export", practice, "-o", tmp_path / "many.mp3"), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, env=cli_env(tmp_path / "cache", delay=0.02))
    give_up = time.monotonic() + TIMEOUT
    while not children(process.pid) and process.poll() is None and time.monotonic() < give_up:
        time.sleep(0.001)
    workers = children(process.pid)
    time.sleep(after)
    process.send_signal(how)
    _, stderr = process.communicate(timeout=TIMEOUT)  # ends once every worker, holding stderr too, has ended
    assert workers and stderr.decode() == ""
    assert process.returncode == (-signal.SIGKILL if how == signal.SIGKILL else 130)
    while [pid for pid in workers if running(pid)] and time.monotonic() < give_up:
        time.sleep(0.01)  # a worker closes its end of stderr a moment before it has quite ended
    assert not [pid for pid in workers if running(pid)]
    assert not list(tmp_path.glob(f"*{PART_SUFFIX}")) or how == signal.SIGKILL  # a killed process cannot sweep


MARKUP = {"marker": "[pause 99h]", "ssml": '<break time="10s"/>', "braces": "{benefactor}", "newline": "my\nfriend"}
SETTERS = {
    "plan": ("plan", "{practice}"), "export": ("export", "{practice}", "-o", "{tmp}/out.mp3"),
    "check": ("check", "{practice}"), "play": ("play", "{practice}"),
    "preview": ("preview", "{practice}", "--lines", "1", "-o", "{tmp}/part.wav"),
    "convert": ("convert", "{practice}", "--to", "ssml", "-o", "{tmp}/out.ssml"),
}


@pytest.mark.parametrize("markup", MARKUP)
@pytest.mark.parametrize("command", SETTERS)
def test_a_set_value_holding_markup_is_refused_in_one_line(tmp_path: Path, command: str, markup: str) -> None:
    practice = tmp_path / "friend.txt"
    practice.write_text("Think of {who}.\n", encoding="utf-8")
    before = fingerprint(tmp_path)
    args = [arg.format(practice=practice, tmp=tmp_path) for arg in SETTERS[command]]
    done = bounded(*args, "--set", f"who={MARKUP[markup]}", env=cli_env(tmp_path / "cache"), cwd=tmp_path)
    assert fingerprint(tmp_path) == before
    refused(done, 2, "error: --set who: the value holds", "spoken as plain words")


@pytest.mark.parametrize("markup", ["marker", "ssml", "braces"])
def test_a_client_value_holding_markup_is_refused_at_its_row(tmp_path: Path, markup: str) -> None:
    practice, clients = tmp_path / "friend.txt", tmp_path / "clients.csv"
    practice.write_text("Think of {who}.\n", encoding="utf-8")
    clients.write_text(f"who\nAnna\n\"{MARKUP[markup].replace(chr(34), chr(34) * 2)}\"\n", encoding="utf-8")
    done = bounded("export", practice, "--for", clients, "-o", tmp_path / "album", env=cli_env(tmp_path / "cache"),
                   cwd=tmp_path)
    refused(done, 1, f"{clients}:3:1: error: 'who' holds", "spoken as plain words")
    assert not (tmp_path / "album").exists()


def test_a_default_holding_markup_is_an_error_at_its_line(tmp_path: Path) -> None:
    practice = tmp_path / "friend.txt"
    practice.write_text("---\nvars:\n  who: [soak 1h]\n---\nThink of {who}.\n", encoding="utf-8")
    done = bounded("plan", practice, env=cli_env(tmp_path / "cache"), cwd=tmp_path)
    refused(done, 1, f"{practice}:3:8: error: the value of 'who' holds '[', which a script reads as markup")


EXISTING = {
    "export": ("export", "{practice}", "-o", "taken.mp3"),
    "export --lrc": ("export", "{practice}", "-o", "free.mp3", "--lrc"),
    "batch": ("export", "{practice}", "{other}", "-o", "."),
    "preview": ("preview", "{practice}", "--lines", "4", "-o", "taken.wav"),
    "new": ("new", "taken"),
    "convert": ("convert", "{practice}", "--to", "ssml", "-o", "taken.ssml"),
}


@pytest.mark.parametrize("command", EXISTING)
def test_a_file_that_exists_already_has_one_exit_code_in_every_command(tmp_path: Path, command: str) -> None:
    (tmp_path / "practice.txt").write_text("---\ntitle: Taken\n---\nRest here.\n", encoding="utf-8")
    (tmp_path / "other.txt").write_text("---\ntitle: Other\n---\nRest here.\n", encoding="utf-8")
    for name in ("taken.mp3", "taken.wav", "taken.txt", "taken.ssml", "free.lrc", "Taken.mp3"):
        (tmp_path / name).write_bytes(OLD)
    before = fingerprint(tmp_path)
    args = [arg.format(practice=tmp_path / "practice.txt", other=tmp_path / "other.txt") for arg in EXISTING[command]]
    done = bounded(*args, env=cli_env(tmp_path / "cache"), cwd=tmp_path)
    assert fingerprint(tmp_path) == before
    refused(done, ExitStatus.ERROR, "error: already exists (use --force to replace it")


@pytest.mark.parametrize(("args", "words"), [
    (("plan", "{practice}", "--length", "100h"), "error: --length: '100h' is longer than the 24 hours a practice"),
    (("export", "{practice}", "{practice}", "-o", "album"), "'{practice}' is named twice (name each practice once)"),
    (("export", "{practice}", "./practice.txt", "-o", "album"), "'{practice}' and './practice.txt' are one practice"),
])
def test_mistakes_are_reported_as_what_they_are(tmp_path: Path, args: tuple[str, ...], words: str) -> None:
    (tmp_path / "practice.txt").write_text("Rest here. [pause 5s]\n", encoding="utf-8")
    practice = tmp_path / "practice.txt"
    done = bounded(*(arg.format(practice=practice) for arg in args), env=cli_env(tmp_path / "cache"), cwd=tmp_path)
    refused(done, ExitStatus.USAGE, words.format(practice=practice))
    assert not (tmp_path / "album").exists()


def test_a_hint_is_shown_once_however_many_errors_share_it(tmp_path: Path) -> None:
    (tmp_path / "lexicon.txt").write_text("calm\nease\nrest\n", encoding="utf-8")
    (tmp_path / "practice.txt").write_text("Rest here.\n", encoding="utf-8")
    env = {**cli_env(tmp_path / "cache"), "STILLPOINT_LEXICON": str(tmp_path / "lexicon.txt")}
    for command in ("plan", "check"):
        lines = bounded(command, tmp_path / "practice.txt", env=env, cwd=tmp_path).stderr.splitlines()
        assert [line.split(": error: ")[1] for line in lines] == [
            "'calm' is not a lexicon entry (write it as `word: how it sounds`, e.g. `oxytocin: ok-see-TOE-sin`)",
            "'ease' is not a lexicon entry", "'rest' is not a lexicon entry"]
