"""Every folder Stillpoint uses, found from a fresh home and XDG base directories as the environment sets them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from stillpoint import places
from stillpoint.app import publish
from stillpoint.language import lexicon, library
from stillpoint.app import resume

XDG = ("XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME")
OURS = (places.CACHE_ENV, places.STATE_ENV, places.LEXICON_ENV, places.PATH_ENV, places.ENGINE_ENV)
# Each folder, the XDG base directory it lies in, and where it is when that is not set.
FOLDERS = {
    "cache": (places.cache_folder, "XDG_CACHE_HOME", "stillpoint", ".cache/stillpoint"),
    "state": (places.state_folder, "XDG_STATE_HOME", "stillpoint", ".local/state/stillpoint"),
    "practices": (places.practices_folder, "XDG_DATA_HOME", "stillpoint/practices",
                  ".local/share/stillpoint/practices"),
    "lexicon": (places.lexicon_file, "XDG_CONFIG_HOME", "stillpoint/lexicon.txt", ".config/stillpoint/lexicon.txt"),
}


@pytest.fixture
def home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A fresh home folder, with no XDG base directory and no Stillpoint setting in the environment."""
    for variable in XDG + OURS:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.mark.parametrize("name", FOLDERS)
def test_without_settings_each_folder_is_under_the_home_folder(name: str, home: Path) -> None:
    where, _variable, _inside, default = FOLDERS[name]
    assert where() == home / default


@pytest.mark.parametrize("name", FOLDERS)
def test_an_absolute_xdg_base_directory_holds_the_folder(
    name: str, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    where, variable, inside, _default = FOLDERS[name]
    monkeypatch.setenv(variable, str(tmp_path / "xdg"))
    assert where() == tmp_path / "xdg" / inside


@pytest.mark.parametrize("value", ["relative/base", "", "."])
@pytest.mark.parametrize("name", FOLDERS)
def test_a_relative_or_empty_xdg_base_directory_is_ignored(
    name: str, value: str, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    where, variable, _inside, default = FOLDERS[name]
    monkeypatch.setenv(variable, value)
    assert where() == home / default


@pytest.mark.parametrize(("variable", "where"), [(places.CACHE_ENV, places.cache_folder),
                                                 (places.STATE_ENV, places.state_folder),
                                                 (places.LEXICON_ENV, places.lexicon_file)])
def test_a_stillpoint_setting_comes_before_the_xdg_folder(
    variable: str, where: object, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for xdg in XDG:
        monkeypatch.setenv(xdg, str(tmp_path / "xdg"))
    monkeypatch.setenv(variable, "~/mine")
    assert where() == home / "mine"  # type: ignore[operator]
    monkeypatch.setenv(variable, "")
    assert tmp_path / "xdg" in where().parents  # type: ignore[operator]


def test_the_feed_secret_is_kept_in_the_state_folder(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert places.feed_secret_file() == home / ".local/state/stillpoint" / places.FEED_SECRET_NAME
    monkeypatch.setenv(places.STATE_ENV, str(tmp_path / "state"))
    assert places.feed_secret_file() == tmp_path / "state" / places.FEED_SECRET_NAME


def test_stillpoint_path_names_folders_in_order_and_skips_empty_entries(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert places.practice_path() == []
    monkeypatch.setenv(places.PATH_ENV, os.pathsep.join(["/one", "", "~/two", ""]))
    assert places.practice_path() == [Path("/one"), home / "two"]


def test_the_engine_for_every_line_is_none_unless_set(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert places.engine_spec() is None
    monkeypatch.setenv(places.ENGINE_ENV, "")
    assert places.engine_spec() is None
    monkeypatch.setenv(places.ENGINE_ENV, "stillpoint.voice.fake:FakeEngine")
    assert places.engine_spec() == "stillpoint.voice.fake:FakeEngine"


def test_a_practice_in_the_xdg_data_folder_is_found_by_name(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    folder = tmp_path / "data" / "stillpoint" / "practices"
    folder.mkdir(parents=True)
    (folder / "evening-calm.txt").write_text("Rest.\n")
    assert library.find("evening-calm") == folder / "evening-calm.txt"
    assert library.search_folders()[0] == folder


def test_the_modules_that_keep_files_ask_places(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert resume.state_file("calm.txt").parent == tmp_path / "state" / "stillpoint"
    assert publish.private_path(tmp_path) and places.feed_secret_file().is_file()
    (tmp_path / "config" / "stillpoint").mkdir(parents=True)
    (tmp_path / "config" / "stillpoint" / "lexicon.txt").write_text("metta: MET-tah\n")
    assert lexicon.load() == (("metta", "MET-tah"),)


@pytest.mark.parametrize("engine", ["hibari", "piper"])
def test_the_neural_engines_keep_onnxruntime_from_writing_before_they_load_it(engine: str) -> None:
    env = {key: value for key, value in os.environ.items() if key != "ORT_DISABLE_TELEMETRY"}
    code = (f"import os, sys; import stillpoint.voice.{engine}; "
            "print(os.environ.get('ORT_DISABLE_TELEMETRY'), 'onnxruntime' in sys.modules)")
    shown = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert shown.split() == ["1", "False"]
