"""The studio's practices: the folder's editable, the built-ins read-only, nothing outside either."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SMALL_PRACTICE
from stillpoint.app.workspace import Conflict, Workspace, version_of
from stillpoint.errors import UsageError


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    folder = tmp_path / "nested" / "practices"
    made = Workspace(folder)
    (folder / "small.txt").write_text(SMALL_PRACTICE)
    return made


def test_the_folder_is_made_and_listed_before_the_built_ins(workspace: Workspace) -> None:
    entries = workspace.entries()
    assert entries[0].id == "small.txt" and entries[0].title == "Small Practice" and not entries[0].builtin
    assert entries[0].seconds and entries[0].tags == ()
    assert {e.id for e in entries[1:]} >= {"builtin/benefactor.txt"} and all(e.builtin for e in entries[1:])


def test_findings_are_counted_and_an_unreadable_file_is_one_error(workspace: Workspace) -> None:
    (workspace.folder / "soak.txt").write_text("# A\nHello there.\n[soak 3s]\nAnd again.\n")
    (workspace.folder / "broken.txt").write_bytes(b"\xff\xfe\x00garbage\x00")
    by_id = {e.id: e for e in workspace.entries()}
    assert (by_id["soak.txt"].errors, by_id["soak.txt"].warnings) == (0, 1)
    assert (by_id["broken.txt"].errors, by_id["broken.txt"].title) == (1, None)


def test_a_save_replaces_the_file_only_at_the_version_it_was_opened_at(workspace: Workspace) -> None:
    opened = workspace.open("small.txt")
    assert opened.version == version_of(SMALL_PRACTICE.encode())
    new = workspace.save("small.txt", SMALL_PRACTICE + "One more line.\n", opened.version)
    (workspace.folder / "small.txt").write_text("changed elsewhere\n")
    with pytest.raises(Conflict) as conflict:
        workspace.save("small.txt", "mine\n", new)
    assert (conflict.value.text, conflict.value.version) == ("changed elsewhere\n", version_of(b"changed elsewhere\n"))
    assert (workspace.folder / "small.txt").read_text() == "changed elsewhere\n"
    (workspace.folder / "small.txt").unlink()
    with pytest.raises(Conflict, match="was removed"):
        workspace.save("small.txt", "mine\n", conflict.value.version)


def test_built_ins_cannot_be_saved_but_can_be_copied(workspace: Workspace) -> None:
    builtin = workspace.open("builtin/benefactor.txt")
    with pytest.raises(UsageError, match="make a copy"):
        workspace.save("builtin/benefactor.txt", "x", builtin.version)
    copy = workspace.create("Benefactor for Anna", "builtin/benefactor.txt")
    assert copy.id == "Benefactor for Anna.txt" and copy.text == builtin.text and copy.editable
    fresh = workspace.create("evening-calm")
    assert "title: Evening Calm" in fresh.text
    with pytest.raises(UsageError, match="exists already"):
        workspace.create("evening-calm.txt")


@pytest.mark.parametrize("name", ["../x", "a/b", ".hidden", "", "x" * 120, "builtin/x"])
def test_names_that_are_not_plain_file_names_are_refused(workspace: Workspace, name: str) -> None:
    with pytest.raises(UsageError):
        workspace.create(name)


@pytest.mark.parametrize("practice", ["../small.txt", "builtin/../small.txt", "/etc/passwd", "small", "a/b.txt",
                                      "builtin/", "small.txt\x00"])
def test_ids_outside_the_two_folders_are_refused(workspace: Workspace, practice: str) -> None:
    with pytest.raises(UsageError, match="not the name of a practice"):
        workspace.path(practice)


def test_symbolic_links_out_of_the_folder_are_neither_listed_nor_opened(workspace: Workspace, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text(SMALL_PRACTICE)
    (workspace.folder / "out.txt").symlink_to(outside)
    (workspace.folder / "in.txt").symlink_to(workspace.folder / "small.txt")
    assert "out.txt" not in {e.id for e in workspace.entries()} and "in.txt" in {e.id for e in workspace.entries()}
    with pytest.raises(UsageError, match="leads outside"):
        workspace.open("out.txt")
    with pytest.raises(UsageError, match="leads outside"):
        workspace.save("out.txt", "x", version_of(SMALL_PRACTICE.encode()))
    assert outside.read_text() == SMALL_PRACTICE


def test_a_file_too_large_to_be_a_practice_is_not_read(workspace: Workspace) -> None:
    (workspace.folder / "huge.txt").write_bytes(b"a" * 1_000_001)
    with pytest.raises(UsageError, match="larger than"):
        workspace.open("huge.txt")
    with pytest.raises(UsageError, match="longer than"):
        workspace.save("small.txt", "a" * 1_000_001, workspace.open("small.txt").version)


def test_the_library_shows_a_practice_s_content_note(workspace: Workspace) -> None:
    (workspace.folder / "grief.txt").write_text("---\ncontent-note: the death of a parent\n---\nRest here.\n")
    by_id = {e.id: e for e in workspace.entries()}
    assert by_id["grief.txt"].content_note == "the death of a parent" and by_id["small.txt"].content_note == ""
