"""What every command does around its own work: its option groups unpacked, every error turned into one line on
stderr and an exit status."""

from __future__ import annotations

import dataclasses
import functools
import inspect
import os
import sys
from collections.abc import Callable

import typer

from stillpoint.cli import display
from stillpoint.errors import ExitStatus, ScriptError, StillpointError


def command_app(**settings: object) -> typer.Typer:
    """A typer app for one command module, in the house style: help shown as written, no completion of its own."""
    return typer.Typer(rich_markup_mode=None, add_completion=False, **settings)  # type: ignore[arg-type]


def handled(command: Callable[..., None]) -> Callable[..., None]:
    """``command`` as typer runs it: its option groups unpacked, every error one line on stderr and an exit status."""
    unpacked = _unpacked(command)

    @functools.wraps(unpacked)
    def run(*args: object, **kwargs: object) -> None:
        try:
            unpacked(*args, **kwargs)
        except (StillpointError, KeyboardInterrupt, OSError, MemoryError) as err:
            if kwargs.get("debug"):
                raise
            raise typer.Exit(report(err)) from None

    return run


def _unpacked(command: Callable[..., None]) -> Callable[..., None]:
    """``command`` with each parameter typed with a group of options (a dataclass of them, see options.py) replaced
    by the group's options, which are packed into the group again when it runs."""
    signature = inspect.signature(command, eval_str=True)
    groups = {name: param.annotation for name, param in signature.parameters.items()
              if dataclasses.is_dataclass(param.annotation)}

    @functools.wraps(command)
    def run(**given: object) -> None:
        for name, group in groups.items():
            given[name] = group(**{option.name: given.pop(option.name) for option in _options(group)})
        command(**given)

    parameters = [option for param in signature.parameters.values()
                  for option in (_options(groups[param.name]) if param.name in groups else [param])]
    run.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    run.__annotations__ = {param.name: param.annotation for param in parameters}
    return run


def _options(group: type) -> list[inspect.Parameter]:
    """The options of ``group`` as parameters of a command, in the order its constructor takes them (keyword-only
    fields last, after those of a subclass)."""
    taken = inspect.signature(group).parameters.values()
    return [param.replace(kind=inspect.Parameter.POSITIONAL_OR_KEYWORD) for param in taken]


def report(err: BaseException) -> ExitStatus:
    """Say what went wrong in one line per finding on stderr; the exit status it ends the run with."""
    if isinstance(err, KeyboardInterrupt):
        return ExitStatus.INTERRUPTED
    if isinstance(err, BrokenPipeError):
        _silence_stdout()
        return ExitStatus.OK
    if isinstance(err, MemoryError):  # the causes known are bounded below; this is the last resort
        err = StillpointError("ran out of memory", hint="close other programs, or run again with --debug to see where")
    if isinstance(err, OSError):  # a file-system refusal nothing below foresaw (e.g. a name too long to stat)
        hint = "check the path" if err.filename else "run again with --debug to see where it happened"
        err = StillpointError(err.strerror or str(err), path=str(err.filename or ""), hint=hint)
    diagnostics = err.diagnostics if isinstance(err, ScriptError) else [err.diagnostic]
    for line in display.lines(diagnostics, set()):
        display.say(line, err=True)
    return err.exit_code


def _silence_stdout() -> None:
    """After a closed pipe, point stdout at /dev/null so the interpreter's last flush stays quiet."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
