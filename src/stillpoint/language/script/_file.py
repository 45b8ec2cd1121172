"""A script file: read within its cap, its bytes decoded (UTF-8 or UTF-16), and parsed."""

from __future__ import annotations

from pathlib import Path

from stillpoint import inputs
from stillpoint.errors import Diagnostic, ScriptError
from stillpoint.language.script._model import Script
from stillpoint.language.script._parse import parse


def load(path: str | Path, values: dict[str, str] | None = None) -> Script:
    """Read and parse the practice file at ``path``."""
    return parse(read(path), str(path), values)


def read(path: str | Path, what: str = "a practice script") -> str:
    """The text of a script file (or of another text file: ``what`` it is), with every problem as a ScriptError."""
    name = str(path)
    try:
        data = inputs.read_capped(path, inputs.TEXT_CAP, what)
    except inputs.MissingFile:
        raise _single(name, "no such file", "check the path, or run `stillpoint list`") from None
    except inputs.InputError as err:
        raise _single(name, err.diagnostic.message, err.diagnostic.hint) from None
    return decode(data, name)


def decode(data: bytes, path: str = "<text>") -> str:
    """Bytes of a script file -> text; UTF-8 (with or without BOM) or UTF-16 with a BOM."""
    encoding = "utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as err:
        if b"\x00" in data and encoding != "utf-16":
            raise _binary(path, data.decode(encoding, "replace")) from None
        line, col = _position_after(data[: err.start].decode(encoding))
        name = encoding.upper().removesuffix("-SIG")
        raise _single(path, f"is not valid {name} text", "save the file as UTF-8", line, col) from None
    if "\x00" in text:
        raise _binary(path, text)
    return text


def _single(path: str, message: str, hint: str = "", line: int = 0, col: int = 0) -> ScriptError:
    return ScriptError([Diagnostic(path, line, col, message, hint)])


def _binary(path: str, text: str) -> ScriptError:
    line, col = _position_after(text[: text.index("\x00")])
    return _single(path, "looks like a binary file (it contains NUL bytes)", "give a plain-text script", line, col)


def _position_after(text: str) -> tuple[int, int]:
    """Line and column, counted in characters, just after ``text``."""
    return text.count("\n") + 1, len(text) - text.rfind("\n")
