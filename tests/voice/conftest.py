"""Fixtures of the voice tests: the faulty engines' request log, and the two ways workers start."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from stillpoint.voice import processes

from . import faulty_engines


@pytest.fixture
def log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], list[tuple[str, str]]]:
    """The engines' request log, as a function returning (pid, text) pairs."""
    path = tmp_path / "requests.log"
    monkeypatch.setenv(faulty_engines.LOG_ENV, str(path))

    def read() -> list[tuple[str, str]]:
        return [tuple(row.split("\t", 1)) for row in path.read_text().splitlines()] if path.exists() else []

    return read


@pytest.fixture(params=["forked", "spawned"])
def start(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Workers forked from their engine's zygote (where the system allows), then spawned, as on macOS and Windows."""
    if request.param == "spawned":
        monkeypatch.setattr(processes, "forking", lambda: False)
    elif not processes.forking():
        pytest.skip("this system spawns every worker")
    return request.param
