"""`stillpoint voices` and choosing a voice from the command line, with the real catalogue (no override engine)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from stillpoint.cli import app
from stillpoint.voice import catalogue

runner = CliRunner()
PIPER_MISSING = "install the optional voice with: pip install 'stillpoint[piper]'"


def run(*args: str):
    """Invoke the app as `stillpoint` and return click's result."""
    return runner.invoke(app, list(args), prog_name="stillpoint")


@pytest.fixture
def real_voices(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The CLI with every voice's own engine and a cache of its own; returns the cache folder."""
    monkeypatch.delenv("STILLPOINT_ENGINE", raising=False)
    monkeypatch.setenv("STILLPOINT_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    return tmp_path / "cache"


@pytest.fixture
def without_piper(monkeypatch: pytest.MonkeyPatch) -> None:
    """The catalogue as it is where the optional voice's extra is not installed."""
    neural = tuple((voice, ("no_such_piper_package",) if voice.name == "joe" else needs)
                   for voice, needs in catalogue.NEURAL)
    monkeypatch.setattr(catalogue, "NEURAL", neural)


def rows(output: str) -> list[list[str]]:
    """The table's rows, each split into its first four columns and the description."""
    return [line.split(maxsplit=4) for line in output.splitlines()]


@pytest.mark.espeak
def test_voices_lists_the_neural_voices_first_then_every_espeak_voice(real_voices: Path) -> None:
    result = run("voices")
    assert result.exit_code == 0, result.output
    table = rows(result.stdout)
    assert table[0] == ["name", "engine", "language", "installed", "description"]
    assert table[1] == ["heart", "hibari", "en-us", "yes", "a warm female American voice (neural, bundled)"]
    assert table[2][:3] == ["joe", "piper", "en-us"]
    assert ["en-us", "espeak-ng", "en-us", "yes", "English (America); formant synthesis, espeak-ng"] in table
    assert len(table) > 140


@pytest.mark.espeak
def test_voices_says_which_are_not_installed(real_voices: Path, without_piper: None) -> None:
    table = rows(run("voices").stdout)
    assert table[2] == ["joe", "piper", "en-us", "no",
                        "a calm male American voice (neural; pip install 'stillpoint[piper]')"]


def test_a_voice_not_installed_is_one_line_at_the_option(real_voices: Path, small_practice: Path,
                                                         without_piper: None) -> None:
    result = run("plan", str(small_practice), "--voice", "joe")
    assert result.exit_code == 2
    assert result.stderr == f"error: --voice joe: the voice 'joe' is not installed ({PIPER_MISSING})\n"


def test_a_voice_not_installed_is_one_line_at_the_script_line_that_chose_it(real_voices: Path, tmp_path: Path,
                                                                            without_piper: None) -> None:
    script = tmp_path / "joe.txt"
    script.write_text("---\ntitle: Joe\nvoice: joe\n---\n# Arriving\nRest here.\n")
    result = run("export", str(script), "-o", "joe.mp3")
    assert result.exit_code == 1
    assert result.stderr == f"{script}:3: error: the voice 'joe' is not installed ({PIPER_MISSING})\n"
    assert not (tmp_path / "joe.mp3").exists()
    checked = run("check", str(script))
    assert f"{script}:3:1: error: the voice 'joe' is not installed ({PIPER_MISSING})" in checked.stderr
