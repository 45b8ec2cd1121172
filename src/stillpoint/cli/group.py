"""The `stillpoint` command group: each command loaded only when it runs, and mistakes in the command line said in
one line like every other error."""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Iterator, Mapping
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from stillpoint.cli import base
from stillpoint.cli.commands import COMMANDS, Entry
from stillpoint.errors import ExitStatus, UsageError

# typer exports no base class for the mistakes its parser finds; BadParameter derives from it in every version.
ParserError = next(cls for cls in typer.BadParameter.__mro__ if cls.__name__ == "ClickException")
SUGGESTION = re.compile(r"\.?\s+(?:Did you mean (?P<one>.*?)\?|\(Possible options: (?P<some>.*)\))$")


class Commands(Mapping[str, Any]):
    """The commands by name; a command's module is imported the first time the command is asked for."""

    def __init__(self, table: Mapping[str, Entry]):
        self._table = table
        self._loaded: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        """The command ``name``, loaded from its module (KeyError if there is no such command)."""
        if name not in self._loaded:
            module = importlib.import_module(self._table[name].module)
            self._loaded[name] = typer.main.get_command(module.app)
        return self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)


class LazyGroup(TyperGroup):
    """typer's command group over the table of commands, with command-line mistakes reported in one line."""

    def __init__(self, **settings: Any):
        super().__init__(**settings)
        self.commands = Commands(COMMANDS)  # type: ignore[assignment]

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """Each command's name and summary, from the table: listing them loads no command."""
        limit = formatter.width - 6 - max(map(len, COMMANDS))
        rows = [(name, TyperCommand(name=name, help=entry.summary).get_short_help_str(limit))
                for name, entry in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        """Run the command; in standalone mode, exit with its status."""
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except ParserError as err:
            if type(err).__name__ != "NoArgsIsHelpError":
                code = base.report(usage_error(err))
            else:  # no command given: the help, on stdout like any help asked for
                typer.echo(err.format_message())
                code = err.exit_code
        sys.exit(code or ExitStatus.OK)


def usage_error(err: Exception) -> UsageError:
    """A mistake the command-line parser found, as a usage error pointing at the command's help."""
    message = err.format_message().strip().rstrip(".")
    ctx = getattr(err, "ctx", None)
    hint = f"see `{ctx.command_path if ctx else 'stillpoint'} --help`"
    if found := SUGGESTION.search(message):
        message = message[: found.start()]
        hint = f"did you mean {(found['one'] or found['some']).replace(', ', ' or ')}? {hint}"
    return UsageError(message[:1].lower() + message[1:], hint=hint)
