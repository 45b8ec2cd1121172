"""Clients from a CSV file or a table: every mistake one line naming the file, row and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from stillpoint.app import personalize
from stillpoint.app.personalize import Client
from stillpoint.errors import StillpointError

DEFAULTS = {"who": "a friend", "place": None}


def _error(text: str) -> str:
    with pytest.raises(StillpointError) as caught:
        personalize.parse_clients(text, "clients.csv", DEFAULTS)
    return str(caught.value)


def test_rows_become_clients_named_by_their_client_column() -> None:
    clients = personalize.parse_clients("client,who,place\nAnna,her sister,the sea\n\nBen,,the hills\n",
                                        "clients.csv", DEFAULTS)
    assert clients == [Client("Anna", {"who": "her sister", "place": "the sea"}),
                       Client("Ben", {"place": "the hills"})]


def test_without_a_client_column_a_client_is_named_by_their_values() -> None:
    clients = personalize.parse_clients('place,who\n"the sea, at dawn",her sister\n', "c.csv", DEFAULTS)
    assert clients == [Client("the sea, at dawn, her sister", {"place": "the sea, at dawn", "who": "her sister"})]


@pytest.mark.parametrize(("text", "expected"), [
    ("", "clients.csv:1: error: is empty"),
    ("client,whom,place\n", "clients.csv:1:2: error: column 'whom' is not a variable of the practice"),
    ("client,,place\n", "clients.csv:1:2: error: a column has no name"),
    ("place,place\nx,y\n", "clients.csv:1:2: error: column 'place' appears twice"),
    ("client,who\nAnna,x\n", "clients.csv:1: error: has no column for 'place'"),
    ("client,place\n", "clients.csv:1: error: lists no clients"),
    ("client,place\nAnna,the sea,extra\n", "clients.csv:2:3: error: row has 3 cells but the header names 2"),
    ("client,place\nAnna,the sea\nBen,\n", "clients.csv:3:2: error: 'place' is empty and the practice gives it no"),
    ("client,place\nAnna," + "x" * 301 + "\n", "clients.csv:2:2: error: 'place' is longer than 300 characters"),
    ('client,place\nAnna,"the sea\n', "clients.csv:2: error: is not readable CSV"),
])
def test_a_mistake_is_one_line_naming_the_row_and_column(text: str, expected: str) -> None:
    assert _error(text).startswith(expected)


def test_too_many_clients_are_refused_at_the_first_row_too_many() -> None:
    text = "place\n" + "".join(f"place {n}\n" for n in range(personalize.MAX_CLIENTS + 1))
    assert _error(text).startswith(f"clients.csv:{personalize.MAX_CLIENTS + 2}: error: lists more than")


def test_a_file_is_read_only_up_to_its_bound(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_bytes(b"place\n" + b"x" * personalize.MAX_BYTES)
    with pytest.raises(StillpointError, match="is larger than 1 MB"):
        personalize.read_clients(big, DEFAULTS)
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"place\nthe sea\nK\xf6ln\n")
    with pytest.raises(StillpointError) as caught:
        personalize.read_clients(latin, DEFAULTS)
    assert str(caught.value).startswith(f"{latin}:3: error: is not UTF-8 text")


def test_each_client_gets_the_practice_with_their_values_and_name(tmp_path: Path) -> None:
    practice = tmp_path / "p.txt"
    practice.write_text("---\ntitle: Care\nvars:\n  who: a friend\n---\n# A\nThink of {who} in {place}.\n")
    table = tmp_path / "c.csv"
    table.write_text("client,place\nAnna,the sea\nBen,the hills\n")
    scripts = personalize.scripts_for_file(str(practice), table, {"who": "your teacher"})
    assert [s.meta.title for s in scripts] == ["Care (Anna)", "Care (Ben)"]
    assert [s.speeches()[0].text for s in scripts] == ["Think of your teacher in the sea.",
                                                       "Think of your teacher in the hills."]
    with pytest.raises(StillpointError, match="no variable {whom}"):
        personalize.scripts_for_file(str(practice), table, {"whom": "x"})


def test_a_table_from_the_studio_is_checked_like_a_file() -> None:
    text = "---\ntitle: Care\n---\n# A\nThink of {who}.\n"
    scripts = personalize.scripts_for_table(text, "p.txt", [{"client": "Anna", "who": "her sister"}, {"who": ""}])
    assert [s.meta.title for s in scripts] == ["Care (Anna)"]
    with pytest.raises(StillpointError, match="'who' is empty and the practice gives it no default"):
        personalize.scripts_for_table(text, "p.txt", [{"client": "Anna", "who": ""}])
