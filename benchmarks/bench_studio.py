"""The studio over real HTTP with the real engine, and personalized exports for many clients.

Diagnostics: a running `stillpoint studio`, its cookie held by an HTTP client; the time from sending a
500-line script to /api/check to having its findings and plan (median of 20, after one warm-up), without and
with the review (the page's Review switch), alternated; each request's text differs from the one before in one
line, as after a word typed in the editor.
First audio: a fresh studio with an empty cache each time (its process and first voice worker started, as
they are once a therapist has the page open); the time from asking to hear benefactor's first section to the
first bytes of its audio (median of 3).
Batch: `stillpoint export benefactor --for clients.csv` with 20 clients against 20 separate cold exports,
estimated as 20 times a cold `stillpoint export benefactor --set benefactor=…` (fresh cache each), measured
before and after the batch so a machine that gets busier or quieter affects both sides alike.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.bench_check import long_script
from benchmarks.common import ratio, row, stillpoint

CHECK_LINES = 500
CHECK_LIMIT_MS = 100.0
FIRST_AUDIO_LIMIT = 1.5
CLIENTS = 20
BATCH_SHARE = 0.25
PRACTICE = "benefactor"


def _environment(folder: Path) -> dict[str, str]:
    """The real engine, a cache and a home of the benchmark's own."""
    env = {key: value for key, value in os.environ.items() if key not in ("STILLPOINT_ENGINE", "DISPLAY")}
    env.update(STILLPOINT_CACHE=str(folder / "cache"), HOME=str(folder))
    return env


class Studio:
    """A `stillpoint studio` process in a folder of its own, with an HTTP client holding its cookie."""

    def __init__(self, folder: Path):
        (folder / "practices").mkdir()
        self.process = subprocess.Popen([*stillpoint("studio", folder / "practices", "--no-browser")],
                                        env=_environment(folder), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True)
        link = self.process.stdout.readline().strip()
        base = link.split("/?")[0]
        cookies = httpx.get(link).cookies
        self.http = httpx.Client(base_url=base, headers={"origin": base}, cookies=cookies, timeout=60)

    def __enter__(self) -> Studio:
        return self

    def __exit__(self, *_: object) -> None:
        self.http.close()
        self.process.terminate()
        self.process.wait(60)


def check_rows() -> list[dict]:
    """The server round trip of checking a 500-line script, without and with the review, alternated."""
    text = long_script(CHECK_LINES)
    times: dict[bool, list[float]] = {False: [], True: []}
    with tempfile.TemporaryDirectory(prefix="stillpoint-bench-") as name, Studio(Path(name)) as studio:
        if studio.http.post("/api/check", json={"text": text, "id": "long.txt", "review": True}).json()["errors"]:
            return [row(f"studio: findings for a {CHECK_LINES}-line script", "the script did not check clean",
                        "no errors", False)]
        for typed in range(20):
            for review in (False, True):
                body = {"text": _typed(text, 2 * typed + review), "id": "long.txt", "review": review}
                started = time.perf_counter()
                studio.http.post("/api/check", json=body).raise_for_status()
                times[review].append((time.perf_counter() - started) * 1000)
    return [_check_row(times[False], ""), _check_row(times[True], ", with the review")]


def _typed(text: str, count: int) -> str:
    """``text`` with ``count`` letters typed at the end of a spoken line about a hundred lines in."""
    lines = text.split("\n")
    spoken = next(index for index in range(99, len(lines)) if lines[index][:1].isalpha())
    lines[spoken] += " " + "a" * count
    return "\n".join(lines)


def _check_row(times: list[float], what: str) -> dict:
    """The row of one kind of check's round trips."""
    median = statistics.median(times)
    return row(f"studio: findings and plan for a {CHECK_LINES}-line script{what} (HTTP round trip)",
               f"{median:.0f} ms median, {max(times):.0f} ms slowest of {len(times)}", f"<= {CHECK_LIMIT_MS:.0f} ms",
               median <= CHECK_LIMIT_MS)


def _first_audio() -> float:
    """Seconds from asking a fresh studio (empty cache) to hear benefactor's first section to its first bytes."""
    from stillpoint.app import pipeline

    parsed = pipeline.load_script(PRACTICE)
    body = {"text": Path(parsed.path).read_text(encoding="utf-8"), "id": f"builtin/{PRACTICE}.txt",
            "section": parsed.sections[0].title}
    with tempfile.TemporaryDirectory(prefix="stillpoint-bench-") as name, Studio(Path(name)) as studio:
        started = time.perf_counter()
        answer = studio.http.post("/api/hear", json=body)
        answer.raise_for_status()
        with studio.http.stream("GET", answer.json()["audio"]) as audio:
            next(audio.iter_bytes())
        return time.perf_counter() - started


def first_audio_rows() -> list[dict]:
    """First audio of a section, cold."""
    seconds = statistics.median(_first_audio() for _ in range(3))
    return [row(f"studio: first audio of {PRACTICE}'s first section, cold", f"{seconds:.2f} s",
                f"<= {FIRST_AUDIO_LIMIT} s", seconds <= FIRST_AUDIO_LIMIT)]


def _cold_export(folder: Path, number: int) -> float:
    """Seconds of one `stillpoint export` for one client, with a cache of its own."""
    started = time.perf_counter()
    subprocess.run(stillpoint("export", PRACTICE, "--set", f"benefactor=my friend number {number}", "-o",
                              folder / f"cold-{number}.mp3", "--quiet", "--cache-dir", folder / f"cache-{number}"),
                   env=_environment(folder), check=True, stdin=subprocess.DEVNULL)
    return time.perf_counter() - started


def _batch(folder: Path) -> float:
    """Seconds of one `stillpoint export --for` of CLIENTS clients, cold cache."""
    clients = folder / "clients.csv"
    clients.write_text("client,benefactor\n" + "".join(f"Client {n},my friend number {n}\n"
                                                       for n in range(1, CLIENTS + 1)), encoding="utf-8")
    started = time.perf_counter()
    subprocess.run(stillpoint("export", PRACTICE, "--for", clients, "-o", folder / "batch", "--quiet",
                              "--cache-dir", folder / "cache-batch"),
                   env=_environment(folder), check=True, stdin=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    if len(list((folder / "batch").glob("*.mp3"))) != CLIENTS:
        raise RuntimeError("the batch did not write a track per client")
    return seconds


def batch_rows() -> list[dict]:
    """A personalized batch against separate cold exports, measured alternately."""
    with tempfile.TemporaryDirectory(prefix="stillpoint-bench-") as name:
        folder = Path(name)
        before = _cold_export(folder, 1)
        batch = _batch(folder)
        after = _cold_export(folder, 2)
    separate = CLIENTS * (before + after) / 2
    return [row(f"export {PRACTICE} --for {CLIENTS} clients, cold, vs {CLIENTS} separate cold exports",
                ratio(batch, separate) + f" (one cold export: {before:.2f} s, {after:.2f} s)",
                f"<= {BATCH_SHARE}x", batch <= BATCH_SHARE * separate)]


def run() -> list[dict]:
    """Rows for the studio's findings, its first audio, and personalized batches."""
    return check_rows() + first_audio_rows() + batch_rows()
