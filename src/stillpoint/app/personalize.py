"""One practice for several clients: a table of values (a CSV file or the studio's table) -> one track each.

Each client's track is the practice with that client's values, titled with the client's name, exported in a batch
with a playlist (`export --for`, or `handover.py` for the studio). Lines whose text no value changes are spoken once
and come from the cache for every other client; a recorded line is played from its take unless its text holds a
variable, which the voice then says with each client's value. Prints nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from stillpoint import inputs
from stillpoint.app import pipeline
from stillpoint.errors import StillpointError
from stillpoint.language import library
from stillpoint.language import script as script_language
from stillpoint.language.script import Marker, Script, Speech

CLIENT_COLUMN = "client"  # names the client (and the file); a variable too if the practice has one so named
MAX_BYTES = 1_000_000
MAX_CLIENTS = 500
MAX_VALUE_CHARS = 300
Defaults = Mapping[str, str | None]  # every variable of the practice, with its default (None: it has none)


@dataclass(frozen=True)
class Client:
    """One client: the name their track is titled and named with, and their values of the practice's variables."""

    name: str
    values: dict[str, str]


def read_clients(path: Path, defaults: Defaults) -> list[Client]:
    """The clients listed in the CSV file at ``path``: a header of variable names, then a row per client."""
    name = str(path)
    data = inputs.read_capped(path, MAX_BYTES, "a table of clients")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise StillpointError("is not UTF-8 text", path=name, line=line, hint="save it as CSV in UTF-8") from None
    return parse_clients(text, name, defaults)


def parse_clients(text: str, path: str, defaults: Defaults) -> list[Client]:
    """The clients in CSV ``text``; a mistake is an error naming the row (its line) and the column."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        columns = _header(next(reader, []), path, defaults)
        rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as err:
        raise StillpointError(f"is not readable CSV ({err})", path=path, line=reader.line_num,
                              hint="save it again as CSV from the spreadsheet") from None
    if not rows:
        raise StillpointError("lists no clients", path=path, line=1, hint="add a row of values under the header")
    if len(rows) > MAX_CLIENTS:
        raise StillpointError(f"lists more than {MAX_CLIENTS} clients", path=path, line=rows[MAX_CLIENTS][0],
                              hint="split it into several files")
    return [_client(dict(zip(columns, row)), path, line, columns, defaults) for line, row in _fitted(rows, columns, path)]


def clients_from_table(rows: list[dict[str, str]], defaults: Defaults, source: str = "table") -> list[Client]:
    """The clients of a table given as one mapping of column -> value per row (the studio's table)."""
    columns = list(dict.fromkeys(column for row in rows for column in row))
    _header(columns, source, defaults)
    chosen = [(number, row) for number, row in enumerate(rows, start=2) if any(str(v).strip() for v in row.values())]
    if not chosen:
        raise StillpointError("lists no clients", path=source, hint="add a row with a client's values")
    if len(chosen) > MAX_CLIENTS:
        raise StillpointError(f"lists more than {MAX_CLIENTS} clients", path=source, hint="export them in parts")
    return [_client({c: str(v) for c, v in row.items()}, source, number, columns, defaults) for number, row in chosen]


def scripts_for_file(source: str, clients_csv: Path, values: dict[str, str] | None = None) -> list[Script]:
    """The practice named or pointed to by ``source`` once per client listed in the CSV file ``clients_csv``."""
    path = library.find(source)
    text = script_language.read(path)
    clients = read_clients(clients_csv, script_language.variables(text, str(path)))
    scripts = personalized(text, str(path), clients, values)
    pipeline.check_values(values or {}, scripts[:1])
    return scripts


def table_rows(csv_text: str, name: str, text: str, path: str) -> list[dict[str, str]]:
    """The clients of CSV text named ``name``, checked against the practice in ``text``, as rows of the studio's
    table: the client column, then their values."""
    clients = parse_clients(csv_text, name, script_language.variables(text, path))
    return [{CLIENT_COLUMN: client.name, **client.values} for client in clients]


def scripts_for_table(text: str, path: str, rows: list[dict[str, str]]) -> list[Script]:
    """The practice in ``text`` once per row of the studio's table of clients."""
    return personalized(text, path, clients_from_table(rows, script_language.variables(text, path)))


def personalized(text: str, path: str, clients: list[Client], values: dict[str, str] | None = None) -> list[Script]:
    """The practice in ``text`` once per client, with the client's values and the client's name in its title."""
    scripts = []
    for client in clients:
        parsed = _takes_kept_where_impersonal(script_language.parse(text, path, {**(values or {}), **client.values}))
        scripts.append(replace(parsed, meta=replace(parsed.meta, title=f"{parsed.meta.title} ({client.name})")))
    return scripts


def _takes_kept_where_impersonal(parsed: Script) -> Script:
    """``parsed`` with its recorded lines that hold a variable spoken by the voice: their takes say other values."""
    def kept(cue: Speech | Marker) -> Speech | Marker:
        return replace(cue, recording=None) if isinstance(cue, Speech) and cue.personal else cue

    sections = tuple(replace(section, cues=tuple(map(kept, section.cues))) for section in parsed.sections)
    return replace(parsed, sections=sections)


def _header(columns: list[str], path: str, defaults: Defaults) -> list[str]:
    """The column names of a header, each a variable of the practice (or the client column), no two alike."""
    names = [column.strip() for column in columns]
    known = ", ".join([CLIENT_COLUMN, *defaults])
    if not names:
        raise StillpointError("is empty", path=path, line=1, hint=f"start it with a header naming the columns: {known}")
    for col, name in enumerate(names, start=1):
        if name != CLIENT_COLUMN and name not in defaults:
            what = "a column has no name" if not name else f"column '{name}' is not a variable of the practice"
            raise StillpointError(what, path=path, line=1, col=col, hint=f"the columns it can have: {known}")
        if names.index(name) != col - 1:
            raise StillpointError(f"column '{name}' appears twice", path=path, line=1, col=col,
                                  hint="keep one column per variable")
    missing = [name for name, default in defaults.items() if default is None and name not in names]
    if missing:
        raise StillpointError(f"has no column for '{missing[0]}', which the practice gives no default", path=path,
                              line=1, hint=f"add a column '{missing[0]}' with each client's value")
    return names


def _fitted(rows: list[tuple[int, list[str]]], columns: list[str], path: str) -> list[tuple[int, list[str]]]:
    """The rows, each refused if it has more cells than the header has columns."""
    for line, row in rows:
        if len(row) > len(columns) and any(cell.strip() for cell in row[len(columns):]):
            raise StillpointError(f"row has {len(row)} cells but the header names {len(columns)} columns", path=path,
                                  line=line, col=len(columns) + 1, hint="quote values that contain commas")
    return rows


def _client(row: dict[str, str], path: str, line: int, columns: list[str], defaults: Defaults) -> Client:
    """One row as a client: its values (an empty cell takes the practice's default) and its name."""
    values = {}
    for col, column in enumerate(columns, start=1):
        cell = row.get(column, "").strip()
        if len(cell) > MAX_VALUE_CHARS:
            raise StillpointError(f"'{column}' is longer than {MAX_VALUE_CHARS} characters", path=path, line=line,
                                  col=col, hint="shorten it")
        if problem := script_language.value_problem(cell):
            raise StillpointError(f"'{column}' {problem}", path=path, line=line, col=col,
                                  hint=script_language.VALUE_HINT)
        if column in defaults and cell:
            values[column] = cell
        elif column in defaults and defaults[column] is None:
            raise StillpointError(f"'{column}' is empty and the practice gives it no default", path=path, line=line,
                                  col=col, hint=f"fill in {column} for this client")
    name = row.get(CLIENT_COLUMN, "").strip() or ", ".join(values.values()) or f"client {line - 1}"
    return Client(name, values)
