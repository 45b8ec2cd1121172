"""The command line through typer's CliRunner, with the fake engine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import wave
from importlib import metadata
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from stillpoint.app import pipeline
from stillpoint.cli import app
from stillpoint.cli.environment import Environment
from stillpoint.errors import StillpointError

runner = CliRunner()


def run(*args: str):
    """Invoke the app as `stillpoint` and return click's result."""
    return runner.invoke(app, list(args), prog_name="stillpoint")


def test_export_writes_an_mp3_named_after_the_practice(fake_engine: Path, small_practice: Path) -> None:
    result = run("export", str(small_practice))
    assert result.exit_code == 0, result.output
    written = small_practice.parent / "small.mp3"
    assert written.stat().st_size > 1000
    assert result.stdout.startswith(str(written))
    assert "Small Practice" in result.stdout


def test_export_refuses_to_replace_a_file_without_force(fake_engine: Path, small_practice: Path) -> None:
    existing = small_practice.parent / "small.mp3"
    existing.write_bytes(b"keep me")
    result = run("export", str(small_practice))
    assert result.exit_code == 1
    assert "already exists (use --force to replace it" in result.stderr
    assert existing.read_bytes() == b"keep me"
    assert run("export", str(small_practice), "--force").exit_code == 0
    assert existing.read_bytes() != b"keep me"


def test_export_wav_by_extension_has_the_planned_length(fake_engine: Path, small_practice: Path) -> None:
    assert run("export", str(small_practice), "-o", "out.wav").exit_code == 0
    planned = json.loads(run("plan", str(small_practice), "--json").stdout)["total"]
    with wave.open(str(small_practice.parent / "out.wav")) as audio:
        assert (audio.getframerate(), audio.getnchannels()) == (22050, 1)
        assert audio.getnframes() / 22050 == pytest.approx(planned, abs=0.01)


def test_plan_json_lists_events_that_add_up_to_the_total(fake_engine: Path, small_practice: Path) -> None:
    result = run("plan", str(small_practice), "--json", "--set", "who=my sister")
    plan = json.loads(result.stdout)
    kinds = {e["kind"] for e in plan["events"]}
    assert kinds <= {"speech", "gap", "pause", "breathe", "soak", "bell"}
    assert {"speech", "pause", "soak", "bell"} <= kinds
    assert sum(e["duration"] for e in plan["events"]) == pytest.approx(plan["total"], abs=0.01)
    assert "Think of my sister." in [e["text"] for e in plan["events"]]
    assert [e["section"] for e in plan["events"]][-1] == "Resting"


def test_plan_table_ends_with_the_total(fake_engine: Path, small_practice: Path) -> None:
    result = run("plan", str(small_practice))
    assert result.exit_code == 0
    assert "# Arriving" in result.stdout
    assert result.stdout.strip().splitlines()[-1].startswith("total ")


def test_plan_table_shows_each_breath_of_a_pattern_on_a_row(fake_engine: Path, tmp_path: Path) -> None:
    practice = tmp_path / "breaths.txt"
    practice.write_text("---\nbreath: 4-7-8\n---\n# Breathing\nFollow along. [breathe 2]\n# Box {breath: 4-4-4-4}\n"
                        "Round. [breathe]\n")
    rows = run("plan", str(practice), "--no-bells", "--length", "2m").stdout.splitlines()
    breaths = [row.split(maxsplit=1) for row in rows if " · " in row]
    assert [shown for _, shown in breaths] == ["in 8.7s · hold 15.3s · out 17.5s"] * 2 + [
        "in 8.7s · hold 8.7s · out 8.7s · hold 8.7s"]
    starts = [row.split()[0] for row in rows if row.split()[1:2] == ["breathe"]]
    assert breaths[0][0] == starts[0] and breaths[2][0] == starts[1]


def test_a_practice_of_an_hour_and_more_is_shown_in_hours_by_every_command(fake_engine: Path, tmp_path: Path) -> None:
    long = tmp_path / "long.txt"
    long.write_text("---\ntitle: Long Sit\n---\n# Sitting\nRest here. [pause 45m]\n[pause 45m]\nCome back.\n")
    planned = run("plan", str(long), "--no-bells").stdout.strip().splitlines()
    assert planned[-1].startswith("total 1:30:0") and planned[-3].split()[2] == "1:30:00"
    assert "(1 section, about 1:30:" in run("check", str(long)).stdout
    assert run("export", str(long), "--no-bells").stdout.startswith(f"{tmp_path / 'long.mp3'}  1:30:0")


def test_check_reports_every_error_and_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("Rest [paws 5s] now.\nAnd {who}.\n")
    result = run("check", str(bad))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{bad}:1:6: error: unknown marker [paws 5s] (did you mean [pause 5s]?)",
        f"{bad}:2:5: error: variable {{who}} has no value (give it a default under `vars:` or run with --set who=...)",
    ]


def test_check_accepts_a_clean_script(small_practice: Path) -> None:
    result = run("check", str(small_practice))
    assert result.exit_code == 0
    assert "ok" in result.stdout


def test_list_shows_the_builtin_practices() -> None:
    result = run("list")
    assert result.exit_code == 0
    assert any(line.startswith("benefactor ") and "Benefactor" in line for line in result.stdout.splitlines())


def test_voices_lists_the_engine_voices(fake_engine: Path) -> None:
    result = run("voices")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].split() == ["name", "engine", "language", "installed", "description"]
    assert any(line.split()[:4] == ["fake-a", "fake", "en", "yes"] for line in result.stdout.splitlines())


def test_cache_info_and_clear(fake_engine: Path, small_practice: Path) -> None:
    run("plan", str(small_practice))
    assert " 0 lines" not in run("cache", "info").stdout
    assert "removed" in run("cache", "clear").stdout
    assert ": 0 lines" in run("cache", "info").stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("export", "benefactr"), 2, "error: no practice named 'benefactr' (did you mean 'benefactor'?)"),
        (("plan", "SMALL", "--set", "nobody=x"), 2, "has no variable {nobody}"),
        (("plan", "SMALL", "--set", "novalue"), 2, "--set novalue: expected name=value"),
        (("plan", "SMALL", "--length", "soon"), 2, "--length: 'soon' is not a length of time"),
        (("plan", "SMALL", "--length", "5s"), 2, "cannot be fitted to 0:05"),
        (("plan", "SMALL", "--voice", "klingon"), 2, "error: --voice klingon: unknown voice 'klingon' ("),
        (("export", "SMALL", "--voice", "klingon"), 2, "error: --voice klingon: unknown voice 'klingon' ("),
        (("export", "SMALL", "-o", "out.ogg"), 2, "out.ogg"),
        (("export", "SMALL", "-o", "-", "--format", "mp3"), 2, "error: -o -: audio cannot be written to standard"),
        (("preview", "SMALL", "--lines", "1", "-o", "-"), 2, "error: -o -: audio cannot be written to standard"),
        (("export", "SMALL", "-o", "missing/out.mp3"), 1, "is not an existing folder"),
    ],
)
def test_mistakes_give_one_line_and_an_exit_code(
    fake_engine: Path, small_practice: Path, args: tuple[str, ...], code: int, message: str
) -> None:
    result = run(*(str(small_practice) if a == "SMALL" else a for a in args))
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("command", "value", "line"), [
    ("export", "0", "error: --sleep must be longer than 0"),
    ("play", "0s", "error: --sleep must be longer than 0"),
    ("export", "30h", "error: --sleep: '30h' is longer than the 24 hours a sleep ending may last"),
    ("plan", "10 parsecs", "error: --sleep: '10 parsecs' is not a length of time; write it like 8s, 1m30s or 500ms"),
    ("export", "-5m", "error: --sleep: a length of time cannot be negative ('-5m')"),
    ("plan", "23h59m45s", "error: --sleep: the practice (0:24) and its sleep ending would pass 24 hours, the most a "
                          "track may last (choose a sleep ending of at most 23:59:35)"),
])
def test_a_sleep_ending_that_cannot_be_is_refused_in_one_line_naming_the_option(
        fake_engine: Path, small_practice: Path, command: str, value: str, line: str) -> None:
    result = run(command, str(small_practice), "--sleep", value)
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [line]
    assert sorted(path.name for path in small_practice.parent.iterdir() if path.name != "cache") == ["small.txt"]


def test_an_unknown_voice_is_refused_before_anything_is_written(fake_engine: Path, small_practice: Path) -> None:
    result = run("export", str(small_practice), "--voice", "klingon")
    assert result.exit_code == 2
    assert sorted(path.name for path in small_practice.parent.iterdir() if path.name != "cache") == ["small.txt"]
    assert not fake_engine.exists() or not any(fake_engine.rglob("*.wav"))


@pytest.mark.parametrize(("error", "line"), [
    (OSError(36, "File name too long", "x" * 300),  # a path is cut in the middle to 200 characters
     f"{'x' * 99}…{'x' * 100}: error: File name too long (check the path)"),
    (OSError(25, "Inappropriate ioctl for device"),
     "error: Inappropriate ioctl for device (run again with --debug to see where it happened)"),
])
def test_an_unforeseen_system_error_is_one_line_with_a_fitting_hint(
    fake_engine: Path, monkeypatch: pytest.MonkeyPatch, error: OSError, line: str
) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise error

    monkeypatch.setattr(pipeline, "load_script", refuse)
    result = run("plan", "benefactor")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [line]


def test_debug_lets_the_error_through(fake_engine: Path) -> None:
    result = run("export", "benefactr", "--debug")
    assert isinstance(result.exception, StillpointError)


@pytest.mark.parametrize(
    ("args", "line"),
    [(("exprot",), "error: no such command 'exprot' (did you mean 'export'? see `stillpoint --help`)"),
     (("export", "--cach", "x", "benefactor"),
      "error: no such option: --cach (did you mean --cache-dir? see `stillpoint export --help`)"),
     (("export", "benefactor", "--rate", "900"),
      "error: invalid value for '--rate': 900 is not in the range 60<=x<=300 (see `stillpoint export --help`)"),
     (("plan",), "error: missing argument 'script' (see `stillpoint plan --help`)"),
     (("cache", "nope"), "error: no such command 'nope' (see `stillpoint cache --help`)")],
)
def test_command_line_mistakes_are_one_line_usage_errors(args: tuple[str, ...], line: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [line]
    assert result.stdout == ""


def test_no_command_shows_the_help() -> None:
    result = run()
    assert "Usage: stillpoint" in result.stdout and "export" in result.stdout
    assert result.exit_code == 2


def test_help_exits_cleanly() -> None:
    result = run("export", "--help")
    assert result.exit_code == 0 and "--cache-dir" in result.stdout


# ---------------------------------------------------------------- conventions


def _commands() -> dict[str, object]:
    """Every command of the app by its full name ("export", "cache info", ...), as click sees it."""
    group = typer.main.get_command(app)
    found = {}
    for name, command in group.commands.items():
        subcommands = getattr(command, "commands", None)
        found.update({f"{name} {sub}": each for sub, each in subcommands.items()} if subcommands else {name: command})
    return found


def test_version_is_shown_by_long_and_short_option() -> None:
    for option in ("--version", "-V"):
        result = run(option)
        assert result.exit_code == 0
        assert result.stdout == f"stillpoint {metadata.version('stillpoint')}\n"


@pytest.mark.parametrize("command", [[], ["export"], ["cache"], ["cache", "info"]])
def test_dash_h_is_help(command: list[str]) -> None:
    short, long = run(*command, "-h"), run(*command, "--help")
    assert short.exit_code == long.exit_code == 0
    assert short.stdout == long.stdout and "Usage: stillpoint" in short.stdout


def test_every_command_shows_an_example_of_itself_in_its_help() -> None:
    commands = _commands()
    assert {"export", "play", "serve", "cache info"} <= set(commands)
    for name in commands:
        text = run(*name.split(), "--help").stdout
        examples = text.split("Example", 1)[1].split("\n\n", 1)[0] if "Example" in text else ""
        assert f"  stillpoint {name} " in examples or examples.rstrip().endswith(f"stillpoint {name}"), name


@pytest.mark.parametrize("command", ["export", "play", "plan"])
def test_markers_in_help_are_shown_as_written(command: str) -> None:
    assert "at [bell]." in " ".join(run(command, "--help").stdout.split())


def test_shell_completion_can_be_shown_and_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shown = run("--show-completion", "bash")
    assert shown.exit_code == 0 and "_STILLPOINT_COMPLETE=complete_bash" in shown.stdout
    monkeypatch.setenv("HOME", str(tmp_path))
    installed = run("--install-completion", "bash")
    assert installed.exit_code == 0, installed.output
    assert "stillpoint" in (tmp_path / ".bashrc").read_text()


def test_the_installed_command_completes_command_names() -> None:
    env = {**os.environ, "_STILLPOINT_COMPLETE": "complete_bash", "COMP_WORDS": "stillpoint ex", "COMP_CWORD": "1"}
    script = Path(sys.executable).parent / "stillpoint"  # completion is keyed to the name the command is called by
    done = subprocess.run([str(script)], env=env, capture_output=True, text=True, timeout=30)
    assert done.stdout.split() == ["export"]


def test_a_missing_file_named_like_a_practice_suggests_the_practice(fake_engine: Path) -> None:
    result = run("export", "benefactor.txt")
    assert result.exit_code == 1
    assert result.stderr == ("benefactor.txt: error: no such file "
                             "(did you mean the practice 'benefactor'? name it without .txt)\n")


def test_the_cache_is_kept_in_the_user_cache_folder_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STILLPOINT_CACHE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert run("cache", "info").stdout.startswith(f"{tmp_path / 'home' / '.cache' / 'stillpoint'}: 0 lines")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert run("cache", "info").stdout.startswith(f"{tmp_path / 'xdg' / 'stillpoint'}: 0 lines")


def test_on_windows_play_says_in_one_line_to_export_instead(fake_engine: Path, small_practice: Path) -> None:
    for command in (["play", str(small_practice)], ["preview", str(small_practice), "--section", "Resting"]):
        result = runner.invoke(app, command, prog_name="stillpoint", obj=Environment(windows=True))
        assert result.exit_code == 1
        assert result.stdout == "" and len(result.stderr.splitlines()) == 1
        assert "the terminal player is not supported on Windows" in result.stderr
        assert ("stillpoint export" in result.stderr) != ("-o part.wav" in result.stderr)
