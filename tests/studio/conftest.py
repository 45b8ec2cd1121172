"""A real `stillpoint studio` process on a folder of its own, and an HTTP client that holds its cookie."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from conftest import FAKE_ENGINE, SMALL_PRACTICE

CHROMIUM = "/usr/lib/chromium/chromium"


@dataclass
class RunningStudio:
    """A studio process: its link, its address, its practice folder and cache, and its process."""

    link: str
    base: str
    folder: Path
    cache: Path
    process: subprocess.Popen

    def client(self) -> httpx.Client:
        """An HTTP client holding the cookie the link's token was exchanged for."""
        client = httpx.Client(base_url=self.base, headers={"origin": self.base}, timeout=60)
        client.cookies.update(self.cookies)
        return client

    def stop(self) -> int:
        """Ctrl-C the studio and wait for it; its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        return self.process.wait(30)


def start_studio(root: Path, engine: str | None = FAKE_ENGINE, *args: str) -> RunningStudio:
    """Start `stillpoint studio` on ``root``/practices (holding small.txt) with a cache in ``root``/cache."""
    folder, cache = root / "practices", root / "cache"
    folder.mkdir(exist_ok=True)
    (folder / "small.txt").write_text(SMALL_PRACTICE, encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key not in ("STILLPOINT_ENGINE", "DISPLAY")}
    env.update(STILLPOINT_CACHE=str(cache), HOME=str(root), **({"STILLPOINT_ENGINE": engine} if engine else {}))
    process = subprocess.Popen([sys.executable, "-m", "stillpoint", "studio", str(folder), "--no-browser", *args],
                               env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    link = process.stdout.readline().strip()
    assert link.startswith("http://127.0.0.1:"), process.stderr.read() if process.poll() is not None else link
    return RunningStudio(link, link.split("/?")[0], folder, cache, process)


def exchange(studio: RunningStudio) -> None:
    """Trade the link's token for the cookie, as the browser does on opening the link."""
    answer = httpx.get(studio.link, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    studio.cookies = dict(answer.cookies)


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStudio]:
    """A studio with the fake engine, its token already exchanged; shared by the tests of a module."""
    running = start_studio(tmp_path_factory.mktemp("studio"))
    exchange(running)
    yield running
    running.stop()


@pytest.fixture
def client(studio: RunningStudio) -> Iterator[httpx.Client]:
    """An HTTP client of the studio, holding its cookie and sending its Origin."""
    with studio.client() as http:
        yield http


@contextlib.contextmanager
def chromium(running: RunningStudio, *args: str) -> Iterator[object]:
    """Headless chromium (``args`` added to its command line), and the cookie its first page got by opening the
    studio's link."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=["--autoplay-policy=no-user-gesture-required", *args])
        first = launched.new_context()
        first.new_page().goto(running.link)
        running.cookies = first.cookies()
        first.close()
        yield launched
        launched.close()
