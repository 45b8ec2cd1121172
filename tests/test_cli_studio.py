"""`stillpoint studio` as a user starts it, and the same hand-over from the command line: `export --for`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from mutagen.id3 import ID3
from typer.testing import CliRunner

from conftest import FAKE_ENGINE
from stillpoint.cli import app

runner = CliRunner()


def _studio(tmp_path: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "STILLPOINT_ENGINE": FAKE_ENGINE, "STILLPOINT_CACHE": str(tmp_path / "cache"),
           "HOME": str(tmp_path), "TMPDIR": str(tmp_path)}
    env.pop("DISPLAY", None)
    return subprocess.Popen([sys.executable, "-m", "stillpoint", "studio", *args], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_the_first_line_is_the_link_and_ctrl_c_stops_it_leaving_nothing(tmp_path: Path) -> None:
    studio = _studio(tmp_path, "--no-browser")
    link = studio.stdout.readline().strip()
    assert link.startswith("http://127.0.0.1:") and "/?token=" in link and len(link.split("token=")[1]) >= 40
    assert (tmp_path / ".local/share/stillpoint/practices").is_dir()  # the default folder, created
    assert httpx.get(link).status_code == 303
    assert list(tmp_path.glob("stillpoint-studio-*"))
    studio.send_signal(signal.SIGINT)
    assert studio.wait(30) == 130
    assert "Traceback" not in studio.stderr.read()
    assert not list(tmp_path.glob("stillpoint-studio-*"))  # its scratch folder is gone
    with pytest.raises(httpx.ConnectError):
        httpx.get(link)


def test_a_port_in_use_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        studio = _studio(tmp_path, str(tmp_path), "--port", str(port), "--no-browser")
        assert studio.wait(30) == 2
    assert studio.stderr.read().strip().startswith(f"error: --port {port}: cannot listen there")


def test_export_for_a_csv_of_clients_makes_one_track_each(fake_engine: Path, tmp_path: Path, small_practice) -> None:
    (tmp_path / "clients.csv").write_text("client,who\nAnna,her sister\nBen,his teacher\n")
    result = runner.invoke(app, ["export", str(small_practice), "--for", "clients.csv", "-o", "out"])
    assert result.exit_code == 0, result.output
    tracks = sorted((tmp_path / "out").glob("*.mp3"))
    assert [t.name for t in tracks] == ["Small Practice (Anna).mp3", "Small Practice (Ben).mp3"]
    assert "Think of his teacher." in ID3(tracks[1]).getall("USLT")[0].text
    assert (tmp_path / "out" / "Stillpoint.m3u8").read_text().count(".mp3") == 2


def test_a_mistake_in_the_csv_is_one_line_naming_row_and_column(fake_engine: Path, tmp_path: Path,
                                                               small_practice) -> None:
    (tmp_path / "clients.csv").write_text("client,who\nAnna,her sister,oops\n")
    result = runner.invoke(app, ["export", str(small_practice), "--for", "clients.csv", "-o", "out"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "clients.csv:2:3: error: row has 3 cells but the header names 2 columns (quote values that contain commas)"]
    assert not (tmp_path / "out").exists()
    two = runner.invoke(app, ["export", str(small_practice), "benefactor", "--for", "clients.csv", "-o", "out"])
    assert two.exit_code == 2 and "--for personalizes one practice" in two.output
