"""The layers of docs/architecture.md hold: import-linter's contracts in pyproject.toml are kept, and can break."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = ("import sys; from importlinter.cli import lint_imports; "
        "sys.exit(lint_imports(no_cache=True, no_logo=True))")
# An import against each contract, written inside a function as the lazy imports are, and what the linter names.
AGAINST = {
    "listen below app": ("listen/player.py", "from stillpoint.app import resume", "stillpoint.listen.player -> "
                         "stillpoint.app.resume"),
    "ground under all": ("places.py", "from stillpoint.voice import cache", "stillpoint.places -> stillpoint.voice"),
    "a worker without the script language": ("voice/worker.py", "from stillpoint.language import script",
                                             "stillpoint.voice.worker -> stillpoint.language.script"),
    "the script package's order": ("language/script/_model.py", "from stillpoint.language.script import _parse",
                                   "stillpoint.language.script._model -> stillpoint.language.script._parse"),
}


def lint(folder: Path) -> subprocess.CompletedProcess[str]:
    """import-linter run on the package in ``folder``/src with the contracts of ``folder``/pyproject.toml."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(folder / "src")}
    return subprocess.run([sys.executable, "-c", LINT], cwd=folder, env=env, capture_output=True, text=True,
                          timeout=120)


def copy_of_the_project(tmp_path: Path) -> Path:
    """The package's source and the contracts, copied to be changed."""
    shutil.copytree(ROOT / "src" / "stillpoint", tmp_path / "src" / "stillpoint",
                    ignore=shutil.ignore_patterns("__pycache__", "static"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def test_every_import_keeps_to_the_layers() -> None:
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" in result.stdout and " 0 broken" in result.stdout


@pytest.mark.parametrize("contract", AGAINST)
def test_an_import_against_a_contract_inside_a_function_breaks_it(contract: str, tmp_path: Path) -> None:
    module, statement, named = AGAINST[contract]
    folder = copy_of_the_project(tmp_path)
    with (folder / "src" / "stillpoint" / module).open("a") as source:
        source.write(f"\n\ndef _against() -> None:\n    {statement}\n")
    result = lint(folder)
    assert result.returncode == 1 and "1 broken" in result.stdout, result.stdout + result.stderr
    assert named in result.stdout


def test_a_module_outside_every_layer_breaks_the_contract(tmp_path: Path) -> None:
    folder = copy_of_the_project(tmp_path)
    (folder / "src" / "stillpoint" / "helpers.py").write_text('"""Unplaced."""\n')
    result = lint(folder)
    assert result.returncode == 1 and "stillpoint.helpers" in result.stdout, result.stdout + result.stderr
