"""Finding practices by name: the built-ins shipped in scripts/, plus the user's own folders."""

from __future__ import annotations

import difflib
import importlib.util
import os
from pathlib import Path

from stillpoint import places
from stillpoint.errors import Diagnostic, ScriptError, UsageError


def builtin_folder() -> Path:
    """The folder of practices that ships with Stillpoint.

    Found through the package's module spec: importlib.resources would cost about 1.5 ms at every start.
    """
    spec = importlib.util.find_spec("stillpoint.practices")
    if spec is None or not spec.submodule_search_locations:
        raise UsageError("the built-in practices are missing", hint="pip install --force-reinstall stillpoint")
    return Path(spec.submodule_search_locations[0])


def search_folders() -> list[Path]:
    """Folders searched for practices, first match wins: STILLPOINT_PATH, the user's folder, the built-ins."""
    return [*places.practice_path(), places.practices_folder(), builtin_folder()]


def practices() -> dict[str, Path]:
    """Every practice that can be named, name -> file."""
    found: dict[str, Path] = {}
    for folder in search_folders():
        for path in sorted(folder.glob("*.txt")) if folder.is_dir() else []:
            found.setdefault(path.stem, path)
    return found


def find(name_or_path: str) -> Path:
    """A practice file from a path or a practice name."""
    path = Path(name_or_path).expanduser()
    if path.is_file() or path.suffix or os.sep in name_or_path:
        _refuse_missing_practice_file(path)
        return path
    known = practices()
    if name_or_path in known:
        return known[name_or_path]
    close = difflib.get_close_matches(name_or_path, list(known), n=1)
    hint = f"did you mean '{close[0]}'?" if close else "run `stillpoint list` to see the practices"
    raise UsageError(f"no practice named '{name_or_path}'", hint=hint)


def _refuse_missing_practice_file(path: Path) -> None:
    """A missing file named as a practice is (benefactor.txt): say so, and name the practice."""
    if path.suffix.lower() != ".txt" or path.exists() or path.stem not in practices():
        return
    hint = f"did you mean the practice '{path.stem}'? name it without .txt"
    raise ScriptError([Diagnostic(str(path), 0, 0, "no such file", hint)])
