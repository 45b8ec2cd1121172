"""Shared fixtures: a fake engine for fast CLI runs, a private cache, and small practice files."""

from __future__ import annotations

from pathlib import Path

import pytest

FAKE_ENGINE = "stillpoint.voice.fake:FakeEngine"

SMALL_PRACTICE = """---
title: Small Practice
author: Test Author
description: A short practice for tests.
rate: 150
vars:
  who: a good friend
---
# Arriving
Settle in and let the floor hold you.
[pause 2s]
Think of {who}.
# Resting
Rest here. [soak 3s]
Come back when you are ready.
"""


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Run the CLI with the fake engine and a cache of its own; returns the cache folder."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("STILLPOINT_ENGINE", FAKE_ENGINE)
    monkeypatch.setenv("STILLPOINT_CACHE", str(cache))
    monkeypatch.chdir(tmp_path)
    return cache


@pytest.fixture
def small_practice(tmp_path: Path) -> Path:
    """A short practice file with two sections, a variable, a pause and a soak."""
    path = tmp_path / "small.txt"
    path.write_text(SMALL_PRACTICE)
    return path
