"""The group of commands: every command listed and completed, each loaded only when it runs."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import typer

from stillpoint.cli import app
from stillpoint.cli.commands import COMMANDS


RUN = """
import json, sys
from stillpoint.cli import main
sys.argv = ["stillpoint", *sys.argv[1:]]
try:
    main()
except SystemExit as end:
    print(json.dumps([end.code, sorted(sys.modules)]), file=sys.stderr)
"""


def loaded(*args: str) -> set[str]:
    """The modules a fresh `stillpoint ARGS` has imported when it ends."""
    done = subprocess.run([sys.executable, "-c", RUN, *args], capture_output=True, text=True, timeout=60)
    code, modules = json.loads(done.stderr.splitlines()[-1])
    assert code in (0, None), done.stderr[-500:]
    return set(modules)


def test_the_list_of_commands_loads_none_of_them() -> None:
    modules = loaded("--help")
    assert not {name for name in modules if name.startswith("stillpoint.cli.commands.")}
    assert not {"numpy", "stillpoint.app.pipeline", "stillpoint.voice"} & modules


def test_a_command_loads_its_own_module_only() -> None:
    commands = {name for name in loaded("plan", "--help") if name.startswith("stillpoint.cli.commands.")}
    assert commands == {"stillpoint.cli.commands.plan"}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_the_summary_listed_is_the_first_line_of_the_command_s_help(name: str) -> None:
    command = typer.main.get_command(app).commands[name]
    assert command.help.strip().splitlines()[0] == COMMANDS[name].summary
