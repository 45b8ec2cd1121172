"""The front matter: the `---` block of settings at the top of a script, read into Meta."""

from __future__ import annotations

import re
from pathlib import Path

from stillpoint.errors import Diagnostic
from stillpoint.language.script._model import DEFAULT_BREATH, DEFAULT_RATE, DEFAULT_VOICE, NO_CUE, Meta
from stillpoint.language.script._numbers import (BREATH_HINT, RATE_RANGE, parse_breath, parse_length, parse_rate,
                                                 parse_sleep)
from stillpoint.language.script._syntax import (SCALAR_KEYS, TABLE_KEYS, VALUE_HINT, cue_problem, suggest, unquote,
                                                value_problem)


class FrontMatter:
    """Reads the `---` block at the top of a script into Meta."""

    def __init__(self, path: str, lines: list[str], errors: list[Diagnostic]):
        self.path, self.lines, self.errors = path, lines, errors
        self.fields: dict[str, str] = {}
        self.positions: dict[str, int] = {}
        self.tables: dict[str, dict[str, str]] = {key: {} for key in TABLE_KEYS}
        self.entry_lines: dict[str, dict[str, int]] = {key: {} for key in TABLE_KEYS}

    def parse(self) -> tuple[Meta, int]:
        """Meta and the index of the first body line."""
        if not _has_front_matter(self.lines):
            return self._meta(), 0
        end = _front_matter_close(self.lines)
        if end is None:
            self._error(1, 1, "the front matter is not closed", "add a line with --- after the last setting")
            return self._meta(), len(self.lines)
        self._read_block(1, end)
        return self._meta(), end + 1

    def _read_block(self, first: int, end: int) -> None:
        table = None
        for index in range(first, end):
            raw = self.lines[index]
            if not raw.strip() or raw.lstrip().startswith(("#", "//")):
                continue
            if raw[0] in " \t" and table is not None:
                self._table_entry(index + 1, raw, table)
            else:
                table = self._setting(index + 1, raw)

    def _setting(self, lineno: int, raw: str) -> str | None:
        key, sep, value = raw.partition(":")
        key = key.strip().lower()
        if not sep:
            self._error(lineno, 1, f"'{raw.strip()}' is not a setting", "write settings as `key: value`")
        elif key in TABLE_KEYS:
            self._table_inline(lineno, key, value)
            return key
        elif key not in SCALAR_KEYS:
            near = suggest(key, SCALAR_KEYS + TABLE_KEYS)
            hint = f"did you mean `{near}:`?" if near else "known settings: " + ", ".join(SCALAR_KEYS + TABLE_KEYS)
            self._error(lineno, 1, f"unknown setting '{key}'", hint)
        elif key in self.fields:
            self._error(lineno, 1, f"'{key}' is set twice", "keep one of them")
        else:
            self.fields[key] = unquote(value.strip())
            self.positions[key] = lineno
        return None

    def _table_inline(self, lineno: int, key: str, value: str) -> None:
        if value.strip():
            self._error(lineno, len(key) + 2, f"put each entry of '{key}' on its own indented line",
                        f"write `{key}:` alone, then each entry indented below it, like `  name: value`")

    def _table_entry(self, lineno: int, raw: str, table: str) -> None:
        name, sep, value = raw.strip().partition(":")
        col = len(raw) - len(raw.lstrip()) + 1
        name = name.strip()
        if not sep or not name:
            self._error(lineno, col, f"'{raw.strip()}' is not an entry of '{table}'", "write it as `name: value`")
        elif table == "vars" and not re.fullmatch(r"[A-Za-z_][\w-]*", name):
            self._error(lineno, col, f"'{name}' is not a variable name", "use letters, digits, - and _")
        elif (key := name if table == "vars" else name.lower()) in self.entry_lines[table]:
            self._error(lineno, col, f"'{name}' is listed twice under '{table}'",
                        f"it is first on line {self.entry_lines[table][key]}; keep one of them")
        else:
            self.tables[table][key] = unquote(value.strip())
            self.entry_lines[table][key] = lineno
            if table == "vars" and (problem := value_problem(self.tables[table][key])):
                col = raw.index(":") + 2 + len(value) - len(value.lstrip())
                self._error(lineno, col, f"the value of '{name}' {problem}", VALUE_HINT)

    def _meta(self) -> Meta:
        stem = Path(self.path).stem.replace("-", " ").replace("_", " ").strip()
        return Meta(
            title=self.fields.get("title") or stem.title() or "Untitled practice",
            author=self.fields.get("author", ""),
            source=self.fields.get("source", ""),
            description=self.fields.get("description", ""),
            content_note=self.fields.get("content-note", ""),
            tags=tuple(t.strip() for t in self.fields.get("tags", "").strip("[]").split(",") if t.strip()),
            voice=self.fields.get("voice") or DEFAULT_VOICE,
            rate=self._rate(),
            breath=self._breath(),
            breath_cue=self._breath_cue(),
            length=self._length(),
            sleep=self._ending(),
            year=self._year(),
            vars=self.tables["vars"],
            pronounce=self.tables["pronounce"],
        )

    def _year(self) -> int | None:
        if "year" not in self.fields:
            return None
        if not re.fullmatch(r"\d{4}", self.fields["year"].strip()) or int(self.fields["year"]) == 0:
            self._error(self.positions["year"], 1, f"year '{self.fields['year']}' is not a year",
                        "write it with four digits, like 2024")
            return None
        return int(self.fields["year"])

    def _rate(self) -> int:
        if "rate" not in self.fields:
            return DEFAULT_RATE
        rate = parse_rate(self.fields["rate"])
        if rate is None:
            self._error(self.positions["rate"], 1, f"rate '{self.fields['rate']}' is not usable",
                        f"give words per minute, a whole number from {RATE_RANGE[0]} to {RATE_RANGE[1]}")
            return DEFAULT_RATE
        return rate

    def _breath(self) -> tuple[float, ...]:
        if "breath" not in self.fields:
            return DEFAULT_BREATH
        try:
            return parse_breath(self.fields["breath"])
        except ValueError as err:
            self._error(self.positions["breath"], 1, f"breath: {err}", BREATH_HINT)
            return DEFAULT_BREATH

    def _breath_cue(self) -> str:
        if "breath-cue" not in self.fields:
            return NO_CUE
        if problem := cue_problem(self.fields["breath-cue"]):
            self._error(self.positions["breath-cue"], 1, f"breath-cue: {problem[0]}", problem[1])
            return NO_CUE
        return self.fields["breath-cue"].strip().lower()

    def _length(self) -> float | None:
        if "length" not in self.fields:
            return None
        try:
            seconds = parse_length(self.fields["length"])
        except ValueError as err:
            self._error(self.positions["length"], 1, f"length: {err}", "write it like 8s or 1m30s")
            return None
        if seconds <= 0:
            self._error(self.positions["length"], 1, "length must be longer than 0", "write it like 8s or 1m30s")
            return None
        return seconds

    def _ending(self) -> float | None:
        """The seconds of a sleep ending (`ending: sleep 20m`), or None without one."""
        if "ending" not in self.fields:
            return None
        kind, _, length = self.fields["ending"].strip().partition(" ")
        hint = "write it like `ending: sleep 20m`: the ambience goes on for 20 minutes, then fades to silence"
        try:
            if kind.lower() != "sleep":
                raise ValueError(f"'{self.fields['ending']}' is not an ending")
            if not length.strip():
                raise ValueError("a sleep ending needs its length")
            seconds = parse_sleep(length)
        except ValueError as err:
            self._error(self.positions["ending"], 1, f"ending: {err}", hint)
            return None
        if seconds <= 0:
            self._error(self.positions["ending"], 1, "ending: a sleep ending needs a length longer than 0", hint)
            return None
        return seconds

    def _error(self, line: int, col: int, message: str, hint: str = "") -> None:
        self.errors.append(Diagnostic(self.path, line, col, message, hint))


def body_start(lines: list[str] | tuple[str, ...]) -> int:
    """Index of the first line after the front matter: 0 without one, len(lines) if it is never closed."""
    if not _has_front_matter(lines):
        return 0
    end = _front_matter_close(lines)
    return len(lines) if end is None else end + 1


def _has_front_matter(lines: list[str] | tuple[str, ...]) -> bool:
    return bool(lines) and lines[0].strip() == "---"


def _front_matter_close(lines: list[str] | tuple[str, ...]) -> int | None:
    return next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
