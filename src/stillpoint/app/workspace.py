"""The practices a studio works on: the user's folder, editable, and the built-ins, read-only. Prints nothing.

A practice is named by its id: its file name in the folder (``evening.txt``), or ``builtin/NAME.txt``. No id
reaches outside those two folders: no separators, no ``..``, and no symbolic link that leads elsewhere.
A save is atomic and happens only if the file is still the one the editor opened (same content hash).
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from stillpoint import inputs
from stillpoint.app import authoring
from stillpoint.errors import StillpointError, UsageError
from stillpoint.language import library, template
from stillpoint.language import script as script_language
from stillpoint.language import timeline as timing
from stillpoint.language.lexicon import Lexicon
from stillpoint.output import files

BUILTIN = "builtin/"
SUFFIX = ".txt"
STEM = re.compile(r"\w[\w .,'()+-]{0,99}")
MAX_BYTES = 1_000_000  # a script a person writes is a few KB; past this it is not one


@dataclass(frozen=True)
class Entry:
    """A practice as the library lists it; ``seconds`` and ``title`` are None when it cannot be read."""

    id: str
    name: str
    builtin: bool
    title: str | None
    seconds: float | None
    tags: tuple[str, ...]
    errors: int
    warnings: int
    content_note: str = ""


@dataclass(frozen=True)
class Document:
    """A practice opened for editing: its text and the version (content hash) it was read at."""

    id: str
    name: str
    text: str
    version: str
    editable: bool


class Conflict(StillpointError):
    """The file changed on disk since the editor opened it; ``text`` and ``version`` are what is there now."""

    def __init__(self, path: Path, text: str, version: str):
        what = "was removed" if not version else "changed on disk since it was opened"
        super().__init__(what, path=str(path), hint="keep your version or load the one on disk")
        self.text, self.version = text, version


def version_of(data: bytes) -> str:
    """The version of a file's content: the start of its SHA-256."""
    return hashlib.sha256(data).hexdigest()[:20]


class Workspace:
    """The user's practice folder (created if need be) beside the built-ins."""

    def __init__(self, folder: Path):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise UsageError(f"cannot be created ({err.strerror})", path=str(folder),
                             hint="give a folder you can write to") from None
        if not folder.is_dir():
            raise UsageError("is not a folder", path=str(folder), hint="give the folder of your practices")
        self.folder = folder.resolve()
        self.builtins = library.builtin_folder().resolve()
        self._saving = threading.Lock()

    def entries(self, lexicon: Lexicon = ()) -> list[Entry]:
        """Every practice of the folder, then every built-in, with its title, length, tags, content note and finding
        counts."""
        found = []
        for folder, prefix in ((self.folder, ""), (self.builtins, BUILTIN)):
            for path in sorted(folder.glob(f"*{SUFFIX}")):
                if self._inside(path, folder) and STEM.fullmatch(path.stem):
                    found.append(self._entry(prefix + path.name, path, lexicon))
        return found

    def open(self, practice: str) -> Document:
        """The practice named ``practice``, with its text and version."""
        path, editable = self.path(practice)
        data = self._read(path)
        return Document(practice, path.stem, script_language.decode(data, str(path)), version_of(data), editable)

    def version(self, practice: str) -> str:
        """The version of the practice on disk now; empty if it is gone."""
        return self._current(self.path(practice)[0])

    def save(self, practice: str, text: str, base: str) -> str:
        """Write ``text`` over the practice if it is still at version ``base``; returns its new version."""
        path, editable = self.path(practice)
        if not editable:
            raise UsageError("is a built-in practice and cannot be changed", path=path.name,
                             hint="make a copy to edit")
        data = text.encode("utf-8")
        if len(data) > MAX_BYTES:
            raise UsageError(f"is longer than {MAX_BYTES // 1000} KB", path=path.name, hint="split the practice")
        with self._saving:
            current = self._current(path)
            if current != base:
                raise Conflict(path, script_language.decode(self._read(path), str(path)) if current else "", current)
            files.write_text(path, text, force=True)
        return version_of(data)

    def create(self, name: str, source: str | None = None) -> Document:
        """A new practice NAME.txt in the folder: the commented template, or a copy of the practice ``source``."""
        stem = name.strip().removesuffix(SUFFIX).strip()
        if not STEM.fullmatch(stem):
            raise UsageError(f"'{name}' cannot name a practice", hint="use letters, digits, spaces and - _ . ,")
        dest = self.folder / f"{stem}{SUFFIX}"
        if dest.exists() or dest.is_symlink():
            raise UsageError(f"a practice named '{stem}' exists already", path=dest.name, hint="choose another name")
        origin = self.path(source)[0] if source else None
        files.write_text(dest, template.starting_text(dest, origin))
        return self.open(dest.name)

    def path(self, practice: str) -> tuple[Path, bool]:
        """The file of the practice with id ``practice``, and whether it may be changed; refuses any other file."""
        builtin = practice.startswith(BUILTIN)
        name = practice.removeprefix(BUILTIN)
        folder = self.builtins if builtin else self.folder
        if not name.endswith(SUFFIX) or not STEM.fullmatch(name.removesuffix(SUFFIX)):
            raise UsageError(f"'{practice}' is not the name of a practice", hint="choose one from the library")
        path = folder / name
        if path.is_symlink() and not self._inside(path, folder):
            raise UsageError(f"'{practice}' leads outside the practice folder", hint="choose one from the library")
        return path, not builtin

    @staticmethod
    def _inside(path: Path, folder: Path) -> bool:
        """Whether ``path``, links followed, is a file directly in ``folder``."""
        return path.resolve().parent == folder

    def _entry(self, practice: str, path: Path, lexicon: Lexicon) -> Entry:
        """The library's line for one practice file."""
        try:
            text = script_language.decode(self._read(path), str(path))
        except StillpointError:
            return Entry(practice, path.stem, practice.startswith(BUILTIN), None, None, (), 1, 0)
        result = authoring.check_text(text, str(path), lexicon=lexicon)
        parsed = result.script
        return Entry(practice, path.stem, practice.startswith(BUILTIN), parsed.meta.title if parsed else None,
                     _length(parsed) if parsed else None, parsed.meta.tags if parsed else (),
                     result.count("error"), result.count("warning"), parsed.meta.content_note if parsed else "")

    @staticmethod
    def _read(path: Path) -> bytes:
        """A practice file's bytes, at most MAX_BYTES of them."""
        try:
            return inputs.read_capped(path, MAX_BYTES, "a practice script")
        except inputs.MissingFile:
            raise UsageError("no such practice", path=path.name, hint="choose one from the library") from None
        except inputs.InputError as err:
            raise UsageError(err.diagnostic.message, path=path.name, hint=err.diagnostic.hint) from None

    def _current(self, path: Path) -> str:
        """The version of ``path`` now, or empty if it is gone."""
        return version_of(self._read(path)) if path.is_file() else ""


def _length(parsed: script_language.Script) -> float | None:
    """The estimated length of a practice; None when its own length cannot be fitted."""
    try:
        return timing.plan(parsed).total
    except StillpointError:
        return None
