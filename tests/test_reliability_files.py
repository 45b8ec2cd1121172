"""Where `stillpoint export` writes: names from titles and from -o stay where they were meant to go.

Covered elsewhere and not repeated: titles with path separators, '..', reserved device names, control
characters and overlong titles turned into file names (tests/output/test_filenames.py: test_golden_names,
test_a_300_character_title_is_cut_to_the_byte_limit_at_a_word, test_any_title_gives_a_name_every_file_system_accepts)
and a batch of dangerous titles kept inside its folder
(tests/app/test_batch.py: test_clashing_and_dangerous_titles_get_safe_distinct_names_inside_the_folder).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from reliability import cli_env, stillpoint

NAME_MAX = 255  # bytes in one file name on the usual Linux file systems


def everything(folder: Path) -> set[Path]:
    """Every file and folder under ``folder``, the cache left out."""
    return {path for path in folder.rglob("*") if "cache" not in path.relative_to(folder).parts}


def export(tmp_path: Path, *args: str | Path) -> subprocess.CompletedProcess:
    """`stillpoint export` of a one-line practice titled from front matter, run in ``tmp_path/work``."""
    return subprocess.run(stillpoint("export", tmp_path / "practice.txt", *args), cwd=tmp_path / "work",
                          env=cli_env(tmp_path / "cache"), capture_output=True, text=True, timeout=60)


@pytest.fixture
def titled(tmp_path: Path):
    """Write the practice with a given title; a working folder to run in."""
    (tmp_path / "work").mkdir()

    def write(title: str) -> Path:
        (tmp_path / "practice.txt").write_text(f"---\ntitle: {title}\n---\nRest here.\n", encoding="utf-8")
        return tmp_path

    return write


@pytest.mark.parametrize(("title", "name"), [
    ("../../escaped", r"escaped\.mp3"),
    ("/etc/passwd", r"etc passwd\.mp3"),
    ("../../CON", r"CON_\.mp3"),
    ("a" * 400, r"a{100,}\.mp3"),
])
def test_a_title_names_a_file_inside_the_folder_given_with_o(titled, title: str, name: str) -> None:
    tmp_path = titled(title)
    out = tmp_path / "work" / "phone"
    out.mkdir()
    before = everything(tmp_path)
    done = export(tmp_path, "-o", out)
    assert done.returncode == 0, done.stderr
    (written,) = everything(tmp_path) - before
    assert written.parent == out and re.fullmatch(name, written.name) and len(written.name.encode()) < NAME_MAX


def test_dot_dot_in_o_writes_only_the_file_it_names(titled) -> None:
    tmp_path = titled("Evening")
    (tmp_path / "work" / "sub").mkdir()
    before = everything(tmp_path)
    done = export(tmp_path, "-o", "sub/../../evening.mp3")
    assert done.returncode == 0, done.stderr
    assert everything(tmp_path) - before == {tmp_path / "evening.mp3"}


def test_the_longest_name_the_file_system_allows_can_be_written(titled) -> None:
    tmp_path = titled("Evening")
    name = "é" * ((NAME_MAX - len(".mp3")) // 2) + ".mp3"  # two bytes a letter: 254 bytes in all
    done = export(tmp_path, "-o", name)
    assert done.returncode == 0, done.stderr
    assert [path.name for path in (tmp_path / "work").iterdir()] == [name]


def test_a_name_longer_than_the_file_system_allows_is_one_line_and_writes_nothing(titled) -> None:
    tmp_path = titled("Evening")
    before = everything(tmp_path)
    done = export(tmp_path, "-o", "a" * 300 + ".mp3")
    assert done.returncode == 1
    assert len(done.stderr.splitlines()) == 1 and "File name too long" in done.stderr
    assert "Traceback" not in done.stderr and everything(tmp_path) == before
